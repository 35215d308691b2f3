"""What a resumed walk must re-establish before it goes on: the settings and the clock it
started with, and which results still describe its visit day.

The readiness results (urine screen, COWS, naloxone challenge, pregnancy test) describe the
day they were taken, and count only for an injection on that day (clinical basis, safety
invariant 3). A walk whose visit date followed its default ("today") and is resumed on a
later day moves to that day, so those results are cleared and asked again; a finished walk
is never moved. Nothing here prints or prompts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ..engine.evaluate import evaluate, state_context, valid_default
from ..engine.next_action import wait_remaining
from ..errors import InvalidAnswer, UsageError
from ..expr import UNKNOWN
from ..pack.guide import Guide, RecordedSettings
from ..pack.load import load_guide
from ..records import replace
from .answers import of_a_series, one_answer_results, to_json
from .clock import aware, instant, shown
from .entries import positive_since
from .rapid import table_of
from .series import CHALLENGE, RECHALLENGE, live, restore_positive, window_end

if TYPE_CHECKING:
    from .presets import Preset
    from .session import JSONScalar, SessionRecord


def move_visit_day(
    guide: Guide, record: SessionRecord, day: dt.date, now: dt.datetime
) -> tuple[list[str], str | None]:
    """Clear the point-in-time results when the visit date would follow its default to a
    new day; return a line for the clinician for each thing done, and the day the visit
    moves from (None: it does not move). What it keeps from that day is said once the
    run's own answers are in (:func:`kept_across_the_move`): a last use this run gives is
    not kept, and what applies depends on it."""
    key = guide.meta.date_key
    stored = record.answers.get(key)
    cq = guide.questions.get(key)
    # A visit left before its date was answered describes the day its walk began: it
    # moves from there as one dated so would (SessionRecord.dated).
    old = record.dated(guide)
    if old is None or cq is None or cq.default is None:
        return [], None
    if stored is not None and stored.origin != "default":
        return [], None
    state = evaluate(guide, record.inputs(guide, day))
    ctx = state_context(state)
    new = valid_default(cq, cq.default.evaluate(ctx), ctx)
    if new is UNKNOWN or to_json(new) == old:  # type: ignore[arg-type]
        return [], None
    lines = clear_results_of_another_day(
        guide,
        record,
        old,
        str(to_json(new)),  # type: ignore[arg-type]
        now,
        tell_kept=False,
    )
    return lines, old


def kept_across_the_move(
    guide: Guide, record: SessionRecord, old: str, now: dt.datetime
) -> list[str]:
    """What a visit moved from ``old`` on resume (:func:`move_visit_day`) keeps from that
    day, in lines, judged with the run's answers in: said after them."""
    stored = record.answers.get(guide.meta.date_key)
    try:
        new_day = dt.date.fromisoformat(str(stored.value)) if stored is not None else None
    except ValueError:
        new_day = None
    if new_day is None or new_day.isoformat() == old:
        return []
    return _kept_across_the_move(guide, record, old, new_day, now)


def of_the_visit_day(guide: Guide, record: SessionRecord, key: str) -> bool:
    """Whether the answer ``key`` describes the visit's own day: a point-in-time result
    (``point_in_time``), or, while the dose is not counted, what the visit records of its
    injection. The one rule of what a move of the visit's date clears, and of what a
    resume on another day may not file for it unasked."""
    if key not in guide.questions:
        return False
    q = guide.questions[key]
    return q.spec.point_in_time or (
        record.injection_given is not True and guide.step(q.step_id).index >= guide.readiness_limit
    )


def results_of_the_day(guide: Guide, record: SessionRecord) -> dict[str, JSONScalar]:
    """The one-answer results (a urine screen, a pregnancy test) the visit holds for its
    day: what a move of its date clears and keeps as that day's, unless the clinician says
    they were taken on the new day (:func:`taken_on_the_new_day`). Key -> stored value."""
    use_since = guide.meta.report.history.use_since  # a use reported: kept by the move
    return {
        k: record.answers[k].value
        for k in one_answer_results(guide)
        if k in record.answers and k != use_since and of_the_visit_day(guide, record, k)
    }


