"""The earliest-date search asks, of each later day, only whether a gate passes; the
answer it gets is the engine's own verdict on that day, for every gate of random patients.

A wrong "passes" would offer a date on which a contraindication still holds. The search
(engine/gates.py) stops at the first rule that decides a day; the engine's judgement
(judge_gate) weighs every rule. Both are asked here on the same days, each of a context
of its own, as the search makes them.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings

from tests.strategies.patients import Case, cases, pool_guide
from xrntx_guide.engine.context import gate_passes, judge_gate
from xrntx_guide.engine.evaluate import Inputs, evaluate


def _judged_to_pass(applies: bool | None, worst: object, unknown: bool) -> bool:
    return applies is False or (worst is None and not unknown)


@settings(max_examples=150, deadline=None)
@given(cases())
def test_a_later_days_probe_passes_exactly_when_the_engine_judges_the_gate_passed(
    case: Case,
) -> None:
    guide = pool_guide(case.site)
    p = case.patient
    state = evaluate(guide, Inputs(p.answers, p.today))
    horizon = guide.meta.date_search_days
    for gate in guide.gates:
        base = state.gates[gate.id].basis[1]
        start = base.lookup(guide.meta.date_key)
        start = start if isinstance(start, dt.date) else p.today
        for n in (0, 1, 2, 3, horizon // 2, horizon):
            if start > dt.date.max - dt.timedelta(days=n):
                break  # past the calendar: the search asks nothing there
            day = start + dt.timedelta(days=n)
            applies, _, worst, unknown = judge_gate(gate, base.on(day))
            expected = _judged_to_pass(applies, worst, unknown)
            assert gate_passes(gate, base.on(day)) is expected, (gate.id, day, p)
