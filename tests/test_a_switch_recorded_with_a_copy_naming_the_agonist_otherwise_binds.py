"""A visit that ended the treatment with a switch to buprenorphine binds the patient's
later visits (safety invariants 10 and 11: buprenorphine is an opioid, so "no opioid use
since the last injection" beside it is refused), whichever pack recorded it. A clinic's
copy of the pack that keeps every question's name but calls the choice otherwise
('bup' for buprenorphine) records a value the shipped pack's question does not take: the
agonist is then left out of what the next visit takes from the end, and a plain repeat
dose two months after the switch is READY. (docs/safety.md says a copy that renames
choice values "is not matched": the result is a wrong READY, not a refusal.)"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import (
    MONTHLY_VISIT,
    TODAY,
    Run,
    after_injection,
    answer_flags,
    copy_steps,
    days_ago,
    walk_visit,
)

LABEL = "CLINIC-BUP"

CHOICE = '  { value = "buprenorphine", label = "buprenorphine" },\n  { value = "methadone"'


def copy_naming(tmp_path: Path, value: str) -> Path:
    steps = copy_steps(tmp_path)
    path = steps / "15-end-of-treatment.toml"
    text = path.read_text(encoding="utf-8")
    assert CHOICE in text
    text = text.replace(CHOICE, CHOICE.replace('"buprenorphine"', f'"{value}"', 1), 1)
    path.write_text(text.replace("'buprenorphine'", f"'{value}'"), encoding="utf-8")
    guide = steps / "00-guide.toml"
    text = guide.read_text(encoding="utf-8")
    guide.write_text(text.replace('id = "xrntx_induction"', 'id = "clinic_copy"', 1))
    return steps


def switched_with_the_copy(run: Run, tmp_path: Path, value: str) -> None:
    dose = walk_visit(run, LABEL, days_ago(84), after_injection(last_opioid_use=days_ago(98)))
    assert dose.exit_code == 0, dose.output
    ended: dict[str, Any] = {
        "visit": "repeat_injection",
        "opioid_use_since_last_injection": False,
        "end_of_treatment": True,
        "end_of_treatment_reason": "switch_to_agonist",
        "agonist_after_naltrexone": value,
        "end_overdose_counselled": True,
        "end_reversal_agent_prescribed": True,
    }
    end = walk_visit(run, LABEL, days_ago(60), ended, "--steps", str(copy_naming(tmp_path, value)))
    assert end.exit_code == 1, end.output  # the end gate ends the walk, no dose


def plain_repeat_dose_today(run: Run) -> str:
    answers = after_injection(**MONTHLY_VISIT, opioid_use_since_last_injection=False)
    for key in ("visit", "last_opioid_use", "last_opioid_kind", "injection_given"):
        answers.pop(key)
    checked = run(
        "check", "--json", "--label", LABEL, "--today", TODAY.isoformat(), *answer_flags(answers)
    )
    return str(json.loads(checked.stdout or "{}").get("status", "refused"))


def test_the_control_a_copy_that_keeps_the_choice_refuses_no_use(run: Run, tmp_path: Path) -> None:
    switched_with_the_copy(run, tmp_path, "buprenorphine")
    assert plain_repeat_dose_today(run) != "ready"


@pytest.mark.xfail(
    strict=True,
    reason="visit/history.py _taken drops an after_end value this pack's question does "
    "not take ('bup'): the switch is lost and nothing refuses the plain repeat dose",
)
def test_a_copy_that_names_the_agonist_otherwise_still_refuses_no_use(
    run: Run, tmp_path: Path
) -> None:
    switched_with_the_copy(run, tmp_path, "bup")
    assert plain_repeat_dose_today(run) != "ready"
