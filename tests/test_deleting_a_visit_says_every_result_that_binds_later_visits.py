"""Deleting a visit says everything it takes out of the patient's record that binds later
visits (docs/commands.md; visit/history.py what_it_binds): a dose, a known
hypersensitivity, an opioid use, an end of the treatment... A visit that recorded a
positive naloxone challenge binds every later visit of the patient within its
rechallenge window (no new challenge is read as the result: safety invariant 9), and one
that recorded fentanyl use in the last 30 days binds a later no to it; deleting either
takes it out of the record, and neither is said, before asking or when done."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.helpers import TODAY, Run, flat, ready_patient, stored_sessions, walk_visit

LABEL = "DELETED-RESULT"


def deleted(run: Run, answers: dict[str, Any]) -> str:
    """A visit of ``answers`` today (left before its dose), deleted by its id: what the
    deletion said."""
    left = walk_visit(run, LABEL, TODAY, answers)
    assert left.exit_code in (1, 4), left.output
    assert len(stored_sessions(LABEL)) == 1
    gone = run("sessions", "--delete", LABEL, "--yes")
    assert gone.exit_code == 0, gone.output
    assert stored_sessions(LABEL) == []
    return flat(gone.stdout + gone.stderr)


def test_the_control_a_recorded_hypersensitivity_is_said(run: Run) -> None:
    said = deleted(run, ready_patient(hypersensitivity=True))
    assert "hypersensitivity" in said, said


def test_a_recorded_positive_challenge_is_said(run: Run) -> None:
    said = deleted(
        run, ready_patient(naloxone_challenge="positive", naloxone_rechallenge="not_done")
    )
    assert "challenge" in said, f"the deletion did not say the positive challenge: {said}"


def test_a_recorded_fentanyl_use_is_said(run: Run) -> None:
    said = deleted(run, ready_patient(fentanyl_used_30_days=True))
    assert "fentanyl" in said, f"the deletion did not say the fentanyl use: {said}"


def test_a_recorded_positive_screen_of_the_day_is_said(run: Run) -> None:
    """A positive screen is the day's result for every visit of the patient that day."""
    said = deleted(run, ready_patient(uds_fentanyl="positive"))
    assert "uds_fentanyl positive" in said, f"the deletion did not say the screen: {said}"


def test_a_reported_last_injection_is_said(run: Run) -> None:
    """A last injection a repeat visit typed (a dose given elsewhere) binds the patient's
    later visits as their last injection."""
    reported = TODAY - dt.timedelta(days=3)
    said = deleted(
        run,
        {"visit": "repeat_injection", "last_injection_date": reported,
         "last_injection_side": "right"},
    )  # fmt: skip
    assert f"the last injection it reports, of {reported.isoformat()}" in said, said
