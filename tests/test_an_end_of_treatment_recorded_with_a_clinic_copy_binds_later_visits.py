"""A visit that ended the treatment with a switch to buprenorphine binds the patient's
later visits (safety invariants 10 and 11; the clinical basis: buprenorphine is an opioid,
so "no opioid use since the last injection" beside it is refused, and the history says
off treatment), whichever pack recorded it. A clinic's copy of the pack (its own guide id)
that names the end or the agonist otherwise records them under its own names; the record
reads only the shipped pack's, so the history says the patient is on treatment and a
plain repeat dose two months after the switch is READY, with no new induction and no
naloxone challenge for a patient on buprenorphine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import (
    MONTHLY_VISIT,
    TODAY,
    Run,
    after_injection,
    answer_flags,
    clinic_copy,
    days_ago,
    walk_visit,
)

LABEL = "CLINIC-SWITCH"

ENDED: dict[str, Any] = {
    "visit": "repeat_injection",
    "opioid_use_since_last_injection": False,
    "end_of_treatment": True,
    "end_of_treatment_reason": "switch_to_agonist",
    "agonist_after_naltrexone": "buprenorphine",
    "end_overdose_counselled": True,
    "end_reversal_agent_prescribed": True,
}


def switched_with_the_copy(run: Run, tmp_path: Path, old: str, new: str) -> None:
    """A dose 84 days ago (the shipped pack), the switch to buprenorphine 60 days ago
    (the copy)."""
    dose = walk_visit(run, LABEL, days_ago(84), after_injection(last_opioid_use=days_ago(98)))
    assert dose.exit_code == 0, dose.output
    ended = {(new if k == old else k): v for k, v in ENDED.items()}
    copy = clinic_copy(tmp_path, old, new, keys=False)
    end = walk_visit(run, LABEL, days_ago(60), ended, "--steps", str(copy))
    assert end.exit_code == 1, end.output  # the end gate ends the walk, no dose


def plain_repeat_dose_today(run: Run) -> str:
    answers = after_injection(**MONTHLY_VISIT, opioid_use_since_last_injection=False)
    for key in ("visit", "last_opioid_use", "last_opioid_kind", "injection_given"):
        answers.pop(key)
    checked = run(
        "check", "--json", "--label", LABEL, "--today", TODAY.isoformat(), *answer_flags(answers)
    )
    return str(json.loads(checked.stdout or "{}").get("status", "refused"))


def off_treatment(run: Run) -> Any:
    shown = run("history", "--json", LABEL, "--today", TODAY.isoformat())
    assert shown.exit_code == 0, shown.output
    return json.loads(shown.stdout)["off_treatment"]


def test_the_control_a_copy_that_keeps_the_names_binds(run: Run, tmp_path: Path) -> None:
    switched_with_the_copy(run, tmp_path, "no_such_answer", "no_such_answer")
    assert off_treatment(run) is not None
    assert plain_repeat_dose_today(run) != "ready"


def test_a_copy_that_renames_the_agonist_still_refuses_no_use(run: Run, tmp_path: Path) -> None:
    switched_with_the_copy(run, tmp_path, "agonist_after_naltrexone", "switched_to")
    assert plain_repeat_dose_today(run) != "ready"


def test_a_copy_that_renames_the_end_leaves_the_patient_off_treatment(
    run: Run, tmp_path: Path
) -> None:
    switched_with_the_copy(run, tmp_path, "end_of_treatment", "treatment_ends")
    assert off_treatment(run) is not None


def test_a_copy_that_renames_the_end_still_refuses_no_use(run: Run, tmp_path: Path) -> None:
    switched_with_the_copy(run, tmp_path, "end_of_treatment", "treatment_ends")
    assert plain_repeat_dose_today(run) != "ready"
