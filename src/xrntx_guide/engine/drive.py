"""The one loop over :func:`~xrntx_guide.engine.next_action.next_action`, and its responders.

Every walk (at the keyboard, with nobody to ask, a presenter replaying a scenario) is this
loop: evaluate the record, take the next action, let what the flags settle be recorded the
same way for all, and hand the rest to a :class:`Responder`. A responder answers by
recording into the record (or ends the walk with an :class:`Outcome`); the loop never
prints, prompts or writes files.

:class:`Unattended` is the responder for ``walk --no-input`` and any walk off a terminal:
it records what needs no person (a question's default, an optional question left empty, a
step confirmed) and stops at the first thing only a person could supply.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping
from typing import Literal, Protocol

from ..expr import UNKNOWN, Scalar
from ..pack.guide import Guide
from ..records import field, record
from .bounds import bound_problem
from .evaluate import Inputs, Origin, OverrideRequest, State, evaluate, state_context
from .needed import needed_next
from .next_action import Action, Ask, Confirm, Done, GateStop, next_action, walk_status

MAX_STEPS = 10_000
"""Each pass records one thing and a pack is finite: a bound, not a limit anyone meets."""


class Record(Protocol):
    """What the loop reads and writes of a walk's record (a session record, in practice)."""

    skipped: list[str]
    confirmed: list[str]
    status: str

    def inputs(self, guide: Guide, today: dt.date, use_defaults: bool = False) -> Inputs: ...
    def set_answer(self, key: str, value: Scalar, origin: Origin, now: dt.datetime) -> None: ...
    def skip(self, key: str, now: dt.datetime) -> None: ...
    def confirm(self, step: str, now: dt.datetime) -> None: ...
    def override(
        self,
        gate: str,
        code: str,
        comment: str,
        fingerprint: str,
        now: dt.datetime,
        origin: Origin = "typed",
    ) -> None: ...
    def acknowledge(
        self, gate: str, fingerprint: str, now: dt.datetime, origin: Origin = "typed"
    ) -> None: ...


@record(frozen=True)
class Outcome:
    """Where a walk ended.

    ``done``: the walk is complete. ``stop``: a :class:`GateStop` that nothing settles (a
    contraindication; a stop without an override; a caution nobody acknowledged).
    ``missing``: a required question has no answer and no default; ``missing`` lists the
    required answers missing on the path the answers lead to, in walk order, up to a gate
    that ends the walk whatever they are (engine/needed.py), and ``filled`` is the
    evaluation with defaults applied that the list (and the flags that would supply it)
    comes from; ``until``: that gate, if the list ends at one.
    """

    kind: Literal["done", "stop", "missing"]
    state: State
    stop: GateStop | None = None
    missing: list[str] = field(default_factory=list)
    filled: State | None = None
    until: GateStop | None = None
    """With ``missing``: the gate the walk then stops at, whatever those answers are."""


@record(frozen=True)
class Prefill:
    """A value filled in for a question when the walk reaches it unanswered (the last
    injection, from the patient's earlier visits). It is recorded like any answer, with
    its origin, so it is shown, changeable, and judged by the gates like a typed one."""

    value: Scalar
    origin: Origin
    note: str
    """Where the value came from, in words (for the screen)."""


