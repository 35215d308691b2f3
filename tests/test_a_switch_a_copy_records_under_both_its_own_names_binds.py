"""A visit that ended the treatment with a switch to buprenorphine binds the patient's
later visits: "no opioid use since the last injection" beside it is refused (safety
invariants 10 and 11), whichever pack recorded it. The record keeps the role of the
switch by the question it fills in at the next visit
(``report.history.after_end[agonist_since_last_injection]``, naming the end visit's
answer). A clinic's copy that names the end visit's answer otherwise is matched by that
role, and one that names the next visit's question otherwise keeps the answer's name;
but a copy that names both otherwise ('switch_agonist' filling in 'agonist_since') has a
role this pack does not have and an answer it does not know: the switch is dropped
without a word, and a plain repeat dose two months after it reads ready."""

from __future__ import annotations

import json
import re
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

LABEL = "CLINIC-SWITCH"
END_ANSWER = "agonist_after_naltrexone"
NEXT_QUESTION = "agonist_since_last_injection"


def copy_naming(tmp_path: Path, renames: dict[str, str]) -> Path:
    """A clinic's copy (its own guide id) with each name of ``renames`` changed."""
    steps = copy_steps(tmp_path)
    for path in steps.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        for old, new in renames.items():
            text = re.sub(rf"\b{old}\b", new, text)
        path.write_text(text.replace('id = "xrntx_induction"', 'id = "clinic_copy"', 1))
    return steps


def switched_with_the_copy(run: Run, tmp_path: Path, renames: dict[str, str]) -> None:
    """An injection 84 days ago; 60 days ago a visit walked with the copy ended the
    treatment with a switch to buprenorphine."""
    dose = walk_visit(run, LABEL, days_ago(84), after_injection(last_opioid_use=days_ago(98)))
    assert dose.exit_code == 0, dose.output
    ended: dict[str, Any] = {
        "visit": "repeat_injection",
        "opioid_use_since_last_injection": False,
        "end_of_treatment": True,
        "end_of_treatment_reason": "switch_to_agonist",
        renames.get(END_ANSWER, END_ANSWER): "buprenorphine",
        "end_overdose_counselled": True,
        "end_reversal_agent_prescribed": True,
    }
    steps = copy_naming(tmp_path, renames)
    end = walk_visit(run, LABEL, days_ago(60), ended, "--steps", str(steps))
    assert end.exit_code == 1, end.output  # the end gate ends the walk, no dose


def plain_repeat_dose_today(run: Run) -> str:
    """Today's repeat visit with the shipped pack: no opioid use since the last
    injection, the rest clear. Its status (a refusal: 'refused')."""
    answers = after_injection(**MONTHLY_VISIT, opioid_use_since_last_injection=False)
    for key in ("visit", "last_opioid_use", "last_opioid_kind", "injection_given"):
        answers.pop(key)
    checked = run(
        "check", "--json", "--label", LABEL, "--today", TODAY.isoformat(), *answer_flags(answers)
    )
    return str(json.loads(checked.stdout or "{}").get("status", "refused"))


@pytest.mark.parametrize(
    "renames",
    [{END_ANSWER: "switch_agonist"}, {NEXT_QUESTION: "agonist_since"}],
    ids=["the-end-answer", "the-next-question"],
)
def test_the_control_a_copy_naming_one_of_them_otherwise_binds(
    run: Run, tmp_path: Path, renames: dict[str, str]
) -> None:
    switched_with_the_copy(run, tmp_path, renames)
    assert plain_repeat_dose_today(run) != "ready"


def test_a_copy_naming_both_otherwise_binds(run: Run, tmp_path: Path) -> None:
    switched_with_the_copy(
        run, tmp_path, {END_ANSWER: "switch_agonist", NEXT_QUESTION: "agonist_since"}
    )
    assert plain_repeat_dose_today(run) != "ready"
