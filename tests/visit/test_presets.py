"""Answers, overrides and acknowledgements given up front: flags and files (visit/presets.py)."""

from __future__ import annotations

import pytest

from tests.helpers import TODAY, Run, answer_flags, check, ready_patient
from xrntx_guide.errors import ExitCode


@pytest.mark.parametrize("gate_id", ["nosuch", "consent"])
def test_acknowledge_names_a_caution_gate(run: Run, gate_id: str) -> None:
    result = run(
        "walk",
        "--no-input",
        "--label",
        "a",
        "--today",
        TODAY.isoformat(),
        "--acknowledge",
        gate_id,
        *answer_flags(ready_patient()),
    )
    assert result.exit_code == ExitCode.USAGE, result.output
    assert gate_id in result.stderr


def test_a_misspelt_override_code_is_refused(run: Run) -> None:
    result = check(
        run, ready_patient(lft_multiple_uln=6.0), "--override", "liver=specialist_consultd: agreed"
    )
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "specialist_consulted" in result.stderr
