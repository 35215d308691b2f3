"""A clinic's copy of the pack that keeps every shipped name and only ADDS a row to
``[guide.report.history] after_end`` (a referral carried from an end of treatment to the
next visit) records a correct end of treatment: a patient who chose to stop, no agonist.
Read by the shipped pack, that record must read as the shipped pack's own record of the
same end: the copy's extra row names an answer the shipped pack does not carry, and it is
never the agonist of a switch (safety invariant 9: a copy that only adds rows reads the
same). A return to treatment two months on, no opioid use since the last injection, is
judged as it is beside the shipped pack's own end record: no word of an agonist the record
does not hold, and the no-use answer taken.

Worse, beside an earlier switch: a later end for another reason never hides an earlier
switch (its agonist is unanswered, so the switch's value stands). Recorded with the copy,
the later end's added row ('none': no referral) is read as its agonist, "neither", the
latest value, and the switch to buprenorphine is hidden: a plain late repeat dose two
months on, "no opioid use since the last injection", reads READY (a restart after a
switch read as a late dose; safety invariants 10 and 11)."""

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
    copy_steps,
    days_ago,
    walk_visit,
)

LABEL = "CLINIC-ADDED-ROW"
AGONIST_ROW = (
    '  { question = "agonist_since_last_injection", from_answer = "agonist_after_naltrexone" },\n'
)
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


def copy_adding_a_carried_referral(root: Path) -> Path:
    """The shipped pack under its own names (another guide id), with one more row carried
    from an end: the referral, asked at the end and offered at the next visit."""
    steps = copy_steps(root)
    for path in steps.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        text = text.replace('id = "xrntx_induction"', 'id = "clinic_copy"', 1)
        text = text.replace(AGONIST_ROW, AGONIST_ROW + REFERRAL_ROW)
        comment = '[[step.question]]\nkey = "end_of_treatment_comment"'
        text = text.replace(comment, REFERRAL_AT_THE_END + "\n" + comment)
        asked = '[[step.question]]\nkey = "agonist_since_last_injection"'
        text = text.replace(asked, REFERRAL_AT_THE_NEXT_VISIT + "\n" + asked)
        path.write_text(text, encoding="utf-8")
    return steps


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
    steps = copy_adding_a_carried_referral(tmp_path)
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
    steps = copy_adding_a_carried_referral(tmp_path)
    switched_then_ended_again(run, "--steps", str(steps))
    assert return_today(run).get("status") != "ready"
