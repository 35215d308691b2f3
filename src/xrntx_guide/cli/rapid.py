"""The rapid pathway's day dialog: one day of the supervised rapid pathway recorded at the
prompt (reference section 6).

The walk opens it when it reaches the pathway's record (its answers are worked out from
the days, never typed) and on ``day`` at the pathway's prompts. Each prompt checks what is
typed at once; the day is saved as soon as it is complete, shown, and the gates are
evaluated again. Nothing is marked tolerated, and no injection day confirmed, unless the
clinician types it: Enter there leaves it not recorded, which the gate never counts.

The logic (defaults, what is refused, the record's rows) lives in visit/rapid.py; this
module only asks and shows.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Protocol

from ..engine.evaluate import State
from ..env import Clock
from ..errors import InvalidAnswer
from ..pack import keys
from ..pack.guide import Guide
from ..visit.answers import MAX_TEXT, parse_date, parse_value
from ..visit.clock import on_day
from ..visit.rapid import (
    COWS_TOTAL,
    RapidDay,
    clashing,
    cows_items,
    cows_words,
    date_refusal,
    date_warning,
    day_in_force,
    day_number_problem,
    day_rows,
    derive,
    next_day,
    parse_day,
    parse_rating,
    parse_time,
    rating_time_problem,
    table_row,
)
from ..visit.results import day_rating_refused, take_day
from ..visit.session import SessionRecord
from .prompts.base import _Command
from .ui import SKIPPED, UI


class Walk(Protocol):
    """What the dialog uses of the walkthrough (cli/walkthrough.py), which opens it: a
    protocol, so that this module does not import the walkthrough back."""

    ui: UI
    guide: Guide
    record: SessionRecord
    today: dt.date
    clock: Clock
    in_day_dialog: bool

    def read(
        self, prompt: str, extra: tuple[str, ...] = (), words: tuple[str, ...] = ()
    ) -> str: ...
    def state(self) -> State: ...
    def save(self, state: State | None = None) -> None: ...
    def after_change(self, old: State) -> None: ...
    def rapid_progress(self, g: Any) -> Any: ...


_FIRST = "\x00first"
"""Marks a 'back' typed at the dialog's first prompt: it leaves the dialog."""

GATE = keys.RAPID_GATE
"""The pack's gate that reads the record: its verdict is shown after each day."""
_ON_ENTER = re.compile(r"\[Enter: ([^\]]*)\]")
"""A yes/no prompt's words for Enter, which the echo repeats."""
VERDICT = {"pass": "passes", "fail": "fails", "unknown": "not decided", "overridden": "overridden"}
COLUMNS = ("day", "date", "given", "naltrexone", "tolerated", "cows", "injection", "note", "entry")
HEADINGS = (
    "Day",
    "Date",
    "Given",
    "Oral NTX",
    "Tolerated",
    "COWS",
    "Injection day",
    "Note",
    "Entry",
)


def show_record(walk: Walk) -> None:
    """The days recorded so far, as a table (every field), and what the record misses."""
    rec = walk.record
    table = rec.rapid_protocol
    if table is None:
        walk.ui.note(
            "No site protocol table: record what was given as free text, and confirm the "
            "protocol's injection day on that day."
        )
    else:
        inj = [t.day for t in table if t.injection]
        walk.ui.note(
            f"Site protocol table: {len(table)} days"
            + (f"; the injection day is day {inj[0]}." if len(inj) == 1 else ".")
        )
    if not rec.rapid_days:
        walk.ui.line("No day of the pathway is recorded yet.")
        return
    rows = day_rows(rec.rapid_days, table)
    walk.ui.table(
        HEADINGS,
        [[r[c] for c in COLUMNS] for r in rows],
        title="Rapid pathway record",
        prose=("Given", "Note"),
    )
    reading = derive(rec.rapid_days, table, walk.today)
    for m in reading.missing:
        walk.ui.bullet(f"missing: {m}")


