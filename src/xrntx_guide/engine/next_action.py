"""What the walk does next over an evaluated state, what no longer applies, timers.

Nothing here prints, prompts or reads the clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from ..expr import UNKNOWN, Scalar, truth
from ..pack.guide import CQuestion, CStep, Guide
from ..pack.severity import SEVERITIES
from ..records import record
from .context import LazyContext, decide_visibility
from .gates import GateResult
from .inputs import Override
from .state import State, state_context


@record(frozen=True)
class Ask:
    step: CStep
    question: CQuestion


@record(frozen=True)
class GateStop:
    """The walk cannot go on past this gate until the clinician acts (or the answers change).

    ``kind`` is ``blocked`` (contraindication: no way on), ``override`` (a stop: needs a
    coded reason and comment), ``acknowledge`` (a caution), ``notice`` (info) or
    ``undecided`` (answers it needs are missing).
    """

    step: CStep
    gate: GateResult
    kind: str


@record(frozen=True)
class Confirm:
    """A step with instructions only: the clinician confirms it is done."""

    step: CStep


@record(frozen=True)
class Done:
    pass


Action = Ask | GateStop | Confirm | Done


def _gate_action(step: CStep, r: GateResult) -> GateStop | None:
    if r.outcome in ("pass", "not_applicable", "overridden"):
        return None
    if r.outcome == "unknown":
        return GateStop(step, r, "undecided")
    if r.severity == "contraindication":
        return GateStop(step, r, "blocked")
    if r.severity == "stop":
        return GateStop(step, r, "override")
    if r.acknowledged:
        return None
    ask = SEVERITIES[r.severity].needs_acknowledgement
    return GateStop(step, r, "acknowledge" if ask else "notice")


def next_action(
    state: State, skipped: frozenset[str] = frozenset(), confirmed: frozenset[str] = frozenset()
) -> Action:
    """What the walk needs next: an answer, a decision on a gate, a confirmation, or done.

    Args:
        state: the evaluation of the current answers.
        skipped: optional questions the clinician chose to leave empty.
        confirmed: steps without questions that the clinician has confirmed.
    """
    guide = state.guide
    for step in guide.steps:
        if state.step_visible.get(step.id) is False:
            continue
        # Every gate guarding this step or an earlier one (a gate whose own step is hidden
        # in this flow is checked at the next step that is shown). Earlier gates are
        # settled already, so this is also the guarantee that nothing unsettled stands
        # before a step that requires every gate clear.
        for gate in guide.guarding[step.index]:
            stop = _gate_action(step, state.gates[gate.id])
            if stop is not None:
                return stop
        for cq in step.questions:
            if state.question_visible.get(cq.key) is False:
                continue
            if cq.key in state.answered or cq.key in skipped or not cq.spec.asked:
                continue
            if cq.computed is not None and state.value(cq.key) is not UNKNOWN:
                continue
            return Ask(step, cq)
        if not step.questions and step.id not in confirmed:
            return Confirm(step)
    return Done()


def stop_before(state: State, step: CStep) -> GateStop | None:
    """The first gate that stands before ``step`` now, as the walk would stop at it; None
    when every gate guarding ``step`` (and the steps before it) is settled.

    A question may be asked again out of order (``back``, ``edit``): it is asked only when
    this is None, so no command reaches a step that a gate closes.
    """
    for earlier in state.guide.steps[: step.index + 1]:
        for gate in state.guide.guarding[earlier.index]:
            stop = _gate_action(earlier, state.gates[gate.id])
            if stop is not None and stop.kind != "notice":
                return stop
    return None


def instructions(state: State, step: CStep) -> str:
    """The step's instructions for this patient: its text, then each note whose condition
    holds (an undecided note is left out), with placeholders filled."""
    ctx = state_context(state)
    parts = [step.spec.instructions]
    parts.extend(text for when, text in step.notes if truth(when.function(ctx)) is True)
    return state.render("\n\n".join(p.strip("\n") for p in parts if p.strip()))


def stop_kind(state: State, stop: GateStop) -> str:
    """What a walk stopped at ``stop`` waits for, as said to the clinician and to a
    script: ``blocked`` when a contraindication stands before the injection, whatever the
    gate the walk stopped at first (an override or acknowledgement of that one would not
    open the way, nor would the answers an undecided one waits for; ``check`` says blocked
    for the same answers); the stop's own kind otherwise."""
    if state.contraindications:
        return "blocked"
    return stop.kind


def walk_status(state: State, action: Action) -> str:
    """How a walk stands, for the session list: complete, blocked, needs_override, in_progress."""
    if isinstance(action, Done):
        return "complete"
    if isinstance(action, GateStop):
        kind = stop_kind(state, action)
        if kind == "blocked":
            return "blocked"
        if kind == "override":
            return "needs_override"
    return "in_progress"


def prune(
    guide: Guide,
    answers: Mapping[str, Scalar],
    today: dt.date,
    overrides: Mapping[str, Override] | None = None,
) -> tuple[dict[str, Scalar], list[str]]:
    """Drop answers to questions that no longer apply; return (kept, cleared keys)."""
    ctx = LazyContext(guide, today, False, answers, overrides=overrides)
    decide_visibility(ctx)
    kept = {k: v for k, v in answers.items() if ctx.shown.get(k) is not False}
    cleared = [k for k in answers if k not in kept]
    return kept, cleared


def wait_remaining(
    state: State, cq: CQuestion, started: dt.datetime | None, now: dt.datetime
) -> dt.timedelta | None:
    """Time left before a timed result may be entered; None when the timer has not started."""
    if cq.wait_minutes is None:
        return dt.timedelta(0)
    minutes = cq.wait_minutes.evaluate(state_context(state))
    if minutes is UNKNOWN or started is None:
        return None
    left: dt.timedelta = started + dt.timedelta(minutes=float(minutes)) - now  # type: ignore[arg-type]
    return max(left, dt.timedelta(0))


def wait_minutes(state: State, cq: CQuestion) -> float | None:
    if cq.wait_minutes is None:
        return None
    minutes = cq.wait_minutes.evaluate(state_context(state))
    return None if minutes is UNKNOWN else float(minutes)  # type: ignore[arg-type]
