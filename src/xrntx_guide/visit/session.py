"""The record of one walkthrough: answers with their origin, overrides, audit trail.

Sessions hold health information: they are kept in the store (store/), and the patient is
identified only by a label the clinician chooses. :func:`record_from_json` is the one
check of a stored record, on every route that reads one.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from ..engine.evaluate import (
    Inputs,
    Origin,
    Override,
    State,
    evaluate,
    state_context,
    valid_default,
)
from ..engine.next_action import next_action, walk_status
from ..errors import InvalidAnswer, SessionError
from ..expr import Scalar
from ..files import Unreadable, read_regular
from ..pack.guide import Guide
from ..pack.keys import COWS_THRESHOLD, RAPID_DAY_COWS
from . import integrity
from .answers import parse_value, quoted, to_json
from .clock import described_day, instant, offset_problem, on_day, shown, stored
from .dose import next_dose_due
from .entries import PREFIX, RESULT_KEYS, TOTAL, VisitResults, placed, visit_results
from .folders import data_dir as data_dir
from .folders import sessions_dir as sessions_dir
from .integrity import DAY_RESULT
from .labels import clean_label as clean
from .labels import record_identity_problem
from .rapid import (
    ANSWERS_KEY,
    RapidDay,
    Reading,
    TableDay,
    add_day,
    calm_strays,
    derive,
    is_record_key,
    ratings_of,
    record_answers,
    table_of,
)
from .series import ChallengeResult, CowsRating

JSONScalar = bool | int | float | str
FORMAT: Literal[2] = 2
"""The record's shape: 2 since each save logs the record's summary (visit/integrity.py
``SUMMARY``). A program from before reads only format 1, so it refuses such a record
rather than saving it without its summary logged, which would make it unreadable here.
A record of format 1 is read as it stands."""


def _aware(value: Any) -> Any:
    """A stored time: read as UTC without an offset, refused outside the years the
    program computes with (visit/clock.py ``stored``)."""
    return stored(value)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _times_are_aware(cls, value: Any) -> Any:
        return _aware(value)


class AnswerRecord(_Model):
    value: JSONScalar
    origin: Origin
    at: dt.datetime


class OverrideRecord(_Model):
    code: str
    comment: str
    at: dt.datetime
    fingerprint: str
    origin: Origin = "typed"


class AckRecord(_Model):
    at: dt.datetime
    fingerprint: str
    origin: Origin = "typed"


class Event(_Model):
    at: dt.datetime
    kind: str
    key: str | None = None
    value: JSONScalar | None = None
    detail: str | None = None
    by: str | None = None
    """Who made the change (``--clinician``, else the login name); None in a record
    written before it was kept."""


class ClockRecord(_Model):
    """Which clock a walk ran on (clinical basis, safety invariant 8): the real time, or
    a fixed one (``--today``, ``--now``) started at ``start`` and running in real time."""

    fixed: bool
    start: dt.datetime | None = None
    """The instant the fixed clock started at (its latest start, on a resume)."""
    began: dt.datetime | None = None
    """When the walk began, at the offset the zone it was walked in had then, whichever
    clock it ran on (the real clock's times are kept in UTC, which names no zone): its
    dates are that zone's days (:meth:`SessionRecord.kept_in_a_zone`). None in a record
    written before it was kept."""


WITHHELD = "dose_withheld"
"""The audit trail's entry of a dose answered given that the patient's record stopped
(:meth:`SessionRecord.withhold_dose`)."""


class SessionRecord(_Model):
    """Everything needed to resume a walkthrough and to write its chart note."""

    format: Literal[1, 2] = FORMAT
    id: str
    label: str
    guide_id: str
    guide_version: str
    site: str | None = None
    settings: dict[str, Any] = Field(default_factory=dict)
    """The setting values in force when the walk started: a resume runs under them."""
    demo_clock: float | None = None
    """Set only for a training run: its timers ran this many times faster. Everything such
    a session produces is marked TRAINING, and a care session can never take one."""
    today: dt.date | None = None
    """The fixed date of the run (``--today``, ``--now``); None means the real date each
    time."""
    clock: ClockRecord | None = None
    """The clock the walk ran on; None in a session saved before it was recorded (then a
    fixed ``today`` means a fixed clock)."""
    created: dt.datetime
    updated: dt.datetime
    answers: dict[str, AnswerRecord] = Field(default_factory=dict)
    order: list[str] = Field(default_factory=list)
    """Keys in the order they were answered; ``back`` walks it."""
    skipped: list[str] = Field(default_factory=list)
    confirmed: list[str] = Field(default_factory=list)
    overrides: dict[str, OverrideRecord] = Field(default_factory=dict)
    acks: dict[str, AckRecord] = Field(default_factory=dict)
    timers: dict[str, dt.datetime] = Field(default_factory=dict)
    naloxone_given: dict[str, list[dt.datetime]] = Field(default_factory=dict)
    """Every time each timer was started (the naloxone given), kept when the timer is
    started over or moved: withdrawal rated after any of them is a positive result
    (visit/entries.py ``judged_withdrawal``), whatever start the timer holds now."""
    timers_real: dict[str, dt.datetime] = Field(default_factory=dict)
    """When each timer started by the machine's real clock (:meth:`start_timer`): on a
    fixed clock (``--today``, ``--now``) that a resume moved on, its observation still
    lasts its minutes of real time (safety invariant 5; env.py ``Clock.timer_now``).
    Absent for a timer started by an older version: its clock is all there is."""
    events: list[Event] = Field(default_factory=list)
    gates: dict[str, str] = Field(default_factory=dict)
    """Last outcome of each gate, for the audit trail and the session list."""
    status: str = "in_progress"
    phase: str | None = None
    next_dose_due: str | None = None
    visit_date: str | None = None
    """The visit's date as last evaluated (the guide's date key), for the store's index."""
    injection_given: bool | None = None
    """Whether the record counts the dose as given (``State.injection_given`` at the last
    evaluation: the answer, only when the gates allowed the injection). None in records
    written before it was kept: they are read from their answer."""
    cows_ratings: list[CowsRating] = Field(default_factory=list)
    """Every COWS rating with its time, visit day and context (visit/series.py); the
    answers ``cows_*`` hold the latest of the visit day, which the gate reads."""
    naloxone_challenges: list[ChallengeResult] = Field(default_factory=list)
    """Every naloxone challenge and rechallenge result with its time and visit day
    (visit/series.py): a positive challenge stands on every later day of the walk."""
    cows_next_context: str | None = None
    """The context of the rating being taken ('rate again CONTEXT'), until it is complete."""
    _beside: list[tuple[CowsRating, dt.datetime | None]] = PrivateAttr(default_factory=list)
    """The COWS ratings the patient's other care visits hold, each with when its visit
    recorded it (:meth:`read_beside`); never stored with this record."""
    cows_next_at: dt.datetime | None = None
    """When 'rate again' was typed: only COWS answers typed since are the new rating's (an
    earlier run's, merged in since, never are)."""
    rapid_days: list[RapidDay] = Field(default_factory=list)
    """The supervised rapid pathway's daily record (reference section 6), in day order."""
    day_results: dict[str, dict[str, list[JSONScalar]]] = Field(default_factory=dict)
    """The one-answer results (a urine screen, a pregnancy test: visit/answers.py
    ``one_answer_results``) a move of the visit's date cleared, by the day they were taken
    for, each value ever cleared (a move away, back and away again adds, never replaces):
    still that day's results for the patient's other visits of the day."""

    @field_validator("visit_date", "next_dose_due")
    @classmethod
    def _a_date(cls, value: str | None) -> str | None:
        """A date as the session list and the history show it (YYYY-MM-DD), never other
        text written by hand."""
        if value is not None:
            try:
                shown = dt.date.fromisoformat(value).isoformat()
            except ValueError:
                shown = None
            if shown != value:  # 20261121 and 2026-W51-6 are dates to Python, not here
                raise ValueError("must be a date (YYYY-MM-DD) or null")
        return value

    @field_validator("day_results", mode="before")
    @classmethod
    def _one_value_a_list(cls, value: Any) -> Any:
        """A record written while a day kept one value per result (a value, not a list)
        is read as a list of that one value, never refused."""
        if not isinstance(value, dict):
            return value
        return {
            day: (
                {k: v if isinstance(v, list) else [v] for k, v in taken.items()}
                if isinstance(taken, dict)
                else taken
            )
            for day, taken in value.items()
        }

    def dated(self, guide: Guide) -> str | None:
        """The visit's day as its results describe it: its date answer, or, left before
        its date was answered, the day its walk began (visit/history.py reads a day's
        results so); None for a record with no answers at all. A date given later moves
        the visit from that day (visit/resume.py), its results asked again."""
        if not self.answers:
            return None
        stored = self.answers.get(guide.meta.date_key)
        return described_day(str(stored.value) if stored is not None else None, self.created)

    def keep_day_results(
        self, day: str, taken: Mapping[str, JSONScalar], now: dt.datetime | None = None
    ) -> None:
        """Keep ``taken`` (key -> value) as results of ``day`` (:attr:`day_results`),
        each logged as it is kept (an event ``day_result``: visit/integrity.py holds the
        two to each other) when ``now`` is given; a merge takes the events with them."""
        of_the_day = self.day_results.setdefault(day, {})
        for key, value in taken.items():
            values = of_the_day.setdefault(key, [])
            if value not in values:
                values.append(value)
                if now is not None:
                    self.events.append(
                        Event(at=now, kind=DAY_RESULT, key=key, value=value, detail=day)
                    )

    standing: list[str] = Field(default_factory=list)
    """The pack's ``standing`` answers (``[guide.report.history]``: a known
    hypersensitivity) when the walk started: what every pack reads as such in this
    record, whatever its own questions are called (a clinic's copy of the pack may name
    them otherwise). Empty in records written before it was kept."""
    names: dict[str, str] = Field(default_factory=dict)
    """The pack's names of the roles the timeline reads (:attr:`Guide.report_names`:
    the visit date, the dose, the last use, the end of the treatment...) when the walk
    started, logged in the audit trail from its start: how every pack reads this record,
    whatever its own questions are called. Empty in records written before it was kept
    (they are read by the reading pack's names)."""
    rapid_protocol: list[TableDay] | None = None
    """The site's protocol table in force when the walk started (None: the site file had
    none); the record is read against it on every day of the pathway."""

    # -- changing the record --------------------------------------------------------

    def set_answer(self, key: str, value: Scalar, origin: Origin, now: dt.datetime) -> None:
        stored = to_json(value)
        old = self.answers.get(key)
        self.answers[key] = AnswerRecord(value=stored, origin=origin, at=now)
        if key in self.order:
            self.order.remove(key)
        self.order.append(key)
        if key in self.skipped:
            self.skipped.remove(key)
        kind = "answer" if old is None else "change"
        detail = None if old is None else f"was {old.value!r}"
        self.events.append(Event(at=now, kind=kind, key=key, value=stored, detail=detail))

    def note_event(
        self,
        now: dt.datetime,
        kind: str,
        key: str | None = None,
        value: JSONScalar | None = None,
        detail: str | None = None,
    ) -> None:
        """Add one entry to the audit trail."""
        self.events.append(Event(at=now, kind=kind, key=key, value=value, detail=detail))

    def note_result(self, entry: CowsRating | ChallengeResult | RapidDay, now: dt.datetime) -> None:
        """Log a result just taken into the series (visit/results.py) as it was recorded:
        every load checks the series against these events (visit/integrity.py). The first
        result logged in a record written before results were logged logs the entries
        already there first, as they stood when the record was read and checked."""
        if not any(e.kind in integrity.KINDS for e in self.events):
            held: list[CowsRating | ChallengeResult | RapidDay] = [*self.cows_ratings]
            held += self.naloxone_challenges
            held += self.rapid_days
            for old in held:
                if old is not entry:
                    self._log_result(old, now, integrity.ADOPTED)
        self._log_result(entry, now, integrity.RESULT)
        if isinstance(entry, CowsRating) and entry.corrects is None:
            # A new rating, by whatever route (typed, a flag, a file's, the day dialog's),
            # is the one 'rate again' waited for: nothing is pending after it.
            self.cows_next_context = None
            self.cows_next_at = None

    def _log_result(
        self, entry: CowsRating | ChallengeResult | RapidDay, now: dt.datetime, kind: str
    ) -> None:
        key, value = integrity.key_of(entry), integrity.value_of(entry)
        detail = integrity.detail_of(entry)
        self.events.append(Event(at=now, kind=kind, key=key, value=value, detail=detail))

    def carry_answer(
        self,
        key: str,
        value: JSONScalar,
        origin: Origin,
        at: dt.datetime,
        now: dt.datetime,
        why: str,
    ) -> None:
        """Put an answer back with its own time (a positive challenge that stands on a new
        visit day: visit/series.py), logged as carried."""
        self.answers[key] = AnswerRecord(value=value, origin=origin, at=at)
        if key in self.order:
            self.order.remove(key)
        self.order.append(key)
        self.note_event(now, "carry", key, value, why)

    def skip(self, key: str, now: dt.datetime) -> None:
        if key not in self.skipped:
            self.skipped.append(key)
        self.events.append(Event(at=now, kind="skip", key=key))

    def clear(self, keys: list[str], now: dt.datetime, why: str) -> None:
        for key in keys:
            if key in self.answers:
                del self.answers[key]
                self.events.append(Event(at=now, kind="clear", key=key, detail=why))
            if key in self.order:
                self.order.remove(key)
            self.timers.pop(key, None)
            self.timers_real.pop(key, None)

    def withdraw(self, gate: str, now: dt.datetime, why: str) -> bool:
        """Take back the override and the acknowledgement of ``gate`` (the answers they
        were given for are gone), logged; whether there was one."""
        had = self.overrides.pop(gate, None) is not None
        had = self.acks.pop(gate, None) is not None or had
        if had:
            self.events.append(Event(at=now, kind="withdrawn", key=gate, detail=why))
        return had

    def override(
        self,
        gate: str,
        code: str,
        comment: str,
        fingerprint: str,
        now: dt.datetime,
        origin: Origin = "typed",
    ) -> None:
        self.overrides[gate] = OverrideRecord(
            code=code, comment=comment, at=now, fingerprint=fingerprint, origin=origin
        )
        self.events.append(Event(at=now, kind="override", key=gate, detail=f"{code}: {comment}"))

    def acknowledge(
        self, gate: str, fingerprint: str, now: dt.datetime, origin: Origin = "typed"
    ) -> None:
        self.acks[gate] = AckRecord(at=now, fingerprint=fingerprint, origin=origin)
        self.events.append(Event(at=now, kind="acknowledge", key=gate))

    def confirm(self, step: str, now: dt.datetime) -> None:
        if step not in self.confirmed:
            self.confirmed.append(step)
        self.events.append(Event(at=now, kind="confirm", key=step))

    def summarise(self, state: State, now: dt.datetime) -> None:
        """Keep the fields the session list shows, and the gate log, in step with ``state``."""
        self.record_gates({g.id: g.outcome for g in state.gates.values()}, now)
        action = next_action(state, frozenset(self.skipped), frozenset(self.confirmed))
        self.status = walk_status(state, action)
        step = getattr(action, "step", None)
        self.phase = step.spec.phase if step is not None else state.guide.meta.phases[-1].id
        given = state.injection_given is True
        # A dose counted stays counted while its answer says given (as recorded: the
        # gates may now hide the injection step's answers): a result taken after it (the
        # observation's withdrawal rating) describes the patient after the dose and never
        # hides it; only the answer changed to "not given" takes it back.
        kept = not given and self.injection_given is True and self.answered_given(state.guide)
        self._log_count(now, given or kept)
        self.injection_given = given or kept
        if not kept:
            self.next_dose_due = next_dose_due(state)
        day = state.value(state.guide.meta.date_key)
        self.visit_date = day.isoformat() if isinstance(day, dt.date) else None

    def log_summary(self, now: dt.datetime, by: str | None) -> None:
        """Log what the record says of itself (its status, visit date and next dose due:
        visit/integrity.py ``SUMMARY``) when it is not what the audit trail last logged,
        and mark the record of this version's format (:data:`FORMAT`), which a program
        from before refuses: called as the record is saved (store/saver.py), whichever
        change moved it (a step of the walk, a dose withheld, another run's save merged
        in). A record of format 1 saved here is of format 2 from then on: a program from
        before would save it again without its summary, and it could not be read here."""
        self.format = FORMAT
        held = integrity.summary_logged(self)
        if integrity.last_summary(self.events) != held:
            self.events.append(Event(at=now, kind=integrity.SUMMARY, detail=held, by=by))

    def stays_on_its_day(self, guide: Guide) -> bool:
        """A finished walk, one whose dose is counted, or one whose dose the patient's
        record stopped as it was answered given (:meth:`withhold_dose`, the answer still
        "given"), is never moved to the day it is resumed on: the visit happened, and its
        dose was given, on its own day. An answer "given" typed ahead on a walk that
        never reached the injection step does not keep it there (the answers about the
        injection are asked again on the day the visit moves to: visit/resume.py)."""
        withheld = self.answered_given(guide) and any(e.kind == WITHHELD for e in self.events)
        return self.status == "complete" or self.injection_given is True or withheld

    def answered_given(self, guide: Guide) -> bool:
        """Whether the record's answer says the injection was given (``[guide.report]
        injection_given``), as recorded, whether or not the dose counts."""
        key = guide.meta.report.injection_given
        answered = self.answers.get(key) if key is not None else None
        return answered is not None and answered.value is True

    def _log_count(self, now: dt.datetime, counted: bool) -> None:
        """Log the count of the dose when it differs from the count last logged."""
        doses = [e.value for e in self.events if e.kind == integrity.DOSE]
        if not doses or doses[-1] is not counted:
            self.note_event(now, integrity.DOSE, value=counted)

    def withhold_dose(self, now: dt.datetime, since: int) -> None:
        """The dose not counted after all: the patient's record, read again as the dose
        was saved, stands against it (store/saver.py ``Saver.hold``). The count, the next
        dose and a complete status go back; the count logged since event ``since`` (never
        stored) goes, and the count as it now stands is logged. The answers stay as
        typed: the walk, resumed, judges the visit again."""
        self.events = [
            e
            for i, e in enumerate(self.events)
            if not (i >= since and e.kind == integrity.DOSE and e.value is True)
        ]
        self.injection_given = False
        self.next_dose_due = None
        if self.status == "complete":
            self.status = "in_progress"
        self._log_count(now, False)
        self.note_event(now, WITHHELD, detail="the patient's record stood against the dose")

    def since(self, key: str) -> dt.datetime | None:
        """When the answer to ``key`` took the value it holds: by the audit trail (the
        first time it was logged with that value since it last held another, so neither
        the same value given again nor an ``at`` changed by hand moves it), else its own
        time (a record written before answers were logged); None when unanswered."""
        answer = self.answers.get(key)
        if answer is None:
            return None
        return integrity.held_since(self.events, key, answer.value) or answer.at

    def counted_at(self) -> dt.datetime | None:
        """When the dose the record counts was counted (the audit trail's last count of
        it as given), or None while it is not counted."""
        if self.injection_given is not True:
            return None
        counts = [e for e in self.events if e.kind == integrity.DOSE]
        return counts[-1].at if counts and counts[-1].value is True else None

    def kept_in_a_zone(self) -> list[dt.datetime]:
        """The times this record keeps at the offset of the zone its visit was walked in:
        when its walk began (:attr:`ClockRecord.began`), and on a fixed clock (``--today``,
        ``--now``) the clock's start (a fixed clock at another offset than the zone's is
        refused where it is given, so it carries the zone's offset at its instant). A
        record on the real clock written before ``began`` was kept has none: its times are
        kept in UTC, which names no zone."""
        if self.clock is None:
            return []
        began = [self.clock.began] if self.clock.began is not None else []
        if not self.clock.fixed:
            return began
        # The start only: a fixed clock runs on from it at its offset, so a walk that
        # spans a clock change saves its later times at the offset of before (read as
        # another zone's, the patient's record would be refused for good in its own).
        start = [self.clock.start] if self.clock.start is not None else []
        return [*began, *start]

    def another_zones(
        self, whose: str, so: str, also: tuple[dt.datetime, ...] = ()
    ) -> SessionError | None:
        """The refusal of a record walked in another zone, for every route that meets one
        (a visit judged beside it, a resume, an import): a time it keeps in its zone
        (:meth:`kept_in_a_zone`, then ``also``: a time the route reads besides, such as
        the last save of a record written before those were kept) at an offset this
        run's zone does not have at that instant (visit/clock.py ``offset_problem``: the
        same zone across a daylight-saving change has it). Its dates are that zone's
        days: read here, the days since its dose would be counted from another day. None
        when every time agrees. ``whose``: what the message starts with (the label, the
        file; empty: nothing but the session); ``so``: what is refused, after "so"."""
        for kept in [*self.kept_in_a_zone(), *also]:
            problem = offset_problem(kept)
            if problem is None:
                continue
            offset = kept.isoformat(timespec="minutes")[-6:]
            return SessionError(
                f"{whose}{': ' if whose else ''}session {self.id} (visit of "
                f"{self.visit_date or 'no date'}, "
                f"{self.status.replace('_', ' ')}) was kept at "
                f"{kept.isoformat(timespec='minutes')}: {problem}; its dates (its dose's too) "
                f"are the days of the zone it was walked in, so {so}",
                hint=(
                    f"Run in the zone that visit was walked in (offset {offset} then): set "
                    "the XRNTX_GUIDE_ZONE environment variable to its IANA name."
                ),
            )
        return None

    def logged_dose(self) -> bool:
        """Whether the audit trail logs the record's count of the dose (``injection_given``):
        records written before it was logged are read from their answer."""
        return any(e.kind == integrity.DOSE for e in self.events)

    def record_gates(self, outcomes: Mapping[str, str], now: dt.datetime) -> None:
        """Log every gate whose outcome changed since the last evaluation."""
        for gate, outcome in outcomes.items():
            if self.gates.get(gate) != outcome:
                self.events.append(Event(at=now, kind="gate", key=gate, value=outcome))
        self.gates = dict(outcomes)

    # -- reading it back ------------------------------------------------------------

    def typed_answers(self, guide: Guide, today: dt.date) -> dict[str, Scalar]:
        """The answers as typed values; a value the guide no longer accepts is an error."""
        out: dict[str, Scalar] = {}
        for key, rec in self.answers.items():
            cq = guide.questions.get(key)
            if cq is None:
                raise SessionError(
                    f"session {self.label!r}: answer {key!r} is not a question of this guide",
                    hint="The guide changed since the session was saved; start a new session.",
                )
            try:
                out[key] = parse_value(cq, rec.value, today=today)
            except InvalidAnswer as exc:
                raise SessionError(f"session {self.label!r}: {exc}") from None
        return out

    def judged_answers(self, guide: Guide, today: dt.date) -> dict[str, Scalar]:
        """The typed answers the patient's record and the path judge (visit/contradiction.py),
        which are the ones the gates read: less the COWS answers taken after the dose
        counted. Those are recorded in the series and describe the patient after the dose
        (:meth:`read_series`); they are never judged against the answers the dose was
        given on (a negative challenge beside withdrawal rated after the injection)."""
        out = self.typed_answers(guide, today)
        counted = self.counted_at()
        if counted is None:
            return out
        return {
            k: v
            for k, v in out.items()
            if not (
                k.startswith(PREFIX)
                and (rec := self.answers.get(k)) is not None
                and instant(rec.at) > instant(counted)
            )
        }

    def after_the_dose(self, key: str) -> bool:
        """Whether an answer to ``key`` given now is a COWS answer taken after the dose
        counted: recorded in the series, never read (:meth:`judged_answers`)."""
        return self.counted_at() is not None and key.startswith(PREFIX)

    def inputs(self, guide: Guide, today: dt.date, use_defaults: bool = False) -> Inputs:
        answers = self.typed_answers(guide, today)
        answers, reading = self.visit_answers(guide, answers, today)
        from_record: frozenset[str] = frozenset()
        if self.rapid_days or any(is_record_key(guide, k) for k in answers):
            # The pathway's answers come from its daily record only (origin "record"),
            # read as of the visit day's latest rating.
            answers = {k: v for k, v in answers.items() if not is_record_key(guide, k)}
            date = answers.get(guide.meta.date_key)
            day = date if isinstance(date, dt.date) else today
            kept = record_answers(guide, self.rapid_reading(today), day, reading.rating)
            if reading.unordered is not None:
                # The day's latest rating is not known: not the record's own either.
                kept.pop(RAPID_DAY_COWS, None)
            answers.update(kept)
            from_record = frozenset(kept)
        return Inputs(
            answers=answers,
            today=today,
            overrides={
                g: Override(o.code, o.comment, o.fingerprint) for g, o in self.overrides.items()
            },
            acks={g: a.fingerprint for g, a in self.acks.items()},
            use_defaults=use_defaults,
            from_record=from_record,
        )

    def visit_answers(
        self, guide: Guide, answers: dict[str, Scalar], today: dt.date
    ) -> tuple[dict[str, Scalar], VisitResults]:
        """``answers`` with the results read from the whole series for the visit day (the
        injection date answered, else ``today``): visit/entries.py :func:`visit_results`,
        the one reading. A stored answer for the challenge, the rechallenge or its hours
        is never trusted (a hand-edited file, a file's own series): only the series
        counts. The COWS answers are the day's latest standing rating, except while a
        rating is being typed at the prompt (after 'rate again', or items typed since the
        latest rating), which the walk adds to the series once it is complete. Where it
        is not known which of two ratings of the latest minute came later (one given to
        the minute recorded after the other was stamped, visit/entries.py
        :func:`unordered_latest`), no COWS answer is read until a new rating is typed or
        given. Also the reading (its latest standing rating of the day, None: none, which
        the pathway's record reads, visit/rapid.py :func:`record_answers`)."""
        date = answers.get(guide.meta.date_key)
        day = date if isinstance(date, dt.date) else today
        ratings, challenges = self.read_series(day)
        counted = self.counted_at()
        reading = visit_results(
            guide, ratings, challenges, day, recorded=self.recorded_at, given=self.naloxone_given
        )
        out = {k: v for k, v in answers.items() if k not in RESULT_KEYS}
        out.update(
            {k: v for k, v in reading.answers.items() if k in guide.questions and k in RESULT_KEYS}
        )
        cows = [k for k in guide.questions if k.startswith(PREFIX)]
        out = {k: v for k, v in out.items() if k not in cows or not self._before_rate_again(k)}
        if not cows or self.cows_next_context is not None:
            return out, reading  # after 'rate again': what is typed since, only
        # A rating being typed: the answers typed since the latest rating (after it, where
        # its order is not known), over the latest rating's items, which an item edited
        # keeps (a total typed replaces them all); else the latest rating as it stands.
        latest = reading.unordered[1] if reading.unordered is not None else reading.rating
        if latest is None:
            return out, reading  # the day's first rating: as typed
        fresh = {
            k: v
            for k, v in out.items()
            if k in cows
            and (rec := self.answers.get(k)) is not None
            and rec.origin in ("typed", "scenario")
            and (
                instant(rec.at) > instant(latest.at)
                if reading.unordered is not None
                else instant(rec.at) >= instant(latest.at)
            )
            # A rating typed after the dose counted is in the series (note_rating adds
            # it), and the series read as the dose was given leaves it out: so here.
            and (counted is None or instant(rec.at) <= instant(counted))
        }
        out = {k: v for k, v in out.items() if k not in cows}
        if reading.unordered is None and TOTAL not in fresh:
            keep = reading.answers if not fresh else {
                k: v for k, v in reading.answers.items() if k != TOTAL
            }  # fmt: skip
            out.update({k: v for k, v in keep.items() if k in cows})
        out.update(fresh)
        return out, reading

    def read_series(self, day: dt.date) -> tuple[list[CowsRating], list[ChallengeResult]]:
        """The series the visit's gates read for ``day`` (:meth:`visit_ratings`, the
        challenge results): once the dose is counted, what stood when it was counted. A
        result taken after it (precipitated withdrawal) is recorded, never a reason to
        uncount it; an entry correcting one taken before it still counts in that one's
        place. What the walk reads (:meth:`visit_answers`) and what it compares a rating
        with before adding it (visit/results.py ``note_rating``)."""
        ratings, challenges = self.visit_ratings(day), self.naloxone_challenges
        counted = self.counted_at()
        if counted is not None:
            ratings = [r for r in ratings if instant(placed(ratings, r).at) <= instant(counted)]
            challenges = [
                c for c in challenges if instant(placed(challenges, c).at) <= instant(counted)
            ]
        return ratings, challenges

    def unordered_note(self, guide: Guide, today: dt.date) -> str | None:
        """Why no COWS rating of the visit day is read (:meth:`visit_answers`: which of two
        ratings of its latest minute came later is not known), for the screen; None when
        the latest is known or none is taken."""
        try:
            _, reading = self.visit_answers(guide, self.typed_answers(guide, today), today)
        except SessionError:
            return None
        if reading.unordered is None:
            return None
        # Each as it stands (its total), at the time of the rating it stands for.
        (given, g), (stamped, t) = sorted(
            ((placed(self.cows_ratings, r), r.total) for r in reading.unordered),
            key=lambda pair: pair[0].time_given is not True,
        )
        when = self.recorded_at(given)
        recorded = f", recorded at {shown(when, '%H:%M:%S')}" if when else ""
        return (
            f"the COWS rating of {shown(given.at)} (total {g}, its time given to the "
            f"minute{recorded}) and the one stamped at {shown(stamped.at, '%H:%M:%S')} "
            f"(total {t}): which of the two came "
            "later is not known, so no COWS rating is read until a new one is taken"
        )

    def recorded_at(self, rating: CowsRating) -> dt.datetime | None:
        """When the program recorded ``rating`` (visit/entries.py :func:`unordered_latest`):
        the audit trail's event that logged it, or for a rating the pathway's day record
        holds (visit_ratings), the event of the first entry of the day holding it; None
        when no event logged it."""
        for other, when in self._beside:
            if other is rating:
                return when
        found: list[dt.datetime] = []
        for event in self.events:
            entry = integrity.entry_of(event)
            if entry == rating or (
                isinstance(entry, RapidDay)
                and entry.date == rating.day
                and any(
                    r.total == rating.total
                    and instant(on_day(entry.date, r.time)) == instant(rating.at)
                    for r in entry.cows
                )
            ):
                found.append(event.at)
        return min(found, key=instant) if found else None

    def start_timer(self, key: str, at: dt.datetime, real: dt.datetime, now: dt.datetime) -> None:
        """The naloxone of ``key`` given at ``at`` (``real``: when, by the machine's real
        clock: now, less the time since ``at``): the timer holds it now, and every start
        it held stays in :attr:`naloxone_given`. The one place a timer is started,
        whatever the route (the prompt, a flag, a file). Logged in the audit trail (an
        event ``timer``: the start, and its real time as detail), so that a start edited by
        hand in a copy is refused as an edited result is (visit/integrity.py); the starts
        a record held before starts were logged are logged first, as they stood."""
        if not any(e.kind in integrity.TIMER_KINDS for e in self.events):
            # Every start held, as it stood: the running timers with the machine time they
            # are measured from (a record written before starts were kept lists them
            # nowhere else), then each other start kept.
            adopted: list[tuple[str, dt.datetime, dt.datetime | None]] = [
                (was, running, self.timers_real.get(was)) for was, running in self.timers.items()
            ]
            for was, starts in self.naloxone_given.items():
                running = self.timers.get(was)
                adopted += [
                    (was, given, None)
                    for given in starts
                    if running is None or instant(running) != instant(given)
                ]
            for was, given, real_then in adopted:
                self.events.append(
                    Event(
                        at=now, kind=integrity.TIMER_ADOPTED, key=was, value=given.isoformat(),
                        detail=real_then.isoformat() if real_then is not None else None,
                    )
                )  # fmt: skip
        self.events.append(
            Event(
                at=now, kind=integrity.TIMER, key=key, value=at.isoformat(),
                detail=real.isoformat(),
            )
        )  # fmt: skip
        kept = self.naloxone_given.setdefault(key, [])
        for start in (self.timers.get(key), at):
            if start is not None and all(instant(start) != instant(k) for k in kept):
                kept.append(start)
        held = self.timers_real.get(key) if key in self.timers else None
        self.timers[key] = at
        # A start typed before stays the bound when it is the later (env.py timer_now).
        self.timers_real[key] = real if held is None else max(held, real, key=instant)

    def read_beside(
        self, ratings: Iterable[tuple[CowsRating, dt.datetime | None]], now: dt.datetime
    ) -> None:
        """Read the COWS ratings the patient's other care visits hold (visit/history.py
        ``Timeline.elsewhere``: each with when its visit recorded it) into this visit's
        series, for their days (:meth:`visit_ratings`): the ratings of a visit day are one
        series, whichever visit of the patient recorded them, so a rating of this visit
        is never read as the latest beside a later one recorded in another (withdrawal
        rated in another room). Only those taken by ``now``, the visit's clock: nothing
        after it is read (safety invariant 8; a walk on a fixed clock earlier than another
        room's real one). They are read, never stored with this record."""
        self._beside = [(r, when) for r, when in ratings if instant(r.at) <= instant(now)]

    def beside_on(self, day: dt.date) -> list[tuple[CowsRating, dt.datetime | None]]:
        """The other visits' ratings of ``day`` read into this visit's series."""
        return [(r, when) for r, when in self._beside if r.day == day]

    def visit_ratings(self, day: dt.date) -> list[CowsRating]:
        """The series with the pathway's day record's ratings of ``day`` it does not hold
        (the ratings of the visit day are one series, whatever route recorded them). A
        day's ratings are taken into the series when recorded for the visit day
        (visit/results.py take_day, visit/presets.py read_series); one recorded while the
        visit had another date, or before this was kept, is read here all the same. A
        rating of the series at the same instant stands (a correction names it there)."""
        threshold = self.settings.get(COWS_THRESHOLD)
        # A calm rating the day record took in before a correction moved its day to
        # another date is read on no date (visit/rapid.py calm_strays), nor here.
        doubt = calm_strays(self.rapid_days, threshold) if self.rapid_days else set()
        series = [r for r in self.cows_ratings if (instant(r.at), r.total) not in doubt]
        held = {instant(r.at) for r in series}
        extra = [
            r
            for r in ratings_of(self.rapid_days, day, "session", threshold)
            if instant(r.at) not in held
        ]
        # Another visit's rating stands beside this visit's, unless it is the same rating
        # at the same instant: two totals of one instant are never ordered (entries.py).
        same = {(instant(r.at), r.total) for r in [*series, *extra]}
        extra += [r for r, _ in self.beside_on(day) if (instant(r.at), r.total) not in same]
        if not extra and len(series) == len(self.cows_ratings):
            return self.cows_ratings
        return sorted([*series, *extra], key=lambda r: instant(r.at))

    def charted_ratings(self, day: dt.date) -> list[CowsRating]:
        """:meth:`visit_ratings` of ``day``, with the ratings the pathway's day record holds
        for its other dates that the series does not (a day recorded late, for the day
        before: taken into no visit day's series): what the note's chart shows, every
        rating of the record, each on its date. The gates read :meth:`visit_ratings`."""
        shown = self.visit_ratings(day)
        if not self.rapid_days:
            return shown
        threshold = self.settings.get(COWS_THRESHOLD)
        held = {(instant(r.at), r.total) for r in shown}
        held |= {(instant(r.at), r.total) for r in self.cows_ratings}
        other = sorted({d.date for d in self.rapid_days} - {day})
        extra = [
            r
            for date in other
            for r in ratings_of(self.rapid_days, date, "session", threshold)
            if (instant(r.at), r.total) not in held
        ]
        if not extra:
            return shown
        return sorted([*shown, *extra], key=lambda r: instant(r.at))

    def _before_rate_again(self, key: str) -> bool:
        """A COWS answer from before 'rate again' (another run's, merged in since): not
        part of the rating being typed."""
        rec = self.answers.get(key)
        since = self.cows_next_at
        return (
            self.cows_next_context is not None
            and since is not None
            and rec is not None
            and instant(rec.at) < instant(since)
        )

    # -- the rapid pathway's daily record ----------------------------------------------

    def rapid_reading(self, today: dt.date) -> Reading:
        """What the pathway record says as of ``today`` (visit/rapid.py)."""
        return derive(self.rapid_days, self.rapid_protocol, today)

    def dosed_on(self) -> dt.date | None:
        """The day of the dose this visit counts (its visit date), or None while it counts
        none: a visit that gave its dose keeps it, whatever is recorded after it."""
        if self.injection_given is not True or self.visit_date is None:
            return None
        try:
            return dt.date.fromisoformat(self.visit_date)
        except ValueError:
            return None

    def dose_answers(self, guide: Guide) -> frozenset[str]:
        """The answers that describe the dose this visit gave (the injection step's and
        those after it), while it counts one: never cleared as no longer applying when an
        answer before them changes (a result corrected, a pathway day added after the
        dose). The dose was given all the same; only the answer changed to "not given"
        takes it back (:meth:`summarise`)."""
        if self.dosed_on() is None:
            return frozenset()
        return frozenset(
            cq.key for step in guide.steps[guide.readiness_limit :] for cq in step.questions
        )

    def pathway_day_refused(self, day: dt.date) -> str | None:
        """Why a rapid pathway day of ``day`` is not recorded in this visit, or None: the
        pathway ends with the injection, so a visit that gave its dose records no day after
        it (a day recorded the morning after the dose read as a pathway not yet complete
        on its injection day, and cleared the dose)."""
        dosed = self.dosed_on()
        if dosed is None or day <= dosed:
            return None
        return (
            f"this visit gave its injection on {dosed.isoformat()}, and the pathway ends with "
            f"it: a day of {day.isoformat()} is not recorded in this visit (finish it: what "
            "follows the injection; a later visit of the patient is a new walk)"
        )

    def record_day(self, day: RapidDay, now: dt.datetime, origin: str = "typed") -> bool:
        """Append a pathway day to the record (visit/rapid.py, :func:`add_day`): never
        replacing one; an entry that says nothing new adds nothing. Logged with what it is.

        Raises:
            ValueError: the entry contradicts a recorded day without correcting it, or
                falls after the dose this visit gave (:meth:`pathway_day_refused`).
        """
        refused = self.pathway_day_refused(day.date)
        if refused is not None:
            raise ValueError(refused)
        known = any(d.day == day.day for d in self.rapid_days)
        self.rapid_days, added = add_day(self.rapid_days, day)
        if not added:
            return False
        kind = (
            "rapid_day_correction"
            if day.corrects is not None
            else "rapid_day_added"
            if known
            else "rapid_day"
        )
        detail = f"day {day.day} on {day.date.isoformat()} ({origin}): {day.given}"
        if day.reason:
            detail += f"; reason: {day.reason}"
        self.events.append(Event(at=now, kind=kind, key=ANSWERS_KEY, value=day.day, detail=detail))
        self.note_result(day, now)
        return True

    def set_rapid_days(self, days: list[RapidDay], now: dt.datetime) -> None:
        """Add the days an answers file gives to the record, entry by entry (a file given
        again on resume adds only what is new; it never removes a recorded day or rating).

        Raises:
            InvalidAnswer: an entry contradicts a recorded day without correcting it.
        """
        for i, day in enumerate(days, 1):
            try:
                self.record_day(day, now, "file")
            except ValueError as exc:
                raise InvalidAnswer(ANSWERS_KEY, f"entry {i}: {exc}") from None