def judged_at_a_new_date(
    guide: Guide, record: SessionRecord, answers: Mapping[str, object]
) -> dict[str, object]:
    """``answers`` (the visit's, with a new date among them) as a new date is judged: the
    results of the visit's day go with that day (asked again), so they are left out; any
    the clinician says are the new day's are judged as such once they are taken
    (:func:`taken_on_the_new_day`)."""
    held = results_of_the_day(guide, record)
    return {k: v for k, v in answers.items() if k not in held}


def taken_on_the_new_day(
    record: SessionRecord, keys: Iterable[str], old: str, new: str, now: dt.datetime
) -> frozenset[str]:
    """The clinician says the results ``keys`` were taken on ``new``, typed while the
    visit's date said ``old`` (a late entry begun under today's date): they stay in the
    visit as ``new``'s, logged so, and ``old`` keeps none of them. Only the clinician at
    the prompt says so: a script that gives results beside a new date gives the new
    day's, and the old day keeps its own (``replaced``). Returns the keys, for the move's
    ``keep`` (:func:`clear_results_of_another_day`)."""
    kept = frozenset(k for k in keys if k in record.answers)
    for key in sorted(kept):
        record.note_event(
            now,
            "change",
            key,
            record.answers[key].value,
            f"taken on {new}, typed while the visit's date said {old} (the clinician said "
            "so as the date was changed)",
        )
    return kept


def move_refused(guide: Guide, record: SessionRecord, value: object) -> tuple[str, str] | None:
    """Why the visit's date may not become ``value`` (an answer given on a resume, or typed
    at ``edit``): a visit that stays on its day (finished, its dose counted, or its dose
    withheld as it was answered given: :meth:`SessionRecord.stays_on_its_day`) never
    moves, by any route, or its dose would stand on a day nothing was judged (safety
    invariant 12). (message, hint), or None when the date does not change."""
    key = guide.meta.date_key
    stored = record.answers.get(key)
    new = value.isoformat() if isinstance(value, dt.date) else str(value)
    if stored is None or str(stored.value) == new or not record.stays_on_its_day(guide):
        return None
    what = (
        "its dose is counted as given on"
        if record.injection_given is True or record.answered_given(guide)
        else "it was finished on"
    )
    return (
        f"{new}: this visit stays on its day, {stored.value}: {what} that day, and a visit "
        "never moves with its dose",
        f"Leave {key} as it is; for a visit of {new}, start a new walk.",
    )


def ask_again_at_resume(
    guide: Guide, record: SessionRecord, key: str, reason: str, now: dt.datetime
) -> str | None:
    """A stored answer of an unfinished visit that the patient's record now refuses (a
    positive screen another room recorded for the day after this visit stored its
    negative; a last injection older than a dose recorded since): cleared, the refusal
    logged as why, so that the walk asks it again at its prompt, where the same rule
    judges the new answer. The clinician's way in at a terminal, as ``--answer KEY=VALUE``
    is a script's. Returns the line for the screen; None when the answer is not one to
    clear so: the visit's date (a move has its own rules), an entry of a series or the
    pathway's record (appended, never dropped: safety invariant 9), an answer the visit
    does not hold, or a visit that counted its dose (what it was judged on stays)."""
    stored = record.answers.get(key)
    if (
        stored is None
        or key not in guide.questions
        or key == guide.meta.date_key
        or of_a_series(key)
        or record.status == "complete"
        or record.counted_at() is not None
    ):
        return None
    record.clear([key], now, f"refused by the patient's record at resume: {reason}")
    return (
        f"{key} = {to_json(stored.value)!r}, stored by this visit, is refused by the patient's "
        f"record: {reason.rstrip('.')}. It is asked again (the stored answer stays in the "
        "audit trail)."
    )


def answered_day_behind(
    guide: Guide, record: SessionRecord, day: dt.date, presets: Mapping[str, Preset]
) -> dt.date | None:
    """The visit's date, when a walk resumed on ``day`` finds it answered (typed, never
    left to its default, which moves by itself: :func:`move_visit_day`) for an earlier
    day, the run does not give the date, and the visit has not stayed on its day (it has
    not finished, and its dose is not counted). Whether the patient is seen today (the
    visit moves, its results of that day cleared and asked again) or that day's visit is
    being entered late is then the clinician's to say, before anything is filed for
    either day; None otherwise."""
    key = guide.meta.date_key
    stored = record.answers.get(key)
    if stored is None or stored.origin == "default" or key in presets:
        return None
    if record.stays_on_its_day(guide):
        return None
    try:
        answered = dt.date.fromisoformat(str(stored.value))
    except ValueError:
        return None
    return answered if answered < day else None


