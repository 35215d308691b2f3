"""The supervised rapid pathway's daily record (reference section 6), and what it answers.

The pathway runs over several days: each day is recorded with its date, its day number,
what was given (the site's words; the guide holds no doses), whether it was given and
tolerated, the COWS ratings taken with their times, and a note. A session keeps the days
(``SessionRecord.rapid_days``); an answers file, a batch line or a scenario gives them as
``rapid_days``, a list of objects.

The gate never reads the days: :func:`derive` works out, from the record alone, the answers
the pack's ``rapid_pathway`` gate reads (:data:`RECORD_KEYS`, origin ``record``): the day
reached and its date, the protocol's injection day, whether the record is complete,
whether every day's doses were tolerated, and the latest COWS total of the day reached.
These keys are never typed: every input route refuses them. A record that misses a day,
gives a day twice, is out of order, has a date after today, or disagrees with the site's
table is *not complete*, so it can never make the gate pass.

Nothing here holds a clinical number: the COWS scale is the pack's own COWS questions
(the total's bounds, the items' allowed scores), and the threshold is the pack's setting,
compared by the gate in ``steps/``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..engine.bounds import bound_problem
from ..engine.evaluate import Inputs, evaluate, state_context
from ..errors import InvalidAnswer
from ..expr import Scalar
from ..pack import keys
from ..pack.guide import Guide
from ..records import field, record
from .answers import MAX_TEXT, RAPID_DAYS_KEY, RAPID_RECORD_KEYS, as_text, parse_date, parse_value
from .answers import is_pathway_key as is_pathway_key
from .answers import is_record_key as is_record_key
from .clock import aware, end_of_day, future_problem, in_range, instant, on_day, shown, with_offset
from .entries import CowsRating

ANSWERS_KEY = RAPID_DAYS_KEY
"""The key of the record in an answers file, a batch line or a scenario's answers."""
RECORD_KEYS = RAPID_RECORD_KEYS

COWS_TOTAL = keys.COWS_TOTAL
"""The pack's COWS total question: a rating's total is read on its scale."""

