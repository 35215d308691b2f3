"""A row a clinic's copy of the pack carries from an end of treatment to the next visit
(``[guide.report.history] after_end``), beside the agonist of a switch, never hides a
switch nor invents one (safety invariants 10 and 11: "no opioid use since the last
injection" beside a recorded switch to buprenorphine is refused, whichever pack recorded
it).

A copy that keeps every shipped name and only ADDS a row (a referral carried from the end)
reads as the shipped pack: its correct end for the patient's choice names no agonist, and
a return two months on takes "no use since"; as a later end for another reason, its
added row ('none': no referral) was read as the agonist, hiding an earlier switch, and a
plain late repeat dose read READY.

A copy that names the switch's two parts otherwise ('switch_agonist' filling in
'agonist_since') has a row this pack cannot match; its value is read as each answer this
pack carries from an end. With the referral carried too and listed first, the first value
found ('none') was read as the agonist answer and the switch after it never read, so a
plain repeat dose two months on read ready. Listed the other way round, the switch binds."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

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

LABEL = "CLINIC-ADDED-ROW"
REFERRAL_ROW = '  { question = "referral_since", from_answer = "end_referral" },\n'
REFERRAL_CHOICES = """choices = [
  { value = "none", label = "no referral" },
  { value = "counselling", label = "counselling" },
]
"""
REFERRAL_AT_THE_END = f"""[[step.question]]
key = "end_referral"
type = "choice"
prompt = "Referred on to?"
{REFERRAL_CHOICES}
"""
REFERRAL_AT_THE_NEXT_VISIT = f"""[[step.question]]
key = "referral_since"
type = "choice"
prompt = "Referral kept since the last injection?"
optional = true
{REFERRAL_CHOICES}
"""


def copy_carrying_a_referral(root: Path, renamed: bool, referral_first: bool = False) -> Path:
    """A clinic's copy (its own guide id) carrying a referral from the end to the next
    visit beside the agonist, its row first or last; naming the switch's two parts
    otherwise when ``renamed`` (else under the shipped names)."""
    agonist, since = (
        ("switch_agonist", "agonist_since")
        if renamed
        else ("agonist_after_naltrexone", "agonist_since_last_injection")
    )
    row = f'  {{ question = "{since}", from_answer = "{agonist}" }},\n'
    steps = copy_steps(root)
    for path in steps.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"\bagonist_after_naltrexone\b", agonist, text)
        text = re.sub(r"\bagonist_since_last_injection\b", since, text)
        text = text.replace('id = "xrntx_induction"', 'id = "clinic_copy"', 1)
        if row in text:
            text = text.replace(row, REFERRAL_ROW + row if referral_first else row + REFERRAL_ROW)
        comment = '[[step.question]]\nkey = "end_of_treatment_comment"'
        if comment in text:
            text = text.replace(comment, REFERRAL_AT_THE_END + "\n" + comment)
        asked = f'[[step.question]]\nkey = "{since}"'
        if asked in text:
            text = text.replace(asked, REFERRAL_AT_THE_NEXT_VISIT + "\n" + asked)
        path.write_text(text, encoding="utf-8")
    return steps


def return_today(run: Run) -> dict[str, Any]:
    """Today's repeat visit with the shipped pack: no opioid use since the last
    injection, the rest clear. The check's JSON (a refusal: its error)."""
    answers = after_injection(**MONTHLY_VISIT, opioid_use_since_last_injection=False)
    for key in ("visit", "last_opioid_use", "last_opioid_kind", "injection_given"):
        answers.pop(key)
    checked = run(
        "check", "--json", "--label", LABEL, "--today", TODAY.isoformat(), *answer_flags(answers)
    )
    out: dict[str, Any] = json.loads(checked.stdout or checked.stderr)
    return out


# -- a copy that only adds a row ----------------------------------------------------------


def ended_by_choice(run: Run, *steps: str, **extra: Any) -> None:
    """An injection 84 days ago; 60 days ago a visit ended the treatment: the patient
    chose to stop (no agonist)."""
    dose = walk_visit(run, LABEL, days_ago(84), after_injection(last_opioid_use=days_ago(98)))
    assert dose.exit_code == 0, dose.output
    ended: dict[str, Any] = {
        "visit": "repeat_injection",
        "opioid_use_since_last_injection": False,
        "end_of_treatment": True,
        "end_of_treatment_reason": "patient_choice",
        "end_overdose_counselled": True,
        "end_reversal_agent_prescribed": True,
        **extra,
    }
    end = walk_visit(run, LABEL, days_ago(60), ended, *steps)
    assert end.exit_code == 1, end.output  # the end gate ends the walk, no dose


