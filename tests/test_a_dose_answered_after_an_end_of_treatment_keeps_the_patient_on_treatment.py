"""A dose given after a visit that ended the treatment the same day puts the patient back
on treatment (clinical basis, safety invariant 12: the record says only what is true).
What orders the end and the dose is when each happened: a dose visit whose walk began
before the end's, left open at the injection step and resumed after the end to record
the dose, gave its dose after the end all the same. The history must not say "Off
treatment" with an older last injection, and the emergency card must not tell emergency
staff that "no injection is to come" beside the dose just given."""

from __future__ import annotations

import datetime as dt
import json

from tests.helpers import (
    REPEAT_WITHOUT_USE,
    TODAY,
    Run,
    after_injection,
    answer_flags,
    days_ago,
    ready_patient,
)

LABEL = "EOT-OPEN"
DAY = TODAY.isoformat()
ENDED = {
    "end_of_treatment": True,
    "end_of_treatment_reason": "patient_choice",
    "end_of_treatment_comment": "wants to stop",
    "end_overdose_counselled": True,
    "end_reversal_agent_prescribed": True,
}


def walk_at(run: Run, at: str, answers: dict[str, object]) -> int:
    walked = run(
        "walk", "--no-input", "--label", LABEL, "--now", at, "--acknowledge", "all",
        *answer_flags(answers),
    )  # fmt: skip
    assert walked.exit_code in (0, 1, 4), walked.output
    return walked.exit_code


def test_a_dose_recorded_after_the_end_by_a_walk_begun_before_it_is_on_treatment(
    run: Run,
) -> None:
    first = days_ago(28)
    walk_at(
        run,
        f"{first.isoformat()}T12:00",
        after_injection(last_opioid_use=first - dt.timedelta(days=14), injection_date=first),
    )
    # 09:00: the repeat visit's walk waits at the injection step.
    assert walk_at(run, f"{DAY}T09:00", ready_patient(**REPEAT_WITHOUT_USE)) == 4
    dose_visit = next(
        s["id"]
        for s in json.loads(run("sessions", "--json").stdout)
        if s["status"] == "in_progress"
    )
    # 10:00: another visit records the end of the treatment.
    walk_at(run, f"{DAY}T10:00", ready_patient(**REPEAT_WITHOUT_USE, **ENDED))
    # 11:00: the patient changed their mind; the open walk records the dose.
    dosed = run(
        "walk", "--no-input", "--resume", "--session", dose_visit, "--now", f"{DAY}T11:00",
        "--acknowledge", "all", "-a", "injection_given=yes", "-a", "injection_side_used=left",
        "-a", "needle_used=2-inch", "-a", "observation_minutes=30", "-a", "wallet_card_given=yes",
    )  # fmt: skip
    assert dosed.exit_code == 0, dosed.output
    history = run("history", LABEL, "--today", DAY, "--json")
    timeline = json.loads(history.stdout)
    assert DAY in [i["date"] for i in timeline["injections"]], history.stdout
    assert timeline["off_treatment"] is None, history.stdout
    card = run("card", dose_visit)
    assert "no injection is to come" not in card.stdout, card.stdout


def test_an_end_recorded_after_the_dose_by_a_walk_begun_before_it_is_off_treatment(
    run: Run,
) -> None:
    first = days_ago(28)
    walk_at(
        run,
        f"{first.isoformat()}T12:00",
        after_injection(last_opioid_use=first - dt.timedelta(days=14), injection_date=first),
    )
    # 09:00: a walk begins and waits (nothing answered about the end yet).
    opened = run(
        "walk", "--no-input", "--label", LABEL, "--now", f"{DAY}T09:00", "--acknowledge", "all",
        "--answer", "visit=repeat_injection",
    )  # fmt: skip
    assert opened.exit_code == 4, opened.output
    end_visit = json.loads(run("sessions", "--json").stdout)[0]["id"]
    # 09:30: another visit gives the dose.
    walk_at(run, f"{DAY}T09:30", after_injection(**REPEAT_WITHOUT_USE, end_of_treatment=False))
    # 10:00: the open walk records the end of the treatment.
    ended = run(
        "walk", "--no-input", "--resume", "--session", end_visit, "--now", f"{DAY}T10:00",
        "--acknowledge", "all", *answer_flags(ready_patient(**REPEAT_WITHOUT_USE, **ENDED)),
    )  # fmt: skip
    assert ended.exit_code in (0, 1), ended.output
    history = run("history", LABEL, "--today", DAY, "--json")
    assert json.loads(history.stdout)["off_treatment"] is not None, history.stdout
