"""No step after the injection can be reached without passing the readiness gates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from xrntx_guide.checks import readiness_is_guarded
from xrntx_guide.engine import Ask, Confirm, GateStop, Inputs, evaluate, next_action
from xrntx_guide.loader import load_guide

from .test_loader import make_pack

# ---------------------------------------------------------------------------------------
# After the injection: only past the readiness gates

AFTER = """
[[step]]
id = "after"
phase = "intake"
title = "After the injection"

[[step.question]]
key = "observed"
type = "bool"
prompt = "Observed?"
"""


def test_readiness_is_guarded_holds_for_a_pack_with_steps_after_the_injection(
    tmp_path: Path,
) -> None:
    guide = load_guide(make_pack(tmp_path, append=AFTER))
    assert readiness_is_guarded(guide) == []
    after = guide.step("after")
    assert {g.id for g in guide.guarding[after.index]} >= set(guide.readiness_gate_ids)


def test_readiness_is_guarded_names_a_step_after_the_injection_that_skips_a_gate(
    tmp_path: Path,
) -> None:
    """The check looks at what the walk uses: were ``guarding`` ever built so that a later
    step skipped a readiness gate, the check says so."""
    guide = load_guide(make_pack(tmp_path, append=AFTER))
    broken = (*guide.guarding[:-1], ())  # the last step guarded by nothing
    object.__setattr__(guide, "guarding", broken)  # a cached property, set by hand
    (issue,) = readiness_is_guarded(guide)
    assert "step 'after' comes after the injection" in issue.message
    assert issue.path == ("step", 2)


def test_a_blocked_patient_never_reaches_a_step_after_the_injection(tmp_path: Path) -> None:
    """The walk stops at the blocking gate: the step after the injection is neither asked
    nor confirmed, whatever was answered for it."""
    guide = load_guide(make_pack(tmp_path, append=AFTER))
    answers = {"visit_date": dt.date(2026, 1, 1), "allergic": True}
    state = evaluate(guide, Inputs(answers=answers, today=dt.date(2026, 1, 1)))
    action = next_action(state, confirmed=frozenset({"inject"}))
    assert isinstance(action, GateStop), action
    assert action.gate.id == "allergy"
    assert not isinstance(action, Ask | Confirm)
