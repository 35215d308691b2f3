"""The entries of a series of point-in-time results (reference 5.1, 5.2): a COWS rating
and a naloxone challenge or rechallenge result, each with its time, and how the series is
read: the entries that stand (a correction stands in the place of the entry it corrects)
and the latest rating of a day.

New entries are taken in by one rule (visit/results.py); the series as answers, on screen
and in the note is visit/series.py. Nothing here prints or prompts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator

from ..pack import keys
from ..pack.guide import Guide
from ..records import field, record
from .answers import RESULT_KEYS as RESULT_KEYS
from .clock import aware, hours_between, in_range, instant

# The pack's names of the series (pack/keys.py), by the short names the visit uses.
TOTAL = keys.COWS_TOTAL
PREFIX = keys.COWS_ITEM_PREFIX
CHALLENGE = keys.CHALLENGE
RECHALLENGE = keys.RECHALLENGE
RECHALLENGE_HOURS = keys.RECHALLENGE_HOURS
WINDOW = keys.RECHALLENGE_WINDOW
OBSERVATION = keys.OBSERVATION_MINUTES

Context = Literal["baseline", "before_challenge", "after_challenge", "pathway_day", "repeat"]
CONTEXTS: tuple[str, ...] = (
    "baseline",
    "before_challenge",
    "after_challenge",
    "pathway_day",
    "repeat",
)
"""Why a rating was taken. ``pathway_day``: a day of the supervised rapid pathway."""


class _Entry(BaseModel):
    """An entry of a series as the record keeps it: no unknown field, and every time one
    the program can compute a window or a local day around (a hand-edited file's year 1
    or 9999 makes the session unreadable by name, never exit 70)."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _times_in_range(cls, value: Any) -> Any:
        return in_range(value)


class CowsRating(_Entry):
    """One COWS rating: when, on which visit day, why, and its scores."""

    at: dt.datetime
    day: dt.date
    """The visit day it was taken on: the only day it counts for."""
    context: Context
    total: int
    items: dict[str, int] | None = None
    """Item scores by item name (``pulse``...), when the items were rated."""
    origin: str = "typed"
    corrects: dt.datetime | None = None
    """The time of the rating this one corrects (visit/results.py); it stands in its place."""
    reason: str | None = None
    """Why the correction was made (required with ``corrects``)."""
    time_given: bool | None = None
    """Whether ``at`` is the time the rating was taken, given with it (a file's series:
    True), or the clock's time when the program recorded it (typed at the prompt, a flag,
    a single answer: False), which the rating can only precede. None: a record written
    before this was kept, read as recorded by the program."""


class ChallengeResult(_Entry):
    """One naloxone challenge or rechallenge result: when, for which visit day, what."""

    at: dt.datetime
    """When the result was recorded (typed in the walk), or the time a file gave."""
    day: dt.date
    """The visit day it was recorded for (a file's result: the day of its time)."""
    kind: Literal["challenge", "rechallenge"]
    result: keys.ChallengeValue
    started: dt.datetime | None = None
    """When the naloxone was given (the observation timer), when known."""
    origin: str = "typed"
    corrects: dt.datetime | None = None
    """The time of the result of the same kind this one corrects (visit/results.py)."""
    reason: str | None = None
    """Why the correction was made (required with ``corrects``)."""


KINDS: tuple[tuple[Literal["challenge", "rechallenge"], str], ...] = (
    ("challenge", CHALLENGE),
    ("rechallenge", RECHALLENGE),
)


def item_keys(guide: Guide) -> list[str]:
    """The COWS item questions, in the pack's order."""
    return [k for k in guide.questions if k.startswith(PREFIX) and k != TOTAL]


def names(entry_at: dt.datetime, corrects: dt.datetime) -> bool:
    """Whether ``corrects`` names the entry of ``entry_at``: the same instant, or the same
    minute (or second) when ``corrects`` is written to the minute (or second), as a
    clinician copies a time from a note or a message."""
    named = aware(corrects)
    entry = aware(entry_at).astimezone(named.tzinfo)  # read where the time was written
    if named.microsecond == 0 and named.second == 0:
        return entry.replace(second=0, microsecond=0) == named
    if named.microsecond == 0:
        return entry.replace(microsecond=0) == named
    return entry == named


