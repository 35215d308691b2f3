"""Serial COWS ratings and the naloxone rechallenge (reference 5.1, 5.2).

COWS is rated again and again (a baseline, before the challenge, after it, each day of a
pathway): the record keeps every rating with its time and its context. The engine reads
one rating, the answers ``cows_*``: the latest rating taken on the day of the injection.
A rating of another day never counts (clinical basis, safety invariant 3).

A positive naloxone challenge may be followed by a rechallenge within the window the pack
sets (``settings.naloxone_rechallenge_window_hours``); the answers ``naloxone_rechallenge``
and ``naloxone_rechallenge_hours`` carry it, and the gate in the pack decides. This module
turns the series given by a script (an answers file) into those answers, and keeps the
walk's series. Nothing here prints or prompts; no clinical number lives here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Protocol

from ..errors import InvalidAnswer
from ..pack import keys
from ..pack.guide import Guide
from ..records import field, record
from .answers import CHALLENGES_KEY as CHALLENGES_KEY
from .answers import RAPID_DAYS_KEY, parse_value
from .answers import RATINGS_KEY as RATINGS_KEY
from .clock import aware as aware
from .clock import (
    end_of_day,
    hours_between,
    instant,
    observation_problem,
    parse_instant,
    refuse_after_now,
)
from .clock import shown as _shown

# The entries of the series and how they are read live in visit/entries.py (the rule
# that takes a new one into the record, visit/results.py, reads them too).
from .entries import CHALLENGE as CHALLENGE
from .entries import CONTEXTS as CONTEXTS
from .entries import KINDS as KINDS
from .entries import OBSERVATION as OBSERVATION
from .entries import PREFIX as PREFIX
from .entries import RECHALLENGE as RECHALLENGE
from .entries import RECHALLENGE_HOURS as RECHALLENGE_HOURS
from .entries import (
    RESULT_KEYS,
    Recorded,
    new_challenges,
    placed,
    positive_since,
    read_positive,
    reads_positive,
    unordered_latest,
    visit_results,
)
from .entries import TOTAL as TOTAL
from .entries import WINDOW as WINDOW
from .entries import ChallengeResult as ChallengeResult
from .entries import Context as Context
from .entries import CowsRating as CowsRating
from .entries import item_keys as item_keys
from .entries import latest_on as latest_on
from .entries import live as live
from .entries import local_day as local_day
from .entries import rating_answers as rating_answers
from .entries import standing_positive as standing_positive

# --- the walk's series ---------------------------------------------------------------


# --- the walk's challenge results ------------------------------------------------------


def carried_positive(
    guide: Guide,
    ratings: list[CowsRating],
    challenges: list[ChallengeResult],
    visit_day: dt.date | None,
) -> ChallengeResult | None:
    """A positive challenge recorded for another day than ``visit_day`` (the latest such).

    A positive challenge blocks whatever day the walk has moved to: it never disappears
    because the visit date moved (a walk resumed the next day); only a negative
    rechallenge inside the window lifts it, and the gate in the pack decides that."""
    found = [
        c
        for c in live(challenges)
        if c.kind == "challenge"
        and c.day != visit_day
        and reads_positive(guide, ratings, challenges, c)  # a negative beside withdrawal too
    ]
    return max(found, key=lambda c: instant(c.at)) if found else None


def window_end(guide: Guide, positive: ChallengeResult) -> dt.datetime | None:
    """The end of the rechallenge window after ``positive`` (the pack's setting)."""
    window = guide.setting_values.get(WINDOW)
    if not isinstance(window, int | float) or isinstance(window, bool):
        return None
    return aware(positive.at).astimezone(dt.UTC) + dt.timedelta(hours=window)


class _Answer(Protocol):
    @property
    def value(self) -> object: ...
    @property
    def origin(self) -> str: ...
    @property
    def at(self) -> dt.datetime: ...


class SeriesRecord(Protocol):
    """What the series reads and changes of a visit's record
    (:class:`~xrntx_guide.visit.session.SessionRecord`), named here: the session imports
    this module, so this module does not import the session."""

    @property
    def naloxone_challenges(self) -> list[ChallengeResult]: ...
    @property
    def cows_ratings(self) -> list[CowsRating]: ...
    @property
    def answers(self) -> Mapping[str, _Answer]: ...
    def set_answer(self, key: str, value: Any, origin: Any, now: dt.datetime) -> None: ...
    def carry_answer(
        self, key: str, value: Any, origin: Any, at: dt.datetime, now: dt.datetime, why: str
    ) -> None: ...
    def skip(self, key: str, now: dt.datetime) -> None: ...


def rechallenge_until(guide: Guide, record: SeriesRecord) -> str | None:
    """What the clinician is told as a positive challenge is recorded: until when a
    rechallenge may be done (the window from the positive, reference 5.2) and how it is
    recorded later; None without a standing positive, a window or a rechallenge."""
    if RECHALLENGE not in guide.questions:
        return None
    since = positive_since(guide, record.cows_ratings, record.naloxone_challenges, "challenge")
    end = window_end(guide, since) if since is not None else None
    if end is None:
        return None
    dose = guide.setting_values.get(keys.RECHALLENGE_DOSE)
    iv = f" (IV {dose:g} mg)" if isinstance(dose, int | float) else ""
    return (
        f"A rechallenge{iv} may be done until {_local(end)}: its result is asked next "
        f"(Enter leaves it for later: `edit {RECHALLENGE}`, or the session resumed, records "
        "it within that time)."
    )


def restore_positive(
    guide: Guide, record: SeriesRecord, visit_day: dt.date, now: dt.datetime
) -> list[str]:
    """After the visit date moved (a walk resumed on another day): a positive challenge of
    the series stands as the challenge result, with its own time. Within the window the
    walk asks for the rechallenge; past it, no rechallenge is offered: a repeat then is the
    new visit day's new challenge (reference 5.2), which stands in its place once recorded.
    Returns the lines for the clinician."""
    if CHALLENGE not in guide.questions:
        return []
    positive = carried_positive(guide, record.cows_ratings, record.naloxone_challenges, visit_day)
    if positive is None or new_challenges(guide, record.naloxone_challenges, positive, visit_day):
        return []
    origin = positive.origin if positive.origin in ("typed", "file", "flag") else "session"
    # A correction to positive counts from the result it corrects (visit/entries.py).
    since = placed(record.naloxone_challenges, positive)
    when = _local(since.at)
    why = f"the positive challenge of {when} stands on {visit_day.isoformat()}"
    if positive.result == "positive":
        # Carried as the answer it was recorded as. A negative that reads as positive
        # (withdrawal during its observation) is read so from the series, which the gate
        # reads, never carried as an answer its audit trail never logged.
        record.carry_answer(CHALLENGE, "positive", origin, positive.at, now, why)
    end = window_end(guide, since)
    window = guide.setting_values.get(WINDOW)
    dose = guide.setting_values.get(keys.RECHALLENGE_DOSE)
    line = f"The naloxone challenge of {when} was positive: it stands on {visit_day.isoformat()}."
    if end is not None and aware(now) > end and RECHALLENGE in guide.questions:
        record.skip(RECHALLENGE, now)
        return [
            f"{line} The window for a rechallenge ({window:g} hours) ended at "
            f"{_local(end)}: no rechallenge is offered. A repeat now is not a rechallenge "
            f"but a new challenge for {visit_day.isoformat()}, with that day's urine screen "
            "and COWS (`edit naloxone_challenge` records it); until then the injection "
            "cannot be given."
        ]
    again = read_positive(guide, record.cows_ratings, record.naloxone_challenges, "rechallenge")
    if (
        again is not None
        and instant(placed(record.naloxone_challenges, again).at) > instant(since.at)
        and RECHALLENGE in guide.questions
    ):
        # Within the window: a positive rechallenge stands too, and nothing is recorded
        # over it (reference 5.2); past the window, a repeat is the new day's challenge.
        record.skip(RECHALLENGE, now)
        return [
            f"{line} Its rechallenge of {_local(again.at)} was positive too and stands: no "
            "further rechallenge is offered, and the injection cannot be given."
        ]
    until = f" until {_local(end)} ({window:g} hours after it)" if end is not None else ""
    iv = f" (IV {dose:g} mg)" if isinstance(dose, int | float) else ""
    return [
        f"{line} A rechallenge{iv} may be done{until}: its result is asked, with its "
        "own observation timer."
    ]


def _local(at: dt.datetime) -> str:
    return _shown(at)


def rechallenge_hours(first: dt.datetime, second: dt.datetime) -> float:
    """Hours of absolute time from the positive challenge to the rechallenge, rounded UP
    to a hundredth, so that a rechallenge a moment past the window is never rounded into
    it (visit/clock.py: a daylight-saving change adds or removes no hour)."""
    return hours_between(first, second)


def fill_rechallenge_hours(guide: Guide, record: SeriesRecord, now: dt.datetime) -> str | None:
    """In a walk, the hours from the positive challenge to the rechallenge, from the times
    both results were typed (a rechallenge outside the window is refused where it is taken
    into the record: visit/results.py). Returns a line for the clinician, or None when
    nothing was done.
    A result given by flag is taken at the walk's clock, and worked out alike; a file's
    series gives its own times (visit/results.py: the hours are never given in a walk)."""
    if RECHALLENGE_HOURS not in guide.questions:
        return None
    kept = record.answers.get(RECHALLENGE_HOURS)
    if kept is not None and kept.origin != "derived":
        return None  # typed or given: the clinician's own figure stands
    first, again = record.answers.get(CHALLENGE), record.answers.get(RECHALLENGE)
    if first is None or again is None or first.value != "positive":
        return None
    if again.value not in ("negative", "positive") or again.origin not in ("typed", "flag"):
        return None
    # The positive's own time: from the series (kept across days, a file's time too),
    # else the time it was typed.
    entries = list(getattr(record, "naloxone_challenges", []))
    positives = [
        c
        for c in entries
        if c.kind == "challenge" and c.result == "positive" and aware(c.at) <= aware(again.at)
    ]
    if positives:
        # A correction to positive counts from the result it corrects (entries.py placed).
        latest = max(positives, key=lambda c: instant(c.at))
        positive_at = placed(entries, latest).at
    elif first.origin == "typed":
        positive_at = first.at
    else:
        return None
    hours = rechallenge_hours(aware(positive_at), aware(again.at))
    window = guide.setting_values.get(WINDOW)
    if window is not None and hours > window:
        return None  # never taken (visit/results.py); the gate refuses such hours too
    if kept is not None and kept.value == hours:
        return None  # worked out already (an edit of either result works it out again)
    record.set_answer(RECHALLENGE_HOURS, hours, "derived", now)
    return f"Rechallenge {hours:g} hours after the positive challenge (from the times recorded)."


# --- an answers file's series --------------------------------------------------------


@record
class Expanded:
    """A series given by a script, as the answers the engine reads, and what was used."""

    answers: dict[str, Any] = field(default_factory=dict)
    ratings: list[CowsRating] = field(default_factory=list)
    used_rating: int | None = None
    challenges: list[dict[str, Any]] = field(default_factory=list)
    """The challenge results the gate reads (the challenge, the rechallenge), for ``used``."""
    entries: list[ChallengeResult] = field(default_factory=list)
    """Every challenge entry the file gives, corrections included, for the record."""
    used_challenge: str | None = None
    """``challenge`` or ``rechallenge``: which result the gate reads; None for neither."""

    def used(self) -> dict[str, Any]:
        """What ``check --json`` reports under ``used``."""
        out: dict[str, Any] = {}
        if self.ratings:
            r = self.ratings[self.used_rating] if self.used_rating is not None else None
            out["cows_rating"] = (
                None
                if r is None
                else {
                    "index": self.used_rating,
                    "at": r.at.isoformat(),
                    "context": r.context,
                    "total": r.total,
                }
            )
        if self.challenges:
            chosen = next((c for c in self.challenges if c["kind"] == self.used_challenge), None)
            out[CHALLENGE] = (
                None
                if chosen is None
                else {
                    "kind": chosen["kind"],
                    "at": chosen["at"].isoformat(),
                    "result": chosen["result"],
                }
            )
        return out


def _when(key: str, raw: object, what: str, now: dt.datetime, field: str = "at") -> dt.datetime:
    """A file's time (an offset optional: without one it is the local time), stored with
    its offset; never after ``now`` (visit/clock.py, the one rule)."""
    try:
        when = parse_instant(raw)
    except ValueError as exc:
        raise InvalidAnswer(key, f"{what}: {field!r}: {exc}") from None
    refuse_after_now(key, f"{what} ({field!r})", when, now)
    return when


def expand(
    guide: Guide,
    raw: Mapping[str, Any],
    day: dt.date,
    where: str | None,
    now: dt.datetime | None = None,
    on_record: list[CowsRating] | None = None,
) -> Expanded:
    """The answers a file's ``cows_ratings`` and ``naloxone_challenges`` stand for on the
    visit day ``day``, as of ``now`` (None: the end of ``day``). ``on_record``: the
    ratings of the visit day the rapid pathway's day record gives (visit/rapid.py
    :func:`ratings_of`), entries of the one series beside the file's: the gate reads the
    latest of them all.

    Raises:
        InvalidAnswer: an entry of the wrong shape, a score the scale does not allow, a
            series beside the single answers it replaces, two ratings at the same time, a
            rechallenge without a positive challenge before it, or outside its window, a
            time after ``now``.
    """
    out = Expanded()
    suffix = f" ({where})" if where else ""
    at_most = now if now is not None else end_of_day(day)
    if RATINGS_KEY in raw:
        _expand_ratings(guide, raw, day, suffix, out, at_most)
    if on_record:
        key = RATINGS_KEY if RATINGS_KEY in raw else RAPID_DAYS_KEY
        _add_record_ratings(key, day, suffix, out, on_record)
    if CHALLENGES_KEY in raw:
        _expand_challenges(guide, raw, day, suffix, out, at_most)
    return out


def _expand_ratings(
    guide: Guide,
    raw: Mapping[str, Any],
    day: dt.date,
    suffix: str,
    out: Expanded,
    now: dt.datetime,
) -> None:
    key = RATINGS_KEY
    beside = sorted(k for k in raw if k.startswith(PREFIX) and k != key)
    if beside:
        raise InvalidAnswer(
            key, f"given beside {', '.join(beside)}: give the series or the single rating{suffix}"
        )
    entries = raw[key]
    if not isinstance(entries, list):
        raise InvalidAnswer(key, f"must be a list of ratings{suffix}")
    items_of = item_keys(guide)
    for n, entry in enumerate(entries):
        what = f"rating {n}"
        if not isinstance(entry, dict):
            raise InvalidAnswer(key, f"{what} is not an object{suffix}")
        unknown = sorted(set(entry) - {"at", "context", "items", "total", "corrects", "reason"})
        if unknown:
            raise InvalidAnswer(key, f"{what}: unknown field(s) {unknown}{suffix}")
        at = _when(key, entry.get("at"), f"{what}{suffix}", now)
        context = entry.get("context", "repeat")
        if context not in CONTEXTS:
            raise InvalidAnswer(
                key, f"{what}: context {context!r} is not one of {', '.join(CONTEXTS)}{suffix}"
            )
        items: dict[str, int] | None = None
        if "items" in entry:
            given = entry["items"]
            if not isinstance(given, dict):
                raise InvalidAnswer(key, f"{what}: items must be an object{suffix}")
            items = {}
            for name, score in given.items():
                qkey = f"{PREFIX}{name}"
                if qkey not in items_of:
                    raise InvalidAnswer(key, f"{what}: {name!r} is not a COWS item{suffix}")
                try:
                    value = parse_value(guide.questions[qkey], score, today=day)
                except InvalidAnswer as exc:
                    raise InvalidAnswer(key, f"{what}: {qkey}: {exc.reason}{suffix}") from None
                assert isinstance(value, int)
                items[name] = value
            if len(items) != len(items_of):
                names = [k.removeprefix(PREFIX) for k in items_of]
                missing = ", ".join(n for n in names if n not in items)
                raise InvalidAnswer(
                    key, f"{what}: items lack {missing}: rate all eleven, or give the total{suffix}"
                )
        total: int | None = None
        if "total" in entry:
            try:
                parsed = parse_value(guide.questions[TOTAL], entry["total"], today=day)
            except InvalidAnswer as exc:
                raise InvalidAnswer(key, f"{what}: total: {exc.reason}{suffix}") from None
            assert isinstance(parsed, int)
            total = parsed
        if items is None and total is None:
            raise InvalidAnswer(key, f"{what}: give its items or its total{suffix}")
        if items is not None and total is not None and sum(items.values()) != total:
            raise InvalidAnswer(
                key, f"{what}: total {total} but its items sum to {sum(items.values())}{suffix}"
            )
        corrects, reason = _correction(key, entry, what, suffix, now)
        out.ratings.append(
            CowsRating(
                at=at,
                day=local_day(at),
                context=context,
                total=total if total is not None else sum((items or {}).values()),
                items=items,
                origin="file",
                corrects=corrects,
                reason=reason,
            )
        )
    seen: dict[float, int] = {}
    for n, r in enumerate(out.ratings):
        if instant(r.at) in seen:
            raise InvalidAnswer(
                key,
                f"ratings {seen[instant(r.at)]} and {n} have the same time "
                f"{r.at.isoformat()}: which is the latest cannot be told{suffix}",
            )
        seen[instant(r.at)] = n
    out.used_rating = latest_on(out.ratings, day)
    if out.used_rating is not None:
        out.answers.update(rating_answers(out.ratings[out.used_rating]))


def _add_record_ratings(
    key: str, day: dt.date, suffix: str, out: Expanded, on_record: list[CowsRating]
) -> None:
    """The day record's ratings of the visit day join the file's (after them: the index
    ``used`` reports of a file's rating stays its own): one series, the rating the gate
    reads the latest of them all. A rating of the record at
    the time of one of the file's is the same rating (added once) or a clash (refused:
    which stands cannot be told)."""
    mine = {instant(r.at): r for r in out.ratings}
    for r in on_record:
        same = mine.get(instant(r.at))
        if same is None:
            out.ratings.append(r)
        elif same.total != r.total:
            raise InvalidAnswer(
                key,
                f"the COWS rating of {_shown(r.at)} is {same.total} in the series and "
                f"{r.total} in the rapid pathway's day record: give it once, or correct "
                f"the one recorded in error{suffix}",
                hint="Leave the rating in one place (the day record's 'cows' or the series), "
                "or correct it with 'corrects' and 'reason' (docs/scripting.md).",
            )
    out.used_rating = latest_on(out.ratings, day)
    if out.used_rating is not None:
        out.answers.update(rating_answers(out.ratings[out.used_rating]))


def _correction(
    key: str, entry: Mapping[str, Any], what: str, suffix: str, now: dt.datetime
) -> tuple[dt.datetime | None, str | None]:
    """An entry's ``corrects`` (the time of the entry it corrects) and ``reason``."""
    if "corrects" not in entry:
        if "reason" in entry:
            raise InvalidAnswer(key, f"{what}: a reason without 'corrects'{suffix}")
        return None, None
    corrects = _when(key, entry["corrects"], f"{what}{suffix}", now, "corrects")
    reason = entry.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidAnswer(key, f"{what}: a correction needs a 'reason' (text) saying why{suffix}")
    return corrects, reason.strip()


def _expand_challenges(
    guide: Guide,
    raw: Mapping[str, Any],
    day: dt.date,
    suffix: str,
    out: Expanded,
    now: dt.datetime,
) -> None:
    key = CHALLENGES_KEY
    beside = sorted(k for k in (CHALLENGE, RECHALLENGE, RECHALLENGE_HOURS) if k in raw)
    if beside:
        raise InvalidAnswer(
            key, f"given beside {', '.join(beside)}: give the series or the single answers{suffix}"
        )
    entries = raw[key]
    if not isinstance(entries, list) or not entries:
        raise InvalidAnswer(key, f"must list the challenge and any rechallenge{suffix}")
    observe = guide.setting_values.get(OBSERVATION)
    parsed: list[ChallengeResult] = []
    for n, entry in enumerate(entries):
        what = f"entry {n}"
        if not isinstance(entry, dict):
            raise InvalidAnswer(key, f"{what} is not an object{suffix}")
        unknown = sorted(set(entry) - {"at", "kind", "result", "started", "corrects", "reason"})
        if unknown:
            raise InvalidAnswer(key, f"{what}: unknown field(s) {unknown}{suffix}")
        kind = entry.get("kind", "challenge")
        if kind not in ("challenge", "rechallenge"):
            raise InvalidAnswer(key, f"{what}: kind must be 'challenge' or 'rechallenge'{suffix}")
        question = guide.questions[CHALLENGE if kind == "challenge" else RECHALLENGE]
        try:
            result = parse_value(question, entry.get("result"), today=day)
        except InvalidAnswer as exc:
            raise InvalidAnswer(key, f"{what}: result: {exc.reason}{suffix}") from None
        at = _when(key, entry.get("at"), f"{what}{suffix}", now)
        started = (
            _when(key, entry["started"], f"{what}{suffix}", now, "started")
            if "started" in entry
            else None
        )
        waits = result in question.spec.wait_for and isinstance(observe, int | float)
        problem = (
            observation_problem(
                f"{what}: {kind} {result}", started, at, observe if waits else None, None, result
            )
            if started is not None
            else None
        )
        if problem is not None:
            raise InvalidAnswer(key, f"{problem}{suffix}")
        corrects, reason = _correction(key, entry, what, suffix, now)
        parsed.append(
            ChallengeResult(
                at=at,
                day=local_day(at),
                kind=kind,
                result=str(result),
                started=started,
                origin="file",
                corrects=corrects,
                reason=reason,
            )
        )
    # The file's entries obey the rule every route obeys (visit/results.py), which the
    # reader of the file applies (visit/presets.py: read_series); here, what they say.
    ordered = sorted(parsed, key=lambda c: instant(c.at))
    out.entries = ordered
    # What they stand for on the visit day: the one reading every route uses
    # (visit/entries.py), the walk's record too.
    # Whether each was done beside withdrawal is judged with the session's ratings too
    # (visit/results.py check_series, which read_series applies to every file's series).
    reading = visit_results(guide, [], ordered, day, judge_withdrawal=False)
    out.answers.update({k: v for k, v in reading.answers.items() if k in RESULT_KEYS})
    # Each by the part it plays: a repeat recorded as a rechallenge past the window is
    # that day's new challenge (reference 5.2).
    out.challenges = [
        {"kind": role, "at": c.at, "result": c.result}
        | ({"started": c.started} if c.started is not None else {})
        for role, c in (("challenge", reading.challenge), ("rechallenge", reading.rechallenge))
        if c is not None
    ]
    if reading.challenge is not None:
        out.used_challenge = "challenge"
    if reading.rechallenge is not None and reading.rechallenge.result != keys.NOT_DONE:
        out.used_challenge = "rechallenge"


# --- the series as text (screen and note) --------------------------------------------


def scale_top(guide: Guide) -> int:
    """The highest total the scale allows: the sum of each item's highest score."""
    top = 0
    for key in item_keys(guide):
        scores = [
            c.value for c in guide.questions[key].spec.choices or () if isinstance(c.value, int)
        ]
        top += max(scores, default=0)
    return top


def read_rating(
    ratings: list[CowsRating],
    visit_day: dt.date | None,
    recorded: Recorded | None,
    until: dt.datetime | None = None,
) -> int | None:
    """The index of the rating the gate reads (visit/entries.py visit_results): the
    latest of the visit day, or none where its order within its minute is not known
    (``recorded``: a session's audit trail, :func:`unordered_latest`). ``until``: when the
    dose counted (SessionRecord.read_series): a rating taken after it is recorded, never
    read."""
    kept = (
        ratings
        if until is None
        else [r for r in ratings if instant(placed(ratings, r).at) <= instant(until)]
    )
    used = latest_on(kept, visit_day) if visit_day is not None else None
    if used is not None and recorded is not None:
        used = None if unordered_latest(kept, kept[used], recorded) is not None else used
    if used is None:
        return None
    return next(i for i, r in enumerate(ratings) if r is kept[used])


def series_lines(
    ratings: list[CowsRating],
    threshold: int | None,
    visit_day: dt.date | None,
    top: int,
    recorded: Recorded | None = None,
    read: bool | None = None,
    until: dt.datetime | None = None,
    marked: int | None = None,
) -> list[str]:
    """The series as a small table with a bar per rating, at most 78 columns wide: one
    ``#`` per point, ``|`` at the threshold, ``>`` before the rating the gate reads (the
    latest of the visit day, :func:`read_rating`; ``read`` False: none, as a note's data
    says). One column per point up to ``top`` (the scale's whole range,
    :func:`scale_top`), so the chart is never rescaled. Ratings are listed by time,
    grouped by day. ``until``: when the dose counted (a rating after it is never the one
    read); ``marked``: the index of the rating a note's data says was read."""
    if not ratings:
        return []
    if marked is not None:  # the rating a note's data says the gate read
        used: int | None = marked
    else:
        used = None if read is False else read_rating(ratings, visit_day, recorded, until)
    unread = used is None and any(r.day == visit_day for r in ratings)
    # Beside ratings given with their times, one the program stamped is marked: its time
    # is when it was recorded, not when it was taken.
    mixed = any(r.time_given for r in ratings) and any(not r.time_given for r in ratings)
    order = sorted(range(len(ratings)), key=lambda i: (instant(ratings[i].at), i))
    lines = ["  time  context          COWS chart"]
    day: dt.date | None = None
    for i in order:
        r = ratings[i]
        if r.day != day:
            day = r.day
            lines.append(day.isoformat() + ("" if day == visit_day else " (not the visit day)"))
        filled = min(r.total, top)
        bar = list("#" * filled + " " * (top - filled))
        if threshold is not None and 0 <= threshold < top and r.total <= threshold:
            bar[threshold] = "|"
        mark = ">" if i == used else " "
        stamp = "~" if mixed and not r.time_given else " "
        when = _shown(r.at, "%H:%M")
        lines.append(f"{mark}{stamp}{when} {r.context:<16} {r.total:>4} {''.join(bar).rstrip()}")
        if r.corrects is not None:  # both stay in the record (safety invariant 9)
            fixed = _shown(r.corrects, "%H:%M")
            said = f"        corrects the rating of {fixed}: {r.reason or ''}"
            lines.append(said if len(said) <= 78 else said[:75] + "...")
    legend = "# = 1 point"
    if threshold is not None:
        legend += f"; | = the threshold ({threshold})"
    legend += (
        "; > = the rating the gate reads"
        if used is not None
        else "; none read: which of the latest minute's came later is not known"
        if unread
        else "; none of the visit day"
    )
    lines.append(legend)
    if mixed:
        lines.append("~ = given without its time: the time it was recorded (taken then or before)")
    # Two ratings of one minute look alike at HH:MM: each by its seconds, as a correction
    # names one (--correct cows_total@TIME: HH:MM names the one of that exact time).
    minutes: dict[tuple[dt.date, str], list[CowsRating]] = {}
    for i in order:
        minutes.setdefault((ratings[i].day, _shown(ratings[i].at, "%H:%M")), []).append(ratings[i])
    for (_, minute), alike in minutes.items():
        seconds = [_shown(r.at, "%H:%M:%S") for r in alike]
        if len(alike) > 1 and len(set(seconds)) == len(alike):  # else no name tells them apart
            each = ", ".join(f"{when} ({r.total})" for when, r in zip(seconds, alike, strict=True))
            lines.append(f"{minute} holds {each}: a correction names one by its seconds")
    return lines


def series_data(
    ratings: list[CowsRating],
    visit_day: dt.date | None,
    recorded: Recorded | None = None,
    until: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """The series for the JSON note: each rating (``time_given``: its time was given with
    it, or false: the time the program recorded it), and whether the gate reads it
    (:func:`read_rating`)."""
    used = read_rating(ratings, visit_day, recorded, until)
    return [{**_json_row(r), "used": i == used} for i, r in enumerate(ratings)]


def _json_row(rating: CowsRating) -> dict[str, Any]:
    """A rating as JSON, its times in the one form every JSON output uses: ISO 8601 with
    a numeric offset (pydantic's JSON writes UTC as ``Z``)."""
    return {
        k: v.isoformat() if isinstance(v, dt.date | dt.datetime) else v
        for k, v in rating.model_dump().items()
    }
