"""The time rules of a visit, in one place (clinical basis, safety invariant 8).

A visit has one clock, ``now`` (the Environment's: the real time, or a fixed start given
with ``--today``/``--now`` that then runs in real time). Every time a result carries is an
instant: a time written without an offset is the local time where the program runs, and
it is stored with its offset. Durations are differences of instants (absolute time: a
daylight-saving change never adds or removes an hour). A result timed after ``now`` is
refused on every route: :func:`refuse_after_now` is the one rule every parser calls.

Nothing here prints, prompts or reads the real time; no clinical number lives here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import re
from collections.abc import Iterator
from typing import Any

from ..errors import InvalidAnswer


def aware(at: dt.datetime) -> dt.datetime:
    """``at`` with its offset: a time without one is the local time of the run (a file's
    ``09:30``, a session saved before times were stored with their offset)."""
    return at if at.tzinfo is not None else at.astimezone()


def instant(at: dt.datetime) -> float:
    """A time as seconds since the epoch: what times are ordered and compared by."""
    return aware(at).timestamp()


def on_day(day: dt.date, time: dt.time) -> dt.datetime:
    """The instant of a time of day on ``day``: a time with an offset as given, one without
    as the local time of that day (its own offset, daylight saving or not).

    Raises:
        ValueError: a local time that the day's clock change makes ambiguous or skips, or
            one the program cannot compute with (:func:`parse_instant`).
    """
    return _checked(dt.datetime.combine(day, time), f"{day.isoformat()}T{time.isoformat()}")


FIRST_YEAR, LAST_YEAR = 2, 9998
"""The years a time may fall in: not a clinical rule, the range in which every window,
offset and local reading of a time can be computed (year 1 with a positive offset, or
year 9999 plus a window, fall outside what a date can hold)."""


class NotOneInstant(ValueError):
    """A date and time that was read, but is not one instant the program can compute
    with (its message says why and what to give instead)."""


_ZONE_DECLARED = False
"""Whether the run declared the clinic's time zone (``XRNTX_GUIDE_ZONE``): the zone the
program then runs in is the clinic's, and a time in another offset is read there."""


@contextlib.contextmanager
def zone_declared(declared: bool) -> Iterator[None]:
    """For the length of a run: whether the zone it runs in is the clinic's, declared (the
    command line sets the zone itself; the program's reading of days follows it)."""
    global _ZONE_DECLARED
    before, _ZONE_DECLARED = _ZONE_DECLARED, declared
    try:
        yield
    finally:
        _ZONE_DECLARED = before


ZONE_HINT = (
    "declare the clinic's time zone (the XRNTX_GUIDE_ZONE environment variable, for "
    "example XRNTX_GUIDE_ZONE=America/New_York), or give the time in this machine's zone"
)


def day_problem(when: dt.datetime) -> str | None:
    """Why the day of ``when``, a time given with its own offset, is not one day: a visit's
    days (its date, the day each result describes) are read in the zone the program runs
    in, and in its own offset ``when`` falls on another date. Which of the two is the
    clinic's cannot be told (a clinic's evening written in its offset and read on a server
    in UTC; an export in UTC read on the clinic's machine), so such a time is refused.

    A run that declared the clinic's zone (:func:`zone_declared`) reads a time in UTC (an
    export's) on the day it falls on there. A time written in another local offset than
    the declared zone has then, on another date there, is refused still: the file was
    made in another zone than the one declared (a clinic's evening read under a zone
    declared by mistake), and which day it describes cannot be told. None when the two
    agree."""
    if when.tzinfo is None:
        return None
    here = when.astimezone()
    if when.date() == here.date():
        return None
    if _ZONE_DECLARED:
        if when.utcoffset() == dt.timedelta(0):
            return None
        return (
            f"it falls on {when.date().isoformat()} in its own offset ({_offset(when)}) but "
            f"on {here.date().isoformat()} in the clinic's zone declared by "
            f"XRNTX_GUIDE_ZONE ({_offset(here)} then), and a result counts only for the day "
            "it describes: a time written in another zone's offset says the file was made "
            "elsewhere. Check that XRNTX_GUIDE_ZONE names the clinic's zone, or give the "
            "time in the clinic's offset or in UTC"
        )
    return (
        f"it falls on {when.date().isoformat()} in its own offset ({_offset(when)}) but on "
        f"{here.date().isoformat()} in this machine's zone ({_offset(here)}), and a result "
        f"counts only for the day it describes: {ZONE_HINT}"
    )