def named_by(entries: list[Any], correction: Any) -> list[Any]:
    """The entries a correction names (``corrects``), of its own kind, never itself: the
    one of that exact instant, else every one in the minute (or second) it is written to.
    One rule for every route (the record's rule, visit/results.py, and every reading of
    a series): more than one is ambiguous and is refused where an entry is taken in."""
    corrects = correction.corrects
    if corrects is None:
        return []
    kind = getattr(correction, "kind", None)
    mine = [e for e in entries if e is not correction and getattr(e, "kind", None) == kind]
    exact = [e for e in mine if instant(e.at) == instant(corrects)]
    return exact or [e for e in mine if names(e.at, corrects)]


def live(entries: list[Any]) -> list[Any]:
    """The entries of a series that no later entry corrects (a correction stands in the
    place of the entry it corrects), in their order. Entries are ratings, or challenge
    results, whose corrections name an entry of the same kind (:func:`named_by`). A
    correction that would lift a positive challenge or rechallenge never stands in its
    place (the rule refuses it; only a hand-edited record holds one)."""
    corrected: set[int] = set()
    for e in entries:
        found = named_by(entries, e)
        if len(found) != 1:
            continue
        if getattr(found[0], "result", None) == "positive" and e.result != "positive":
            continue  # never lifts a positive (visit/results.py refuses it; a hand edit)
        corrected.add(id(found[0]))
    return [e for e in entries if id(e) not in corrected]


def placed(entries: list[Any], entry: Any) -> Any:
    """The entry a correction stands in for (following a chain of corrections back to the
    first): a correction counts at that entry's time and for that entry's day, never for
    the day it was typed on (a rating, a challenge or a rechallenge alike)."""
    seen = 0
    while entry.corrects is not None and seen < len(entries):
        found = named_by(entries, entry)
        if len(found) != 1:
            break
        entry, seen = found[0], seen + 1
    return entry


def counts_at(entries: list[Any], entry: Any) -> tuple[float, float, int]:
    """Where a standing entry comes in its series, the one order every reading of a
    series uses (the rating the gate reads, the rating before a naloxone, the challenge
    result that stands): the time it counts at (a correction: the time of the entry it
    stands in for, :func:`placed`), then its own time, so that of two corrections of one
    entry the later stands, as its latest word; then its place in the series, so that of
    two at one time the last listed stands, on every reading alike."""
    place = next(i for i, e in enumerate(entries) if e is entry)
    return instant(placed(entries, entry).at), instant(entry.at), place


def latest_on(ratings: list[CowsRating], day: dt.date | None) -> int | None:
    """The index of the latest rating taken on ``day`` that stands (a corrected rating is
    read as its correction, at the corrected rating's time and day; of two corrections
    of one rating, the later: :func:`counts_at`; the last listed, among equal times), or
    None when there is none."""
    standing = {id(r) for r in live(ratings)}
    best: int | None = None
    best_at = (0.0, 0.0, 0)
    for i, r in enumerate(ratings):
        if id(r) not in standing:
            continue
        if placed(ratings, r).day != day:
            continue
        when = counts_at(ratings, r)
        if best is None or when >= best_at:
            best, best_at = i, when
    return best


Recorded = Callable[[CowsRating], dt.datetime | None]
"""When the program recorded a rating (a session's audit trail); None: not known."""


def given_to_the_minute(rating: CowsRating) -> bool:
    """A rating whose time was given with it to the minute only (a file's ``10:00``, the
    day dialog's), which says nothing of its seconds; one given with its seconds, or
    stamped by the clock when the program recorded it (typed, a flag), says when within
    its minute it was taken."""
    at = rating.at
    return rating.time_given is True and not at.second and not at.microsecond