def day_dialog(walk: Walk, state: State) -> None:
    """Record one day, prompt by prompt, save it at once, show the record and what moved.

    A walk command typed at any of its prompts (quit, why...) leaves the dialog and is
    carried out; the day being typed is then not recorded, and the screen says so. 'back'
    goes back within the dialog: past its first prompt the day's record starts over (its
    prompts are few, and what was typed is shown above); at the first it leaves the
    dialog, as any command does, and the walk goes back from where it was opened.
    """
    walk.in_day_dialog = True
    try:
        while True:
            try:
                day = _ask_day(walk, state)
                break
            except _Command as cmd:
                if cmd.name != "back" or cmd.arg == _FIRST:
                    raise
                walk.ui.note("Back to the start of the day's record: nothing is recorded yet.")
    except BaseException:  # a walk command, Ctrl-C or the input's end: nothing is kept
        walk.ui.note("The day was not recorded.")
        raise
    finally:
        walk.in_day_dialog = False
    old = walk.state()
    visit = old.value(walk.guide.meta.date_key)
    try:
        added = take_day(
            walk.guide,
            walk.record,
            day,
            visit if isinstance(visit, dt.date) else walk.today,
            walk.clock.now(),
        )
    except ValueError as exc:
        walk.ui.retry(f"{exc}; the day was not recorded")
        return
    except InvalidAnswer as exc:
        walk.ui.retry(f"{exc.reason}; the day was not recorded")
        return
    walk.save(walk.state())
    if not added:
        walk.ui.note(f"Day {day.day}: nothing new to record; the record is unchanged.")
    what = "corrected" if day.corrects is not None else "recorded"
    if any(e.day == day.day for e, _ in clashing(walk.record.rapid_days)):
        # Another run recorded the day meanwhile, saying otherwise: both entries are kept
        # (the merge said so), and the day is not decided until it is corrected.
        what = "recorded beside another entry that says otherwise: not decided until corrected"
    walk.ui.line(f"Day {day.day} {what} ({day.date.isoformat()}).", style="bold")
    show_record(walk)
    walk.after_change(old)
    g = walk.state().gates.get(GATE)
    on_track = None if g is None else walk.rapid_progress(g)
    if on_track is not None:
        walk.ui.line(f"{on_track.heading()}. Due today: {on_track.due}.")
    elif g is not None and g.outcome != "not_applicable":
        walk.ui.line(f"gate {GATE}: {VERDICT.get(g.outcome, g.outcome)}: {g.reason}")