def _checked(when: dt.datetime, raw: object) -> dt.datetime:
    """``when`` with its offset, refused when it cannot be read as one instant: a local
    time (no offset) that the clock change of its day makes ambiguous (the hour repeated
    when the clocks go back) or skips (the hour when they go forward), or a time outside
    the years the program computes with. A stored time is read through it too; the day
    rule of a time given now is :func:`_on_one_day`'s."""
    text = raw if isinstance(raw, str) else when.isoformat()
    if not FIRST_YEAR <= when.year <= LAST_YEAR:
        raise NotOneInstant(
            f"{text!r} is out of range: give a time between the years {FIRST_YEAR} and {LAST_YEAR}"
        )
    offset = when.utcoffset()
    if offset is not None and offset % dt.timedelta(minutes=1):
        # ISO 8601 offsets are hours and minutes; a record keeps no more (a time given
        # at +00:00:30 was stored 30 seconds off, in another minute than it was read).
        raise NotOneInstant(
            f"{text!r} has an offset in seconds: give it in hours and minutes (+HH:MM)"
        )
    if when.tzinfo is None:
        first = when.replace(fold=0).astimezone()
        second = when.replace(fold=1).astimezone()
        if first.utcoffset() != second.utcoffset():
            if first.replace(tzinfo=None) == when and second.replace(tzinfo=None) == when:
                raise NotOneInstant(
                    f"{text!r} happens twice in the local time zone (the clocks go back "
                    "then): give the offset, for example "
                    f"{when.replace(fold=0).isoformat(timespec='minutes')}"
                    f"{_offset(first)} or {_offset(second)}"
                )
            # Skipped: the local times either side, each read as it is here (an offset the
            # zone does not have then would be refused as another zone's).
            either = sorted((first.astimezone(), second.astimezone()))
            raise NotOneInstant(
                f"{text!r} does not exist in the local time zone (the clocks go forward "
                f"then): give a time before or after the change, for example "
                f"{either[0].isoformat(timespec='minutes')} or "
                f"{either[1].isoformat(timespec='minutes')}"
            )
        when = first
    if not FIRST_YEAR <= when.astimezone(dt.UTC).year <= LAST_YEAR:
        raise NotOneInstant(
            f"{text!r} is out of range: give a time between the years {FIRST_YEAR} and {LAST_YEAR}"
        )
    return when


def _on_one_day(when: dt.datetime, raw: object) -> dt.datetime:
    """``when``, a time given now (typed, a flag, a file), refused when its day is not one
    (:func:`day_problem`). A stored time is never refused so: it was read when it was
    given, and a record must stay readable wherever it is read."""
    problem = day_problem(when)
    if problem is not None:
        text = raw if isinstance(raw, str) else when.isoformat()
        raise NotOneInstant(f"{text!r} is not one day: {problem}")
    return when


def in_range(value: Any) -> Any:
    """``value`` unchanged when it is no time, or a time the program can compute with as a
    stored record holds it: read in UTC, and a couple of days either side of it (a
    rechallenge window, a local day); else ValueError naming it. A record written by this
    program always is; a hand-edited one (year 1 with a positive offset, the last hours of
    year 9999) may not be, and is then an unreadable session, never exit 70."""
    if not isinstance(value, dt.datetime):
        return value
    margin = dt.timedelta(days=2)
    try:
        utc = value.astimezone(dt.UTC) if value.tzinfo is not None else value
        _ = (utc + margin, utc - margin)  # computed only to see that it can be
    except OverflowError:
        raise ValueError(
            f"{value.isoformat()} is out of range: no window or local day can be computed around it"
        ) from None
    return value


