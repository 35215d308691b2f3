"""An end of treatment and a dose of one day are ordered by when each answer's yes was
recorded (clinical basis, safety invariant 12: the record says only what is true). A
dose given at 10:00, its visit waiting for the observation, then an end of treatment
recorded at 10:30: the patient is off treatment. Resumed at 10:45 to record the
observation, the dose visit given its answers again (``-a injection_given=yes``, as a
whole answer set is often passed again) still gave its dose at 10:00: the history must
not say the patient is back on treatment."""

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

LABEL = "EOT-AGAIN"
DAY = TODAY.isoformat()
ENDED = {
    "end_of_treatment": True,
    "end_of_treatment_reason": "patient_choice",
    "end_of_treatment_comment": "wants to stop",
    "end_overdose_counselled": True,
    "end_reversal_agent_prescribed": True,
}
FINISH = ["-a", "observation_minutes=30", "-a", "wallet_card_given=yes"]


def walk_at(run: Run, at: str, answers: dict[str, object]) -> int:
    walked = run(
        "walk", "--no-input", "--label", LABEL, "--now", at, "--acknowledge", "all",
        *answer_flags(answers),
    )  # fmt: skip
    assert walked.exit_code in (0, 1, 4), walked.output
    return walked.exit_code


def dose_then_end(run: Run) -> str:
    """A first dose four weeks ago; today 10:00 a dose (waiting for the observation),
    10:30 an end of treatment. Returns today's dose visit."""
    first = days_ago(28)
    walk_at(
        run,
        f"{first.isoformat()}T12:00",
        after_injection(last_opioid_use=first - dt.timedelta(days=14), injection_date=first),
    )
    dosed = ready_patient(
        **REPEAT_WITHOUT_USE,
        injection_given=True,
        injection_side_used="right",
        needle_used="2-inch",
    )
    assert walk_at(run, f"{DAY}T10:00", dosed) == 4
    dose_visit: str = next(
        s["id"]
        for s in json.loads(run("sessions", "--json").stdout)
        if s["status"] == "in_progress"
    )
    ended = ready_patient(
        **REPEAT_WITHOUT_USE, **ENDED, last_injection_date=TODAY, last_injection_side="right"
    )
    assert walk_at(run, f"{DAY}T10:30", ended) == 1
    assert off_treatment(run) is not None
    return dose_visit


def off_treatment(run: Run) -> object:
    shown = run("history", LABEL, "--today", DAY, "--json")
    assert shown.exit_code == 0, shown.output
    return json.loads(shown.stdout)["off_treatment"]


def test_the_control_finishing_the_dose_visit_leaves_the_patient_off_treatment(
    run: Run,
) -> None:
    dose_visit = dose_then_end(run)
    finished = run(
        "walk", "--no-input", "--resume", "--session", dose_visit, "--now", f"{DAY}T10:45",
        "--acknowledge", "all", *FINISH,
    )  # fmt: skip
    assert finished.exit_code == 0, finished.output
    assert off_treatment(run) is not None


def test_the_dose_answer_given_again_keeps_the_patient_off_treatment(run: Run) -> None:
    dose_visit = dose_then_end(run)
    finished = run(
        "walk", "--no-input", "--resume", "--session", dose_visit, "--now", f"{DAY}T10:45",
        "--acknowledge", "all", "-a", "injection_given=yes", *FINISH,
    )  # fmt: skip
    assert finished.exit_code == 0, finished.output
    assert off_treatment(run) is not None
