"""A visit that ended the treatment with a switch to buprenorphine binds the patient's
later visits: "no opioid use since the last injection" beside it is refused (safety
invariants 10 and 11), whichever pack recorded it. A clinic's copy that names the end
visit's agonist answer and the next visit's question otherwise ('switch_agonist'
filling in 'agonist_since') has a role this pack cannot match; its value is read as the
value of each answer this pack carries from an end. A copy that carries another answer
from the end as well ('end_referral' filling in 'referral_since', whose 'none' says no
referral), listed first, has two such roles: the first value found ('none') is read as
the agonist answer and the switch after it is never read, so "neither agonist" is carried
to the next visit and a plain repeat dose two months on reads ready. Listed the other way
round, the switch binds."""

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

LABEL = "CLINIC-TWO-CARRIED"
AGONIST_ROW = '  { question = "agonist_since", from_answer = "switch_agonist" },\n'
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


def copy_carrying_a_referral(root: Path, referral_first: bool) -> Path:
    """A clinic's copy (its own guide id) naming the switch's two parts otherwise and
    carrying a referral from the end to the next visit too, its row first or last."""
    steps = copy_steps(root)
    for path in steps.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"\bagonist_after_naltrexone\b", "switch_agonist", text)
        text = re.sub(r"\bagonist_since_last_injection\b", "agonist_since", text)
        text = text.replace('id = "xrntx_induction"', 'id = "clinic_copy"', 1)
        if AGONIST_ROW in text:
            rows = REFERRAL_ROW + AGONIST_ROW if referral_first else AGONIST_ROW + REFERRAL_ROW
            text = text.replace(AGONIST_ROW, rows)
        comment = '[[step.question]]\nkey = "end_of_treatment_comment"'
        if comment in text:
            text = text.replace(comment, REFERRAL_AT_THE_END + "\n" + comment)
        asked = '[[step.question]]\nkey = "agonist_since"'
        if asked in text:
            text = text.replace(asked, REFERRAL_AT_THE_NEXT_VISIT + "\n" + asked)
        path.write_text(text, encoding="utf-8")
    return steps


def switched_with_the_copy(run: Run, tmp_path: Path, referral_first: bool) -> None:
    """An injection 84 days ago; 60 days ago a visit walked with the copy ended the
    treatment with a switch to buprenorphine, no referral."""
    dose = walk_visit(run, LABEL, days_ago(84), after_injection(last_opioid_use=days_ago(98)))
    assert dose.exit_code == 0, dose.output
    steps = copy_carrying_a_referral(tmp_path, referral_first)
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


def test_the_control_a_copy_listing_the_switch_first_binds(run: Run, tmp_path: Path) -> None:
    switched_with_the_copy(run, tmp_path, referral_first=False)
    assert plain_repeat_dose_today(run) != "ready"


def test_a_copy_listing_another_carried_answer_first_still_binds(run: Run, tmp_path: Path) -> None:
    switched_with_the_copy(run, tmp_path, referral_first=True)
    assert plain_repeat_dose_today(run) != "ready"
