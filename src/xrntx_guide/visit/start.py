"""Starting and resuming a visit: what a run was given, taken into the visit's record.

``walk`` (interactive or not) reads its options and presents; the order in which a run's
answers go into a record, and what each step of it changes, is here once:

1. :func:`reopen`, on a resume of a visit that has not finished: results of an earlier
   day are stale (moved out of the visit day), and a rechallenge window that is still
   open is reopened. This comes before the run's answers go in.
2. :func:`keep_observed`: a timed result given (a negative naloxone challenge, by flag or
   in a file's series) is kept only with its observation complete, and each naloxone
   time given starts its timer.
3. :func:`take_run`: the results given (a file's series with its times, a single result
   as one taken now) are appended or refused by the one rule of visit/results.py; the
   other answers are set with their origin; the rechallenge hours come from the recorded
   times; the rapid pathway's days from the file; a visit date that moved clears the
   results of the other day; on a resume, defaults that depend on the date are refreshed
   and a visit walked on another day than its date is said; answers filled in from the
   patient's history when the visit started are cleared, to be filled in again from the
   timeline as it is now.

Each returns the notices the screen shows, in order (:class:`Notice`); nothing here
prints or prompts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Literal, NamedTuple

from ..engine.evaluate import State
from ..errors import InvalidAnswer
from ..pack.guide import Guide
from .answers import to_json
from .clock import shown
from .entries import TOTAL, item_keys
from .history import stale_history_answers
from .integrity import key_of
from .presets import (
    Given,
    Preset,
    file_days,
    file_series,
    given_observation,
    observed_results,
    refuse_unobserved,
    series_observed,
)
from .results import take_given, uncounted_lines
from .resume import (
    another_day_warning,
    clear_results_of_another_day,
    kept_across_the_move,
    move_refused,
    move_visit_day,
    refuse_another_days_results,
    refuse_early_timed_results,
    reopen_rechallenge,
    results_of_the_day,
)
from .series import fill_rechallenge_hours
from .session import SessionRecord, refresh_defaults


class Notice(NamedTuple):
    """A line for the screen: a warning (something changed that the clinician must know)
    or a note (said for the record)."""

    kind: Literal["warning", "note"]
    text: str


def replaced_parts(guide: Guide, given: Collection[str], held: Collection[str]) -> list[str]:
    """The stored COWS answers (``held``) that a COWS rating given now replaces: a rating is
    its total and its items alike, and one given now (a total, or items, which keep the
    latest rating's others: visit/results.py) is a new rating of the series, never read
    or checked beside the earlier one's parts. Empty when no COWS answer is given."""
    rating = {TOTAL, *item_keys(guide)}
    if not rating & set(given):
        return []
    return [k for k in held if k in rating and k not in given]


def reopen(
    guide: Guide, record: SessionRecord, day: dt.date, now: dt.datetime
) -> tuple[list[Notice], str | None]:
    """A resumed visit that has not finished, before this run's answers go in: only
    results from an earlier day are stale, and an open rechallenge window is reopened.
    Also the day the visit moves from (None: it stays), for :func:`kept_after_the_run`."""
    if record.stays_on_its_day(guide):
        return [], None
    lines, moved_from = move_visit_day(guide, record, day, now)
    out = [Notice("warning", line) for line in lines]
    out += [Notice("note", line) for line in reopen_rechallenge(guide, record, now)]
    return out, moved_from


def kept_after_the_run(
    guide: Guide, record: SessionRecord, moved_from: str | None, now: dt.datetime
) -> list[Notice]:
    """What a visit :func:`reopen` moved keeps from its old day, said once the run's own
    answers are in (:func:`take_run`): a last use the run gives is not said to be kept,
    and what no longer applies is judged with them."""
    if moved_from is None:
        return []
    lines = kept_across_the_move(guide, record, moved_from, now)
    return [Notice("warning", line) for line in lines]


def keep_observed(
    guide: Guide,
    record: SessionRecord,
    given: Given,
    flags: Sequence[str],
    state: State,
    day: dt.date,
    now: dt.datetime,
    real: dt.datetime,
    timer_now: Callable[[dt.datetime, dt.datetime | None], dt.datetime],
) -> None:
    """A timed result given by flag or file goes into the record only with the time the
    naloxone was given, the observation's minutes before it (visit/presets.py); each start
    given is kept as the result's timer (``real``: the machine's clock now).

    Raises:
        InvalidAnswer: a result without its naloxone time, or before its observation is
            over (on the session's own timer too, on the machine's clock).
    """
    starts, times = given_observation(
        guide, given.raw, given.where, given.answers, flags, day, now, record
    )
    observed = observed_results(state, given.answers, starts, now, times)
    # A timer this session started is checked on its own clock (refuse_early_timed_results).
    refuse_unobserved([o for o in observed if o.started or o.key not in record.timers], True)
    # The file's series entries the record takes, each on its own times, and one whose
    # key has a timer this session started on that timer's own clock too, as a flag's
    # result is (a fixed clock moved on, or an earlier 'started' in the file, never
    # shortens the observation the session holds).
    series = series_observed(
        state, given.raw, given.answers, day, now, starts, record.timers, record
    )
    refuse_unobserved(series, True)
    for o in series:
        refuse_early_timed_results(guide, record, {o.key: Preset(o.value, "file")}, day, timer_now)
    for key, at in starts.items():  # given with its time: as 'start HH:MM' at the prompt
        record.start_timer(key, at, real - (now - at), now)


def given_again(guide: Guide, record: SessionRecord, presets: Mapping[str, Preset]) -> list[str]:
    """What a resume is told when it answers the injection given on a visit whose
    injection is recorded as given already (another room finished the visit, and this
    one was about to give the dose): loudly, to make sure only one injection was given;
    and each answer of the recorded dose (its side, its needle) it changes. One dose
    stays recorded."""
    key = guide.meta.report.injection_given
    if key is None or not record.answered_given(guide):
        return []
    given = presets.get(key)
    if given is None or given.value is not True:
        return []
    stored = record.answers[key]
    out = [
        f"CHECK: this visit's injection was recorded as given already ({key}, at "
        f"{shown(stored.at)}); answering it given again records no second dose: make sure "
        "only one injection was given"
    ]
    dose = record.dose_answers(guide) or frozenset(
        cq.key for step in guide.steps[guide.readiness_limit :] for cq in step.questions
    )
    for k in sorted(dose - {key}):
        held, new = record.answers.get(k), presets.get(k)
        if new is None or (held is not None and to_json(new.value) == held.value):
            continue
        was = "none" if held is None else held.value
        out.append(f"the recorded dose's {k} changes from {was} to {to_json(new.value)}")
    return out


def take_run(
    guide: Guide,
    record: SessionRecord,
    given: Given,
    presets: Mapping[str, Preset],
    corrections: Mapping[str, tuple[dt.datetime, str]],
    day: dt.date,
    now: dt.datetime,
    *,
    resume: bool,
) -> list[Notice]:
    """Take what a run was given (``presets``: flags over a file; ``given.raw``: the file
    as read) into ``record``, by the rules of the module docstring.

    Raises:
        InvalidAnswer / UsageError: a result refused (visit/results.py) before anything
            is set.
    """
    out: list[Notice] = []
    date_key = guide.meta.date_key
    refused = move_refused(guide, record, presets[date_key].value) if date_key in presets else None
    if refused is not None:
        raise InvalidAnswer(date_key, refused[0], hint=refused[1])
    # As the record stood before this run's answers: an answer "given" typed now is for
    # the day the visit moves to, never a reason to keep it on its old one.
    moves = resume and not record.stays_on_its_day(guide)
    if moves:  # the visit's day first: what this run gives is for the day it moves to
        out += [Notice("note", line) for line in refresh_defaults(guide, record, day, now)]
    # The day as this run finds it (a move on resume has cleared its old day's results
    # already, reopen()): a change by this run's answers clears the results again.
    date_before = record.dated(guide) if resume else None
    # Its results as they stand: a result this run gives anew beside a new date is the new
    # day's, and the old one stays the old day's (visit/resume.py, replaced).
    results_before = results_of_the_day(guide, record) if resume else {}
    series = file_series(guide, given.raw, presets, day, now, record if resume else None)
    given_day = presets[date_key].value if date_key in presets else None
    stored_day = record.answers.get(date_key)
    visit_day = (
        given_day
        if isinstance(given_day, dt.date)
        else dt.date.fromisoformat(str(stored_day.value))
        if stored_day is not None
        else day
    )
    if resume:
        timed = set(series.answers) if series is not None else set()
        refuse_another_days_results(
            guide, record, presets, day, frozenset(timed | set(corrections))
        )
    was = (list(record.cows_ratings), list(record.naloxone_challenges))
    taken = take_given(guide, record, presets, series, visit_day, now, record.timers, corrections)
    # The day each correction taken now stands for (that of the entry it corrects).
    corrected = {key_of(e): e.day for e in taken if e.corrects is not None}
    if TOTAL in corrected:  # a rating is its total and its items alike
        corrected |= dict.fromkeys(item_keys(guide), corrected[TOTAL])
    # A rating corrected, or entered late, may show withdrawal before a recorded
    # challenge's naloxone: the challenge then no longer counts (visit/entries.py).
    out += [
        Notice("warning", line)
        for line in uncounted_lines(guide, was, record.cows_ratings, record.naloxone_challenges)
    ]
    if resume:
        out += [Notice("warning", line) for line in given_again(guide, record, presets)]
    from_series = set(series.answers) if series is not None else set()
    stale = replaced_parts(guide, set(presets) - from_series, record.answers)
    if stale:  # the new rating was taken above, with the items it keeps of the latest
        record.clear(stale, now, "a new COWS rating was given")
    for key, p in presets.items():
        if p.origin == "record":  # worked out from the pathway's days, kept below
            continue
        if key in from_series and p.origin == "file":
            # In the record as the series' entries, with their times: the gate reads the
            # whole series for the visit day (visit/entries.py), never a file's own latest.
            continue
        if corrected.get(key, visit_day) != visit_day:
            # In the series as the correction of an entry of another day, at that one's
            # time and for that one's day (visit/entries.py placed): never this visit
            # day's answer, nor a new rating of it.
            continue
        record.set_answer(key, p.value, p.origin, now)  # type: ignore[arg-type]
    said = fill_rechallenge_hours(guide, record, now)  # from the recorded times, never given
    if said is not None:
        out.append(Notice("note", said))
    if any(p.origin == "record" for p in presets.values()):
        days = file_days(guide, given.raw, day, given.where, now, record.rapid_days)
        record.set_rapid_days(list(days), now)
    date_after = record.answers[date_key].value if date_key in record.answers else None
    if date_before is not None and date_after is not None and str(date_after) != date_before:
        out += [
            Notice("warning", line)
            for line in clear_results_of_another_day(
                guide,
                record,
                str(date_before),
                str(date_after),
                now,
                keep=frozenset(presets),
                replaced={k: v for k, v in results_before.items() if k in presets},
            )
        ]
    if moves:  # again: a default may read what this run gave
        out += [Notice("note", line) for line in refresh_defaults(guide, record, day, now)]
    if resume:
        other_day = another_day_warning(guide, record, day)
        if other_day is not None:
            out.append(Notice("warning", other_day))
        unordered = record.unordered_note(guide, day)
        if unordered is not None:
            out.append(Notice("warning", unordered[0].upper() + unordered[1:]))
    stale = stale_history_answers(record) if moves else []
    if stale:  # filled in again from the timeline as it is now, never kept from then
        record.clear(stale, now, "filled in again from the history on resume")
    return out
