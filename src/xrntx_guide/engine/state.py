"""The whole picture of one evaluation: values, what is shown, each gate's result, and what
follows from them (status, what is missing, the earliest injection date)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping

from ..expr import UNKNOWN, Context, Value
from ..pack.guide import CQuestion, Guide
from ..records import field, record
from .context import valid_default
from .gates import GateResult, injection_date
from .inputs import Inputs
from .text import render, shown_value


@record(frozen=True)
class State:
    """The whole picture for one set of answers on one date."""

    guide: Guide
    inputs: Inputs
    values: Mapping[str, Value]
    answered: frozenset[str]
    step_visible: Mapping[str, bool | None]
    question_visible: Mapping[str, bool | None]
    gates: Mapping[str, GateResult]
    not_applicable_answers: tuple[str, ...]
    """Answers given for questions that do not apply to this patient (they are ignored)."""
    invalid: Mapping[str, str] = field(default_factory=dict)
    """Answer key -> why the answer cannot count (outside its bounds, or contradicting
    other answers). Such an answer is treated as not given: the patient is never ready."""

    def value(self, name: str) -> Value:
        if name == "today":
            return self.inputs.today
        if name.startswith("settings."):
            return self.guide.setting_values.get(name[9:], UNKNOWN)  # type: ignore[no-any-return]
        return self.values.get(name, UNKNOWN)

    def display(self, name: str) -> str:
        """A value as a clinician reads it (:func:`~xrntx_guide.engine.text.shown_value`,
        the rule gate reasons follow too)."""
        return shown_value(self.guide, name, self.value, self.answered.__contains__)

    def render(self, text: str, extra: Mapping[str, str] | None = None) -> str:
        return render(text, self.display, extra)

    def missing(self, up_to_step: int | None = None) -> list[str]:
        """Required questions that apply (or may apply) and have no value, in walk order."""
        out = []
        visible, values = self.question_visible, self.values
        for index, cq in self.guide.once("required_questions", self._required):
            if up_to_step is not None and index >= up_to_step:
                break
            if visible.get(cq.key) is False:
                continue
            if values.get(cq.key, UNKNOWN) is UNKNOWN and not self._undecided(cq):
                out.append(cq.key)
        return out

    def _required(self) -> tuple[tuple[int, CQuestion], ...]:
        """The questions that must be answered where they apply (neither optional nor
        never asked), in walk order, each with its step's index: what :meth:`missing`
        reads, from the pack alone."""
        return tuple(
            (step.index, cq)
            for step in self.guide.steps
            for cq in step.questions
            if not cq.spec.optional and cq.spec.asked
        )

    def _undecided(self, cq: CQuestion) -> bool:
        """Answered with a choice that records the fact as not established ("not
        examined"): not missing, but its gate stays undecided."""
        given = self.inputs.answers.get(cq.key) if cq.undecided_values else None
        return given is not None and given in cq.undecided_values

    @functools.cached_property
    def readiness_limit(self) -> int:
        """Index of the last step that requires every gate clear (the injection)."""
        return self.guide.readiness_limit

    def readiness_gates(self) -> list[GateResult]:
        """Gates that guard the injection (at or before the last requires_clear step)."""
        return [self.gates[gid] for gid in self.guide.readiness_gate_ids]

    @functools.cached_property
    def missing_before_injection(self) -> list[str]:
        """Required answers still missing before the injection, in walk order."""
        return self.missing(self.readiness_limit)

    @functools.cached_property
    def contraindications(self) -> list[GateResult]:
        """The gates before the injection that fail as a contraindication: while one
        stands, the injection cannot be given, and no override or acknowledgement of
        another gate opens the way."""
        return [
            g
            for g in self.readiness_gates()
            if g.outcome == "fail" and g.severity == "contraindication"
        ]

    @functools.cached_property
    def status(self) -> str:
        """ready | blocked | needs_override | incomplete, for giving the injection now."""
        gates = self.readiness_gates()
        if self.contraindications:
            return "blocked"
        if self.invalid:  # an answer that cannot count: never ready (safety invariant 2, 4)
            return "incomplete"
        if self.missing_before_injection or any(g.outcome == "unknown" for g in gates):
            return "incomplete"
        if any(g.blocking for g in gates):
            return "needs_override"
        return "ready"

    @functools.cached_property
    def injection_given(self) -> Value:
        """Whether the dose was given, as the record may state it: the pack's answer that
        records it (``[guide.report] injection_given``) counts only when the gates allow
        the injection (status ready, every caution before it acknowledged: the walk reached
        the injection step). An answer "given" beside a gate that blocks or waits for an
        acknowledgement, or an answer that is missing, is unknown: a note, summary, next
        dose or calendar event never says a dose was given that the gates did not allow
        (safety invariant 12)."""
        key = self.guide.meta.report.injection_given
        if key is None:
            return UNKNOWN
        value = self.value(key)
        reached = self.status == "ready" and all(g.settled for g in self.readiness_gates())
        if value is True and not reached:
            return UNKNOWN
        return value

    @functools.cached_property
    def blocking(self) -> list[str]:
        return [g.id for g in self.readiness_gates() if g.blocking]

    @functools.cached_property
    def cautions(self) -> list[str]:
        return [
            g.id for g in self.gates.values() if g.outcome == "fail" and g.severity == "caution"
        ]

    @functools.cached_property
    def earliest_injection_date(self) -> dt.date | None:
        """The first date on which every time-dependent contraindication would pass, and
        every stop whose way out is waiting (an early repeat dose: engine/gates.py
        :func:`injection_date`, the one rule).

        Other stops are left out: an override or an action (doing the naloxone challenge)
        clears them, so waiting is not their way out. Their own ``earliest_date`` still
        shows.
        """
        return injection_date(self.readiness_gates())


def usable_default(cq: CQuestion, state: State) -> Value:
    """What the prompt offers for Enter: the default, else the suggestion, else UNKNOWN."""
    for comp in (cq.default, cq.suggest):
        if comp is not None:
            ctx = state_context(state)
            value = valid_default(cq, comp.evaluate(ctx), ctx)
            if value is not UNKNOWN:
                return value
    return UNKNOWN


class _StateCtx(Context):
    def __init__(self, state: State) -> None:
        self.state = state

    def lookup(self, name: str) -> Value:
        return self.state.value(name)

    def is_answered(self, name: str) -> bool:
        return name in self.state.answered


def state_context(state: State) -> Context:
    """A context over an evaluated state, for bounds and timers."""
    return _StateCtx(state)
