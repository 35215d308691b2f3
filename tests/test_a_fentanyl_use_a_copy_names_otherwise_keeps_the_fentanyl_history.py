"""A fentanyl use another visit of the patient recorded within the days the fentanyl
history looks back over is such a history (reference 4.2; safety invariants 10 and 11):
a later visit's no to "fentanyl in the last 30 days" is refused, so that a later
short-acting use never drops the fentanyl caution. A clinic's copy of the pack that calls
fentanyl otherwise ('fent') records a kind the shipped pack's question does not take: it
is judged as the unknown opioid for the interval, but the fentanyl history compares the
recorded name with 'fentanyl' as written, so the no is taken and the fentanyl gate passes.
A name this pack does not know may be fentanyl: it is never read as "not fentanyl".

The same holds for a yes to the fentanyl history itself that another visit of the same day
recorded: the record keeps its pack's name of that question under the opioid it asks
about (``recent_kind[fentanyl]``), so a copy that renames both the question and the
opioid keeps it under a role the shipped pack does not have, and the yes is not read."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.helpers import (
    TODAY,
    Run,
    answer_flags,
    clinic_copy,
    days_ago,
    gate,
    ready_patient,
    walk_visit,
)

LABEL = "CLINIC-FENT"


def fentanyl_recorded(run: Run, kind: str, *steps: str) -> None:
    """Nineteen days ago a first induction was blocked by the interval: fentanyl the day
    before (within the 30 days the fentanyl history looks back over from today)."""
    answers = ready_patient(
        last_opioid_kind=kind, last_opioid_use=days_ago(20), injection_date=days_ago(19)
    )
    blocked = walk_visit(run, LABEL, days_ago(19), answers, *steps)
    assert blocked.exit_code == 1, blocked.output


def no_fentanyl_today(run: Run, *steps: str) -> dict[str, Any]:
    """Today's first induction: a short-acting use 14 days ago and "no fentanyl in the last
    30 days"; the check's JSON (a refusal: its error)."""
    checked = run(
        "check", "--json", "--label", LABEL, "--today", TODAY.isoformat(), *steps,
        *answer_flags(ready_patient(fentanyl_used_30_days=False)),
    )  # fmt: skip
    out: dict[str, Any] = json.loads(checked.stdout or checked.stderr)
    return out


def fentanyl_history_kept(result: dict[str, Any], gate_id: str = "fentanyl") -> bool:
    """The no is refused, or the fentanyl gate (``gate_id``, as the pack names it) still
    fails."""
    if result.get("status") == "error":
        return True
    return bool(gate(result, gate_id)["outcome"] != "pass")


def test_the_control_the_shipped_record_refuses_the_no(run: Run) -> None:
    fentanyl_recorded(run, "fentanyl")
    refused = no_fentanyl_today(run)
    assert refused.get("key") == "fentanyl_used_30_days", refused


def test_the_control_without_the_record_the_no_is_taken(run: Run) -> None:
    result = no_fentanyl_today(run)
    assert result["status"] == "ready"
    assert not fentanyl_history_kept(result)


def test_a_copy_naming_fentanyl_otherwise_still_refuses_the_no(run: Run, tmp_path: Path) -> None:
    steps = clinic_copy(tmp_path, "fentanyl", "fent")
    fentanyl_recorded(run, "fent", "--steps", str(steps))
    refused = no_fentanyl_today(run)
    assert refused.get("key") == "fentanyl_used_30_days", refused
    assert "'fent'" in refused["message"] or "fent (" in refused["message"], refused


def test_the_shipped_record_read_by_a_copy_naming_fentanyl_otherwise_refuses_the_no(
    run: Run, tmp_path: Path
) -> None:
    steps = clinic_copy(tmp_path, "fentanyl", "fent")
    fentanyl_recorded(run, "fentanyl")
    # The copy names the gate as it names the opioid.
    refused = no_fentanyl_today(run, "--steps", str(steps))
    assert fentanyl_history_kept(refused, "fent")
    assert refused.get("key") == "fentanyl_used_30_days", refused


def copy_naming_the_history_otherwise(root: Path, question: str) -> Path:
    """A copy that names the fentanyl history question ``question``, and fentanyl 'fent'."""
    steps = clinic_copy(root, "fentanyl_used_30_days", question)
    for path in steps.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"\bfentanyl\b", "fent", text), encoding="utf-8")
    return steps


def fentanyl_history_said_this_morning(run: Run, question: str, *steps: str) -> None:
    """Earlier today a first induction recorded fentanyl among the opioids of the last 30
    days (``question``, as the pack names it) and stopped there: consent not given."""
    answers = ready_patient(consent=False, fentanyl_used_30_days=None) | {question: True}
    stopped = walk_visit(run, LABEL, TODAY, answers, *steps)
    assert stopped.exit_code == 1, stopped.output


def test_the_control_a_copy_renaming_only_the_question_keeps_the_yes(
    run: Run, tmp_path: Path
) -> None:
    steps = clinic_copy(tmp_path, "fentanyl_used_30_days", "fent30")
    fentanyl_history_said_this_morning(run, "fent30", "--steps", str(steps))
    assert fentanyl_history_kept(no_fentanyl_today(run))


def test_a_copy_renaming_the_question_and_the_opioid_keeps_the_yes(
    run: Run, tmp_path: Path
) -> None:
    steps = copy_naming_the_history_otherwise(tmp_path, "fent30")
    fentanyl_history_said_this_morning(run, "fent30", "--steps", str(steps))
    assert fentanyl_history_kept(no_fentanyl_today(run))