def stored(value: Any) -> Any:
    """A time as a stored record holds it (a session file, its series, its pathway days):
    one without an offset is read as UTC (written by hand or by an older version), and one
    outside the years the program computes with is refused (ValueError: the record cannot
    be read, and says which field), so that a damaged file is named, never exit 70.
    Containers are read entry by entry; anything else is returned as it is."""
    if isinstance(value, dt.datetime):
        return in_range(value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC))
    if isinstance(value, dict):
        return {k: stored(v) for k, v in value.items()}
    if isinstance(value, list):
        return [stored(v) for v in value]
    return value


def _offset(at: dt.datetime) -> str:
    """An instant's offset as written after a time (+05:00)."""
    return at.isoformat(timespec="minutes")[-6:]


def with_offset(day: dt.date, time: dt.time) -> dt.time:
    """A time of day on ``day`` as stored: with the offset it has on that day."""
    at = on_day(day, time)
    return at.timetz()


def parse_instant(raw: object, *, one_day: bool = True) -> dt.datetime:
    """A date and time (ISO 8601: ``2026-11-24T09:30``, an offset optional; a TOML date and
    time), with its offset (the local one when none is given).

    A local time the clock change of its day makes ambiguous or skips needs its offset,
    and a time the program cannot compute with (year 1 or 9999) is refused, and so is a
    time whose own offset puts it on another date than the zone the program runs in does
    (:func:`day_problem`), unless ``one_day`` is False: a time that only names a recorded
    entry (``--correct KEY@TIME``) describes no day of its own.

    Raises:
        ValueError: not a date and time (or one of those), in words for a message.
    """
    when: dt.datetime | None = raw if isinstance(raw, dt.datetime) else None
    if isinstance(raw, str):
        try:
            when = dt.datetime.fromisoformat(raw.strip())
        except ValueError:
            when = None
        if when is not None and "T" not in raw.upper() and " " not in raw.strip():
            when = None  # a date alone is not a time
    if when is None:
        raise ValueError(
            f"{raw!r} is not a date and time: use YYYY-MM-DDTHH:MM (an offset such as "
            "+01:00 is optional; without one it is the local time)"
        )
    checked = _checked(when, raw)
    return _on_one_day(checked, raw) if one_day else checked


def offset_problem(start: dt.datetime) -> str | None:
    """Why a clock fixed at ``start`` cannot run here: its offset is not the one this
    machine's zone has at that instant. The days of a visit (its date, the day of each
    result, today) are read in this machine's zone, so a clock given in another zone
    would put a result of the clinic's evening on the machine's next day (safety
    invariant 8: one clock, its offset kept); None when they agree."""
    here = start.astimezone()
    if start.utcoffset() is None or start.utcoffset() == here.utcoffset():
        return None
    zone = "the zone XRNTX_GUIDE_ZONE declares" if _ZONE_DECLARED else "this machine's zone"
    return (
        f"its offset ({_offset(start)}) is not that of {zone} at that time "
        f"({_offset(here)}): the days of a visit are read in {zone}, and a result of the "
        "evening there would fall on another day here"
    )


OFFSET_HINT = (
    "Give the time without an offset (it is then this machine's local time), or run the "
    "program in the clinic's zone (the XRNTX_GUIDE_ZONE environment variable, for example "
    "XRNTX_GUIDE_ZONE=America/New_York)."
)


_TIME_OF_DAY = re.compile(r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[+-]\d{2}:?\d{2}|z)?")
"""A time of day alone (``09:05``, ``09:05:30``), its offset optional (``+01:00``,
``-05:00``, ``Z``): a date and time has a date before it."""
_MINUTES_AGO = re.compile(r"(\d+)\s*(?:min|mins|minute|minutes)\s+ago")
A_DAY_IN_MINUTES = int(dt.timedelta(days=1) / dt.timedelta(minutes=1))
"""The most 'N minutes ago' may say: an event of the visit lies on the day of its result."""