MAX_DAYS = 366
"""A bound on the length of a record, not a clinical number: no protocol comes near it."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _times_in_range(cls, value: Any) -> Any:
        return in_range(value)


class PathwayRating(_Model):
    """One COWS rating on a pathway day, with its time of day (the day is the record's).
    Not the visit's COWS series entry (:class:`~xrntx_guide.visit.entries.CowsRating`:
    a full instant, a context, a correction chain)."""

    time: dt.time
    total: int
    items: dict[str, int] | None = None
    """The eleven item scores, when the rating was given item by item."""


class RapidDay(_Model):
    """One day of the pathway as recorded."""

    day: int
    date: dt.date
    given: str
    """What was given, in the site's words (the site table's text, or free text)."""
    tolerated: bool | None = None
    """Given and tolerated, with no precipitated withdrawal left untreated."""
    naltrexone_given: bool | None = None
    """Whether oral naltrexone was given that day (reference section 6: the injection is
    ready only after the pack's required number of such days, tolerated, before it)."""
    cows: list[PathwayRating] = Field(default_factory=list)
    injection_day: bool | None = None
    """The clinician's confirmation that this is the protocol's injection day (the only
    way to name it when the site file has no table; with a table it must agree)."""
    note: str | None = None
    corrects: int | None = None
    """Set on a correction: the day number it corrects (the entry it supersedes stays in
    the record and the note)."""
    reason: str | None = None
    """Why a correction was made: required with ``corrects``."""


class TableDay(_Model):
    """A day of the site's protocol table, as the session keeps it."""

    day: int
    given: str
    cows_due: bool = False
    injection: bool = False
    oral_naltrexone: bool = False


def table_of(guide: Guide) -> list[TableDay] | None:
    """The site's protocol table of the loaded pack, in the session's shape."""
    if guide.rapid_protocol is None:
        return None
    return [
        TableDay(
            day=d.day,
            given=d.given,
            cows_due=d.cows_due,
            injection=d.injection,
            oral_naltrexone=d.oral_naltrexone,
        )
        for d in guide.rapid_protocol
    ]


# -- reading the record from a file or a prompt -------------------------------------------

_DAY_FIELDS = {
    "day",
    "date",
    "given",
    "tolerated",
    "naltrexone_given",
    "cows",
    "injection_day",
    "note",
    "corrects",
    "reason",
}
_RATING_FIELDS = {"time", "total", "items"}


def cows_items(guide: Guide) -> list[str]:
    """The COWS item keys the pack's total is computed from, in order."""
    cq = guide.questions.get(COWS_TOTAL)
    if cq is None or cq.computed is None:
        return []
    return [k for k in sorted(cq.computed.reads) if k in guide.questions]


def parse_time(text: str) -> dt.time:
    """``HH:MM`` (24-hour), an offset optional (``09:30+01:00``): without one it is the
    local time of its day (visit/clock.py), and it is stored with that day's offset."""
    try:
        return dt.time.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a time of day: use HH:MM, e.g. 09:30") from None


def parse_rating(guide: Guide, raw: Mapping[str, Any], today: dt.date) -> PathwayRating:
    """A COWS rating from ``{"time": "09:30", "total": 3}`` or ``"items": {...}``: the total
    is read by the pack's COWS total question, each item by its own question (its allowed
    scores); given both, they must agree.

    Raises:
        ValueError: what is wrong, for a message.
    """
    unknown = sorted(set(raw) - _RATING_FIELDS)
    if unknown:
        raise ValueError(f"unknown field {unknown[0]!r} (fields: time, total, items)")
    if "time" not in raw:
        raise ValueError("a COWS rating needs its time (HH:MM)")
    raw_time = raw["time"]
    when = raw_time if isinstance(raw_time, dt.time) else parse_time(as_text(raw_time))
    total_q = guide.questions.get(COWS_TOTAL)
    if total_q is None:
        raise ValueError("this guide has no COWS total question")
    items: dict[str, int] | None = None
    total: int | None = None
    if raw.get("items") is not None:
        given = raw["items"]
        if not isinstance(given, Mapping):
            raise ValueError("items must be an object of item scores")
        names = cows_items(guide)
        short = {k.removeprefix(keys.COWS_ITEM_PREFIX): k for k in names}
        extra = sorted(set(given) - set(short))
        if extra:
            raise ValueError(f"unknown COWS item {extra[0]!r} (items: {', '.join(short)})")
        missing = [s for s in short if s not in given]
        if missing:
            raise ValueError(f"COWS items missing: {', '.join(missing)} (give all of them)")
        items = {}
        for name, key in short.items():
            try:
                items[name] = int(parse_value(guide.questions[key], given[name], today=today))  # type: ignore[arg-type]
            except InvalidAnswer as exc:
                raise ValueError(f"COWS item {name}: {exc.reason}") from None
        total = sum(items.values())
    if raw.get("total") is not None:
        try:
            stated = int(parse_value(total_q, raw["total"], today=today))  # type: ignore[arg-type]
        except InvalidAnswer as exc:
            raise ValueError(f"COWS total: {exc.reason}") from None
        if total is not None and stated != total:
            raise ValueError(f"COWS total {stated} disagrees with its items, which sum to {total}")
        total = stated
    if total is None:
        raise ValueError("a COWS rating needs its total or its items")
    problem = _scale_problem(guide, total)
    if problem is not None:
        raise ValueError(f"COWS total: {problem}")
    return PathwayRating(time=when, total=total, items=items)


def _scale_problem(guide: Guide, total: int) -> str | None:
    """The COWS total question's own bounds (numbers in the pack, not here)."""
    # The bounds follow from the pack alone: evaluated once per guide, not per rating.
    ctx = guide.once(
        "cows_scale_context",
        lambda: state_context(evaluate(guide, Inputs({}, dt.date(2000, 1, 1)))),
    )
    return bound_problem(guide.questions[COWS_TOTAL], total, ctx)


def rating_time_problem(
    what: str,
    date: dt.date,
    time: dt.time,
    others: Iterable[dt.time],
    now: dt.datetime,
) -> str | None:
    """Why the time of a COWS rating of the pathway day dated ``date`` is refused, or None:
    the one rule for a day's rating, whatever route it came by (a file's day, a batch
    line, the walk's day dialog, which asks again).

    A rating counts for the day it was taken on: a time whose offset puts it on another
    local date than the day's (a time just after midnight, with an offset far east of
    here, is the evening before) is refused, as a ``cows_ratings`` entry on that date
    would not count for the day. A rating timed after ``now`` has not been taken
    (visit/clock.py). Two ratings of one entry at one instant cannot say which is the
    latest the gate reads.
    """
    try:
        at = on_day(date, time)
    except ValueError as exc:  # a local time the day's clock change repeats or skips
        return f"{what} at {time.isoformat(timespec='minutes')}: {exc}"
    local = aware(at).astimezone().date()
    if local != date:
        return (
            f"{what} at {time.isoformat(timespec='minutes')} falls on {local.isoformat()} "
            f"(local time), not on the day's date {date.isoformat()}: give the time of the "
            "rating on the day's date, or record it on the day it was taken"
        )
    later = future_problem(what, at, now)
    if later is not None:
        return later
    if any(instant(on_day(date, o)) == instant(at) for o in others):
        return (
            f"{what}: another rating of this entry is at {shown(at, '%H:%M')}; one rating "
            "per time (give each rating its own time)"
        )
    return None


def parse_day(
    guide: Guide, raw: object, today: dt.date, now: dt.datetime | None = None
) -> RapidDay:
    """One day of the record from an answers file (or a prompt's answers). A COWS rating
    timed after ``now`` (None: the end of ``today``) is refused (visit/clock.py).

    Raises:
        ValueError: what is wrong, for a message.
    """
    if not isinstance(raw, Mapping):
        raise ValueError(
            "each day is an object (day, date, given, tolerated, naltrexone_given, cows, note)"
        )
    unknown = sorted(set(raw) - _DAY_FIELDS)
    if unknown:
        raise ValueError(f"unknown field {unknown[0]!r} (fields: {', '.join(sorted(_DAY_FIELDS))})")
    for needed in ("day", "date", "given"):
        if raw.get(needed) is None:
            raise ValueError(f"{needed!r} is needed")
    day_raw = raw["day"]
    if isinstance(day_raw, bool) or not isinstance(day_raw, int | str):
        raise ValueError(f"day {day_raw!r} is not a day number")
    try:
        day = int(as_text(day_raw))
    except ValueError:
        raise ValueError(f"day {day_raw!r} is not a day number") from None
    if not 1 <= day <= MAX_DAYS:
        raise ValueError(f"day {day} is not a day number (1-{MAX_DAYS})")
    date_raw = raw["date"]
    date = (
        date_raw
        if isinstance(date_raw, dt.date) and not isinstance(date_raw, dt.datetime)
        else parse_date(as_text(date_raw), today)
    )
    if date > today:
        raise ValueError(f"day {day} is dated {date}, after today ({today}): record a day on it")
    given = _text(raw["given"], "given")
    if given is None:
        raise ValueError("'given' needs some text")
    tolerated = _yes_no(raw.get("tolerated"), "tolerated")
    naltrexone_given = _yes_no(raw.get("naltrexone_given"), "naltrexone_given")
    injection_day = _yes_no(raw.get("injection_day"), "injection_day")
    ratings_raw = raw.get("cows") or []
    if not isinstance(ratings_raw, list):
        raise ValueError("cows is a list of ratings ({time, total} or {time, items})")
    ratings: list[PathwayRating] = []
    for i, r in enumerate(ratings_raw, 1):
        if not isinstance(r, Mapping):
            raise ValueError(f"COWS rating {i} is not an object")
        try:
            rating = parse_rating(guide, r, today)
        except ValueError as exc:
            raise ValueError(f"COWS rating {i}: {exc}") from None
        problem = rating_time_problem(
            f"COWS rating {i} of day {day}",
            date,
            rating.time,
            [r.time for r in ratings],
            now or end_of_day(today),
        )
        if problem is not None:
            raise ValueError(problem)
        # Stored with its offset on that day (visit/clock.py).
        ratings.append(rating.model_copy(update={"time": with_offset(date, rating.time)}))
    note = _text(raw.get("note"), "note")
    corrects: int | None = None
    if raw.get("corrects") is not None:
        corrects_raw = raw["corrects"]
        if isinstance(corrects_raw, bool) or not isinstance(corrects_raw, int | str):
            raise ValueError(f"corrects {corrects_raw!r} is not a day number")
        try:
            corrects = int(as_text(corrects_raw))
        except ValueError:
            raise ValueError(f"corrects {corrects_raw!r} is not a day number") from None
        if corrects != day:
            raise ValueError(f"corrects = {corrects} names another day than day {day}")
    reason = _text(raw.get("reason"), "reason")
    if corrects is not None and reason is None:
        raise ValueError(f"a correction of day {day} needs its reason ('reason')")
    if corrects is None and reason is not None:
        raise ValueError(f"'reason' goes with 'corrects' (the day it corrects, {day})")
    return RapidDay(
        day=day,
        date=date,
        given=given,
        tolerated=tolerated,
        naltrexone_given=naltrexone_given,
        cows=ratings,
        injection_day=injection_day,
        note=note,
        corrects=corrects,
        reason=reason,
    )


def _text(raw: object, what: str) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise ValueError(f"{what!r} is text")
    text = raw.strip()
    if len(text) > MAX_TEXT:
        raise ValueError(f"{what!r} is longer than {MAX_TEXT} characters")
    return text or None


def _yes_no(raw: object, what: str) -> bool | None:
    if raw is None or isinstance(raw, bool):
        return raw
    word = as_text(raw).strip().lower() if isinstance(raw, str | int) else ""
    if word in ("yes", "y", "true", "1"):
        return True
    if word in ("no", "n", "false", "0"):
        return False
    raise ValueError(f"{what!r} is yes or no, not {raw!r}")


def parse_days(
    guide: Guide,
    raw: object,
    today: dt.date,
    where: str | None,
    now: dt.datetime | None = None,
    recorded: Sequence[RapidDay] = (),
) -> list[RapidDay]:
    """The ``rapid_days`` of an answers file, a batch line or a scenario, as of ``now``
    (None: the end of ``today``): the entries that add to ``recorded`` (a resumed
    session's record, which a file's entry is checked against as every entry is, by
    :func:`add_day`: a correction may name a day the session recorded, and a day the
    session holds already adds nothing).

    Raises:
        InvalidAnswer: on key ``rapid_days``, naming the entry and what is wrong.
    """
    suffix = f" ({where})" if where else ""
    if not isinstance(raw, list):
        raise InvalidAnswer(
            ANSWERS_KEY,
            "is a list of days, each an object (day, date, given, tolerated, "
            f"naltrexone_given, cows, note){suffix}",
            hint="Give it in an answers file (JSON or TOML); see docs/scripting.md.",
        )
    if len(raw) > MAX_DAYS:
        raise InvalidAnswer(ANSWERS_KEY, f"more than {MAX_DAYS} days{suffix}")
    days = list(recorded)
    for i, entry in enumerate(raw, 1):
        try:
            days = add_day(days, parse_day(guide, entry, today, now))[0]
        except ValueError as exc:
            raise InvalidAnswer(ANSWERS_KEY, f"entry {i}: {exc}{suffix}") from None
    return days[len(recorded) :]  # add_day only appends


# -- the record is appended to, never rewritten (reference 4.4, item 9) --------------------

_FIELDS = ("date", "given", "tolerated", "naltrexone_given", "injection_day", "note")
"""A day's fields besides its number and its COWS ratings (which are only ever added)."""


def _at(day: dt.date, rating: PathwayRating) -> float:
    """The instant a pathway rating was taken: its time on the date of the entry that
    recorded it."""
    return instant(on_day(day, rating.time))


def _day_ratings(entries: Sequence[RapidDay], number: int) -> list[tuple[dt.date, PathwayRating]]:
    """Every COWS rating of day ``number`` as the record reads it, each with the date of
    the entry that recorded it: a correction of the day's date never moves a rating taken
    on the date recorded before (a rating is a fact of its instant: one taken on the
    corrected date is given again with the correction). A correction's rating supersedes
    the one at its instant (both stay in the record and the note; the gate reads the
    correction); the same rating given again is one."""
    kept: list[tuple[dt.date, PathwayRating]] = []
    for e in entries:
        if e.day != number:
            continue
        if e.corrects is not None:
            # At its instant only: a rating recorded under another date stays (its date in
            # doubt, _read_ratings), whatever the correction gives at its time of day; a
            # later correction may move the day back onto that date.
            kept = [(d, m) for d, m in kept if all(_at(e.date, r) != _at(d, m) for r in e.cows)]
        kept += [
            (e.date, r)
            for r in e.cows
            if not any(_at(e.date, r) == _at(d, m) and r.total == m.total for d, m in kept)
        ]
    return kept


def day_in_force(entries: Sequence[RapidDay], number: int) -> RapidDay | None:
    """Day ``number`` as the record says it now: its first entry, with what later entries
    added (a field not recorded before, a COWS rating) and what a correction replaced;
    its COWS ratings are those taken on its date as it stands (:func:`_day_ratings`)."""
    merged: RapidDay | None = None
    for e in entries:
        if e.day != number:
            continue
        if merged is None:
            merged = e.model_copy(update={"corrects": None, "reason": None})
            continue
        if e.corrects is not None:
            update: dict[str, Any] = {f: getattr(e, f) for f in _FIELDS}
        else:
            update = {f: getattr(e, f) for f in _FIELDS if getattr(merged, f) is None}
        merged = merged.model_copy(update=update)
    if merged is None:
        return None
    ratings = [r for d, r in _day_ratings(entries, number) if d == merged.date]
    return merged.model_copy(update={"cows": ratings})


def _withdrawal(rating: PathwayRating, threshold: object) -> bool:
    return (
        isinstance(threshold, int) and not isinstance(threshold, bool) and rating.total >= threshold
    )


def _read_ratings(
    entries: Sequence[RapidDay], number: int, threshold: object
) -> list[tuple[dt.date, PathwayRating]]:
    """Day ``number``'s ratings as the visit's series reads them, each with its date. A
    rating recorded under a date a correction took the day away from (a stray) has a
    date in doubt: the date typed with it was corrected, or the day's was. Read so that it
    can never make a patient look readier: withdrawal (at or above ``threshold``) counts
    on both dates, a calm rating on neither (give it again with the correction, on its
    date). An unknown threshold makes every stray calm here: the gate cannot pass then."""
    in_force = day_in_force(entries, number)
    if in_force is None:
        return []
    out: list[tuple[dt.date, PathwayRating]] = []
    for taken, r in _day_ratings(entries, number):
        if taken == in_force.date:
            out.append((taken, r))
        elif _withdrawal(r, threshold):
            out += [(taken, r), (in_force.date, r)]
    return out


def recorded_ratings(entries: Sequence[RapidDay]) -> set[tuple[float, int]]:
    """(instant, total) of every COWS rating any entry of the record holds, each on the
    date of the entry that recorded it, superseded, in doubt or not: a rating of the day
    record, which only the record corrects (visit/results.py)."""
    return {(_at(e.date, r), r.total) for e in entries for r in e.cows}


def calm_strays(entries: Sequence[RapidDay], threshold: object) -> set[tuple[float, int]]:
    """(instant, total) of every calm rating recorded under a date its day no longer has
    (:func:`_read_ratings`), superseded or not: read on no date, whatever took it in
    before the correction (the visit's series took a rating of the visit day when it was
    recorded)."""
    out: set[tuple[float, int]] = set()
    dates = {n: d.date for n in {e.day for e in entries} if (d := day_in_force(entries, n))}
    for e in entries:  # superseded or not: a rating of a date the day no longer has
        if e.date != dates.get(e.day):
            out |= {(_at(e.date, r), r.total) for r in e.cows if not _withdrawal(r, threshold)}
    return out


def ratings_of(
    entries: Sequence[RapidDay], day: dt.date, origin: str, threshold: object = None
) -> list[CowsRating]:
    """The COWS ratings the record holds for the date ``day``, as entries of the visit's
    COWS series (visit/entries.py): a rating of the visit day counts whatever route
    recorded it, the pathway's day record as much as the series (reference 5.1, 5.2; the
    withdrawal gate, the challenge's rules and the note read the one series). Each rating
    taken on ``day`` as the record reads it (:func:`_day_ratings`: a correction's rating in
    place of the one at its instant; a rating stays on the date it was taken, and one whose
    date a correction put in doubt is read by :func:`_read_ratings`), in time order.
    ``origin``: where the days come from (``file``, ``session``); ``threshold``: the
    pack's COWS total from which withdrawal is present."""
    out = [
        CowsRating(
            at=on_day(taken, r.time),
            day=taken,
            context="pathway_day",
            total=r.total,
            items=r.items,
            origin=origin,
            time_given=True,
        )
        for number in sorted({e.day for e in entries})
        for taken, r in _read_ratings(entries, number, threshold)
        if taken == day
    ]
    return sorted(out, key=lambda r: instant(r.at))


def days_in_force(entries: Sequence[RapidDay]) -> list[RapidDay]:
    """Every day of the record as it stands (:func:`day_in_force`), in day order."""
    out = [day_in_force(entries, n) for n in sorted({e.day for e in entries})]
    return [d for d in out if d is not None]


def add_day(entries: Sequence[RapidDay], new: RapidDay) -> tuple[list[RapidDay], bool]:
    """The record with ``new`` appended, and whether it added anything.

    A day not yet recorded is appended. For a day already recorded, an entry that says
    nothing new (the same fields, its ratings recorded already: a file given again on
    resume) adds nothing; one that adds a rating or a field not recorded before is
    appended; one that says something else of a recorded field is refused unless it is a
    correction (``corrects`` and ``reason``), which is appended. Nothing is ever removed.

    Raises:
        ValueError: naming the recorded day and how to correct it.
    """
    recorded = day_in_force(entries, new.day)
    if recorded is None:
        if new.corrects is not None:
            raise ValueError(f"corrects day {new.day}, which is not recorded")
        return [*entries, new], True
    if new.corrects is not None:
        return [*entries, new], True
    problem = _clash(recorded, new)
    if problem is not None:
        raise ValueError(problem)
    adds_field = any(getattr(new, f) is not None and getattr(recorded, f) is None for f in _FIELDS)
    adds_rating = any(
        not any(
            _at(new.date, r) == _at(recorded.date, m) and r.total == m.total for m in recorded.cows
        )
        for r in new.cows
    )
    if not adds_field and not adds_rating:
        return list(entries), False
    return [*entries, new], True


def _clash(recorded: RapidDay, new: RapidDay) -> str | None:
    """Why ``new``, an entry of a recorded day that does not correct it, says something
    else of it than ``recorded`` (the day in force before it), naming the recorded value
    and the fix; None when it does not."""
    clash = [
        f
        for f in _FIELDS
        if getattr(new, f) is not None
        and getattr(recorded, f) is not None
        and getattr(new, f) != getattr(recorded, f)
    ]
    if clash:
        was = " and ".join(f"{f} {_shown(getattr(recorded, f))}" for f in clash)
        now = " and ".join(f"{f} {_shown(getattr(new, f))}" for f in clash)
        return (
            f"day {new.day} is recorded with {was}, not {now}: a recorded day is never "
            f"replaced; to correct it, give the day again with corrects = {new.day} and a reason"
        )
    for r in new.cows:
        # One rating per instant: a later entry's rating at the time of a recorded one
        # with another total would leave the gate reading whichever came first.
        other = next(
            (
                m
                for m in recorded.cows
                if _at(new.date, r) == _at(recorded.date, m) and m.total != r.total
            ),
            None,
        )
        if other is not None:
            at = shown(on_day(recorded.date, other.time), "%H:%M")
            return (
                f"day {new.day} has COWS {other.total} recorded at {at}; this entry gives "
                f"COWS {r.total} at the same time: a recorded rating is never replaced; to "
                f"correct it, give the day again with corrects = {new.day} and a reason"
            )
    return None


def clashing(entries: Sequence[RapidDay]) -> list[tuple[RapidDay, str]]:
    """The entries that say something else of a recorded day without correcting it, each
    with why (:func:`add_day` refuses such an entry: only two runs recording one day at
    once put it beside the other, and the merge keeps both, store/saver.py, so that
    neither is silently overruled). A later correction of the day settles them; until
    then the day is not decided (:func:`derive`)."""
    out = []
    for i, e in enumerate(entries):
        if e.corrects is not None:
            continue
        recorded = day_in_force(entries[:i], e.day)
        problem = None if recorded is None else _clash(recorded, e)
        settled = any(d.day == e.day and d.corrects is not None for d in entries[i + 1 :])
        if problem is not None and not settled:
            out.append((e, problem))
    return out


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    return repr(value)


def days_to_json(days: Iterable[RapidDay]) -> list[dict[str, Any]]:
    """The record as an answers file gives it (and as the note's JSON shows it)."""
    return [d.model_dump(mode="json", exclude_none=True) for d in days]


# -- what the record answers ---------------------------------------------------------------


@record(frozen=True)
class Reading:
    """What a pathway record says: the answers the gate reads, the day reached, and what
    is missing or inconsistent (each in words)."""

    answers: dict[str, Scalar] = field(default_factory=dict)
    day_reached: int | None = None
    date_reached: dt.date | None = None
    injection_day: int | None = None
    missing: list[str] = field(default_factory=list)
    table_used: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "day_reached": self.day_reached,
            "date": None if self.date_reached is None else self.date_reached.isoformat(),
            "injection_day": self.injection_day,
            "days_to_injection": (
                None
                if self.injection_day is None or self.day_reached is None
                else self.injection_day - self.day_reached
            ),
            "site_table": self.table_used,
            "naltrexone_days": self.answers.get(keys.RAPID_NALTREXONE_DAYS),
            "missing": list(self.missing),
        }