def refuse_another_days_results(
    guide: Guide,
    record: SessionRecord,
    presets: Mapping[str, Preset],
    day: dt.date,
    timed: frozenset[str] = frozenset(),
) -> None:
    """A resume on another day than the visit's answered date (a script's
    ``injection_date``, a date typed at the prompt) whose run gives results of a day or
    the dose is refused unless the run gives the date too: taken, they would be filed for
    the visit's day (a screen positive that day made negative, a dose counted for it on
    results of another day: safety invariant 3). A date left to its default moves with
    the resume instead (:func:`move_visit_day`). ``timed``: the answers the run gives as
    entries that carry their own times (a file's series, a correction of a recorded
    entry), which the series files by those times, never by this run's day.

    Raises:
        UsageError: naming the results and both days, with the two ways on (exit 2).
    """
    key = guide.meta.date_key
    stored = record.answers.get(key)
    if stored is None or stored.origin == "default" or key in presets:
        return
    if stored.value == day.isoformat() or record.injection_given is True:
        return
    given = sorted(k for k in presets if k not in timed and of_the_visit_day(guide, record, k))
    if not given:
        return
    raise UsageError(
        f"this visit's date is {stored.value} (answered), and this run on {day.isoformat()} "
        f"gives {', '.join(given)}: results and the dose describe the day they were taken, "
        f"and would be filed for {stored.value}",
        hint=(
            f"To record them for today, move the visit: --answer {key}={day.isoformat()} "
            f"(its results of {stored.value} stay that day's and are asked again), or start a "
            f"new walk. To enter {stored.value}'s own results late: --answer {key}={stored.value}."
        ),
    )


def clear_results_of_another_day(
    guide: Guide,
    record: SessionRecord,
    old: str,
    new: str,
    now: dt.datetime,
    keep: frozenset[str] = frozenset(),
    *,
    tell_kept: bool = True,
    replaced: Mapping[str, JSONScalar] | None = None,
) -> list[str]:
    """The visit date moved from ``old`` to ``new``, by whatever route (a default on resume,
    an edit, a flag, a file): the results taken for the old day (``point_in_time``) are
    cleared, with their timers, except those in ``keep`` (given for the new day in this
    same run, or said to be the new day's: :func:`taken_on_the_new_day`). ``replaced``:
    the old day's results that this run's answers for the new day replaced, still the old
    day's (kept as such, as a cleared one is). Returns a line for the clinician, or
    nothing when there was nothing to clear; with what the visit keeps from the old day
    (``tell_kept``; a move before the run's answers says it after them,
    :func:`kept_across_the_move`)."""

    # What a visit records of its injection describes the day it was given: while the
    # dose is not counted, it is asked again on the new day (never a dose counted there on
    # an answer typed for another).
    # A use since the last injection reported yes stays reported: the use happened,
    # whatever day the visit moves to (a no is asked again: a use may have come since).
    use_since = guide.meta.report.history.use_since

    def taken_on_the_day(k: str) -> bool:
        if k == use_since and (given := record.answers.get(k)) is not None and given.value is True:
            return False
        return k not in keep and of_the_visit_day(guide, record, k)

    stale = [k for k in record.answers if taken_on_the_day(k)]
    timers = [k for k in record.timers if taken_on_the_day(k)]
    # A 'rate again' left pending was for the old day: the new day's first rating is its own.
    record.cows_next_context = None
    record.cows_next_at = None
    try:
        new_day: dt.date | None = dt.date.fromisoformat(new)
    except ValueError:
        new_day = None

    def carry() -> list[str]:
        # A positive challenge of the series stands on the new day (visit/series.py).
        if new_day is None or CHALLENGE in keep:
            return []
        return restore_positive(guide, record, new_day, now)

    # An override or acknowledgement belongs to the answers it was given for (safety
    # invariant 6): given for a result of the old day, it goes with it, even when the
    # result given (or asked again) for the new day is the same.
    of_the_old_day = {k for k in record.answers if of_the_visit_day(guide, record, k)}
    withdrawn = [
        g.id
        for g in guide.gates
        if not of_the_old_day.isdisjoint(g.inputs)
        and record.withdraw(g.id, now, f"given for results of {old}; the visit moved to {new}")
    ]
    taken_back = (
        [
            f"The overrides and acknowledgements given for the results of {old} "
            f"({', '.join(withdrawn)}) are taken back: they are asked again with the new "
            "results."
        ]
        if withdrawn
        else []
    )

    def kept() -> list[str]:
        return _kept_across_the_move(guide, record, old, new_day, now) if tell_kept else []

    if replaced:
        record.keep_day_results(old, replaced, now)
        taken_back.append(
            f"What {old} recorded ({', '.join(f'{k} = {v}' for k, v in replaced.items())}) "
            f"stays that day's result, binding every visit of that day; the values given now "
            f"are {new}'s."
        )
    if not stale and not timers:
        return [*taken_back, *carry(), *kept()]
    if stale:
        # The day's results stay facts of that day (a positive screen taken there binds
        # the patient's other visits of it), though the visit asks them again.
        taken = {k: record.answers[k].value for k in stale if k in one_answer_results(guide)}
        if taken:
            record.keep_day_results(old, taken, now)
        record.clear(stale, now, f"taken for {old}; the visit moved to {new}")
    for k in timers:
        record.timers.pop(k, None)
        record.timers_real.pop(k, None)
    what = ", ".join(stale) if stale else "the timers"
    carried = carry()
    return [
        f"The visit moves from {old} to {new}: what was recorded for {old} speaks for that "
        f"day only and is asked again ({what}).",
        *taken_back,
        *carried,
        *kept(),
    ]