def parse_moment(raw: object, day: dt.date, now: dt.datetime) -> dt.datetime:
    """A time given for an event of the visit (when the naloxone was given): a date and
    time (:func:`parse_instant`), a time of day ``HH:MM`` on ``day`` (an offset optional),
    or ``N minutes ago`` (by the visit's clock ``now``).

    Raises:
        ValueError: none of these, in words for a message.
    """
    if isinstance(raw, dt.time):
        return on_day(day, raw)
    if isinstance(raw, str):
        text = raw.strip().lower()
        m = _MINUTES_AGO.fullmatch(text)
        if m:
            digits = m.group(1).lstrip("0") or "0"
            if len(digits) > len(str(A_DAY_IN_MINUTES)) or int(digits) > A_DAY_IN_MINUTES:
                raise ValueError(
                    f"{raw!r} is out of range: 'N minutes ago' takes 0 to {A_DAY_IN_MINUTES} "
                    "minutes (the naloxone is given on the day of its result); give the date "
                    "and time instead (YYYY-MM-DDTHH:MM)"
                )
            return aware(now) - dt.timedelta(minutes=int(digits))
        if _TIME_OF_DAY.fullmatch(text):
            try:
                of_day = dt.time.fromisoformat(text.upper())
            except ValueError:
                of_day = None
            if of_day is not None:
                return _on_one_day(on_day(day, of_day), raw)
    try:
        return parse_instant(raw)
    except NotOneInstant:
        raise
    except ValueError:
        raise ValueError(
            f"{raw!r} is not a time: use HH:MM (on the visit day), YYYY-MM-DDTHH:MM or "
            "'N minutes ago'"
        ) from None


def start_problem(
    what: str,
    started: dt.datetime,
    now: dt.datetime,
    after: tuple[str, dt.datetime] | None = None,
) -> str | None:
    """The rule for an observation's start given before its result (``start 09:05`` at
    the prompt), so that a start is refused when it is given, not when the result comes:
    it is not after ``now`` (:func:`future_problem`), and it obeys
    :func:`observation_problem` against a result taken ``now`` (the same local day, after
    ``after``); the minimum is the result's to wait for. Returns why, or None."""
    return future_problem(what, started, now) or observation_problem(
        what, started, now, None, after
    )


def observation_problem(
    what: str,
    started: dt.datetime,
    result_at: dt.datetime,
    minutes: float | None,
    after: tuple[str, dt.datetime] | None = None,
    result: object = None,
) -> str | None:
    """The one rule for when the naloxone of a result was given (its observation start),
    whatever route it came by (a file's ``started``, a ``*_started`` flag, ``start HH:MM``
    at the prompt, a check or batch line, a scenario): it lies on the same local day as the
    result (a visit's results describe that day), before the result, and, for a result that
    waits for the observation (a negative challenge), at least ``minutes`` before it (None:
    no minimum); ``after`` (what, when): a result it must come after (a rechallenge's
    naloxone is given after the positive challenge's result). Returns why the start is
    refused, naming the entry, the times and the fix, or None. A ``result`` of
    ``positive`` is never refused for being read on the day after its naloxone (a
    challenge begun at 23:59 and read at 00:03): a positive only ever blocks, and it must
    stand in the record."""
    fmt = to_the_second(started, result_at, *([after[1]] if after else []))
    given, taken = shown(started, fmt), shown(result_at, fmt)
    other_day = aware(started).astimezone().date() != aware(result_at).astimezone().date()
    if other_day and result != "positive":
        return (
            f"{what}: the naloxone was given {given}, not on the day of the result ({taken}): "
            "the observation lies on the visit day of its result; give the time the naloxone "
            "was given that day"
        )
    if after is not None and instant(started) <= instant(after[1]):
        return (
            f"{what}: the naloxone was given {given}, not after {after[0]} "
            f"({shown(after[1], fmt)}): a rechallenge's naloxone is given after the "
            "positive result; give the time it was given"
        )
    passed = elapsed(started, result_at)
    if passed < dt.timedelta(0):
        return (
            f"{what}: the naloxone was given ({given}) after the result ({taken}); give the "
            "time it was given"
        )
    if minutes is None or passed >= dt.timedelta(minutes=minutes):
        return None
    left = dt.timedelta(minutes=minutes) - passed
    mm, ss = divmod(math.ceil(left.total_seconds()), 60)
    return (
        f"{what} at {taken} is less than {minutes:g} minutes after the naloxone was given "
        f"({given}): the observation is a minimum ({mm}:{ss:02d} left); give the time the "
        "naloxone was given, or record the result when the time has passed"
    )