def day_one(days: Sequence[RapidDay]) -> dt.date | None:
    """The date of the pathway's day 1 (its buprenorphine) as the record in force says it:
    the lowest day recorded, counted back to day 1. None without a day."""
    by_day = {d.day: d for d in days_in_force(days)}
    if not by_day:
        return None
    return _counted_back(by_day[min(by_day)])


def _counted_back(lowest: RapidDay) -> dt.date:
    """Day 1's date from the lowest day recorded."""
    return lowest.date - dt.timedelta(days=lowest.day - 1)


def derive(days: Sequence[RapidDay], table: Sequence[TableDay] | None, today: dt.date) -> Reading:
    """Read the record. Every way it can be incomplete or inconsistent makes
    ``rapid_record_complete`` false (and is said in ``missing``); nothing here ever says
    more than the record shows.

    Args:
        days: the days recorded, in any order.
        table: the site's protocol table in force, or None.
        today: no day may be dated after it.
    """
    missing: list[str] = []
    if not days:
        return Reading(missing=["no day of the pathway is recorded"], table_used=table is not None)
    by_day: dict[int, RapidDay] = {d.day: d for d in days_in_force(days)}
    last = by_day[max(by_day)]
    first = by_day.get(1)
    for n in range(1, last.day + 1):
        if n not in by_day:
            missing.append(f"day {n} is not recorded")
    if first is not None:
        for n, d in sorted(by_day.items()):
            expected = first.date + dt.timedelta(days=n - 1)
            if d.date != expected:
                missing.append(
                    f"day {n} is dated {d.date.isoformat()}; after day 1 on "
                    f"{first.date.isoformat()} it falls on {expected.isoformat()}"
                )
    for n, d in sorted(by_day.items()):
        if d.date > today:
            missing.append(f"day {n} is dated {d.date.isoformat()}, after today")
    for e, why in clashing(days):
        missing.append(f"day {e.day}: two entries recorded at once disagree ({why})")
    injection_day: int | None = None
    confirmed: list[int] = []  # without a table: the days recorded as the injection day
    if table is not None:
        rows = {t.day: t for t in table}
        marked = [t.day for t in table if t.injection]
        injection_day = marked[0] if len(marked) == 1 else None
        if injection_day is None:
            missing.append("the site's table does not name exactly one injection day")
        for n, d in sorted(by_day.items()):
            row = rows.get(n)
            if row is None:
                missing.append(f"day {n} is beyond the site's protocol ({len(table)} days)")
                continue
            if d.injection_day is not None and d.injection_day != row.injection:
                missing.append(
                    f"day {n} is recorded as {'' if d.injection_day else 'not '}the injection "
                    f"day; the site's table says it is {'' if row.injection else 'not '}"
                )
            if (row.cows_due or row.injection) and not d.cows:
                missing.append(f"day {n}: the COWS rating due is not recorded")
            if d.naltrexone_given is True and not row.oral_naltrexone:
                missing.append(
                    f"day {n} records oral naltrexone given; the site's table gives none that day"
                )
    else:
        confirmed = sorted(n for n, d in by_day.items() if d.injection_day is True)
        if len(confirmed) > 1:
            missing.append(
                f"more than one day is recorded as the injection day: {confirmed}; correct "
                "each that is not ('day', its number, then 'correct', with why)"
            )
        elif confirmed:
            injection_day = confirmed[0]
        for n, d in sorted(by_day.items()):
            if not d.cows:
                missing.append(f"day {n}: no COWS rating is recorded")
    for n, d in sorted(by_day.items()):
        if d.tolerated is None:
            missing.append(f"day {n}: whether the doses were given and tolerated is not recorded")
        if d.naltrexone_given is None:
            missing.append(f"day {n}: whether oral naltrexone was given is not recorded")
    if injection_day is None and table is None and not confirmed:
        missing.append("no day is confirmed as the protocol's injection day")
    lowest = by_day[min(by_day)]
    # The days of oral naltrexone that count: given and tolerated, after day 1 (the
    # buprenorphine day) and before the day reached (the injection is given on it). The
    # gate compares the count with the pack's setting: no number lives here.
    naltrexone_days = sum(
        1
        for n, d in by_day.items()
        if 1 < n < last.day and d.naltrexone_given is True and d.tolerated is True
    )
    answers: dict[str, Scalar] = {
        keys.RAPID_START: _counted_back(lowest),
        keys.RAPID_DAY: last.day,
        keys.RAPID_DAY_DATE: last.date,
        keys.RAPID_RECORD_COMPLETE: not _incomplete(missing),
        keys.RAPID_NALTREXONE_DAYS: naltrexone_days,
    }
    if injection_day is not None:
        answers[keys.RAPID_INJECTION_DAY] = injection_day
    tolerated = [d.tolerated for d in by_day.values()]
    if table is not None:
        # The protocol's oral naltrexone doses were given: a day its table marks for
        # oral naltrexone recorded as not given means they were not.
        rows = {t.day: t for t in table}
        tolerated += [
            False
            for n, d in by_day.items()
            if n in rows and rows[n].oral_naltrexone and d.naltrexone_given is False
        ]
    if any(t is False for t in tolerated):
        answers[keys.RAPID_DOSES_TOLERATED] = False
    elif all(t is True for t in tolerated):
        answers[keys.RAPID_DOSES_TOLERATED] = True
    if last.cows:
        answers[keys.RAPID_DAY_COWS] = max(
            last.cows, key=lambda r: instant(on_day(last.date, r.time))
        ).total
    return Reading(
        answers=answers,
        day_reached=last.day,
        date_reached=last.date,
        injection_day=injection_day,
        missing=missing,
        table_used=table is not None,
    )