def _kept_across_the_move(
    guide: Guide, record: SessionRecord, old: str, new_day: dt.date | None, now: dt.datetime
) -> list[str]:
    """What the visit keeps from the old day that the clinician must hear of, in lines:
    the answers that applied then and no longer do on the new day (the pathway chosen
    while the interval was not met, met by the new day), said as the walk says what an
    edit leaves unused, never dropped in silence (they stay in the record); and, moved to a
    later day, the last opioid use it keeps (the interval counts from it), so that a use
    since is asked about."""
    try:
        old_day = dt.date.fromisoformat(old)
    except ValueError:
        return []
    if new_day is None:
        return []
    key = guide.meta.date_key

    def hidden_on(day: dt.date) -> set[str]:
        inputs = record.inputs(guide, day)
        inputs = replace(inputs, answers={**inputs.answers, key: day})
        return set(evaluate(guide, inputs).not_applicable_answers)

    now_unused = hidden_on(new_day) - hidden_on(old_day)
    unused = [k for k in record.answers if k in now_unused]
    lines = (
        [
            f"On {new_day.isoformat()} these answers of {old} no longer apply and are not "
            f"used (kept in the record): {', '.join(unused)}."
        ]
        if unused
        else []
    )
    # The last use, answered days ago, is kept (the interval counts from it): said, so
    # that a use since then is asked about, never assumed away.
    last_use = guide.meta.report.history.last_use
    kept = record.answers.get(last_use) if last_use is not None else None
    # Given by this run (its flag or file, as it moves the visit): not kept, but new.
    given_now = kept is not None and instant(kept.at) >= instant(now)
    if kept is not None and not given_now and last_use not in now_unused and new_day > old_day:
        lines.append(
            f"The last opioid use this visit holds is kept ({last_use} = {kept.value}, "
            f"answered {kept.at.astimezone().date().isoformat()}): "
            f"ask whether the patient has used since, and change it if so (edit {last_use}; "
            f"--answer {last_use}=DATE)."
        )
    return lines


def session_guide(
    guide: Guide, record: SessionRecord, path: str | Path, steps: Path | None, site: Path | None
) -> Guide:
    """The guide under the settings the session started with.

    The settings in force belong to the session: a resume without ``--site`` applies the
    recorded values (checked against the pack's limits as a site file is); a ``--site``
    whose values differ from them is refused, so a walk never finishes under other
    settings than the record names."""
    recorded = {k: v for k, v in record.settings.items() if k in guide.setting_values}
    if site is not None:
        changed = sorted(k for k, v in recorded.items() if guide.setting_values[k] != v)
        if changed:
            lines = "; ".join(
                f"{k}: {recorded[k]!r} in the session, {guide.setting_values[k]!r} in {site}"
                for k in changed
            )
            raise UsageError(
                f"--site {site}: {path} was started with other settings ({lines})",
                hint="Resume without --site: the session's own settings are used. "
                "Or start a new session under this site file.",
            )
        differs = _table_difference(record, guide)
        if differs is not None:
            # The session's table is the one its record was kept against: never silently
            # another (reference section 6).
            raise UsageError(
                f"--site {site}: {path} was started with another rapid pathway "
                f"protocol table ({differs})",
                hint="Resume without --site: the session's own table and settings are used. "
                "Or start a new session under this site file.",
            )
        return guide
    gone = sorted(set(record.settings) - set(guide.setting_values))
    if gone:
        raise UsageError(
            f"{path}: the session's settings {gone} are not in this guide",
            hint="Start a new session.",
        )
    overlay = {k: v for k, v in recorded.items() if guide.settings[k].value != v}
    if not overlay:
        return guide
    return load_guide(steps, recorded=RecordedSettings(record.site, overlay, str(path)))


