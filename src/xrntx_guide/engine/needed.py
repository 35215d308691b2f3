"""The answers an unattended walk needs next: those on the path its answers lead to.

A walk with nobody to ask stops at the first required question without an answer and
says what it needs. Every required question that applies (or may apply) is not that:
a gate further on may already end the walk whatever the missing answers turn out to be
(an end-of-treatment visit ends before the medical evaluation of an injection it will
not give; a contraindication already decided ends the visit before the readiness
questions). The list stops at such a gate, and only there: a gate whose outcome, or
whose step's being shown, could still change with an answer not yet given is walked
past, so an answer the walk goes on to need is never left out.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from ..expr import UNKNOWN
from ..pack.guide import CStep
from .next_action import GateStop, _gate_action
from .state import State


def needed_next(
    state: State,
    asked: str,
    skipped: Collection[str],
    settles: Callable[[GateStop], bool],
    filled_in: Collection[str] = (),
) -> tuple[list[str], GateStop | None]:
    """The required answers missing on the walk's path, in walk order, and the gate the
    walk then stops at whatever they are (None: none is known yet).

    Args:
        state: the evaluation with defaults applied (what the walk would record).
        asked: the question the walk stopped at (always listed).
        skipped: optional questions left empty: their answer is known to be none.
        settles: whether the run's flags pass a stop (an override, an acknowledgement).
        filled_in: questions the walk fills in from the patient's record when it reaches
            them (an optional one too): not known yet here.
    """
    guide = state.guide
    from_step = guide.step(guide.questions[asked].step_id).index
    # The questions on the path whose answers are not known yet, and every name computed
    # from them: what those answers may still change.
    open_names: set[str] = set()
    on_path: set[str] = set()
    until: GateStop | None = None
    for step in guide.steps:
        shown = state.step_visible.get(step.id)
        moves = step.when is not None and bool(step.when.reads & open_names)
        if shown is False and not moves:
            continue
        # The gates before the stopped-at step were passed on the way to it.
        if step.index > from_step and shown is True and not moves:
            until = _ends(state, step, open_names, settles)
            if until is not None:
                break
        for cq in step.questions:
            if shown is not False:
                on_path.add(cq.key)
            if cq.key in skipped or state.value(cq.key) is not UNKNOWN:
                continue
            if cq.key not in filled_in and (cq.spec.optional or not cq.spec.asked):
                continue  # left empty by the walk (or never asked): known to be none
            hidden = shown is False or state.question_visible.get(cq.key) is False
            if hidden and not moves and not (cq.when is not None and cq.when.reads & open_names):
                continue  # hidden whatever the open answers are: never answered
            open_names |= {cq.key, *guide.dependents.get(cq.key, frozenset())}
    listed = [key for key in state.missing() if key in on_path]
    return (listed if asked in listed else [asked, *listed]), until


def _ends(
    state: State, step: CStep, open_names: set[str], settles: Callable[[GateStop], bool]
) -> GateStop | None:
    """The gate checked at ``step`` that ends the walk there whatever the answers not yet
    known are (None: none does): it stops the walk now, the run's flags do not pass it,
    and it reads none of those answers (through derived values and computed questions)."""
    guide = state.guide
    for gate in guide.guarding[step.index]:
        stop = _gate_action(step, state.gates[gate.id])
        if stop is None or stop.kind in ("undecided", "notice") or settles(stop):
            continue
        # A default of a later step is not recorded yet when the walk checks the gate here,
        # whether the gate reads it or a name computed from it (a derived value, a
        # computed question, another default).
        later = any(
            guide.step(cq.step_id).index >= step.index
            and cq.key not in state.inputs.answers
            and state.value(cq.key) is not UNKNOWN
            and ({cq.key} | guide.dependents.get(cq.key, frozenset())) & gate.inputs
            for cq in guide.questions.values()
        )
        if not later and not gate.inputs & open_names:
            return stop
    return None