def _incomplete(missing: list[str]) -> bool:
    """Whether anything said missing makes the record incomplete: everything does but the
    lack of a confirmed injection day, which leaves ``rapid_injection_day`` unknown."""
    return any(m != "no day is confirmed as the protocol's injection day" for m in missing)


def record_answers(
    guide: Guide, reading: Reading, visit_day: dt.date, visit_rating: CowsRating | None
) -> dict[str, Scalar]:
    """The reading's answers for the keys this guide has, as of the visit day.

    "The COWS rating on the injection day" (reference, section 6) is the latest rating of
    that day: when the day reached is the visit day ``visit_day``, ``rapid_day_cows`` is
    the visit day's latest standing rating ``visit_rating`` (the day record's ratings of
    the day and the series' are one series, visit/presets.py :func:`read_series`,
    visit/session.py ``visit_ratings``), the rating the withdrawal gate reads; a later
    rating given in the series is never passed over. Every route reads the record
    through this (a file, a batch line, a session)."""
    answers = dict(reading.answers)
    if visit_rating is not None and reading.date_reached == visit_day:
        answers[keys.RAPID_DAY_COWS] = visit_rating.total
    return {k: v for k, v in answers.items() if k in guide.questions}


def due_today(
    days: Sequence[RapidDay], table: Sequence[TableDay] | None, today: dt.date
) -> tuple[int, str]:
    """The day of the protocol that ``today`` is, and what is due, in words (for the screen)."""
    if not days:
        day = 1
    else:
        first = min(days, key=lambda d: d.day)
        day = first.day + (today - first.date).days
    if table is None:
        return (
            day,
            "no site table: record what was given and a COWS rating; confirm the injection "
            "day on it",
        )
    row = next((t for t in table if t.day == day), None)
    if row is None:
        return day, f"beyond the site's protocol ({len(table)} days)"
    parts = [row.given]
    if row.cows_due or row.injection:
        parts.append("a COWS rating is due")
    if row.injection:
        parts.append("the protocol's injection day")
    return day, "; ".join(parts)


