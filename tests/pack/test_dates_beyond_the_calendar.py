"""A pack whose expression moves a date past the calendar (``add_days(d, 99999999999)``):
``validate`` warns where it is written, and a walk stopped by the gate it leaves undecided
reports a status ``walk --json`` documents (the injection is never allowed by it)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import TODAY, Run, make_pack
from xrntx_guide.errors import ExitCode

OVERFLOW = 'fails_when = "add_days(visit_date, 99999999999) > visit_date or allergic"'
DOCUMENTED = {"complete", "blocked", "needs_override", "needs_acknowledgement", "incomplete"}


def _pack(tmp_path: Path) -> Path:
    return make_pack(tmp_path, replace={'fails_when = "allergic"': OVERFLOW})


def test_validate_warns_of_a_day_count_past_the_calendar(run: Run, tmp_path: Path) -> None:
    result = run("validate", "--json", "--steps", str(_pack(tmp_path)))
    assert result.exit_code == ExitCode.OK, result.output
    warnings = [p for p in json.loads(result.stdout) if p["severity"] == "warning"]
    assert any("99999999999" in p["message"] for p in warnings), warnings
    assert any(p["path"].endswith("fails_when") and p["line"] for p in warnings), warnings


def test_a_gate_a_date_overflow_leaves_undecided_gives_a_documented_status(
    run: Run, tmp_path: Path
) -> None:
    result = run(
        "walk", "--no-input", "--json", "--no-save", "--steps", str(_pack(tmp_path)),
        "--today", TODAY.isoformat(), "--answer", "allergic=no",
    )  # fmt: skip
    out = json.loads(result.stdout)
    assert out["status"] in DOCUMENTED, out
    assert out["status"] != "complete" and result.exit_code != ExitCode.OK, out
    assert out["stopped_at"] == "allergy"