@record(frozen=True)
class Flags:
    """What the command line settles before anyone is asked: the same for every walk."""

    overrides: Mapping[str, OverrideRequest] = field(default_factory=dict)
    acknowledge: Collection[str] = ()
    """Caution gate ids acknowledged by flag; ``all`` for every caution."""
    prefills: Mapping[str, Prefill] = field(default_factory=dict)
    """Values filled in when their question is reached, once per walk: a flag, a file
    or the session's own answer always comes first, since the question is then answered."""
    on_prefill: Callable[[State, Ask, Prefill, str | None], None] | None = None
    """Told of each value filled in (the screen says so, with its origin), or of why it
    was not (the reason, when the value is outside the question's bounds)."""
    refuse: Callable[[], None] | None = None
    """Called after a value is filled in: raises (InvalidAnswer) when the
    answers now contradict the record (visit/contradiction.py), so that an answer given
    before the value was filled in is never walked past it."""
    recheck: Callable[[bool], None] | None = None
    """Reads the patient's record again and raises when it now holds what contradicts
    the answers (a dose another run recorded for the patient while this walk ran):
    called with False once, as the walk is about to show the injection step (before the
    needle), and with True once the answers would count the dose, before it counts."""

    def prefill(self, record: Record, state: State, action: Ask, now: dt.datetime) -> bool:
        """Record the value filled in for this question; False when there is none, or
        when the question's bounds refuse it (a last injection after this visit's date):
        the question is then asked, and the session never holds a value that cannot count."""
        fill = self.prefills.get(action.question.key)
        if fill is None:
            return False
        filled = {k: p.value for k, p in self.prefills.items()}
        answers = {k: state.value(k) for k in state.answered}
        if action.question.key in state.guide.of_another_dose(filled, answers):
            return False  # the recorded dose's side, beside another dose's date: asked
        problem = bound_problem(action.question, fill.value, state_context(state))
        if problem is None:
            record.set_answer(action.question.key, fill.value, fill.origin, now)
            if self.refuse is not None:
                self.refuse()
        if self.on_prefill is not None:
            self.on_prefill(state, action, fill, problem)
        return problem is None

    def settles(self, action: GateStop) -> bool:
        """Whether the flags say something about this stop (an override, an
        acknowledgement), so that the walk goes on past it."""
        g = action.gate
        if action.kind == "override":
            return g.id in self.overrides
        if action.kind == "acknowledge":
            return g.id in self.acknowledge or "all" in self.acknowledge
        return False

    def settle(self, record: Record, action: GateStop, now: dt.datetime) -> bool:
        """Record what the flags say about this stop; False when they say nothing."""
        if not self.settles(action):
            return False
        g = action.gate
        if action.kind == "override":
            req = self.overrides[g.id]
            record.override(g.id, req.code, req.comment, g.fingerprint, now, "flag")
        else:
            record.acknowledge(g.id, g.fingerprint, now, "flag")
        return True


class Responder(Protocol):
    """Who supplies what the loop needs, one action at a time."""

    def pending(self, state: State) -> Action | None:
        """An action to take before the engine's next one (a question asked again after
        'back'); None to follow the engine."""

    def checkpoint(self, state: State) -> bool:
        """Called on every pass, before the action: the place to save. True when the
        record changed under the walk there (a save that merged in what another run
        stored meanwhile): the loop then reads it again before it acts."""

    def settled(self, state: State, action: GateStop) -> None:
        """The flags settled ``action``; the responder may say so."""

    def respond(self, state: State, action: Ask | Confirm | GateStop) -> Outcome | None:
        """Record a reply into the record, or end the walk with an outcome."""

    def done(self, state: State) -> None:
        """The walk is complete."""