# -- recording a day at the prompt, and showing the record --
# (cli/walkthrough.py, output/note/markdown.py)


def on_pathway(guide: Guide, shown: Mapping[str, bool | None]) -> bool:
    """Whether the pathway's record questions apply (``State.question_visible``): a
    question not yet known to apply or not counts as applying, as ``check`` reads it."""
    return any(is_pathway_key(guide, k) and shown.get(k) is not False for k in guide.questions)


def check_block(
    guide: Guide, shown: Mapping[str, bool | None], days: Sequence[RapidDay], today: dt.date
) -> dict[str, Any] | None:
    """The ``rapid`` block of a check result (single or batch): None off the pathway."""
    if not on_pathway(guide, shown):
        return None
    return derive(days, table_of(guide), today).to_json()


def next_day(days: Sequence[RapidDay]) -> int:
    """The day number to record next: the one after the last recorded, or day 1."""
    return min(max((d.day for d in days), default=0) + 1, MAX_DAYS)


def table_row(table: Sequence[TableDay] | None, day: int) -> TableDay | None:
    return None if table is None else next((t for t in table if t.day == day), None)


def day_number_problem(table: Sequence[TableDay] | None, text: str) -> tuple[int | None, str]:
    """A day number typed at the prompt: (the number, "") or (None, why it is refused)."""
    try:
        day = int(text.strip())
    except ValueError:
        return None, f"{text!r} is not a day number"
    if not 1 <= day <= MAX_DAYS:
        return None, f"day {day} is not a day number (1-{MAX_DAYS})"
    if table is not None and table_row(table, day) is None:
        return None, f"day {day} is beyond the site's protocol ({len(table)} days)"
    return day, ""


