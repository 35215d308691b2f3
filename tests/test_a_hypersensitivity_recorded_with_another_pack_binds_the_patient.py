"""A hypersensitivity once recorded binds every later no (clinical basis, safety
invariants 1 and 11), whichever pack recorded it. A dose given on a clinic's copy of the
pack (its own guide id) is the patient's dose all the same, and one walked with a copy
that names the visit's date otherwise is placed by the date its record keeps; a
hypersensitivity recorded with a copy that names the question otherwise (its own
``standing`` list names it) is the patient's hypersensitivity all the same. Read only by
the shipped pack's key, it is missed, and a later visit's no is READY."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import TODAY, Run, check, clinic_copy, days_ago, ready_patient, walk_visit

LABEL = "CLINIC-ALLERGY"
USE = days_ago(16)


def record_yes(run: Run, tmp_path: Path, name: str) -> None:
    answers = ready_patient(last_opioid_use=USE, hypersensitivity=None)
    answers[name] = True
    yes = walk_visit(
        run, LABEL, TODAY, answers, "--steps", str(clinic_copy(tmp_path, "hypersensitivity", name))
    )
    assert yes.exit_code == 1, yes.output  # the copy's contraindication blocks


def later_visit(run: Run) -> str:
    checked = check(run, ready_patient(last_opioid_use=USE), "--label", LABEL)
    return str(json.loads(checked.stdout or "{}").get("status", "refused"))


def test_the_control_a_copy_that_keeps_the_name_binds(run: Run, tmp_path: Path) -> None:
    record_yes(run, tmp_path, "hypersensitivity")
    assert later_visit(run) != "ready"


def test_a_copy_that_renames_the_question_binds(run: Run, tmp_path: Path) -> None:
    record_yes(run, tmp_path, "naltrexone_allergy")
    assert later_visit(run) != "ready"