def _ask_day(walk: Walk, state: State) -> RapidDay:
    rec = walk.record
    table = rec.rapid_protocol
    guide = walk.guide
    today = walk.today
    walk.ui.blank()
    walk.ui.line("Record a day of the rapid pathway", style="bold")
    show_record(walk)

    # 1. The day number: the next after those recorded.
    suggested = next_day(rec.rapid_days)
    if table is not None and table_row(table, suggested) is None:
        suggested = max(t.day for t in table)
    while True:
        try:
            text = walk.read(f"Day of the protocol (number) [{suggested}]: ")
        except _Command as cmd:
            if cmd.name == "back":  # at the first prompt: out of the dialog
                raise _Command("back", _FIRST) from None
            raise
        if not text:
            text = str(suggested)
            walk.ui.taken(f"day {suggested}")
        number, why = day_number_problem(table, text)
        if number is not None:
            break
        walk.ui.retry(f"{why}; please answer again")
    earlier = day_in_force(rec.rapid_days, number)
    correcting = False
    if earlier is not None:
        # A recorded day is never replaced: what is typed now is added to it, or corrects
        # it with a reason; both entries stay in the record and the note.
        walk.ui.note(
            f"Day {number} is recorded ({earlier.date.isoformat()}). Enter adds to it (a COWS "
            "rating, or what is not recorded yet); 'correct' records a correction, with why."
        )
        while True:
            reply = walk.read(f"Add to day {number}, or correct it? [Enter: add / correct]: ")
            if reply.strip().lower() in ("", "add", "correct"):
                correcting = reply.strip().lower() == "correct"
                if not reply.strip():
                    walk.ui.taken(f"add to day {number}")
                break
            walk.ui.retry("press Enter to add to the day, or type 'correct'")
    keep = earlier if earlier is not None and not correcting else None
    row = table_row(table, number)
    if row is not None:
        walk.ui.note(
            f"Site table, day {number}: {row.given}"
            + ("; a COWS rating is due" if row.cows_due or row.injection else "")
            + ("; the protocol's injection day" if row.injection else "")
        )

    # 2. The date: the walk's visit date; never after today.
    visit = state.value(guide.meta.date_key)
    default_date = visit if isinstance(visit, dt.date) and visit <= today else today
    if earlier is not None:
        default_date = earlier.date
    while keep is None:
        text = walk.read(
            f"Date of day {number} (YYYY-MM-DD, today, yesterday, N days ago) "
            f"[{default_date.isoformat()}]: "
        )
        if not text:
            walk.ui.taken(default_date.isoformat())
        try:
            date = parse_date(text, today) if text else default_date
        except ValueError as exc:
            walk.ui.retry(f"{exc}; please answer again")
            continue
        # A day after this visit's dose is refused here, as the record refuses it, before
        # the rest of the day is typed.
        refused = date_refusal(number, date, today) or rec.pathway_day_refused(date)
        if refused is not None:
            walk.ui.retry(f"{refused}; please answer again")
            continue
        break
    if keep is not None:
        date = keep.date
    if correcting and earlier is not None and earlier.cows and date != earlier.date:
        walk.ui.note(
            f"The COWS ratings recorded under {earlier.date.isoformat()} now have their date "
            "in doubt: withdrawal counts on both dates, a calm rating on neither. Give below "
            f"any rating taken on {date.isoformat()}."
        )
    warn = date_warning(rec.rapid_days, number, date)
    if warn is not None:
        walk.ui.warning(warn)

    # 3. What was given: the site table's words, or free text.
    default_given = row.given if row is not None else earlier.given if earlier else None
    if default_given is not None and row is None:
        walk.ui.note(f"Recorded before: {default_given}")
    # The text itself is shown above (the site table's row): a prompt stays one line.
    where = "the site table's text" if row is not None else "as recorded before"
    while keep is None:
        suffix = f" [Enter: {where}]" if default_given else ""
        text = walk.read(f"What was given on day {number}{suffix}: ")
        if not text and default_given:
            text = default_given
            walk.ui.taken(where)
        if text and len(text) <= MAX_TEXT:
            given = text
            break
        walk.ui.retry(
            "say what was given, in the site protocol's words"
            if not text
            else f"at most {MAX_TEXT} characters"
        )
    if keep is not None:
        given = keep.given

    # 4. Oral naltrexone given that day: typed, never a default (the site table's row
    # says what the protocol plans, not what was given).
    if row is not None:
        planned = "gives oral naltrexone" if row.oral_naltrexone else "gives no oral naltrexone"
        walk.ui.note(f"The site table {planned} on day {number}.")
    naltrexone_given = _kept_or_asked(
        walk,
        keep,
        "naltrexone_given",
        f"Day {number}: oral naltrexone given? (yes/no) [Enter: not recorded yet]: ",
        earlier if correcting else None,
    )

    # 5. Tolerated: typed, never a default.
    walk.ui.note("Tolerated: the doses given, with no precipitated withdrawal left untreated.")
    tolerated = _kept_or_asked(
        walk,
        keep,
        "tolerated",
        f"Day {number}: doses given and tolerated? (yes/no) [Enter: not recorded yet]: ",
        earlier if correcting else None,
    )

    # 6. COWS ratings with their times, on the pack's own scale.
    ratings: list[dict[str, Any]] = []
    if earlier is not None and earlier.cows and date == earlier.date:
        walk.ui.note(
            f"Day {number}'s COWS ratings so far: {cows_words(earlier)} (they stay; a new "
            "rating is added beside them, and the latest of the day counts)"
        )
    _ask_ratings(walk, number, date, ratings)

    # 7. The injection day: confirmed by the clinician only without a site table.
    injection_day: bool | None = None
    if table is None:
        injection_day = _kept_or_asked(
            walk,
            keep,
            "injection_day",
            f"Is day {number} the protocol's injection day? (yes/no) [Enter: not confirmed]: ",
            earlier if correcting else None,
        )

    # 8. A note.
    note = keep.note if keep is not None and keep.note else ""
    while not note:
        note = walk.read("Note [Enter to skip]: ")
        if not note:
            walk.ui.taken(SKIPPED)
            break
        if len(note) <= MAX_TEXT:
            break
        walk.ui.retry(f"at most {MAX_TEXT} characters")
        note = ""
    reason = ""
    while correcting and not reason:
        reason = walk.read(f"Why is day {number} corrected (required): ").strip()
        if len(reason) > MAX_TEXT:
            walk.ui.retry(f"at most {MAX_TEXT} characters")
            reason = ""
    raw = {
        "day": number,
        "date": date,
        "given": given,
        "tolerated": tolerated,
        "naltrexone_given": naltrexone_given,
        "cows": ratings,
        "injection_day": injection_day,
        "note": note or None,
        "corrects": number if correcting else None,
        "reason": reason or None,
    }
    # The same checks as an answers file's day: one reading of a day, whatever the route.
    return parse_day(guide, raw, today, walk.clock.now())