def date_refusal(day: int, date: dt.date, today: dt.date) -> str | None:
    """Why a day's date is refused at the prompt: a day is recorded on or after it happens,
    never ahead (reference 4.4, invariant 3)."""
    if date > today:
        return (
            f"day {day} dated {date.isoformat()} is after today ({today.isoformat()}): "
            "record a day on the day it happens, or after"
        )
    return None


def date_warning(days: Sequence[RapidDay], day: int, date: dt.date) -> str | None:
    """The record's days fall on consecutive dates: a date that breaks that is kept (the
    clinician may be correcting another day), but the record is then not complete."""
    others = [d for d in days if d.day != day]
    if not others:
        return None
    anchor = min(others, key=lambda d: d.day)
    expected = anchor.date + dt.timedelta(days=day - anchor.day)
    if date == expected:
        return None
    return (
        f"day {anchor.day} is recorded for {anchor.date.isoformat()}, so day {day} falls on "
        f"{expected.isoformat()}, not {date.isoformat()}: the record is not complete until "
        "the dates agree"
    )


def cows_words(day: RapidDay) -> str:
    """The day's COWS ratings with their times, in time order: ``4 at 09:00, 3 at 17:00``."""
    if not day.cows:
        return "none"
    timed = sorted((on_day(day.date, r.time), r.total) for r in day.cows)
    return ", ".join(f"{total} at {shown(at, '%H:%M')}" for at, total in timed)


