"""What is recorded after the injection (the minutes observed, the wallet card) means
nothing at a visit whose gates refuse the injection: ``check --json`` lists those answers
as ``ignored``, as it lists the injection's own answers, and never takes them in silence
(docs/scripting.md, ``ignored``; clinical basis, safety invariants 10 and 12)."""

from __future__ import annotations

import json
from typing import Any

from tests.helpers import DOSE_GIVEN, Run, check, days_ago, ready_patient

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