def moved_defaults(guide: Guide, record: SessionRecord, today: dt.date) -> dict[str, Scalar]:
    """The answers that came from a default and follow the new day on resume (the
    injection date is today), with the values they take: what :func:`refresh_defaults`
    sets, for a run to judge its own answers against before it sets them."""
    state = evaluate(guide, record.inputs(guide, today))
    ctx = state_context(state)
    out: dict[str, Scalar] = {}
    for key, rec in record.answers.items():
        cq = guide.questions.get(key)
        if rec.origin != "default" or cq is None or cq.default is None:
            continue
        value = valid_default(cq, cq.default.evaluate(ctx), ctx)
        if not isinstance(value, bool | int | float | str | dt.date) or to_json(value) == rec.value:
            continue  # unknown (or not one answer): nothing to follow
        out[key] = value
    return out


def refresh_defaults(
    guide: Guide, record: SessionRecord, today: dt.date, now: dt.datetime
) -> list[str]:
    """On resume, answers that came from a default (the injection date is today) follow
    the new day (:func:`moved_defaults`); returns a line for each one that changed."""
    changed = []
    for key, value in moved_defaults(guide, record, today).items():
        was = record.answers[key].value
        record.set_answer(key, value, "default", now)
        changed.append(f"{key} follows its default: {was} -> {to_json(value)}")
    return changed