def _said(value: bool | None, yes: str = "yes", no: str = "no") -> str:
    return "not recorded" if value is None else yes if value else no


def day_rows(days: Sequence[RapidDay], table: Sequence[TableDay] | None) -> list[dict[str, str]]:
    """The record as rows of text (the screen's table, the note): every field of each day.

    ``injection`` is what the site's table says of the day when there is one, else the
    clinician's confirmation (or its absence). Every entry is a row, in day order and, for
    one day, in the order recorded: what a later entry added or corrected is shown beside
    what it superseded (``entry``: "added" or "correction: REASON")."""
    rows = []
    seen: set[int] = set()
    disputed = [e for e, _ in clashing(days)]
    for d in entries_in_order(days):
        entry = "" if d.day not in seen else "added"
        if any(d is e for e in disputed):
            entry = "disagrees: correct the day"
        if d.corrects is not None:
            entry = f"correction: {d.reason or ''}"
        seen.add(d.day)
        row = table_row(table, d.day)
        if table is not None:
            injection = "" if row is None else "injection day (site table)" if row.injection else ""
        else:
            injection = (
                ""
                if d.injection_day is None
                else "confirmed injection day"
                if d.injection_day
                else "not the injection day"
            )
        rows.append(
            {
                "day": str(d.day),
                "date": d.date.isoformat(),
                "given": d.given,
                "tolerated": _said(d.tolerated),
                "naltrexone": _said(d.naltrexone_given),
                "cows": cows_words(d),
                "injection": injection,
                "note": d.note or "",
                "entry": entry,
            }
        )
    return rows