def drive(
    guide: Guide,
    record: Record,
    day: dt.date,
    responder: Responder,
    now: Callable[[], dt.datetime],
    flags: Flags | None = None,
) -> Outcome:
    """Walk ``record`` with ``responder`` until it is done or the responder ends it.

    Args:
        guide: the loaded pack.
        record: the walk's record; answers, skips, confirmations, overrides and
            acknowledgements are added to it, and its status kept current.
        day: the date of the walk.
        responder: who answers.
        now: the time stamped on what is recorded.
        flags: overrides and acknowledgements given on the command line.
    """
    flags = flags or Flags()
    prefilled: set[str] = set()
    injection_shown = False
    for _ in range(MAX_STEPS):
        state = evaluate(guide, record.inputs(guide, day))
        if flags.recheck is not None and state.injection_given is True:
            # The record was read when the walk began: another run may have recorded a
            # dose for the patient since. Read again before the dose counts.
            flags.recheck(True)
        if responder.checkpoint(state):
            # Another run's results and answers joined the record at this save: the next
            # action is decided on the record as merged, never on the state read before
            # it (a positive challenge saved meanwhile stops the walk before the needle).
            continue
        pending = responder.pending(state)
        action = pending or next_action(
            state, frozenset(record.skipped), frozenset(record.confirmed)
        )
        at_injection = (
            isinstance(action, Ask | Confirm) and action.step.index >= guide.readiness_limit
        )
        if (
            flags.recheck is not None
            and at_injection
            and not injection_shown
            and state.injection_given is not True
        ):
            # The same reading before the injection step is shown, each time the walk
            # arrives at it (again after 'back' or 'edit'): a dose another room recorded
            # meanwhile stops the walk before the needle, not after it.
            flags.recheck(False)
        injection_shown = at_injection
        record.status = walk_status(state, action)
        if isinstance(action, Done):
            responder.done(state)
            return Outcome("done", state)
        # A value is filled in once per walk, and never for a question asked again
        # (back, edit): if the engine does not count it, the clinician is asked.
        if (
            pending is None
            and isinstance(action, Ask)
            and action.question.key in flags.prefills
            and action.question.key not in prefilled
        ):
            prefilled.add(action.question.key)
            if flags.prefill(record, state, action, now()):
                continue
        if isinstance(action, GateStop) and flags.settle(record, action, now()):
            responder.settled(state, action)
            continue
        ended = responder.respond(state, action)
        if ended is not None:
            return ended
    raise RuntimeError("the walk did not finish")  # pragma: no cover - bounded


@record
class Unattended:
    """The responder with nobody to ask: defaults, empty optional answers, confirmations
    and notices are recorded; anything else ends the walk and says what it needs."""

    guide: Guide
    record: Record
    day: dt.date
    now: Callable[[], dt.datetime]
    flags: Flags = field(default_factory=Flags)
    """The run's flags: a stop they pass does not end the list of missing answers."""

    def pending(self, state: State) -> Action | None:
        return None

    def checkpoint(self, state: State) -> bool:
        return False

    def settled(self, state: State, action: GateStop) -> None:
        return None

    def done(self, state: State) -> None:
        return None

    def respond(self, state: State, action: Ask | Confirm | GateStop) -> Outcome | None:
        if isinstance(action, Ask):
            cq = action.question
            filled = evaluate(self.guide, self.record.inputs(self.guide, self.day, True))
            value = filled.value(cq.key)
            if cq.default is not None and value is not UNKNOWN:
                self.record.set_answer(cq.key, value, "default", self.now())  # type: ignore[arg-type]
                return None
            if cq.spec.optional:
                self.record.skip(cq.key, self.now())
                return None
            needed, until = needed_next(
                filled, cq.key, self.record.skipped, self.flags.settles, self.flags.prefills
            )
            return Outcome("missing", state, missing=needed, filled=filled, until=until)
        if isinstance(action, Confirm):
            self.record.confirm(action.step.id, self.now())
            return None
        if action.kind == "notice":
            self.record.acknowledge(action.gate.id, action.gate.fingerprint, self.now(), "flag")
            return None
        return Outcome("stop", state, stop=action)


def walk_unattended(
    guide: Guide,
    record: Record,
    day: dt.date,
    overrides: Mapping[str, OverrideRequest],
    acknowledge: Collection[str],
    now: dt.datetime,
    prefills: Mapping[str, Prefill] | None = None,
    refuse: Callable[[], None] | None = None,
    recheck: Callable[[bool], None] | None = None,
) -> Outcome:
    """Walk ``record`` as far as it goes without a person, recording into it as it goes
    (``refuse``, ``recheck``: as :attr:`Flags.refuse` and :attr:`Flags.recheck`)."""

    def clock() -> dt.datetime:
        return now

    flags = Flags(overrides, acknowledge, prefills or {}, refuse=refuse, recheck=recheck)
    return drive(guide, record, day, Unattended(guide, record, day, clock, flags), clock, flags)