def new_session(
    guide: Guide,
    label: str,
    now: dt.datetime,
    today: dt.date | None,
    clock: ClockRecord | None = None,
    demo_clock: float | None = None,
) -> SessionRecord:
    """A new walk's record, started at ``now``; ``today`` is its fixed date (None: the
    real date), ``clock`` the clock it runs on (by default: fixed when ``today`` is),
    ``demo_clock`` a training run's speed-up (None: care).

    Its audit trail starts with what it is (a care visit or a training run) and its count
    of the dose (none given yet), so that neither can be changed by hand unseen
    (visit/integrity.py)."""
    if clock is None:
        clock = ClockRecord(fixed=today is not None, start=now if today is not None else None)
    # The zone the visit is walked in, kept with its record: its dates are that zone's days.
    clock = clock.model_copy(update={"began": now.astimezone()})
    return SessionRecord(
        clock=clock,
        id=secrets.token_hex(4),
        label=label,
        guide_id=guide.meta.id,
        guide_version=guide.meta.version,
        site=guide.site,
        settings=dict(guide.setting_values),
        today=today,
        created=now,
        updated=now,
        events=[
            Event(at=now, kind="start", detail=f"{guide.meta.id} {guide.meta.version}"),
            Event(at=now, kind=integrity.LABEL, value=label),
            Event(at=now, kind=integrity.KIND_OF_RUN, value=integrity.run_kind(demo_clock)),
            Event(at=now, kind=integrity.DOSE, value=False),
            Event(
                at=now,
                kind=integrity.STANDING,
                value=",".join(guide.meta.report.history.standing),
            ),
            Event(at=now, kind=integrity.NAMES, value=integrity.names_logged(guide.report_names)),
            Event(
                at=now,
                kind=integrity.SETTINGS,
                value=integrity.settings_logged(guide.setting_values, table_of(guide)),
            ),
        ],
        demo_clock=demo_clock,
        injection_given=False,
        standing=list(guide.meta.report.history.standing),
        names=dict(guide.report_names),
        rapid_protocol=table_of(guide),
    )


