"""A walk stopped by a gate that guards only the injection step ends blocked, never
complete (safety invariants 1 and 12).

The kit's storage and the body habitus are judged just before the injection. When one of
them fails, the injection step is hidden, and so (as the injection is never given) is
what follows it. The unattended walk must still stop at the failing gate, exit 1, and
record the visit as blocked: a walk that ran out of steps and called itself complete,
exit 0, told a script the visit was done while a contraindication stood.
"""

from __future__ import annotations

import json

import pytest

from tests.helpers import DOSE_GIVEN, TODAY, Run, after_injection, at_noon, ready_patient
from xrntx_guide.errors import ExitCode


@pytest.mark.parametrize(
    ("gate", "answer", "status"),
    [
        ("kit_storage", {"kit_storage_ok": False}, "blocked"),  # a contraindication
        ("body_habitus", {"body_habitus": "unsuitable"}, "needs_override"),  # a stop
    ],
)
def test_a_gate_failing_at_the_injection_stops_the_walk(
    run: Run, gate: str, answer: dict[str, object], status: str
) -> None:
    answers = {**ready_patient(**answer), **DOSE_GIVEN}
    out = run(
        "walk", "--no-input", "--json", "--label", "KIT-1", "--now", at_noon(TODAY),
        "--acknowledge", "all", "--answers", "-", input=json.dumps(
            {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in answers.items()}
        ),
    )  # fmt: skip
    data = json.loads(out.stdout)
    assert out.exit_code == ExitCode.BLOCKED, out.output
    assert data["status"] == status and data["stopped_at"] == gate, data


def test_the_control_a_ready_patient_completes(run: Run) -> None:
    answers = after_injection()
    out = run(
        "walk", "--no-input", "--json", "--label", "KIT-2", "--now", at_noon(TODAY),
        "--acknowledge", "all", "--answers", "-", input=json.dumps(
            {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in answers.items()}
        ),
    )  # fmt: skip
    assert out.exit_code == ExitCode.OK, out.output
    assert json.loads(out.stdout)["status"] == "complete"
