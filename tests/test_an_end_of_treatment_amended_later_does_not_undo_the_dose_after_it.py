"""A dose given after a visit that ended the treatment the same day puts the patient back
on treatment (clinical basis, safety invariant 12: the record says only what is true),
and it stays so when the end's visit is later resumed to amend what it recorded (its
comment): the amendment does not end the treatment again. The order of the end and the
dose is when each happened, never when a visit was last saved; otherwise the history
says "Off treatment" beside the dose just given and the emergency card tells emergency
staff that "no injection is to come"."""

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

LABEL = "EOT-2"
REPEAT = REPEAT_WITHOUT_USE
ENDED = {
    "end_of_treatment": True,
    "end_of_treatment_reason": "patient_choice",
    "end_of_treatment_comment": "wants to stop",
    "end_overdose_counselled": True,
    "end_reversal_agent_prescribed": True,
}


def walk_at(run: Run, at: str, answers: dict[str, object], *extra: str) -> None:
    walked = run(
        "walk", "--no-input", "--label", LABEL, "--now", at, "--acknowledge", "all",
        *extra, *answer_flags(answers),
    )  # fmt: skip
    assert walked.exit_code in (0, 1), walked.output


def test_amending_the_end_after_a_same_day_dose_keeps_the_patient_on_treatment(
    run: Run,
) -> None:
    first = days_ago(28)
    walk_at(
        run,
        f"{first.isoformat()}T12:00",
        after_injection(last_opioid_use=first - dt.timedelta(days=14), injection_date=first),
    )
    walk_at(run, f"{TODAY.isoformat()}T10:00", ready_patient(**REPEAT, **ENDED))
    walk_at(run, f"{TODAY.isoformat()}T11:00", after_injection(**REPEAT, end_of_treatment=False))
    listed = json.loads(run("sessions", "--json").stdout)
    end = next(s["id"] for s in listed if s["status"] == "blocked")

    amended = run(
        "walk", "--resume", "--session", end, "--no-input", "--now", f"{TODAY.isoformat()}T12:00",
        "--answer", "end_of_treatment_comment=wants to stop, said so twice",
    )  # fmt: skip
    assert amended.exit_code in (0, 1), amended.output

    history = run("history", LABEL, "--today", TODAY.isoformat(), "--json")
    timeline = json.loads(history.stdout)
    assert timeline["off_treatment"] is None, history.stdout
    card = run("card", LABEL)
    assert "no injection is to come" not in card.stdout, card.stdout