def hours_between(first: dt.datetime, second: dt.datetime) -> float:
    """Hours of absolute time from ``first`` to ``second``, rounded UP to a hundredth, so
    that a time a moment past a window is never rounded into it."""
    seconds = (aware(second).astimezone(dt.UTC) - aware(first).astimezone(dt.UTC)).total_seconds()
    return math.ceil(seconds / 36) / 100


def elapsed(first: dt.datetime, second: dt.datetime) -> dt.timedelta:
    """Absolute time from ``first`` to ``second``."""
    return aware(second).astimezone(dt.UTC) - aware(first).astimezone(dt.UTC)


def shown(at: dt.datetime, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A time as the clinician reads it: the local time where the program runs."""
    return aware(at).astimezone().strftime(fmt)


def to_the_second(*times: dt.datetime) -> str:
    """How messages show ``times``: to the second when one of them has seconds (a start
    at 08:40:01 is not shown as 08:40), else to the minute."""
    if any(t.second or t.microsecond for t in times):
        return "%Y-%m-%d %H:%M:%S"
    return "%Y-%m-%d %H:%M"


def after_now(at: dt.datetime, now: dt.datetime) -> bool:
    """Whether ``at`` is later than ``now``, instant by instant: a result one second after
    the clock has not been taken yet."""
    return instant(at) > instant(now)


def future_problem(what: str, at: dt.datetime, now: dt.datetime) -> str | None:
    """The one rule for a result's time, whatever route it came by (an answers file,
    standard input, a batch line, a pathway day typed in the walk): a result timed after
    ``now`` has not been taken yet. Returns why it is refused, naming the entry and now,
    or None."""
    if not after_now(at, now):
        return None
    fmt = to_the_second(at, now)
    return (
        f"{what} is timed {shown(at, fmt)}, after now ({shown(now, fmt)}): a result is "
        "recorded once it has been taken; give the time it was taken"
    )


def refuse_after_now(key: str, what: str, at: dt.datetime, now: dt.datetime) -> None:
    """:func:`future_problem` as a refusal of the answer ``key``.

    Raises:
        InvalidAnswer: on ``key``, when ``at`` is after ``now``.
    """
    problem = future_problem(what, at, now)
    if problem is not None:
        raise InvalidAnswer(key, problem)


def end_of_day(day: dt.date) -> dt.datetime:
    """The last instant of ``day`` (local): ``now`` for a record read as of a day alone
    (a scenario's date), so that nothing dated after that day counts. At the calendar's
    edges, where the local offset cannot be worked out (year 1, year 9999), the day's end
    in UTC."""
    try:
        return dt.datetime.combine(day, dt.time(23, 59)).astimezone()
    except (ValueError, OverflowError):
        return dt.datetime.combine(day, dt.time(23, 59), tzinfo=dt.UTC)


def described_day(answered: str | None, began: dt.datetime | None) -> str | None:
    """The day a visit's results describe: its date answer, or, for a visit left before
    its date was answered, the day its walk began (here, where the program runs); None
    when neither is known. A date given later moves the visit from that day
    (visit/resume.py)."""
    if answered:
        return answered
    return aware(began).astimezone().date().isoformat() if began is not None else None
