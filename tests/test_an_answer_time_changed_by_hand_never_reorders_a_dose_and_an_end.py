"""An end of treatment and a dose of one day are ordered by when each answer's yes was
recorded (clinical basis, safety invariant 12). Every answer's value is checked against
the audit trail that logged it, so that a record changed by hand is refused instead of
read (visit/integrity.py); the time an answer holds now orders a dose and an end just as
its value counts the dose, so a time changed by hand (the dose's yes moved from 10:00 to
11:00, past an end recorded at 10:30) must be refused too, or the audit trail's time read
instead: else the history says "on treatment" for a patient whose treatment ended after
the last dose."""

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
    stored_sessions,
)

LABEL = "EOT-BY-HAND"
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


def dose_then_end(run: Run) -> str:
    """A first dose four weeks ago; today a dose at 10:00, an end of treatment at 10:30.
    Returns today's dose visit."""
    first = days_ago(28)
    walk_at(
        run,
        f"{first.isoformat()}T12:00",
        after_injection(last_opioid_use=first - dt.timedelta(days=14), injection_date=first),
    )
    dosed = {**after_injection(**REPEAT_WITHOUT_USE), "injection_side_used": "right"}
    assert walk_at(run, f"{DAY}T10:00", dosed) == 0
    dose_visit: str = json.loads(run("sessions", "--json").stdout)[0]["id"]
    ended = ready_patient(
        **REPEAT_WITHOUT_USE, **ENDED, last_injection_date=TODAY, last_injection_side="right"
    )
    assert walk_at(run, f"{DAY}T10:30", ended) == 1
    return dose_visit


def shown_off_treatment(run: Run) -> tuple[int, object]:
    shown = run("history", LABEL, "--today", DAY, "--json")
    if shown.exit_code != 0:
        return shown.exit_code, None
    return 0, json.loads(shown.stdout)["off_treatment"]


def test_the_control_the_end_after_the_dose_is_off_treatment(run: Run) -> None:
    dose_then_end(run)
    assert shown_off_treatment(run)[1] is not None


def test_a_dose_time_moved_by_hand_past_the_end_is_refused_or_ignored(run: Run) -> None:
    dose_visit = dose_then_end(run)
    (stored,) = [s for s in stored_sessions(LABEL) if s.name == dose_visit]
    record = json.loads(stored.read_text())
    given = record["answers"]["injection_given"]
    assert given["at"].startswith(f"{DAY}T10:00"), given  # the test's premise
    given["at"] = given["at"].replace("T10:00", "T11:00", 1)
    stored.write_text(json.dumps(record))
    code, off = shown_off_treatment(run)
    assert code != 0 or off is not None, "the history says on treatment"
