"""A clinic's copy of the pack that keeps every shipped name and only ADDS a recent-use
history (``[guide.report.history] recent_kind``: "methadone in the last 30 days", for
methadone, an opioid this pack names) records a correct visit: this morning a first
induction recorded a yes to that methadone history and was left before the fentanyl
history was answered (consent not given). Read by the shipped pack, that record must read
as the shipped pack's own record of the visit (safety invariant 9: a copy that only adds
rows reads the same): it never said fentanyl, so a later visit's no to "fentanyl in the
last 30 days" is taken. Reading the methadone yes as a yes to the fentanyl history refuses
that no, naming a session that recorded no such thing, and the only answer it leaves is a
fentanyl history the patient does not have."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import (
    TODAY,
    Run,
    answer_flags,
    copy_steps,
    ready_patient,
    stored_sessions,
    walk_visit,
)

LABEL = "CLINIC-ADDED-HISTORY"
FENTANYL_ROW = (
    '  { question = "fentanyl_used_30_days", kind = "fentanyl", days = "fentanyl_history_days" },\n'
)
METHADONE_ROW = (
    '  { question = "methadone_used_30_days", kind = "methadone", '
    'days = "fentanyl_history_days" },\n'
)
FENTANYL_QUESTION = '[[step.question]]\nkey = "fentanyl_used_30_days"'
METHADONE_QUESTION = """[[step.question]]
key = "methadone_used_30_days"
type = "bool"
prompt = "Was methadone among the opioids used in the last 30 days?"

"""


def copy_adding_a_methadone_history(root: Path) -> Path:
    """The shipped pack under its own names (another guide id), with a methadone history
    asked before the fentanyl one and kept as a recent-use history."""
    steps = copy_steps(root)
    for path in steps.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        text = text.replace('id = "xrntx_induction"', 'id = "clinic_copy"', 1)
        text = text.replace(FENTANYL_ROW, FENTANYL_ROW + METHADONE_ROW)
        text = text.replace(FENTANYL_QUESTION, METHADONE_QUESTION + FENTANYL_QUESTION)
        path.write_text(text, encoding="utf-8")
    return steps


def left_this_morning(run: Run, answers: dict[str, Any], *steps: str) -> None:
    """Earlier today a first induction was left at its fentanyl history, unanswered (the
    walk stops there and keeps the answers so far)."""
    stopped = walk_visit(
        run, LABEL, TODAY, ready_patient(fentanyl_used_30_days=None) | answers,
        *steps,
    )  # fmt: skip
    assert stopped.exit_code not in (0, 70), stopped.output
    assert "--answer fentanyl_used_30_days" in stopped.stderr, stopped.output
    assert len(stored_sessions(LABEL)) == 1


def no_fentanyl_today(run: Run) -> dict[str, Any]:
    """Today's first induction with the shipped pack: "no fentanyl in the last 30 days"."""
    checked = run(
        "check", "--json", "--label", LABEL, "--today", TODAY.isoformat(),
        *answer_flags(ready_patient(fentanyl_used_30_days=False)),
    )  # fmt: skip
    out: dict[str, Any] = json.loads(checked.stdout or checked.stderr)
    return out


def test_the_control_the_shipped_record_leaves_the_no_standing(run: Run) -> None:
    left_this_morning(run, {})
    assert no_fentanyl_today(run)["status"] == "ready"


def test_the_control_the_copy_loads(run: Run, tmp_path: Path) -> None:
    steps = copy_adding_a_methadone_history(tmp_path)
    loaded = run("validate", "--steps", str(steps))
    assert loaded.exit_code == 0, loaded.output
    assert "methadone_used_30_days" in (steps / "20-history.toml").read_text(encoding="utf-8")


def test_a_copy_adding_a_history_never_reads_as_a_fentanyl_history(
    run: Run, tmp_path: Path
) -> None:
    steps = copy_adding_a_methadone_history(tmp_path)
    left_this_morning(run, {"methadone_used_30_days": True}, "--steps", str(steps))
    result = no_fentanyl_today(run)
    assert result["status"] == "ready", result.get("message")
