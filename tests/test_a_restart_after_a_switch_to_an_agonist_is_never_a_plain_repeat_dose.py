"""A patient whose record says XR-naltrexone ended with a switch to an agonist
(buprenorphine or methadone, both opioids: reference 3.3 counts them as opioid use) and
who comes back for XR-naltrexone is not simply "late for a repeat dose": a visit that
answers "no opioid use since the last injection" beside that record must not be ready
without the induction's readiness checks (interval, screen, withdrawal, challenge)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from tests.helpers import TODAY, Run, after_injection, answer_flags, days_ago
from xrntx_guide.errors import ExitCode

LABEL = "SWITCH-1"


def walk_on(run: Run, day: dt.date, answers: dict[str, Any]) -> Any:
    return run(
        "walk",
        "--no-input",
        "--label",
        LABEL,
        "--today",
        day.isoformat(),
        "--acknowledge",
        "all",
        *answer_flags(answers),
    )


@pytest.mark.xfail(
    strict=True,
    reason="Clinical content missing: reference sections 7 and 10 say how a switch to an "
    "agonist starts, not how a later restart of XR-naltrexone is read; today the record's "
    "switch is shown ('Off treatment ... switch to agonist') but a 'no opioid use since the "
    "last injection' beside it is judged as a late repeat dose and can be ready. Needs a "
    "clinical decision (refuse as contradicting the record, or read it as a new induction).",
)
def test_a_restart_after_a_recorded_switch_is_not_ready_as_a_late_repeat_dose(
    run: Run,
) -> None:
    first = after_injection(last_opioid_use=days_ago(98))
    assert walk_on(run, days_ago(84), first).exit_code == ExitCode.OK
    ended = {
        "visit": "repeat_injection",
        "opioid_use_since_last_injection": False,
        "end_of_treatment": True,
        "end_of_treatment_reason": "switch_to_agonist",
        "agonist_after_naltrexone": "buprenorphine",
        "end_overdose_counselled": True,
        "end_reversal_agent_prescribed": True,
    }
    assert walk_on(run, days_ago(60), ended).exit_code == ExitCode.BLOCKED
    restart = after_injection(
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
        restart.pop(key, None)
    restart = {k: v for k, v in restart.items() if v is not None}
    out = run(
        "check", "--json", "--label", LABEL, "--today", TODAY.isoformat(), *answer_flags(restart)
    )
    assert out.exit_code != ExitCode.OK, out.output
    if out.stdout:
        assert json.loads(out.stdout)["status"] != "ready"