def unordered_latest(
    ratings: list[CowsRating], latest: CowsRating, recorded: Recorded
) -> tuple[CowsRating, CowsRating] | None:
    """Whether the latest standing rating ``latest`` of its day is known to be the latest.

    A rating given to the minute (``10:00``) was taken at some moment of that minute, and
    no later than when the program recorded it. Beside a rating of that minute whose time
    is exact (stamped by the clock, typed at 10:00:35; or given with its seconds) with
    another total, the order is known only when the given one was recorded before that
    time (it was taken before, and the other is the later: the walk's rule that the
    rating typed last is the one read). Recorded after it, which of the two came later
    is not known: every route that takes a rating in refuses that (visit/results.py), but
    two runs saving one visit at once, or a pathway day recorded while the visit had
    another date, can leave it in a record.
    Two ratings given for one minute (only two runs' merge keeps such a pair: every
    route refuses a second rating at a recorded time) are never ordered.
    Returns the other rating of the minute and ``latest`` (each as it stands) when the
    order is not known; None when it is (or when ``recorded`` does not know).
    """
    first = placed(ratings, latest)
    minute = int(instant(first.at) // 60)
    for r in live(ratings):
        if r is latest or r.total == latest.total:
            continue
        other = placed(ratings, r)
        if other.day != first.day or int(instant(other.at) // 60) != minute:
            continue
        if given_to_the_minute(other) and given_to_the_minute(first):
            return r, latest  # one time, to the minute: never ordered (two runs' merge)
        if given_to_the_minute(other) and not given_to_the_minute(first):
            given, exact = other, first
        elif given_to_the_minute(first) and not given_to_the_minute(other):
            given, exact = first, other
        else:
            continue
        when = recorded(given)
        if when is not None and instant(when) > instant(exact.at):
            return r, latest
    return None


def rating_answers(rating: CowsRating) -> dict[str, int]:
    """The answers a rating stands for: its items when it has them, else its total."""
    if rating.items:
        return {f"{PREFIX}{k}": v for k, v in rating.items.items()}
    return {TOTAL: rating.total}


def judged_withdrawal(
    guide: Guide,
    ratings: list[CowsRating],
    challenges: list[ChallengeResult],
    c: ChallengeResult,
    recorded: Recorded | None = None,
    given: Mapping[str, list[dt.datetime]] | None = None,
) -> Withdrawal | None:
    """:func:`withdrawal_before` for an entry of the series as it stands: a correction
    counts at the time of the entry it stands for, and one that gives no naloxone time
    keeps that entry's (a correction silent on the time never moves the observation).

    ``given``: every time the naloxone of each kind was given on the walk's timer
    (SessionRecord.naloxone_given), the starts a timer had before it was started over or
    moved among them: withdrawal rated after an earlier one of the result's day, and no
    later than the result, makes it positive too (reference 5.2: any sign of withdrawal
    after the naloxone), wherever the later naloxone time came from."""
    first = placed(challenges, c)
    started = c.started if c.started is not None else first.started
    found = withdrawal_before(guide, ratings, c.kind, c.result, started, first.at, recorded)
    if found is not None or c.result == "positive" or not given:
        return found
    earlier = after_an_earlier_naloxone(
        guide, ratings, challenges, c.kind, started, first.at, given
    )
    threshold = guide.setting_values.get(keys.COWS_THRESHOLD)
    if earlier is None or not isinstance(threshold, int | float):
        return None
    s, high = earlier
    return Withdrawal(
        day=local_day(s), threshold=threshold, rating=high, at=placed(ratings, high).at, during=True
    )


def after_an_earlier_naloxone(
    guide: Guide,
    ratings: list[CowsRating],
    challenges: list[ChallengeResult],
    kind: str,
    started: dt.datetime | None,
    at: dt.datetime,
    given: Mapping[str, list[dt.datetime]],
) -> tuple[dt.datetime, CowsRating] | None:
    """An earlier naloxone of ``kind`` on the day of a result taken at ``at`` (``given``:
    SessionRecord.naloxone_given; earlier than the result's own, ``started``) followed by
    withdrawal during its observation: until the result recorded for it, else until this
    result. That naloxone and the first such rating; None when there is none. The one
    rule for a result read (:func:`judged_withdrawal`) and one taken in
    (visit/results.py)."""
    key = RECHALLENGE if kind == "rechallenge" else CHALLENGE
    for s in sorted(given.get(key, ()), key=instant):
        if local_day(s) != local_day(at) or instant(s) >= instant(at):
            continue
        if started is not None and instant(s) >= instant(started):
            continue
        ended = [
            e.at
            for e in challenges
            if e.kind == kind and e.started is not None and instant(e.started) == instant(s)
        ]
        until = min([at, *ended], key=instant)
        high = withdrawal_since(guide, ratings, s, until)
        if high is not None:
            return s, high
    return None


def withdrawal_since(
    guide: Guide, ratings: list[CowsRating], started: dt.datetime, now: dt.datetime
) -> CowsRating | None:
    """The first standing rating at or above the pack's threshold taken after the naloxone
    given at ``started`` and no later than ``now``: any sign of withdrawal after the
    naloxone is a positive result (reference 5.2), so its observation is never started
    over, nor its naloxone moved past it (cli/prompts/timers.py). None: none, or no
    threshold."""
    threshold = guide.setting_values.get(keys.COWS_THRESHOLD)
    if not isinstance(threshold, int | float) or isinstance(threshold, bool):
        return None
    found = [
        r
        for r in live(ratings)
        if instant(started) < instant(placed(ratings, r).at) <= instant(now)
        and r.total >= threshold
    ]
    return min(found, key=lambda r: instant(placed(ratings, r).at)) if found else None


def reads_positive(
    guide: Guide, ratings: list[CowsRating], challenges: list[ChallengeResult], c: ChallengeResult
) -> bool:
    """Whether a standing result reads as positive: recorded so, or a negative with
    withdrawal rated during its observation (:func:`withdrawal_before`, reference 5.2)."""
    if c.result == "positive":
        return True
    found = judged_withdrawal(guide, ratings, challenges, c)
    return found is not None and found.during


def read_positive(
    guide: Guide, ratings: list[CowsRating], challenges: list[ChallengeResult], kind: str
) -> ChallengeResult | None:
    """The latest standing result of ``kind`` that reads as positive
    (:func:`reads_positive`): what the gate reads, and what every rule of a new entry
    obeys (a second challenge never lifts it; nothing lifts a positive rechallenge)."""
    found = [
        c
        for c in live(challenges)
        if c.kind == kind and reads_positive(guide, ratings, challenges, c)
    ]
    return max(found, key=lambda c: counts_at(challenges, c)) if found else None


def positive_since(
    guide: Guide, ratings: list[CowsRating], challenges: list[ChallengeResult], kind: str
) -> ChallengeResult | None:
    """The standing result of ``kind`` that reads as positive (:func:`read_positive`), as
    the entry it counts at (:func:`placed`): a correction to positive counts from the time
    of the result it corrects, never from when it was typed. What every rule that reads a
    time from the positive reads (the rechallenge window, "after the positive"), as the
    gate does; its ``result`` is the entry's own (the one corrected may say negative)."""
    found = read_positive(guide, ratings, challenges, kind)
    return placed(challenges, found) if found is not None else None


def standing_positive(entries: list[ChallengeResult], kind: str) -> ChallengeResult | None:
    """The latest positive result of ``kind`` that stands (no later entry corrects it)."""
    found = [c for c in live(entries) if c.kind == kind and c.result == "positive"]
    return max(found, key=lambda c: counts_at(entries, c)) if found else None


def past_window(guide: Guide, positive: ChallengeResult, at: dt.datetime) -> bool:
    """A result at ``at`` comes later than the rechallenge window after ``positive``, on
    another local day (reference 5.2): it is not a rechallenge but a new challenge on a new
    visit day, with that day's screen and COWS."""
    window = guide.setting_values.get(WINDOW)
    if not isinstance(window, int | float) or isinstance(window, bool):
        return False
    return hours_between(positive.at, at) > window and local_day(at) != local_day(positive.at)


def new_challenges(
    guide: Guide, challenges: list[ChallengeResult], positive: ChallengeResult, day: dt.date | None
) -> list[ChallengeResult]:
    """The standing challenges of visit day ``day`` recorded past the window of
    ``positive``: that day's new challenge (reference 5.2), read in place of it. A repeat
    recorded as a rechallenge that late is one too: it is not a rechallenge. Only a
    challenge done counts: "not done" leaves the positive standing."""
    since = placed(challenges, positive)
    return [
        c
        for c in live(challenges)
        if c.kind in ("challenge", "rechallenge")
        and c.result != keys.NOT_DONE
        and (where := placed(challenges, c)).day == day
        and local_day(where.at) == day
        and instant(where.at) > instant(since.at)
        and past_window(guide, since, where.at)
    ]


def local_day(at: dt.datetime) -> dt.date:
    """The visit day a time falls on: its date where the program runs."""
    return aware(at).astimezone().date()


@record
class Withdrawal:
    """Why a challenge or rechallenge was done beside withdrawal (:func:`withdrawal_before`):
    the latest standing rating of its day before its naloxone, at or above the pack's
    threshold, or none (``rating`` None) where one is needed."""

    day: dt.date
    threshold: float
    rating: CowsRating | None = None
    at: dt.datetime | None = None
    """The time the rating counts at (a correction: the time of the rating it corrects)."""
    ratings_of_day: list[dt.datetime] = field(default_factory=list)
    untimed: dt.datetime | None = None
    """When the naloxone time is not known: the result's time, which it was given no
    later than, and against which the ratings were read."""
    during: bool = False
    """The rating was taken after the naloxone, no later than the result: withdrawal
    during the observation, which makes the result positive (reference 5.2)."""
    unordered: bool = False
    """Which of two ratings of one minute before the naloxone came later is not known
    (:func:`unordered_latest`), and ``rating``, the higher, shows withdrawal."""


def withdrawal_before(
    guide: Guide,
    ratings: list[CowsRating],
    kind: str,
    result: object,
    started: dt.datetime | None,
    taken: dt.datetime | None = None,
    recorded: Recorded | None = None,
) -> Withdrawal | None:
    """Reference 5.2: a challenge or rechallenge is done only when the patient shows no
    withdrawal, a COWS rating below the pack's threshold recorded on its day before the
    naloxone is given. The one rule, read on the series as it stands (every correction and
    every rating entered late included) both where a result is taken in (visit/results.py
    refuses it) and where the series is read for the gates (:func:`visit_results`: it does
    not count). Only a result that would count (one the question waits for: a negative) is
    judged. One whose naloxone time is not known (``started`` None) is judged against
    the time its result was taken (``taken``: for a correction, the time of the result
    it corrects), which the naloxone was given no later than: the latest standing rating
    before the result stands for the one before the naloxone (None as well: not judged).

    Returns why it was done beside withdrawal: a standing rating taken after the naloxone
    and no later than the result is at or above the threshold (withdrawal during the
    observation: the result is positive, ``during``: judged also for a result that would
    not count, "not done", whose naloxone time is known); its latest standing rating before
    the naloxone is at or above the threshold (a correction counts at the time of the
    rating it corrects); or it has none, where one is needed: a rechallenge always (the day's
    latest total may predate the withdrawal the positive brought on), a challenge on a day
    whose ratings all carry the time they were taken (``time_given``). A rating the
    program stamped when it recorded it was taken no later than its stamp: stamped after
    the naloxone, it may have been taken before, so the day is not judged for it. Where
    it is not known which of two ratings of the latest minute before the naloxone came
    later (``recorded``: a session's audit trail, :func:`unordered_latest`), either may be
    the one before it: withdrawal in the higher is withdrawal (``unordered``). None:
    done without withdrawal, or not judged."""
    question = guide.questions.get(RECHALLENGE if kind == "rechallenge" else CHALLENGE)
    threshold = guide.setting_values.get(keys.COWS_THRESHOLD)
    given = started if started is not None else taken
    if question is None or given is None:
        return None
    counts = result in question.spec.wait_for
    # A result that would not count (not done) whose naloxone was given (its time known)
    # is judged for withdrawal during its observation all the same: the naloxone went in,
    # and any sign after it is a positive result, whatever was recorded (reference 5.2).
    if not counts and (started is None or result == "positive"):
        return None
    minutes = guide.setting_values.get(keys.OBSERVATION_MINUTES)
    if started is None and isinstance(minutes, int | float) and not isinstance(minutes, bool):
        # The result is read after the observation: the naloxone went in no later than
        # the result's time less the observation's minutes.
        given = given - dt.timedelta(minutes=minutes)
    if not isinstance(threshold, int | float) or isinstance(threshold, bool):
        return None
    day = local_day(given)
    untimed = given if started is None else None
    timed = [(placed(ratings, r), r) for r in live(ratings)]
    of_day = [(first.at, r) for first, r in timed if local_day(first.at) == day]
    rechallenge = kind == "rechallenge"
    if not of_day and not rechallenge:
        return None
    stamped = any(first.time_given is not True for first, _ in timed if local_day(first.at) == day)
    before = [(at, r) for at, r in of_day if instant(at) <= instant(given)]
    times = [at for at, _ in of_day]
    # Any sign of withdrawal after the naloxone is a positive result (reference 5.2): a
    # rating at or above the threshold taken during the observation, no later than the
    # result, leaves no negative standing, whatever was rated before the naloxone.
    # The observation: from the naloxone to the result, and at least the pack's minutes
    # (a correction counts at the time of the entry it corrects, which may lie before its
    # naloxone: its observation is then those minutes, never the hours until it was typed,
    # when the injection may already have been given).
    read = taken
    if started is not None and isinstance(minutes, int | float) and not isinstance(minutes, bool):
        least = started + dt.timedelta(minutes=minutes)
        read = least if read is None or instant(read) < instant(least) else read
    if read is not None:
        during = [
            (first.at, r)
            for first, r in timed
            if instant(given) < instant(first.at) <= instant(read) and r.total >= threshold
        ]
        if during:
            at, high = min(during, key=lambda pair: instant(pair[0]))
            return Withdrawal(
                day=day,
                threshold=threshold,
                rating=high,
                at=at,
                ratings_of_day=times,
                untimed=untimed,
                during=True,
            )
    if not counts:
        return None  # the rating before the naloxone is judged for a result that counts
    if not before:
        if stamped and not rechallenge:
            return None
        return Withdrawal(day=day, threshold=threshold, ratings_of_day=times, untimed=untimed)
    at, last = max(before, key=lambda pair: counts_at(ratings, pair[1]))
    pair = unordered_latest(ratings, last, recorded) if recorded is not None else None
    if pair is not None:
        last = max(pair, key=lambda r: r.total)
        at = placed(ratings, last).at
    if last.total < threshold:
        return None
    return Withdrawal(
        day=day, threshold=threshold, rating=last, at=at, ratings_of_day=times, untimed=untimed,
        unordered=pair is not None,
    )  # fmt: skip


@record
class VisitResults:
    """What the gate reads of a visit's results on its visit day (:func:`visit_results`):
    the answers, and the entries they come from."""

    answers: dict[str, Any] = field(default_factory=dict)
    rating: CowsRating | None = None
    challenge: ChallengeResult | None = None
    rechallenge: ChallengeResult | None = None
    uncounted: list[tuple[ChallengeResult, Withdrawal]] = field(default_factory=list)
    """The results that would count but were done beside withdrawal, as the series stands
    now (a rating before the naloxone corrected, or entered late): they do not count."""
    unordered: tuple[CowsRating, CowsRating] | None = None
    """Two ratings of the visit day's latest minute, one given to the minute and one
    stamped, of which it is not known which came later (:func:`unordered_latest`): no
    rating is read (``rating`` None, no COWS answer) until a new one is taken."""


def visit_results(
    guide: Guide,
    ratings: list[CowsRating],
    challenges: list[ChallengeResult],
    day: dt.date | None,
    *,
    judge_withdrawal: bool = True,
    recorded: Recorded | None = None,
    given: Mapping[str, list[dt.datetime]] | None = None,
) -> VisitResults:
    """The one reading of a whole series for the visit day ``day`` (safety invariant 9):
    the latest standing COWS rating of that local day (a correction in the place and on
    the day of the entry it corrects); the standing positive challenge whatever its day,
    unless a new challenge of the visit day was recorded past its window (reference 5.2:
    a repeat that late is that day's new challenge), else the latest challenge of the
    day; a rechallenge only after a positive challenge, on the visit day and within the
    window, with the hours worked out from the two times recorded (never from an answer).
    A result done beside withdrawal (:func:`withdrawal_before`, judged on the series as
    it stands: a rating before its naloxone corrected to withdrawal, or one entered late)
    does not count, as it is refused when the whole series is given at once: it is listed
    in ``uncounted``; ``judge_withdrawal`` False: not judged here, for a file's own
    series, whose entries the rule judges beside the session's ratings where the file is
    read (visit/results.py check_series). ``recorded``: when the program recorded each
    rating (a session's audit trail), by which a latest rating whose order within its
    minute is not known is read as no rating (:func:`unordered_latest`); None: a file's or
    a check's series, whose ratings were all taken in by the rule that refuses that.
    ``given``: the naloxone times of the walk's timers (:func:`judged_withdrawal`).
    Every evaluation of a visit goes through it."""
    out = VisitResults()
    used = latest_on(ratings, day)
    if used is not None and recorded is not None:
        out.unordered = unordered_latest(ratings, ratings[used], recorded)
    if used is not None and out.unordered is None:
        out.rating = ratings[used]
        out.answers.update(rating_answers(out.rating))
    # Each standing result counts where it was taken: a correction at the time and on the
    # day of the entry it corrects, never on the day it was typed (safety invariant 3).
    standing = []
    for c in live(challenges):
        found = (
            judged_withdrawal(guide, ratings, challenges, c, recorded, given)
            if judge_withdrawal
            else None
        )
        if found is None:
            standing.append(c)
        else:
            out.uncounted.append((c, found))
    void = {id(c) for c, _ in out.uncounted}

    def at(c: ChallengeResult) -> dt.datetime:
        first: ChallengeResult = placed(challenges, c)
        return first.at

    def on(c: ChallengeResult) -> dt.date | None:
        first: ChallengeResult = placed(challenges, c)
        return first.day

    # Any sign of withdrawal after the naloxone is a positive result (reference 5.2): a
    # negative with withdrawal rated during its observation reads as a positive of its
    # kind, and stands as one (only a negative rechallenge within the window lifts it).
    during = {id(c) for c, w in out.uncounted if w.during}

    def reads_positive_here(c: ChallengeResult) -> bool:  # reads_positive, judged above
        return c.result == "positive" or id(c) in during

    positive = max(
        (c for c in live(challenges) if c.kind == "challenge" and reads_positive_here(c)),
        key=lambda c: counts_at(challenges, c),
        default=None,
    )
    if positive is None:
        today = [c for c in standing if c.kind == "challenge" and on(c) == day]
        if today:
            out.challenge = max(today, key=lambda c: counts_at(challenges, c))
            out.answers[CHALLENGE] = out.challenge.result
        return out
    fresh = [c for c in new_challenges(guide, challenges, positive, day) if id(c) not in void]
    if fresh:
        out.challenge = max(fresh, key=lambda c: counts_at(challenges, c))
        out.answers[CHALLENGE] = out.challenge.result
        return out
    out.challenge = positive
    out.answers[CHALLENGE] = "positive"
    after = [
        c for c in standing if c.kind == "rechallenge" and instant(at(c)) > instant(at(positive))
    ]
    again = max(
        (
            c
            for c in live(challenges)
            if c.kind == "rechallenge"
            and reads_positive_here(c)
            and instant(at(c)) > instant(at(positive))
        ),
        key=lambda c: counts_at(challenges, c),
        default=None,
    )
    if again is None:
        window = guide.setting_values.get(WINDOW)
        inside = [
            c
            for c in after
            if on(c) == day
            and local_day(at(c)) == day
            and (
                not isinstance(window, int | float) or hours_between(at(positive), at(c)) <= window
            )
        ]
        again = max(inside, key=lambda c: counts_at(challenges, c), default=None)
    if again is None:
        return out
    out.rechallenge = again
    out.answers[RECHALLENGE] = "positive" if id(again) in during else again.result
    if again.result != keys.NOT_DONE:
        out.answers[RECHALLENGE_HOURS] = hours_between(at(positive), at(again))
    return out