def _table_difference(record: SessionRecord, guide: Guide) -> str | None:
    """How the site's rapid protocol table differs from the session's, in words, or None."""
    mine, theirs = record.rapid_protocol, table_of(guide)
    if mine == theirs:
        return None
    if mine is None or theirs is None:
        a = "no table" if mine is None else f"a table of {len(mine)} days"
        b = "no table" if theirs is None else f"a table of {len(theirs)} days"
        return f"the session has {a}, the site file {b}"
    rows_a, rows_b = {t.day: t for t in mine}, {t.day: t for t in theirs}
    for day in sorted(set(rows_a) | set(rows_b)):
        a_row, b_row = rows_a.get(day), rows_b.get(day)
        if a_row != b_row:
            a_words = "absent" if a_row is None else a_row.model_dump_json()
            b_words = "absent" if b_row is None else b_row.model_dump_json()
            return f"day {day}: {a_words} in the session, {b_words} in the site file"
    return "the tables differ"


def another_day_warning(guide: Guide, record: SessionRecord, day: dt.date) -> str | None:
    """What a walk resumed on another day than its visit date must say: its results describe
    that day, not today (recording an earlier dose is allowed; giving one today is not)."""
    key = guide.meta.date_key
    stored = record.answers.get(key)
    if stored is None or stored.value == day.isoformat():
        return None
    if record.stays_on_its_day(guide):
        return (
            f"this walk's visit date is {stored.value}, not {day.isoformat()}: its results "
            "and its dose describe that day. To give an injection today, start a new walk."
        )
    return (
        f"this walk's visit date is {stored.value}, not {day.isoformat()}: its results, "
        "and what is typed now, describe that day. To give the injection today, move the "
        f"visit (edit {key} at a prompt, or --answer {key}={day.isoformat()}: its results "
        f"of {stored.value} stay that day's and are asked again), or start a new walk."
    )


def session_clock(record: SessionRecord, path: str | Path, demo_clock: float) -> float:
    """A care session's timers run on real time, always; a training run keeps its clock."""
    if record.demo_clock is None:
        if demo_clock != 1.0:
            raise UsageError(
                f"--demo-clock: {path} is a care session; its timers run on real time "
                "(the naloxone challenge's observation is a real minimum)",
                hint="Demo clocks are for training runs: start a new session with --demo-clock.",
            )
        return 1.0
    return demo_clock if demo_clock != 1.0 else float(record.demo_clock)


