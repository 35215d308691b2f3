"""A patient whose record says XR-naltrexone ended with a switch to an agonist
(buprenorphine or methadone, both opioids: the clinical basis counts them as opioid use)
and who comes back for XR-naltrexone is not simply "late for a repeat dose": the record's
agonist is offered to the visit, "no opioid use since the last injection" beside it is
refused naming the record, and a visit that answers the use is a new induction with its
readiness checks (interval, screen, withdrawal, challenge)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from tests.helpers import TODAY, Run, after_injection, answer_flags, days_ago, flat, walk_visit
from xrntx_guide.errors import ExitCode

LABEL = "SWITCH-1"

ENDED = {
    "visit": "repeat_injection",
    "opioid_use_since_last_injection": False,
    "end_of_treatment": True,
    "end_of_treatment_reason": "switch_to_agonist",
    "end_overdose_counselled": True,
    "end_reversal_agent_prescribed": True,
}


def walk_on(run: Run, day: dt.date, answers: dict[str, Any], *extra: str) -> Any:
    return walk_visit(run, LABEL, day, answers, *extra)


def switched(run: Run, agonist: str) -> None:
    """An injection 84 days ago, and a visit 60 days ago that ended the treatment with a
    switch to ``agonist``."""
    first = after_injection(last_opioid_use=days_ago(98))
    assert walk_on(run, days_ago(84), first).exit_code == ExitCode.OK
    ended = walk_on(run, days_ago(60), {**ENDED, "agonist_after_naltrexone": agonist})
    assert ended.exit_code == ExitCode.BLOCKED, ended.output


def restart(**changes: Any) -> dict[str, Any]:
    """Today's answers of a repeat visit with nothing else in the way, the last injection
    and the visit type left to the record."""
    answers = after_injection(
        opioid_use_since_last_injection=False,
        end_of_treatment=False,
        injection_site_reaction="none",
        reaction_after_last_dose=False,
        lft_within_interval=True,
        respiratory_symptoms=False,
        suicidal_thoughts=False,
        uds_opiates="negative",
    )
    for key in ("visit", "last_opioid_use", "last_opioid_kind", "injection_given"):
        answers.pop(key, None)
    answers.update(changes)
    return {k: v for k, v in answers.items() if v is not None}


def check_json(run: Run, answers: dict[str, Any]) -> Any:
    return run(
        "check", "--json", "--label", LABEL, "--today", TODAY.isoformat(), *answer_flags(answers)
    )


@pytest.mark.parametrize("agonist", ["buprenorphine", "methadone"])
def test_no_use_since_the_last_injection_beside_a_recorded_switch_is_refused(
    run: Run, agonist: str
) -> None:
    switched(run, agonist)
    out = check_json(run, restart())
    assert out.exit_code == ExitCode.USAGE, out.output
    said = flat(out.stderr)
    assert "opioid_use_since_last_injection" in said
    assert f"agonist_since_last_injection = {agonist}" in said, "the value is the record's"
    assert "ended the treatment on" in said and days_ago(60).isoformat() in said


def test_the_walk_is_refused_too_and_never_ready(run: Run) -> None:
    switched(run, "buprenorphine")
    out = walk_on(run, TODAY, restart(injection_given=True))
    assert out.exit_code == ExitCode.USAGE, out.output
    assert "READY" not in out.stdout


def test_the_use_answered_makes_the_restart_a_new_induction(run: Run) -> None:
    switched(run, "buprenorphine")
    answers = restart(
        opioid_use_since_last_injection=True,
        last_opioid_use=days_ago(3),
        last_opioid_kind="buprenorphine",
    )
    out = check_json(run, answers)
    data = json.loads(out.stdout)
    assert data["status"] != "ready", data
    assert "opioid_free_interval" in data["blocking"], data
    induction = next(g for g in data["gates"] if g["id"] == "repeat_as_new_induction")
    assert induction["outcome"] != "pass", induction


def test_a_switch_never_started_is_answered_and_judged_as_a_late_dose(run: Run) -> None:
    """The clinician who learns the agonist was never taken says so; the visit is then the
    late dose it is, with the late visit's screen and counselling."""
    switched(run, "buprenorphine")
    out = check_json(run, restart(agonist_since_last_injection="none"))
    data = json.loads(out.stdout)
    assert out.exit_code in (ExitCode.OK, ExitCode.BLOCKED, ExitCode.INCOMPLETE), out.output
    assert "overdue_dose" in data["cautions"] + data["blocking"], data


def test_a_visit_without_a_recorded_switch_is_not_asked_to_explain_one(run: Run) -> None:
    first = after_injection(last_opioid_use=days_ago(98))
    assert walk_on(run, days_ago(84), first).exit_code == ExitCode.OK
    out = check_json(run, restart())
    assert out.exit_code != ExitCode.USAGE, out.output
    assert "agonist_since_last_injection" not in out.stderr