def entries_in_order(days: Sequence[RapidDay]) -> list[RapidDay]:
    """Every entry of the record, in day order; a day's entries in the order recorded."""
    return sorted(days, key=lambda d: d.day)


def due_words(days: Sequence[RapidDay], table: Sequence[TableDay] | None, today: dt.date) -> str:
    """One line for the screen on resume: which day of the protocol today is, and what is
    due (:func:`due_today`), and whether that day is recorded yet."""
    day, due = due_today(days, table, today)
    if day < 1:
        return (
            f"Rapid pathway: day 1 of the record is dated after today ({today.isoformat()}); "
            "check the record ('day')."
        )
    done = day_in_force(days, day)
    recorded = (
        f" Day {day} is recorded ({done.date.isoformat()})."
        if done is not None
        else " Type 'day' at a prompt to record it."
    )
    return f"Rapid pathway, {today.isoformat()}: day {day} of the protocol. Due: {due}.{recorded}"


# -- an on-track day (reference section 6, "What the screen says") -------------------------

GATE = keys.RAPID_GATE
"""The pack's gate that reads the record."""

WAITING_KEYS = frozenset({keys.RAPID_DAY, keys.RAPID_INJECTION_DAY, keys.RAPID_NALTREXONE_DAYS})
"""What the gate's rules read that only time on the protocol changes: the day reached, the
injection day, the days of oral naltrexone so far. A rule reading nothing else fails on an
on-track day only because the injection day has not come."""

RECORD_RULE_KEY = keys.RAPID_RECORD_COMPLETE


@record(frozen=True)
class Progress:
    """An on-track day of the pathway, for the screen: day N of M, the injection date,
    what is due today and what is still to come, in words."""

    day: int
    of: int | None
    injection_date: dt.date | None
    due: str
    to_come: list[str]

    def heading(self) -> str:
        of = f" of {self.of}" if self.of is not None else ""
        when = (
            f"; injection day {self.injection_date.isoformat()}"
            if self.injection_date is not None
            else "; the injection day is confirmed on its day (no site table)"
        )
        return f"Rapid pathway: day {self.day}{of}, on track{when}"


def progress(
    result: Any,
    days: Sequence[RapidDay],
    table: Sequence[TableDay] | None,
    today: dt.date,
    required: object = None,
) -> Progress | None:
    """The day as on track, or None when it is not (then the gate's contraindication is
    shown as it is). On track: every rule of the gate that fails or is undecided reads
    only :data:`WAITING_KEYS` (and settings), except that the record rule may fail while
    the record is complete up to yesterday and today's day is still to be recorded.

    Args:
        result: the gate's result (engine GateResult).
        days: the record's entries.
        table: the site's table, or None.
        today: the visit's date.
        required: the pack's setting of the days of oral naltrexone needed (for words).
    """
    if getattr(result, "outcome", None) != "fail" or not getattr(result, "basis", None):
        return None
    reading = derive(days, table, today)
    verdicts = result.basis[2]
    # Without a site table the injection day is confirmed on that day: not yet is waiting,
    # not a record that falls short (:func:`_incomplete`).
    incomplete = _incomplete(reading.missing)
    pending_today = (
        not incomplete
        and reading.date_reached is not None
        and reading.date_reached == today - dt.timedelta(days=1)
    )
    for rule, verdict in verdicts:
        if verdict is False:
            continue
        reads = {k for k in rule.fails.reads if not k.startswith("settings.")}
        if reads <= WAITING_KEYS:
            continue
        if RECORD_RULE_KEY in reads and pending_today:
            continue
        return None
    if incomplete and not pending_today:
        return None
    day, due = due_today(days, table, today)
    of = reading.injection_day
    if of is not None and (day > of or (day == of and not pending_today)):
        # The injection day, once recorded, is decided by the gate: never "on track".
        return None
    first = min(days, key=lambda d: d.day) if days else None
    injection_date = (
        None if of is None or first is None else first.date + dt.timedelta(days=of - first.day)
    )
    to_come: list[str] = []
    if pending_today:
        to_come.append(f"today's day (day {day}) is not recorded yet: type 'day' to record it")
    counted = reading.answers.get(keys.RAPID_NALTREXONE_DAYS)
    if isinstance(required, int) and isinstance(counted, int):
        to_come.append(
            f"days of oral naltrexone given and tolerated before the day reached: {counted}; "
            f"at least {required} before the injection day"
        )
    to_come.append(
        "on the injection day: a COWS rating below the threshold and the urine screen"
        + (f" (day {of})" if of is not None else "")
    )
    return Progress(day, of, injection_date, due, to_come)