# ---------------------------------------------------------------------------------------
# Files


MAX_SESSION_FILE = 16 * 1024 * 1024
"""A session of a long walk with many edits is some tens of kilobytes."""


def is_session_name(name: str) -> bool:
    """Whether a file name in an earlier version's sessions folder is a session's:
    ``*.json``, not hidden (a save cut short left a hidden temporary file)."""
    return name.endswith(".json") and not name.startswith(".")


def load(path: Path) -> SessionRecord:
    """Read a session record from a JSON file (an export, an earlier version's file).

    Raises:
        SessionError: no such file, not a regular file (a FIFO is never waited on), too
            large, or not a valid session record.
    """
    try:
        data = read_regular(path, MAX_SESSION_FILE)
    except Unreadable as exc:
        if exc.missing:
            raise SessionError(
                f"{path}: no such session file",
                hint="`xrntx-guide sessions export ID -o FILE` writes one.",
            ) from None
        raise SessionError(f"{path}: cannot read the session: it {exc.reason}") from None
    return record_from_json(data, str(path))


def record_from_json(data: bytes | str, where: str) -> SessionRecord:
    """A session record read from its JSON text: the one check of a stored record, which
    every route that reads one calls (a file, a store's row, an import, a resume). The
    facts kept beside a stored record are made through it: a stricter check changes
    visit/facts.py ``FORMAT``, or facts of a record it now refuses would still be shown.

    Raises:
        SessionError: naming ``where``: not UTF-8, not JSON, or not a valid session record.
    """
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        record = SessionRecord.model_validate(json.loads(text))
    except UnicodeDecodeError as exc:
        raise SessionError(f"{where}: not a valid session file (not UTF-8: {exc.reason})") from None
    except RecursionError:
        raise SessionError(f"{where}: not a valid session file (nested too deeply)") from None
    except json.JSONDecodeError as exc:
        first = str(exc).splitlines()[0]
        raise SessionError(f"{where}: not a valid session file ({first})") from None
    except ValidationError as exc:  # the first wrong field by its place, and what it holds
        err = exc.errors(include_url=False)[0]
        place = ".".join(str(part) for part in err["loc"]) or "the record"
        held = err.get("input")
        shown = quoted(held) if isinstance(held, str) else repr(held)
        holds = f", not {shown}" if isinstance(held, str | int | float | bool) else ""
        more = f"; {exc.error_count() - 1} more" if exc.error_count() > 1 else ""
        raise SessionError(
            f"{where}: not a valid session file ({place}: {err['msg']}{holds}{more})"
        ) from None
    except ValueError:  # an integer of more digits than Python converts
        raise SessionError(f"{where}: not a valid session file (a number too long)") from None
    return intact(record, where)