def history_words(run: Run) -> str:
    shown = run("history", LABEL, "--json", "--today", TODAY.isoformat())
    assert shown.exit_code == 0, shown.output
    return shown.stdout


def test_the_control_the_shipped_end_record_takes_the_no(run: Run) -> None:
    ended_by_choice(run)
    result = return_today(run)
    assert result.get("status") != "error", result
    assert "counselling" not in history_words(run)


def test_a_copy_adding_a_carried_row_reads_as_the_shipped_end_record(
    run: Run, tmp_path: Path
) -> None:
    steps = copy_carrying_a_referral(tmp_path, renamed=False)
    loaded = run("validate", "--steps", str(steps))
    assert loaded.exit_code == 0, loaded.output
    ended_by_choice(run, "--steps", str(steps), end_referral="counselling")
    result = return_today(run)
    assert result.get("status") != "error", result
    assert "counselling" not in history_words(run)


def switched_then_ended_again(run: Run, *steps: str) -> None:
    """An injection 40 days ago; 35 days ago a visit (the shipped pack) ended the treatment
    with a switch to buprenorphine; 20 days ago a second visit, walked with ``steps``,
    recorded an end again, the patient's choice (within the blockade: no agonist asked),
    with no referral."""
    dose = walk_visit(run, LABEL, days_ago(40), after_injection(last_opioid_use=days_ago(54)))
    assert dose.exit_code == 0, dose.output
    ended: dict[str, Any] = {
        "visit": "repeat_injection",
        "opioid_use_since_last_injection": False,
        "end_of_treatment": True,
        "end_overdose_counselled": True,
        "end_reversal_agent_prescribed": True,
    }
    switch = {"end_of_treatment_reason": "switch_to_agonist"} | {
        "agonist_after_naltrexone": "buprenorphine"
    }
    first = walk_visit(run, LABEL, days_ago(35), ended | switch)
    assert first.exit_code == 1, first.output
    again = ended | {"end_of_treatment_reason": "patient_choice"}
    if steps:
        again["end_referral"] = "none"
    second = walk_visit(run, LABEL, days_ago(20), again, *steps)
    assert second.exit_code == 1, second.output


def test_the_control_a_later_end_for_another_reason_keeps_the_switch(run: Run) -> None:
    switched_then_ended_again(run)
    assert return_today(run).get("status") != "ready"


def test_a_later_end_a_copy_adding_a_row_recorded_keeps_the_switch(
    run: Run, tmp_path: Path
) -> None:
    steps = copy_carrying_a_referral(tmp_path, renamed=False)
    switched_then_ended_again(run, "--steps", str(steps))
    assert return_today(run).get("status") != "ready"


# -- a copy that names the switch's two parts otherwise --------------------------------


def switched_with_the_copy(run: Run, tmp_path: Path, referral_first: bool) -> None:
    """An injection 84 days ago; 60 days ago a visit walked with the copy ended the
    treatment with a switch to buprenorphine, no referral."""
    dose = walk_visit(run, LABEL, days_ago(84), after_injection(last_opioid_use=days_ago(98)))
    assert dose.exit_code == 0, dose.output
    steps = copy_carrying_a_referral(tmp_path, renamed=True, referral_first=referral_first)
    loaded = run("validate", "--steps", str(steps))
    assert loaded.exit_code == 0, loaded.output
    ended: dict[str, Any] = {
        "visit": "repeat_injection",
        "opioid_use_since_last_injection": False,
        "end_of_treatment": True,
        "end_of_treatment_reason": "switch_to_agonist",
        "switch_agonist": "buprenorphine",
        "end_referral": "none",
        "end_overdose_counselled": True,
        "end_reversal_agent_prescribed": True,
    }
    end = walk_visit(run, LABEL, days_ago(60), ended, "--steps", str(steps))
    assert end.exit_code == 1, end.output  # the end gate ends the walk, no dose


def test_the_control_a_copy_listing_the_switch_first_binds(run: Run, tmp_path: Path) -> None:
    switched_with_the_copy(run, tmp_path, referral_first=False)
    assert return_today(run).get("status") != "ready"


def test_a_copy_listing_another_carried_answer_first_still_binds(run: Run, tmp_path: Path) -> None:
    switched_with_the_copy(run, tmp_path, referral_first=True)
    assert return_today(run).get("status") != "ready"
