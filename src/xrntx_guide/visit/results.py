"""How a new point-in-time result is taken into the record: appended, a correction, or
refused (clinical basis, safety invariant 9).

A COWS rating, a naloxone challenge and a rechallenge are entries of a series that is only
ever added to. Whatever route a result comes by (typed at the prompt, an ``--answer``
flag, an answers file or standard input, a resumed session, a batch line) it goes through
:func:`take_result`, so the rule lives here and nowhere else:

- the same result at the same time is recorded once (a file given twice);
- a later result is appended with its time; the gate reads the latest of the visit day,
  except that a positive challenge stands until a negative rechallenge within the window;
- a correction is a new entry naming the one it corrects (``corrects``: that entry's time)
  and why (``reason``); both stay in the record and the note;
- refused, naming the recorded entry and how to correct it: another result at the time of
  a recorded one, a second "challenge" over a positive challenge, a result over a positive
  rechallenge, a correction that would lift a positive, a rechallenge that follows no
  positive challenge or comes after the window (naltrexone-tablet-label), and a result without a
  time beside a series that has one (a check keeps no record, so it cannot order them).

Nothing here prints or prompts; no clinical number lives here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Literal, Protocol

from ..engine.evaluate import State
from ..errors import InvalidAnswer, UsageError
from ..expr import UNKNOWN
from ..pack import keys
from ..pack.guide import Guide
from ..pack.keys import COWS_THRESHOLD as THRESHOLD
from ..records import field, record, replace
from .answers import CHALLENGES_KEY, RATINGS_KEY
from .clock import (
    instant,
    observation_problem,
    parse_instant,
    refuse_after_now,
    shown,
    start_problem,
    to_the_second,
)
from .entries import (
    CHALLENGE,
    OBSERVATION,
    PREFIX,
    RECHALLENGE,
    RECHALLENGE_HOURS,
    TOTAL,
    ChallengeResult,
    CowsRating,
    Recorded,
    Withdrawal,
    after_an_earlier_naloxone,
    given_to_the_minute,
    item_keys,
    judged_withdrawal,
    latest_on,
    live,
    named_by,
    past_window,
    placed,
    positive_since,
    read_positive,
    unordered_latest,
    withdrawal_before,
)
from .entries import (
    standing_positive as standing_positive,
)
from .rapid import RapidDay, ratings_of, recorded_ratings
from .series import WINDOW, local_day, rechallenge_hours
from .taken_on import NEVER_A_PASS
from .taken_on import taken_on_another_day as taken_on_another_day

Kind = Literal["challenge", "rechallenge", "cows"]
KEY_OF: dict[str, str] = {"challenge": CHALLENGE, "rechallenge": RECHALLENGE, "cows": TOTAL}


class Series(Protocol):
    """What holds the results: a session record, or the series of a file being checked."""

    cows_ratings: list[CowsRating]
    naloxone_challenges: list[ChallengeResult]

    def note_result(self, entry: CowsRating | ChallengeResult, now: dt.datetime) -> None:
        """Log an entry just appended (a session's audit trail: visit/integrity.py)."""


@record
class Results:
    """A series held for a check, which keeps no session record."""

    cows_ratings: list[CowsRating] = field(default_factory=list)
    naloxone_challenges: list[ChallengeResult] = field(default_factory=list)
    recorded_at: Recorded | None = field(default=None, compare=False, repr=False)
    """When the program recorded each rating (a session's, held here to check what a run
    adds to it before it is taken in); None: a check's, all recorded now."""

    @classmethod
    def copy_of(cls, series: Any) -> Results:
        """A copy of a session's series (or of none: empty), to try entries on."""
        return cls(
            list(getattr(series, "cows_ratings", [])),
            list(getattr(series, "naloxone_challenges", [])),
            getattr(series, "recorded_at", None),
        )

    def note_result(self, entry: CowsRating | ChallengeResult, now: dt.datetime) -> None:
        """A check keeps no audit trail."""


@record(frozen=True)
class Offered:
    """A result offered to the record.

    Attributes:
        kind: ``challenge``, ``rechallenge`` or ``cows``.
        value: the result (``negative``...), or the COWS total.
        at: when it was taken; None for an answer without a time (a flag or a single
            answer beside a series, in a check).
        origin: typed, flag, file, session...
        day: the visit day it is taken for (default: the day of ``at``).
        items: a COWS rating's item scores, when they were rated.
        context: why a COWS rating was taken.
        started: when the naloxone was given (the observation timer).
        corrects: the time of the entry this one corrects.
        reason: why (required with ``corrects``).
    """

    kind: Kind
    value: str | int
    at: dt.datetime | None
    origin: str = "typed"
    day: dt.date | None = None
    items: dict[str, int] | None = None
    context: str | None = None
    started: dt.datetime | None = None
    corrects: dt.datetime | None = None
    reason: str | None = None
    stamped: bool = False
    """``at`` is the clock's time of taking it (typed, a flag), not a time given with it:
    two results are never refused for sharing it."""
    recorded: bool = False
    """An entry this run recorded already, taken again into what another run saved
    meanwhile (:func:`take_saved_meanwhile`): of two ratings of one minute, one given and
    one stamped, the record's reading judges the order by when each was recorded
    (visit/entries.py unordered_latest), so neither is refused for it here."""


def _same(a: dt.datetime, b: dt.datetime) -> bool:
    return instant(a) == instant(b)


def _when(at: dt.datetime) -> str:
    """A recorded time as messages name it: to the second, as 'corrects' may give it."""
    return at.isoformat(timespec="seconds" if at.second or at.microsecond else "minutes")


def _refuse(offered: Offered, message: str, hint: str | None = None) -> InvalidAnswer:
    key = KEY_OF[offered.kind]
    return InvalidAnswer(key, f"{offered.value}: {message}", hint=hint)


CORRECT_HINT = (
    "To correct a recorded result, give a new entry with 'corrects' (the time of the one it "
    "corrects) and 'reason' in the series (docs/scripting.md), --correct KEY@TIME=REASON "
    "beside --answer KEY=VALUE on a walk, or 'edit' it at the prompt."
)


def take_result(
    guide: Guide,
    record: Series,
    offered: Offered,
    day: dt.date | None = None,
    now: dt.datetime | None = None,
) -> ChallengeResult | CowsRating | None:
    """Take ``offered`` into ``record``: append it (returned), find it recorded already
    (None), or refuse it.

    Args:
        guide: the pack (the COWS items it rates).
        record: the series; only ever added to.
        offered: the result and where it comes from.
        day: the visit day a result without its own day is taken for.
        now: the visit's clock: a result timed after it has not been taken yet and is
            refused (visit/clock.py); None: not checked here (read as of now already).

    Raises:
        InvalidAnswer: naming the recorded entry it would replace and how to correct it,
            or a result timed after ``now``.
    """
    if now is not None and offered.at is not None and not offered.stamped:
        what = "the COWS rating" if offered.kind == "cows" else f"the naloxone {offered.kind}"
        refuse_after_now(KEY_OF[offered.kind], what, offered.at, now)
    taken = (
        _take_rating(guide, record, offered, day)
        if offered.kind == "cows"
        else _take_challenge(guide, record, offered, day)
    )
    if taken is not None:
        record.note_result(taken, now if now is not None else taken.at)
    return taken


def take_results(
    guide: Guide,
    record: Series,
    offered: Iterable[Offered],
    day: dt.date | None = None,
    now: dt.datetime | None = None,
) -> list[ChallengeResult | CowsRating]:
    """:func:`take_result` for each in turn (as of ``now``); the entries appended."""
    out = []
    for o in offered:
        entry = take_result(guide, record, o, day, now)
        if entry is not None:
            out.append(entry)
    return out


# --- the naloxone challenge and rechallenge ------------------------------------------------


def _take_challenge(
    guide: Guide, record: Series, offered: Offered, day: dt.date | None
) -> ChallengeResult | None:
    entries = record.naloxone_challenges
    kind = offered.kind
    value = str(offered.value)
    mine = [c for c in live(entries) if c.kind == kind]
    word = "challenge" if kind == "challenge" else "rechallenge"
    if offered.corrects is not None:
        # A correction is a new entry: it obeys every rule a new entry obeys (the window,
        # after the positive, the observation), read without the entry it corrects.
        target = _correction_of(entries, offered, day)
        others = [c for c in entries if c is not target]
        # Silent on the naloxone's time, it is judged by the time the entry it corrects
        # gives (it never moves the observation away from a rating of withdrawal).
        judged = (
            offered if offered.started is not None else replace(offered, started=target.started)
        )
        positive = positive_since(guide, record.cows_ratings, others, "challenge")
        _obeys(guide, judged, positive, record)
        return _append_challenge(guide, entries, offered, target, day)
    positive = positive_since(guide, record.cows_ratings, entries, "challenge")
    if (
        positive is not None
        and offered.at is not None
        and past_window(guide, positive, offered.at)
        and (day is None or local_day(offered.at) == day)
    ):
        # Reference 5.2: a repeat later than the window is not a rechallenge but a new
        # challenge on a new visit day, with that day's screen and COWS. It is taken as
        # that day's challenge (visit_results reads it in place of the positive), obeying
        # every rule a challenge obeys; it is never refused as if it were invalid.
        offered = replace(offered, kind="challenge")
        kind, word, positive = "challenge", "challenge", None
        mine = [c for c in live(entries) if c.kind == kind]
    if offered.at is None:
        # Beside a series (a check): it cannot be ordered against the recorded results.
        if any(c.result == value for c in mine) and (
            kind != "challenge" or positive is None or value == "positive"
        ):
            return None
        if mine:
            last = max(mine, key=lambda c: instant(c.at))
            raise _refuse(
                offered,
                f"given beside the series, which records the {word} of {_when(last.at)} as "
                f"{last.result}: a recorded result is never replaced; change the series "
                "instead (a later entry with its time, or a correction)",
                CORRECT_HINT,
            )
    else:
        at = offered.at
        clash = next((c for c in entries if c.kind == kind and _same(c.at, at)), None)
        if clash is not None and not offered.stamped:
            if clash.result == value:
                return None  # recorded already (a file given twice)
            raise _refuse(
                offered,
                f"the {word} of {_when(clash.at)} is recorded as {clash.result}: a recorded "
                "result is never replaced",
                CORRECT_HINT,
            )
    if kind == "challenge" and positive is not None and value != "positive":
        raise _refuse(
            offered,
            f"the naloxone challenge of {_when(positive.at)} was positive: a positive challenge "
            "is lifted only by a negative rechallenge within the window, never by a second "
            "challenge; record the rechallenge (naloxone_rechallenge) instead",
        )
    _obeys(guide, offered, positive, record)
    if kind == "rechallenge":
        again = read_positive(guide, record.cows_ratings, entries, "rechallenge")
        if again is not None and value != "positive":
            raise _refuse(
                offered,
                f"the naloxone rechallenge of {_when(again.at)} was positive and stands: a "
                "positive result is never replaced",
            )
    if mine and offered.at is not None and offered.stamped:
        # Given again without a time of its own (a flag repeated on resume): it stands as
        # recorded. A result with its own time (a file's) is an entry of its own.
        last = max(mine, key=lambda c: instant(c.at))
        if last.result == value and (day is None or last.day == day or value == "positive"):
            return None
    if offered.at is None:
        return None  # a check's answer: nothing recorded to add it to
    return _append_challenge(guide, entries, offered, None, day)


def _obeys(
    guide: Guide,
    offered: Offered,
    positive: ChallengeResult | None,
    record: Series,
) -> None:
    """What every challenge or rechallenge entry obeys, new or a correction: a rechallenge
    follows the positive challenge within the window, and the naloxone of either was given
    on the day of its result, before it by the observation (visit/clock.py, the one rule);
    a rechallenge's after the positive result; and a result that counts (negative) only
    when the patient showed no withdrawal before the naloxone (naltrexone-tablet-label)."""
    if offered.kind == "rechallenge" and offered.at is not None and offered.value != keys.NOT_DONE:
        _within_window(guide, offered, positive)
    if offered.at is None:
        return
    if offered.started is None:
        # No naloxone time: judged against the result's own time, which it was given no
        # later than (visit/entries.py withdrawal_before); a clock's stamp is not one.
        if not offered.stamped:
            _no_withdrawal_before(guide, record, offered, _what(offered))
        return
    question = guide.questions.get(KEY_OF[offered.kind])
    observe = guide.setting_values.get(OBSERVATION)
    # A result stamped by the clock (typed, a flag) waits on its timer, which may run on a
    # demo clock: its minimum is checked there (visit/presets.py, visit/resume.py).
    waits = (
        question is not None
        and offered.value in question.spec.wait_for
        and isinstance(observe, int | float)
        and not isinstance(observe, bool)
        and not offered.stamped
    )
    after = (
        ("the positive challenge", positive.at)
        if offered.kind == "rechallenge" and positive is not None
        else None
    )
    what = _what(offered)
    # When the naloxone was given first (its day, after the positive, the observation),
    # then what was recorded before it.
    problem = observation_problem(
        what,
        offered.started,
        offered.at,
        observe if waits else None,
        after,
        offered.value,
    )
    if problem is not None:
        raise _refuse(offered, problem)
    _no_withdrawal_before(guide, record, offered, what)


def _what(offered: Offered) -> str:
    assert offered.at is not None
    return f"the naloxone {offered.kind} of {_when(offered.at)}"


def start_refused(
    guide: Guide,
    record: Series,
    key: str,
    started: dt.datetime,
    now: dt.datetime,
    visit: dt.date | None = None,
) -> str | None:
    """Why the time the naloxone of the challenge or rechallenge ``key`` was given, typed
    before its result (``start 09:05``), is refused now rather than when the result comes
    (visit/clock.py, :func:`start_problem`): after now, on another day than a result taken
    now, for a visit of another day (``visit``) than the result taken now
    (:func:`taken_on_another_day`), or for a rechallenge, not after the positive
    challenge's result (one that reads as positive: visit/entries.py ``read_positive``).
    None: taken."""
    kind = next((k for k, name in KEY_OF.items() if name == key), None)
    if kind not in ("challenge", "rechallenge"):
        return start_problem(f"the start of {key}", started, now)
    other_day = taken_on_another_day(guide, now, visit) if visit is not None else None
    if other_day is not None:
        return f"its result, {other_day[0]}. {other_day[1]}"
    positive = positive_since(guide, record.cows_ratings, record.naloxone_challenges, "challenge")
    after = (
        ("the positive challenge", positive.at)
        if kind == "rechallenge" and positive is not None
        else None
    )
    return start_problem(f"the naloxone {kind}", started, now, after)


def _no_withdrawal_before(guide: Guide, record: Series, offered: Offered, what: str) -> None:
    """Reference 5.2: a challenge or rechallenge is done only when the patient shows no
    withdrawal (visit/entries.py :func:`withdrawal_before`, the one rule, which the
    reading of the series for the gates applies too). A result that would count (a
    negative) done beside withdrawal is refused naming the rating, or the lack of one:
    it never counts."""
    started = offered.started
    # A correction's result was taken at the time of the one it corrects.
    taken = offered.corrects or offered.at
    found = withdrawal_before(
        guide, record.cows_ratings, offered.kind, offered.value, started, taken
    )
    if found is None:
        return
    if found.during:
        raise _refuse(
            offered,
            f"{what}: {withdrawal_found(found, started)}; any sign of withdrawal after the "
            "naloxone is a positive result (naltrexone-tablet-label): record it as positive, or "
            "correct the rating if it was recorded in error",
        )
    fix = (
        "a challenge is done only when the patient shows no withdrawal (naltrexone-tablet-label): "
        f"record the COWS rating (below {found.threshold:g}) taken before the naloxone was "
        + ("given" if started is not None else "given, with the time it was given ('started')")
        + ", or leave the result out"
    )
    raise _refuse(offered, f"{what}: {withdrawal_found(found, started)}; {fix}")


def refuse_beside_withdrawal(
    guide: Guide,
    ratings: list[CowsRating],
    given: Iterable[tuple[str, object, dt.datetime | None, dt.datetime | None]],
) -> None:
    """A check's single result (``key``, value, when the naloxone was given, when it was
    taken: now for a flag) judged against the ratings of the visit day as a walk judges
    it when it takes it in (reference 5.2, :func:`_no_withdrawal_before`): a check keeps
    no record, so the result is not recorded, but done beside withdrawal it is refused
    alike. Without the naloxone's time it is not judged (a clock's stamp is not a time
    the result was taken at), as in a walk.

    Raises:
        InvalidAnswer: a negative done beside withdrawal, naming the rating.
    """
    held = Results(list(ratings))
    kinds: dict[str, Kind] = {CHALLENGE: "challenge", RECHALLENGE: "rechallenge"}
    for key, value, started, at in given:
        kind = kinds.get(key)
        if kind is None or started is None or at is None:
            continue
        offered = Offered(kind, str(value), at, "flag", started=started, stamped=True)
        _no_withdrawal_before(guide, held, offered, _what(offered))


def withdrawal_found(found: Withdrawal, started: dt.datetime | None) -> str:
    """What :func:`~xrntx_guide.visit.entries.withdrawal_before` found: the rating (or the
    lack of one) against the time the naloxone was given, or, that time not given, the
    time of the result, which it was given no later than."""
    when = started if started is not None else found.untimed
    assert when is not None
    fmt = to_the_second(when, *found.ratings_of_day)
    given = (
        f"({shown(when, fmt)})"
        if started is not None
        else f"(its time not given: no later than {shown(when, fmt)}, the result's time less "
        "the observation)"
    )
    if found.rating is None or found.at is None:
        return (
            f"no COWS rating of {found.day.isoformat()} is recorded before the naloxone "
            f"was given {given}"
        )
    if found.during:
        return (
            f"the COWS rating of {shown(found.at, fmt)}, taken after the naloxone was given "
            f"{given} and before the result, has total {found.rating.total}, at or above "
            f"{found.threshold:g} (withdrawal during the observation)"
        )
    if found.unordered:
        return (
            f"which COWS rating was the latest before the naloxone was given {given} is not "
            f"known (two of {shown(found.at, '%Y-%m-%d %H:%M')}, their order not known); one "
            f"has total {found.rating.total}, at or above {found.threshold:g} (withdrawal)"
        )
    return (
        f"the latest COWS rating before the naloxone was given {given}, the one of "
        f"{shown(found.at, fmt)}, has total {found.rating.total}, at or above "
        f"{found.threshold:g} (withdrawal)"
    )


def uncounted_lines(
    guide: Guide,
    before: tuple[list[CowsRating], list[ChallengeResult]],
    ratings: list[CowsRating],
    challenges: list[ChallengeResult],
) -> list[str]:
    """The results that counted in ``before`` (the ratings and the challenge results
    before a run's entries were taken in) and no longer count as the series stands
    (``ratings``, ``challenges``): done beside withdrawal (visit/entries.py
    :func:`withdrawal_before`), as a correction or a rating entered late now shows. A
    line for the clinician each."""
    was = {
        (c.kind, instant(c.at))
        for c in live(before[1])
        if judged_withdrawal(guide, before[0], before[1], c) is None
    }
    out = []
    for c in live(challenges):
        found = judged_withdrawal(guide, ratings, challenges, c)
        if found is None or (c.kind, instant(c.at)) not in was:
            continue
        now_reads = "now reads as positive" if found.during else "no longer counts"
        out.append(
            f"The naloxone {c.kind} of {shown(c.at, to_the_second(c.at))} ({c.result}) "
            f"{now_reads}: {withdrawal_found(found, c.started)}. "
            + (
                "Any sign of withdrawal after the naloxone is a positive result "
                "(naltrexone-tablet-label): it stands as one (only a negative rechallenge "
                "within the window lifts a positive challenge); it stays in the record as "
                "entered."
                if found.during
                else "A challenge is done only when the patient shows no withdrawal "
                "(naltrexone-tablet-label): it counts as never done, as when it is given at once "
                "beside that rating; it stays in the record."
            )
        )
    return out


def _at(at: dt.datetime, beside: dt.datetime) -> str:
    """A time in a message the clinician reads: local, to the second only where one of
    the two it is compared with has seconds."""
    return shown(at, to_the_second(at, beside))


def _within_window(guide: Guide, offered: Offered, positive: ChallengeResult | None) -> None:
    """A rechallenge follows a positive challenge, after it and within the window
    (naltrexone-tablet-label); a repeat later than that is not a rechallenge and is refused."""
    assert offered.at is not None
    if positive is None:
        raise _refuse(offered, "a rechallenge follows a positive challenge only")
    this, first = _at(offered.at, positive.at), _at(positive.at, offered.at)
    if instant(offered.at) <= instant(positive.at) and not offered.stamped:
        raise _refuse(
            offered,
            f"the rechallenge at {this} is not after the positive challenge at {first}",
        )
    window = guide.setting_values.get(WINDOW)
    if not isinstance(window, int | float) or isinstance(window, bool):
        return
    hours = rechallenge_hours(positive.at, offered.at)
    if hours > window:
        raise _refuse(
            offered,
            f"the rechallenge at {this} is {hours:g} hours after the positive challenge at "
            f"{first}: only one within {window:g} hours is a "
            "rechallenge (naltrexone-tablet-label), so it is not accepted and the "
            "positive challenge stands",
        )


def _own_time(offered: Offered, corrects: dt.datetime) -> None:
    """A correction is a new entry at its own time, never at the time of the one it
    corrects (which names that entry)."""
    if offered.at is not None and _same(offered.at, corrects) and not offered.stamped:
        raise _refuse(offered, f"a correction has its own time, not {_when(corrects)}")


def _stamp(offered: Offered, taken: list[Any]) -> dt.datetime:
    """The time an entry is recorded at: a clock's stamp is moved past an entry of the
    same instant (a frozen test clock), so each entry keeps a time of its own."""
    assert offered.at is not None
    at = offered.at
    if offered.stamped:
        while any(_same(e.at, at) for e in taken):
            at += dt.timedelta(microseconds=1)
    return at


def _named(entries: list[Any], offered: Offered, none: str) -> Any:
    """The one entry a correction names (visit/entries.py: :func:`named_by`, the one
    matching every reading of a series uses); refused when none or more than one is."""
    assert offered.corrects is not None
    kind = None if offered.kind == "cows" else offered.kind
    probe = _Probe(kind, offered.corrects)
    found = named_by(entries, probe)
    if not found:
        raise _refuse(offered, f"corrects {_when(offered.corrects)}, but {none}")
    if len(found) > 1:
        both = " and ".join(_when(e.at) for e in found)
        raise _refuse(
            offered,
            f"corrects {_when(offered.corrects)}, which names more than one recorded entry "
            f"({both}): give the exact time of the one it corrects",
        )
    return found[0]


@record(frozen=True)
class _Probe:
    """A correction not recorded yet, as :func:`named_by` reads one."""

    kind: str | None
    corrects: dt.datetime


def _correction_of(
    entries: list[ChallengeResult], offered: Offered, day: dt.date | None
) -> ChallengeResult:
    assert offered.corrects is not None
    corrects = offered.corrects
    target: ChallengeResult = _named(
        entries, offered, f"no {offered.kind} is recorded at that time"
    )
    _own_time(offered, corrects)
    if not (offered.reason or "").strip():
        raise _refuse(offered, f"the correction of {_when(corrects)} needs a reason")
    if target.result == "positive" and str(offered.value) != "positive":
        raise _refuse(
            offered,
            f"a correction never lifts a positive naloxone {offered.kind} (the one of "
            f"{_when(target.at)}): only a negative rechallenge within the window does",
        )
    return target


def _append_challenge(
    guide: Guide,
    entries: list[ChallengeResult],
    offered: Offered,
    target: ChallengeResult | None,
    day: dt.date | None,
) -> ChallengeResult:
    at = _stamp(offered, entries)
    filed = target.day if target is not None else (offered.day or day or local_day(at))
    _refuse_another_day(guide, offered, filed)
    entry = ChallengeResult(
        at=at,
        day=filed,
        kind="challenge" if offered.kind == "challenge" else "rechallenge",
        result=str(offered.value),
        started=offered.started,
        origin=offered.origin,
        corrects=target.at if target is not None else None,  # its exact time
        reason=offered.reason.strip() if offered.reason else None,
    )
    entries.append(entry)
    entries.sort(key=lambda c: instant(c.at))
    return entry


def _refuse_another_day(guide: Guide, offered: Offered, day: dt.date) -> None:
    """A new entry stamped by the clock is filed only for the day it was taken
    (:func:`taken_on_another_day`); a correction stands for the entry it corrects."""
    if not offered.stamped or offered.at is None or offered.corrects is not None:
        return
    if offered.kind != "cows" and offered.value in NEVER_A_PASS:
        # No test taken, or a positive: it never passes a gate, and a positive stands on
        # every later day (a challenge begun before midnight and read after it).
        return
    found = taken_on_another_day(guide, offered.at, day)
    if found is not None:
        raise _refuse(offered, *found)


# --- COWS ratings ----------------------------------------------------------------------------


def _take_rating(
    guide: Guide, record: Series, offered: Offered, day: dt.date | None
) -> CowsRating | None:
    ratings = record.cows_ratings
    total = offered.value if isinstance(offered.value, int) else None
    items = offered.items or None
    if offered.corrects is not None:
        corrects = offered.corrects
        target = _named(ratings, offered, "no COWS rating is recorded then")
        if not (offered.reason or "").strip():
            raise _refuse(offered, f"the correction of {_when(corrects)} needs a reason")
        _own_time(offered, corrects)
        days = getattr(record, "rapid_days", None)
        # Every rating the day record holds, whatever its reading: one whose date is in
        # doubt (its day moved) too, which a correction here would make count again.
        if days and (instant(target.at), target.total) in recorded_ratings(days):
            raise _refuse(
                offered,
                f"corrects {_when(corrects)}, a rating of the pathway's day record: correct "
                "it in the record, so that the record and the series say the same",
                "Give the day again with corrects = its day number and the reason "
                "(rapid_days in a file), or at the prompt 'day', then 'correct'.",
            )
        exact = replace(offered, corrects=target.at)  # its exact time
        return _append_rating(guide, ratings, exact, target.day, target.context)
    on = offered.day or day or (local_day(offered.at) if offered.at is not None else None)
    if offered.at is None:
        last = latest_on(ratings, on) if on is not None else None
        if last is None:
            return None
        prev = ratings[last]
        if prev.total == total and items is None:
            return None
        raise _refuse(
            offered,
            f"given beside the series, whose latest rating of {on} ({_when(prev.at)}) has "
            f"total {prev.total}: a recorded rating is never replaced; change the series "
            "instead (a later rating with its time, or a correction)",
            CORRECT_HINT,
        )
    at = offered.at
    clash = next((r for r in ratings if _same(r.at, at)), None)
    if clash is not None and not offered.stamped and not offered.recorded:
        # (Another run's, at a merge: both stay, and the record reads neither while their
        # order is not known: visit/entries.py unordered_latest.)
        if total is not None and clash.total == total and (items is None or clash.items == items):
            return None  # recorded already
        if offered.context == "pathway_day" and clash.context == "pathway_day":
            # A correction of a pathway day's rating at the rating's own time: the visit's
            # series took that rating when the day was recorded, and the series never
            # replaces one (nor corrects a rating of the day record: the two would part).
            raise _refuse(
                offered,
                f"the pathway day's COWS rating of {_when(clash.at)} (total {clash.total}) "
                "is in the visit's series already, which never replaces a rating at its "
                "time",
                "Rate the patient again and give that rating at its own, later time: the "
                "gates read the day's latest rating, and both stay in the record and the "
                "note.",
            )
        raise _refuse(
            offered,
            f"the COWS rating of {_when(clash.at)} is recorded with total {clash.total}: a "
            "recorded rating is never replaced",
            CORRECT_HINT,
        )
    if total is None:  # pragma: no cover - a timed rating always has its total
        raise _refuse(offered, "a COWS rating needs its total or all its items")
    _refuse_unordered(offered, ratings, total, getattr(record, "recorded_at", None))
    return _append_rating(guide, ratings, offered, on or local_day(at), None)


def _refuse_unordered(
    offered: Offered, ratings: list[CowsRating], total: int, recorded: Recorded | None
) -> None:
    """A rating whose time is given to the minute (a file's ``10:00``, the day dialog's)
    says only its minute; the program stamps the ratings it records (typed, a flag) to
    the second, and a file may give its seconds (``10:00:30``). Of a rating given to the
    minute and one of that minute whose time is exact, with another total, which came
    later is not known (visit/entries.py unordered_latest), and the gate reads the later:
    refused, never ordered by the exact one's seconds (a 9 given for 10:00 read as
    earlier than a 2 stamped at 10:00:00.005, and the dose counted). The exact one given
    after a rating of its minute given to the minute is refused too, unless that one was
    recorded before its time (``recorded``: a session's audit trail; None, a check: every
    rating is recorded now). A rating typed or given by flag is the walk's rating of its
    moment and is taken after those recorded before it.

    Raises:
        InvalidAnswer: naming the other rating and the ways on.
    """
    at = offered.at
    if offered.stamped or offered.recorded or at is None:
        return
    minute = int(instant(at) // 60)
    to_the_minute = not at.second and not at.microsecond

    def unordered(first: CowsRating) -> bool:
        if to_the_minute:
            return not given_to_the_minute(first)
        if not given_to_the_minute(first):
            return False
        when = recorded(first) if recorded is not None else None
        return when is None or instant(when) > instant(at)

    # Each rating as it stands: a correction at the time of the rating it stands for,
    # given or stamped as that one was, with its own total.
    near = next(
        (
            (first, r)
            for r in live(ratings)
            if r.total != total
            and int(instant((first := placed(ratings, r)).at) // 60) == minute
            and unordered(first)
        ),
        None,
    )
    if near is None:
        return
    first, standing = near
    if to_the_minute:
        said = f"{_when(first.at)} with total {standing.total} (its time exact, to the second)"
    else:
        said = f"{_when(first.at)} with total {standing.total} (its time given to the minute)"
    raise _refuse(
        offered,
        f"given for {_when(at)}, the minute of the COWS rating recorded for {said}: which "
        "of the two came later is not known",
        "If this rating was taken after the other, give its time with its seconds after "
        "the other's (HH:MM:SS), or its later minute; else take a new rating now, which "
        "is the latest.",
    )


def _append_rating(
    guide: Guide,
    ratings: list[CowsRating],
    offered: Offered,
    day: dt.date,
    context: str | None,
) -> CowsRating:
    at = _stamp(offered, ratings)
    _refuse_another_day(guide, offered, day)
    items = offered.items if offered.items and len(offered.items) == len(item_keys(guide)) else None
    last = latest_on(ratings, day)
    rating = CowsRating(
        at=at,
        day=day,
        context=offered.context or context or ("baseline" if last is None else "repeat"),
        total=int(offered.value),
        items=items,
        origin=offered.origin,
        corrects=offered.corrects,
        reason=offered.reason.strip() if offered.reason else None,
        time_given=not offered.stamped,
    )
    ratings.append(rating)
    ratings.sort(key=lambda r: instant(r.at))
    return rating


# --- what a run was given, as results offered ------------------------------------------------


def offered_answers(
    guide: Guide, answers: Mapping[str, Any], at: dt.datetime | None, origin: str
) -> list[Offered]:
    """The single answers among ``answers`` that are results (the challenge, the
    rechallenge, a COWS total or its items), offered at ``at`` (None: without a time)."""
    out: list[Offered] = []
    for kind in ("challenge", "rechallenge"):
        key = KEY_OF[kind]
        if key in answers:
            out.append(Offered(kind, str(answers[key]), at, origin))
    names = [k.removeprefix(PREFIX) for k in item_keys(guide)]
    items = {n: answers[f"{PREFIX}{n}"] for n in names if f"{PREFIX}{n}" in answers}
    if TOTAL in answers or items:
        whole = len(items) == len(names) and all(isinstance(v, int) for v in items.values())
        total = answers.get(TOTAL, sum(items.values()) if whole else None)
        if isinstance(total, int) and not isinstance(total, bool):
            out.append(Offered("cows", total, at, origin, items=items if whole else None))
        elif at is None:
            out.append(Offered("cows", "items", None, origin, items=items))  # some items
    return out


def offered_series(expanded: Any) -> list[Offered]:
    """The entries of a series a file gives (visit/series.py ``Expanded``), each with its
    own time and the visit day it falls on (visit/clock.py: local), in time order."""
    out: list[Offered] = [
        Offered(
            "cows",
            r.total,
            r.at,
            r.origin,
            day=r.day,
            items=r.items,
            context=r.context,
            corrects=r.corrects,
            reason=r.reason,
        )
        for r in expanded.ratings
    ]
    for c in expanded.entries:
        out.append(
            Offered(
                c.kind,
                c.result,
                c.at,
                c.origin,
                day=c.day,
                started=c.started,
                corrects=c.corrects,
                reason=c.reason,
            )
        )
    # In time order, whatever the file's order: a correction comes after what it corrects.
    return sorted(out, key=lambda o: instant(o.at or _EPOCH))


def take_given(
    guide: Guide,
    record: Series,
    given: Mapping[str, Any],
    expanded: Any,
    day: dt.date,
    now: dt.datetime,
    timers: Mapping[str, dt.datetime] | None = None,
    corrections: Mapping[str, tuple[dt.datetime, str]] | None = None,
) -> list[ChallengeResult | CowsRating]:
    """What a walk was given up front (flags, an answers file, standard input), taken into
    its record before any answer is set: the file's series with its own times, then each
    single result (``given``: key -> (value, origin)) as a result of ``now``.

    Args:
        guide: the pack.
        record: the session record.
        given: the answers given, each a ``(value, origin)`` pair (a ``Preset``).
        expanded: the file's series (visit/series.py ``Expanded``), or None.
        day: the visit day the single results are taken for.
        now: their time.
        timers: when each timed result's observation started (the session's timers).
        corrections: by key, the time of the entry the result given for it corrects, and
            why (``--correct``).

    Raises:
        InvalidAnswer: a result the record refuses (see the module's rule).
    """
    from_series = set(expanded.answers) if expanded is not None else set()
    hours = given.get(RECHALLENGE_HOURS)
    if RECHALLENGE_HOURS not in from_series and hours is not None and hours[1] in ("flag", "file"):
        raise InvalidAnswer(
            RECHALLENGE_HOURS,
            f"{hours[0]}: in a walk the hours from the positive challenge to the rechallenge "
            "are derived from the recorded times, never given",
            hint="Leave naloxone_rechallenge_hours out: give naloxone_rechallenge (with "
            "naloxone_rechallenge_started) when it is taken, or the series "
            "naloxone_challenges with each entry's time.",
        )
    taken = take_results(guide, record, offered_series(expanded) if expanded else [], day, now)
    single: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for key, (value, origin) in given.items():
        if key in from_series or origin not in ("flag", "file"):
            continue
        single[key] = value
        origins[key] = origin
    single.update(_items_kept(guide, record, single, day))
    # A correction of a recorded entry is taken before the new results given beside it:
    # a rechallenge given with the correction of the rating before it is read against
    # the rating as corrected (it stands in the place of the one it corrects).
    given_now = sorted(
        offered_answers(guide, single, now, "flag"),
        key=lambda o: KEY_OF[o.kind] not in (corrections or {}),
    )
    for o in given_now:
        origin = origins.get(KEY_OF[o.kind], next(iter(origins.values()), "flag"))
        started = (timers or {}).get(KEY_OF[o.kind])
        fix = (corrections or {}).get(KEY_OF[o.kind])
        o = Offered(
            o.kind,
            o.value,
            o.at,
            origin,
            day=day,
            items=o.items,
            started=started,
            stamped=True,
            corrects=fix[0] if fix else None,
            reason=fix[1] if fix else None,
        )
        entry = take_result(guide, record, o, day, now)
        if entry is not None:
            taken.append(entry)
    _refuse_moved_past_withdrawal(guide, record, taken, day)
    return taken


def _refuse_moved_past_withdrawal(
    guide: Guide, record: Series, taken: list[ChallengeResult | CowsRating], day: dt.date
) -> None:
    """A result given now with a later naloxone time than one the walk's timer held (the
    naloxone given then: SessionRecord.naloxone_given), where withdrawal was rated during
    that one's observation: any sign of withdrawal after the naloxone is a positive result
    (naltrexone-tablet-label), so no later naloxone time stands in its place, as the prompt never
    starts the timer over past it (visit/entries.py :func:`after_an_earlier_naloxone`, the
    rule the reading follows too).

    Raises:
        InvalidAnswer: naming that naloxone and the rating.
    """
    given = getattr(record, "naloxone_given", None)
    if not given:
        return
    ratings = _day_series(record, day)
    for entry in taken:
        if not isinstance(entry, ChallengeResult) or entry.result == "positive":
            continue
        earlier = after_an_earlier_naloxone(
            guide, ratings, record.naloxone_challenges, entry.kind, entry.started, entry.at, given
        )
        if earlier is not None:
            s, found = earlier
            raise InvalidAnswer(
                KEY_OF[entry.kind],
                f"{entry.result}: the naloxone given at {_when(s)} (the walk's timer) was "
                f"followed by a COWS rating of {found.total} at {_when(found.at)}: any sign "
                "of withdrawal after the naloxone is a positive result "
                "(naltrexone-tablet-label), so no later naloxone time stands in its place: "
                "record it as positive",
                hint="Resume without the file's result and record 'positive' at the prompt.",
            )


def _day_series(record: Any, day: dt.date) -> list[CowsRating]:
    """The ratings the gate reads ``day`` from: a session's series with its pathway day
    record's (SessionRecord.visit_ratings), or a check's series as it stands."""
    visit_ratings = getattr(record, "visit_ratings", None)
    series: list[CowsRating] = (
        visit_ratings(day) if visit_ratings is not None else record.cows_ratings
    )
    return series


def _items_kept(
    guide: Guide, record: Series, single: Mapping[str, Any], day: dt.date
) -> dict[str, Any]:
    """Some COWS items given now (an item edited by flag or file, without the total): a
    new rating of the day, with the other items of the latest rating, which it edits; the
    items to add to ``single``. Nothing when no item is given, or all of them, or the total.

    Raises:
        InvalidAnswer: the latest rating of the day has no items to keep (its total only,
            or none taken): the items given cannot make a rating.
    """
    names = item_keys(guide)
    given = [k for k in names if k in single]
    if not given or TOTAL in single or len(given) == len(names):
        return {}
    series = _day_series(record, day)
    last = latest_on(series, day)
    prev = series[last] if last is not None else None
    recorded = getattr(record, "recorded_at", None)
    if prev is not None and recorded is not None and unordered_latest(series, prev, recorded):
        raise InvalidAnswer(
            given[0],
            f"{len(given)} of the {len(names)} COWS items given, and which rating of {day} "
            "is the latest is not known (two of one minute): give every item, or the total",
        )
    if prev is None or not prev.items:
        raise InvalidAnswer(
            given[0],
            f"{len(given)} of the {len(names)} COWS items given, and the latest rating of "
            f"{day} has no items to keep beside them: give every item, or the total",
        )
    return {f"{PREFIX}{n}": v for n, v in prev.items.items() if f"{PREFIX}{n}" not in single}


class DayRecord(Series, Protocol):
    """A record that keeps the rapid pathway's days beside its series (a session)."""

    rapid_days: list[RapidDay]

    def record_day(self, day: RapidDay, now: dt.datetime, origin: str = "typed") -> bool: ...


def take_day(
    guide: Guide, record: DayRecord, day: RapidDay, visit_day: dt.date, now: dt.datetime
) -> bool:
    """Record a pathway day typed at the prompt (visit/rapid.py, never replacing one) and
    take its COWS ratings of the visit day into the visit's series by the rule every
    result follows: the ratings of the visit day are one series, whatever route gave them
    (visit/presets.py read_series for a file's days), which the withdrawal gate, the
    challenge's rules and the note read. Returns whether anything new was recorded.

    Raises:
        ValueError: the entry contradicts a recorded day without correcting it.
        InvalidAnswer: a rating the series refuses (another total at the time of a
            recorded rating); nothing is recorded then.
    """
    days = [*record.rapid_days, day]
    # First on a copy: a rating the series refuses leaves the day unrecorded too.
    threshold = guide.setting_values.get(THRESHOLD)
    take_results(guide, Results.copy_of(record), _day_offered(days, visit_day, threshold))
    added = record.record_day(day, now)
    offered = _day_offered(record.rapid_days, visit_day, threshold)
    take_results(guide, record, offered, visit_day, now)
    return added


def day_rating_refused(
    guide: Guide, record: Series, day: dt.date, at: dt.datetime, total: int
) -> str | None:
    """Why the series would refuse a pathway day's rating of ``day`` taken at ``at``
    (:func:`take_day` takes it in by the rule every result follows), for the day dialog
    to ask its time again at once rather than refuse the whole day at its end; None when
    it would be taken."""
    offered = Offered("cows", total, at, "typed", day=day, context="pathway_day")
    try:
        take_results(guide, Results.copy_of(record), [offered], day)
    except InvalidAnswer as exc:
        return f"{exc.reason.removeprefix(f'{total}: ')}. {exc.hint or ''}".strip()
    return None


def _day_offered(days: list[RapidDay], visit_day: dt.date, threshold: object) -> list[Offered]:
    return offered_series(_Only(ratings=ratings_of(days, visit_day, "typed", threshold)))


def parse_corrections(
    flags: Iterable[str], given: Mapping[str, Any]
) -> dict[str, tuple[dt.datetime, str]]:
    """``--correct KEY@TIME=REASON``: the result given for KEY (by ``--answer``, or an
    answers file's single answer) corrects the entry recorded at TIME, for REASON.

    Raises:
        UsageError: a flag that cannot be read, a key that is not a result, or no result
            given for it.
    """
    out: dict[str, tuple[dt.datetime, str]] = {}
    results = set(KEY_OF.values())  # a rating corrects as its total (cows_total)
    for flag in flags:
        target, eq, reason = flag.partition("=")
        key, at, when = target.partition("@")
        key, when, reason = key.strip(), when.strip(), reason.strip()
        if not eq or not at or not key or not when or not reason:
            raise UsageError(
                f"--correct {flag!r}: expected KEY@TIME=REASON",
                hint="For example --correct cows_total@2026-11-24T08:00='pulse misread' "
                "with --answer cows_total=9.",
            )
        if key not in results:
            raise UsageError(
                f"--correct {key}: not a result recorded with its time "
                f"(one of {', '.join(sorted(KEY_OF.values()))})"
            )
        try:
            at_time = parse_instant(when, one_day=False)  # names an entry: no day of its own
        except ValueError:
            raise UsageError(
                f"--correct {key}@{when}: give the date and time of the entry it corrects "
                "(YYYY-MM-DDTHH:MM, as the note shows it)"
            ) from None
        if key not in given:
            raise UsageError(
                f"--correct {key}: no new result for it: give it with --answer {key}=VALUE"
            )
        if key in out and out[key] != (at_time, reason):
            raise UsageError(
                f"--correct {key} is given twice: one result corrects one entry; correct "
                "the other on another run"
            )
        out[key] = (at_time, reason)
    return out


# --- the walk's COWS series ---------------------------------------------------------------


def note_rating(
    guide: Guide, record: Any, state: State, day: dt.date, now: dt.datetime
) -> CowsRating | None:
    """Add the rating the answers hold now to ``record.cows_ratings`` when it is complete
    and not the latest one of the day already; returns it (None when nothing is added).

    The answers stay what the engine reads; the series is every rating they have held on
    the day, so the latest rating of the day is always the one the gate uses. A rating
    that differs from the latest is appended (``rate again``, an item edited, a flag on
    resume): never written over it (visit/results.py)."""
    if TOTAL not in guide.questions or TOTAL in state.invalid:
        return None
    total = state.value(TOTAL)
    if total is UNKNOWN or not isinstance(total, int) or isinstance(total, bool):
        return None
    visit = state.value(guide.meta.date_key)
    if visit != day:
        return None  # results describe the visit day only
    # The rating the engine read (visit/session.py visit_answers: what was typed since
    # the latest rating over its items, or since 'rate again'), never stored answers of
    # an earlier rating.
    items = {
        k.removeprefix(PREFIX): v
        for k in item_keys(guide)
        if isinstance(v := state.value(k), int) and not isinstance(v, bool)
    }
    # The series as the gates read it (after a counted dose: as it stood then), so that
    # the rating read from it is never taken for a new one and added again, later.
    read_series = getattr(record, "read_series", None)
    series = read_series(day)[0] if read_series is not None else _day_series(record, day)
    last = latest_on(series, day)
    if last is not None and record.cows_next_context is None:
        prev = series[last]
        recorded = getattr(record, "recorded_at", None)
        known = recorded is None or unordered_latest(series, prev, recorded) is None
        if known and prev.total == total and (prev.items or {}) == items:
            return None  # the latest rating itself (after 'rate again', a new one always)
    rec = record.answers.get(TOTAL) or next(
        (record.answers[k] for k in item_keys(guide) if k in record.answers), None
    )
    offered = Offered(
        "cows",
        total,
        now,
        rec.origin if rec is not None else "typed",
        day=day,
        items=items or None,
        context=record.cows_next_context,
        stamped=True,
    )
    rating = take_result(guide, record, offered, day)
    record.cows_next_context = None
    record.cows_next_at = None
    return rating if isinstance(rating, CowsRating) else None


def check_series(guide: Guide, expanded: Any, where: str | None, recorded: Any = None) -> None:
    """A file's own series obeys the rule every route obeys: its entries, in time order,
    taken into an empty record, or after a resumed session's entries (``recorded``): a
    correction names an entry of the file or of the session, a rechallenge follows a
    positive challenge within the window, a positive is never lifted.

    Raises:
        InvalidAnswer: on the file's key (``cows_ratings``, ``naloxone_challenges``),
            naming the entry and ``where``.
    """
    suffix = f" ({where})" if where else ""
    # The file's entries all carry their times; the session's (on resume) are checked
    # first, so that a file's correction may name one of them.
    held = Results.copy_of(recorded)
    for key, offered in (
        (RATINGS_KEY, offered_series(_Only(ratings=expanded.ratings))),
        (CHALLENGES_KEY, offered_series(_Only(entries=expanded.entries))),
    ):
        try:
            take_results(guide, held, offered)
        except InvalidAnswer as exc:
            raise InvalidAnswer(key, f"{exc.reason}{suffix}", hint=exc.hint) from None


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@record
class _Only:
    """One part of a file's series, as :func:`offered_series` reads it."""

    ratings: list[CowsRating] = field(default_factory=list)
    entries: list[ChallengeResult] = field(default_factory=list)


# --- results another process saved in the same session ---------------------------------------


def take_saved_meanwhile(
    guide: Guide, record: Series, new: Iterable[CowsRating | ChallengeResult]
) -> list[str]:
    """Take this run's new results into ``record``, which holds what another run saved in
    the session meanwhile (store/saver.py, at a merge): each by :func:`take_result`, the
    rule every route follows, read against the other run's results too; the ratings first,
    which a challenge reads, each kind in time order. A result the rule refuses there (a
    negative challenge after the other run's positive, or after its rating of withdrawal
    before the naloxone) is left out of the record, and why is returned, one line each; a
    result recorded alike already is held once. An entry taken is the one this run
    recorded, as it recorded it."""
    held = Results(list(record.cows_ratings), list(record.naloxone_challenges))
    refused: list[str] = []
    entries = sorted(new, key=lambda e: (isinstance(e, ChallengeResult), instant(e.at)))
    for entry in entries:
        try:
            taken = take_result(guide, held, _as_offered(entry))
        except InvalidAnswer as exc:
            refused.append(f"{exc.key}: {exc.reason}")
            continue
        if taken is None:
            continue
        # The check's copy gives way to the entry as this run recorded it.
        if isinstance(entry, CowsRating):
            held.cows_ratings = [entry if r is taken else r for r in held.cows_ratings]
            record.cows_ratings.append(entry)
        else:
            held.naloxone_challenges = [
                entry if c is taken else c for c in held.naloxone_challenges
            ]
            record.naloxone_challenges.append(entry)
    record.cows_ratings.sort(key=lambda r: instant(r.at))
    record.naloxone_challenges.sort(key=lambda c: instant(c.at))
    return refused


def _as_offered(entry: CowsRating | ChallengeResult) -> Offered:
    """A recorded entry offered again, as it was taken: with its own time, or stamped by
    the clock (typed, a flag: the timer checked its observation)."""
    if isinstance(entry, CowsRating):
        return Offered(
            "cows", entry.total, entry.at, entry.origin, day=entry.day, items=entry.items,
            context=entry.context, corrects=entry.corrects, reason=entry.reason,
            stamped=entry.time_given is not True, recorded=True,
        )  # fmt: skip
    return Offered(
        entry.kind, entry.result, entry.at, entry.origin, day=entry.day, started=entry.started,
        corrects=entry.corrects, reason=entry.reason, stamped=entry.origin != "file",
    )  # fmt: skip
