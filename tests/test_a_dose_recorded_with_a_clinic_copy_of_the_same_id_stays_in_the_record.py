"""A dose given is the patient's dose whatever copy of the pack recorded it (safety
invariant 11): a clinic's copy that keeps the shipped guide id but names the injection's
date otherwise (its own ``date_key``) records a visit whose date the shipped pack's key
does not find. Placed by that key alone, the dose drops out of the record, and three days
later a "first injection" is READY and its walk counts a second dose."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import (
    TODAY,
    Run,
    after_injection,
    check,
    clinic_copy,
    days_ago,
    ready_patient,
    stored_sessions,
    walk_visit,
)

LABEL = "CLINIC-SAME-ID"
USE = days_ago(17)


def dose_with_the_copy(run: Run, tmp_path: Path, date_name: str) -> None:
    copy = clinic_copy(tmp_path, "injection_date", date_name, guide_id=None)
    given = walk_visit(
        run, LABEL, days_ago(3), after_injection(last_opioid_use=USE), "--steps", str(copy)
    )
    assert given.exit_code == 0, given.output


def first_injection_today(run: Run) -> str:
    checked = check(run, ready_patient(last_opioid_use=USE), "--label", LABEL)
    return str(json.loads(checked.stdout or "{}").get("status", "refused"))


def test_the_control_a_copy_that_keeps_the_name_holds_the_dose(run: Run, tmp_path: Path) -> None:
    dose_with_the_copy(run, tmp_path, "injection_date")
    assert first_injection_today(run) != "ready"


def test_a_copy_that_renames_the_date_keeps_the_dose_in_the_record(
    run: Run, tmp_path: Path
) -> None:
    dose_with_the_copy(run, tmp_path, "dose_date")
    assert first_injection_today(run) != "ready"


def test_a_walk_after_a_dose_recorded_with_the_renaming_copy_gives_no_second_dose(
    run: Run, tmp_path: Path
) -> None:
    dose_with_the_copy(run, tmp_path, "dose_date")
    walk_visit(run, LABEL, TODAY, after_injection(last_opioid_use=USE))
    stored = [json.loads(s.read_text()) for s in stored_sessions(LABEL)]
    counted = [r["visit_date"] for r in stored if r["injection_given"] is True]
    assert counted == [days_ago(3).isoformat()], (
        f"a 'first injection' counted 3 days after a dose the record holds: {counted}"
    )
