"""What is recorded after the injection (the minutes observed, the wallet card) means
nothing at a visit whose gates refuse the injection: ``check --json`` lists those answers
as ``ignored``, as it lists the injection's own answers, and never takes them in silence
(docs/scripting.md, ``ignored``; clinical basis, safety invariants 10 and 12)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import DOSE_GIVEN, TODAY, Run, check, days_ago, make_pack, ready_patient
from xrntx_guide.engine.evaluate import Inputs, evaluate
from xrntx_guide.pack.load import load_guide

AFTER_THE_INJECTION = ("observation_minutes", "wallet_card_given")


def ignored(run: Run, answers: dict[str, Any]) -> tuple[str, list[str]]:
    out = check(run, {**answers, **DOSE_GIVEN})
    data = json.loads(out.stdout)
    return data["status"], list(data.get("ignored") or [])


def test_a_ready_patient_uses_what_is_recorded_after_the_injection(run: Run) -> None:
    """Control: the injection can be given, so nothing recorded of it is ignored."""
    status, unused = ignored(run, ready_patient())
    assert status == "ready"
    assert not set(AFTER_THE_INJECTION) & set(unused), unused


def test_a_blocked_patient_ignores_what_is_recorded_after_the_injection(run: Run) -> None:
    """Last use 4 days ago: the opioid-free interval stands and no injection can be given;
    the injection's own answers are listed as ignored, and so must be what follows it."""
    status, unused = ignored(run, ready_patient(last_opioid_use=days_ago(4)))
    assert status == "blocked"
    assert "injection_given" in unused, unused
    assert set(AFTER_THE_INJECTION) <= set(unused), unused


HIDDEN_BEFORE_THE_INJECTION = """
[[step.question]]
key = "reaction_kind"
type = "bool"
prompt = "A reaction of the kind that needs asking?"
when = "allergic"

[[step.question]]
key = "pain_expected"
type = "bool"
prompt = "Pain expected?"
when = "reaction_kind"
"""

PAIN_GATE = """
[[gate]]
id = "pain"
title = "Pain"
before = "inject"
sources = ["ref"]

[[gate.rule]]
severity = "contraindication"
fails_when = "coalesce(pain_expected, false)"
message = "Pain expected: do not inject."
"""


def test_before_the_injection_a_condition_on_a_question_never_asked_stays_undecided(
    tmp_path: Path,
) -> None:
    """Only what follows the injection is hidden by a condition on answers never asked:
    before it, such a condition leaves its question undecided, and a required answer
    there is still missing (safety invariant 2), even where a guarding gate reads it
    through coalesce() and would pass without it."""
    steps = make_pack(
        tmp_path,
        replace={'prompt = "Allergic to the drug?"\n': 'prompt = "Allergic to the drug?"\n'
                 + HIDDEN_BEFORE_THE_INJECTION},
        append=PAIN_GATE,
    )  # fmt: skip
    guide = load_guide(steps, None)
    state = evaluate(guide, Inputs({"visit_date": TODAY, "allergic": False}, TODAY))
    assert state.question_visible["reaction_kind"] is False  # decided: never asked
    assert state.question_visible["pain_expected"] is None
    assert "pain_expected" in state.missing_before_injection
    assert state.status != "ready"
