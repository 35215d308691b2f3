"""The pure evaluation: answers -> visible steps, derived values, gate verdicts, earliest dates.

Nothing here prints, prompts or reads the clock: ``today`` and every answer are passed in.
The interactive walkthrough, ``check`` and the tests all call :func:`evaluate` and
:func:`~xrntx_guide.engine.next_action.next_action`, so they cannot disagree.

The work is split by job: what an evaluation is given (inputs.py), the lazy context that
works values out on demand and judges a gate's rules once (context.py), each gate's result
(gates.py), answers given where they do not apply (hidden.py), messages and displayed
values (text.py), and the picture that comes out (state.py). This module runs them and
names what the rest of the program uses.
"""

from __future__ import annotations

from ..expr import Value
from ..pack.guide import Guide
from .context import LazyContext, decide_visibility
from .context import valid_default as valid_default
from .gates import GateResult as GateResult
from .gates import gate_result, injection_date, templates, with_injection_date
from .hidden import hidden_findings
from .inputs import Inputs as Inputs
from .inputs import Origin as Origin
from .inputs import Override as Override
from .inputs import OverrideRequest as OverrideRequest
from .state import State as State
from .state import state_context as state_context
from .state import usable_default as usable_default
from .text import display_value as display_value
from .text import render as render
from .text import singular as singular


def _after_the_injection(guide: Guide) -> frozenset[str]:
    """The questions asked after the injection step (the last that requires every gate
    clear)."""
    return frozenset(
        cq.key for step in guide.steps[guide.readiness_limit + 1 :] for cq in step.questions
    )


def _naming(guide: Guide) -> tuple[str, ...]:
    """The gates a rule of which shows ``{earliest_injection_date}``."""
    return tuple(g.id for g in guide.gates if any(r.names_the_injection_date for r in g.rules))


def evaluate(guide: Guide, inputs: Inputs) -> State:
    """Evaluate every step's visibility, every derived value and every gate."""
    ctx = LazyContext(
        guide, inputs.today, inputs.use_defaults, inputs.answers, overrides=inputs.overrides
    )
    step_visible = decide_visibility(ctx)
    # An answer given for a question that does not apply, or for one after an injection
    # the gates refuse (the injection step hidden: what follows it, the minutes observed
    # and the wallet card, describes a dose never given): named as not used, never taken
    # in silence. Only this list: what is shown, the values and the gates stay as judged.
    after = guide.once("after_the_injection", lambda: _after_the_injection(guide))
    refused = step_visible.get(guide.steps[guide.readiness_limit].id) is False
    not_applicable = tuple(
        k for k in inputs.answers if ctx.shown.get(k) is False or (refused and k in after)
    )
    lookup = ctx.lookup
    values: dict[str, Value] = {key: lookup(key) for key in guide.questions}
    for name in guide.derived:
        values[name] = lookup(name)
    answered = ctx.answered_keys()

    results: dict[str, GateResult] = {}
    fields = templates(guide)
    for gate in guide.gates:
        results[gate.id] = gate_result(guide, gate, ctx, inputs, fields[gate.id])
    # The words that name the date the injection can be given, once every gate is judged.
    readiness = [results[gid] for gid in guide.readiness_gate_ids]
    day = injection_date(readiness)
    holding = any(g.holds_date and g.blocking for g in readiness)
    for gid in guide.once("names_the_injection_date", lambda: _naming(guide)):
        results[gid] = with_injection_date(guide, results[gid], day, holding)
    findings = tuple(k for k in not_applicable if k not in inputs.from_record)
    if findings and not guide.contraindication_inputs.isdisjoint(findings):
        hidden_findings(guide, ctx, findings, results)
    return State(
        guide=guide,
        inputs=inputs,
        values=values,
        answered=answered,
        step_visible=step_visible,
        question_visible=dict(ctx.shown),
        gates=results,
        not_applicable_answers=not_applicable,
        invalid={k: v for k, v in ctx.invalid.items() if v is not None},
    )