def _ask_ratings(walk: Walk, number: int, date: dt.date, ratings: list[dict[str, Any]]) -> None:
    guide = walk.guide
    total_q = guide.questions.get(COWS_TOTAL)
    if total_q is None:
        return
    items = cows_items(guide)
    walk.ui.note(
        f"COWS ratings of day {number}, each with its time: the total, or 'items' to rate "
        "item by item (the withdrawal step's scale); Enter when there is no other."
    )
    while True:
        done = "no other" if ratings else "none"
        text = walk.read(f"Day {number} {total_q.spec.prompt} [Enter: {done}]: ")
        if not text:
            walk.ui.taken("no other rating" if ratings else "no rating")
            return
        raw: dict[str, Any] = {}
        if text.lower() == "items" and items:
            raw["items"] = _ask_items(walk, items)
        else:
            try:
                raw["total"] = parse_value(total_q, text, today=walk.today)
            except InvalidAnswer as exc:
                walk.ui.retry(f"{exc.reason}; please answer again")
                continue
        rating = None
        while rating is None:
            raw["time"] = _ask_time(walk, number, date, [r["time"] for r in ratings])
            try:
                parsed = parse_rating(guide, raw, walk.today)
            except ValueError as exc:
                walk.ui.retry(f"{exc}; the rating was not recorded")
                break
            # The series' rule, at once: a time it refuses is asked again, never the day.
            at = on_day(date, parsed.time)
            refused = day_rating_refused(guide, walk.record, date, at, parsed.total)
            if refused is None:
                rating = parsed
            else:
                walk.ui.retry(f"{refused} Please give the time again")
        if rating is None:
            continue
        ratings.append(rating.model_dump())
        walk.ui.line(f"  COWS {rating.total} at {rating.time.strftime('%H:%M')}")


def _ask_items(walk: Walk, items: list[str]) -> dict[str, int]:
    scores: dict[str, int] = {}
    for key in items:
        cq = walk.guide.questions[key]
        walk.ui.scores([(str(c.value), c.label) for c in cq.spec.choices or ()])
        hint = ", ".join(str(c.value) for c in cq.spec.choices or ())
        while True:
            text = walk.read(f"{cq.spec.prompt} (score: {hint}): ")
            try:
                value = parse_value(cq, text, today=walk.today)
            except InvalidAnswer as exc:
                walk.ui.retry(f"{exc.reason}; please answer again")
                continue
            if not isinstance(value, int):
                walk.ui.retry("a score is needed")
                continue
            scores[key.removeprefix(keys.COWS_ITEM_PREFIX)] = value
            break
    return scores


def _ask_time(walk: Walk, number: int, date: dt.date, others: list[dt.time]) -> dt.time:
    """The rating's time, refused and asked again by the one rule for a day's rating
    (visit/rapid.py): a time still ahead, on another local date than the day's, or at the
    time of another rating typed for this entry (the latest rating of the day is the one
    the gate reads: two at one time, or one typed ahead, would leave it unclear)."""

    now = walk.clock.now().astimezone()
    default = now.strftime("%H:%M") if date == now.date() else None
    while True:
        suffix = f" [{default}]" if default else ""
        text = walk.read(f"Time of the rating (HH:MM){suffix}: ")
        if not text and default:
            text = default
            walk.ui.taken(default)
        try:
            when = parse_time(text)
        except ValueError as exc:
            walk.ui.retry(f"{exc}; please answer again")
            continue
        # The one rule for a day's rating, as an answers file's (visit/rapid.py).
        refused = rating_time_problem(
            f"the rating of day {number}", date, when, others, walk.clock.now()
        )
        if refused is not None:
            walk.ui.retry(f"{refused}; please answer again")
            continue
        return when


def _kept_or_asked(
    walk: Walk, keep: RapidDay | None, name: str, prompt: str, was: RapidDay | None = None
) -> bool | None:
    """A yes/no of the day: kept as recorded when adding to a day that has it (said on
    the screen), else asked; when correcting a day (``was``), Enter keeps what it says."""
    recorded = None if keep is None else getattr(keep, name)
    if recorded is not None:
        walk.ui.note(f"{prompt.split('?')[0]}? {'yes' if recorded else 'no'} (as recorded)")
        return bool(recorded)
    before = None if was is None else getattr(was, name)
    if before is not None:
        word = "yes" if before else "no"
        prompt = _ON_ENTER.sub(f"[Enter: {word}, as recorded]", prompt)
        return _yes_no(walk, prompt, bool(before))
    return _yes_no(walk, prompt)


def _yes_no(walk: Walk, prompt: str, default: bool | None = None) -> bool | None:
    """Yes or no; Enter takes ``default`` and says so in the prompt's own words for it
    (``[Enter: not recorded yet]`` -> ``Enter -> not recorded yet``)."""
    said = _ON_ENTER.search(prompt)
    while True:
        text = walk.read(prompt).strip().lower()
        if not text:
            walk.ui.taken(
                said.group(1)
                if said
                else "not recorded"
                if default is None
                else "yes"
                if default
                else "no"
            )
            return default
        if text in ("y", "yes"):
            return True
        if text in ("n", "no"):
            return False
        walk.ui.retry("type yes or no")