def resume_clock(
    record: SessionRecord, path: str | Path, start: dt.datetime | None, real_now: dt.datetime
) -> tuple[dt.datetime | None, str | None]:
    """The instant a resumed walk's clock starts at (None: the real time), given the one
    ``--today``/``--now`` fixes for this run (``start``, None when neither is given).

    - A session on the real clock (care) continues on the real clock: its times are real
      times (the observation minimum, the rechallenge window), so a fixed clock is refused.
    - A session on a fixed clock resumed without ``--today``/``--now`` goes on where its
      clock stopped (its last change), running in real time: a timer never loses the time
      the session lay saved. (A session saved before the clock was recorded: its fixed
      date at the real time of day, as before.)
    - Resumed with ``--today``/``--now``: that clock; one that would start before the
      session's last change goes on from that change instead (a clock never goes back: a
      result typed now would rank before those recorded), and the line returned says so.

    Returns:
        The start (None: the real time), and a warning for the clinician or None.

    Raises:
        UsageError: a fixed clock for a care session.
        SessionError: a session walked in another zone (exit 2, as a usage error).
    """
    fixed = record.clock.fixed if record.clock is not None else record.today is not None
    # Walked in another zone (when it began, or its fixed clock's start, at an offset this
    # zone does not have then), on whichever clock: its days are that zone's.
    kept = record.kept_in_a_zone()
    _refuse_another_zone(path, record)
    if not fixed:
        if start is not None:
            raise UsageError(
                f"--today/--now: {path} is a care session on the real clock; its times are "
                "real times (the naloxone observation, the rechallenge window), so it "
                "continues on the real clock",
                hint="Resume without --today and --now; a fixed clock is for a new session.",
            )
        return None, None
    last = aware(record.updated)
    if start is None:
        if record.clock is None:
            assert record.today is not None
            local = aware(real_now).astimezone().time()
            return dt.datetime.combine(record.today, local).astimezone(), None
        if not kept:  # a record written before it kept when it began: its last change
            _refuse_another_zone(path, record, last)
        return last, None
    if record.clock is not None and instant(start) < instant(last):
        _refuse_another_zone(path, record, last)  # the clock goes on from there
        # Within one minute the two read alike to the minute: then the seconds say it;
        # within one second nothing a person reads goes back, and the clock goes on.
        fmt = "%Y-%m-%d %H:%M" if shown(start) != shown(last) else "%Y-%m-%d %H:%M:%S"
        if shown(start, fmt) == shown(last, fmt):
            return last, None
        return last, (
            f"the session's fixed clock was at {shown(last, fmt)} when it was last saved; "
            f"this run's clock ({shown(start, fmt)}) would go back, so it goes on from "
            f"{shown(last, fmt)}"
        )
    return start, None


def _refuse_another_zone(
    path: str | Path, record: SessionRecord, last: dt.datetime | None = None
) -> None:
    """A session walked in another zone (when its walk began, its fixed clock's start, or
    ``last``: the last save the resume goes on from) is refused: resumed here, the
    visit's days would be other days (:meth:`SessionRecord.another_zones`, the refusal of
    every route)."""
    named = str(path)  # a file's path, or "session ID" (the message names the session once)
    refused = record.another_zones(
        "" if named in (record.id, f"session {record.id}") else named,
        "it cannot be resumed here",
        () if last is None else (last,),
    )
    if refused is not None:
        raise refused


def refuse_early_timed_results(
    guide: Guide,
    record: SessionRecord,
    presets: Mapping[str, Preset],
    day: dt.date,
    timer_now: Callable[[dt.datetime, dt.datetime | None], dt.datetime],
) -> None:
    """A result that waits for a timer (a negative naloxone challenge) cannot come in by
    flag or file while the timer this session started is still running."""
    for key, preset in presets.items():
        cq = guide.questions[key]
        started = record.timers.get(key)
        if cq.wait_minutes is None or preset.value not in cq.spec.wait_for or started is None:
            continue
        state = evaluate(guide, record.inputs(guide, day))
        left = wait_remaining(state, cq, started, timer_now(started, record.timers_real.get(key)))
        if left is not None and left > dt.timedelta(0):
            minutes = int(left.total_seconds() // 60)
            seconds = int(left.total_seconds() % 60)
            raise InvalidAnswer(
                key,
                f"{preset.value} cannot be recorded yet: the observation started at "
                f"{started.astimezone().strftime('%H:%M:%S')} has {minutes}:{seconds:02d} "
                "left",
                hint="Resume without it and type 'wait', or record it when the time has passed.",
            )


def reopen_rechallenge(guide: Guide, record: SessionRecord, now: dt.datetime) -> list[str]:
    """A rechallenge left empty (Enter: none done yet) is asked again on resume while the
    window after the positive challenge is open; returns a line for the clinician."""
    if RECHALLENGE not in record.skipped:
        return []
    positive = positive_since(guide, record.cows_ratings, record.naloxone_challenges, "challenge")
    if positive is None:
        return []
    done = [c for c in live(record.naloxone_challenges) if c.kind == "rechallenge"]
    end = window_end(guide, positive)
    if done or (end is not None and aware(now) > end):
        return []
    record.skipped.remove(RECHALLENGE)
    until = f" until {end.astimezone().strftime('%Y-%m-%d %H:%M')}" if end is not None else ""
    return [
        "No rechallenge was recorded after the positive naloxone challenge: its result is "
        f"asked again (the window is open{until})."
    ]
