"""A repeat visit that reported opioid use since the last injection, moved to a later day
(resumed two days on), keeps the yes: the use happened, whatever day the visit moves to.
Cleared with the day's results and asked again, a "no" was taken and the new induction
was read as a plain repeat dose. A "no" is still asked again (a use may have come since)."""

from __future__ import annotations

import json

from tests.helpers import (
    MONTHLY_VISIT,
    REPEAT_WITHOUT_USE,
    Run,
    at_noon,
    days_ago,
    first_dose_on,
    ready_patient,
    stored_record,
    walk_visit,
)

LABEL = "USE-SINCE"
KEY = "opioid_use_since_last_injection"


def _visit_left_before_the_kit(run: Run, used: bool) -> str:
    dose = days_ago(29)
    first_dose_on(run, LABEL, dose)
    answers = {
        **ready_patient(**REPEAT_WITHOUT_USE, last_injection_date=dose),
        **MONTHLY_VISIT,
        KEY: used,
        "kit_storage_ok": False,
    }
    if used:
        answers["opioid_use_significant"] = False
    walk_visit(run, LABEL, days_ago(2), answers)
    sessions = json.loads(run("sessions", "--json").stdout)
    return str(next(s["id"] for s in sessions if s["visit_date"] == days_ago(2).isoformat()))


def test_a_yes_stays_when_the_visit_moves_to_a_later_day(run: Run) -> None:
    session = _visit_left_before_the_kit(run, used=True)
    moved = run(
        "walk", "--no-input", "--resume", "--session", session, "--now", at_noon(days_ago(0))
    )
    asked_again = next((line for line in moved.stderr.splitlines() if "is asked again" in line), "")
    assert asked_again, moved.output  # the visit did move
    assert KEY not in asked_again, asked_again
    assert stored_record(session).answers[KEY].value is True


def test_a_no_is_asked_again_when_the_visit_moves(run: Run) -> None:
    session = _visit_left_before_the_kit(run, used=False)
    moved = run(
        "walk", "--no-input", "--resume", "--session", session, "--now", at_noon(days_ago(0))
    )
    asked_again = next((line for line in moved.stderr.splitlines() if "is asked again" in line), "")
    assert KEY in asked_again, moved.output