def intact(record: SessionRecord, where: str) -> SessionRecord:
    """``record`` as read from ``where`` (a file, a store's row), once its id and label are
    well formed and its results agree with its audit trail (visit/integrity.py): every
    store's load path calls this.

    Raises:
        SessionError: naming the session and each entry that disagrees.
    """
    problem = record_identity_problem(record.id, record.label)
    if problem is not None:
        raise SessionError(
            f"{where}: not a valid session file ({problem})",
            hint="Correct the field in the record before importing it, or delete the stored "
            "session with `xrntx-guide sessions --delete ID`.",
        )
    problems = integrity.check_record(record)
    if not problems:
        return record
    raise SessionError(
        f"{where}: session {record.label!r} ({record.id}): its results or answers do not "
        "match its audit trail, so it is not read (was it edited by hand?): " + "; ".join(problems),
        hint="A recorded result is never changed by hand: restore the record from a backup, "
        "or delete it (`xrntx-guide sessions --delete ID`) and start a new walk; a result is "
        "corrected with a new entry (docs/scripting.md: the series, --correct; or 'edit').",
    )


def clean_label(text: str) -> str:
    """A typed patient label as stored (visit/labels.py: the one rule for every route).

    Raises:
        ValueError: saying what is wrong with it.
    """
    return clean(text)
