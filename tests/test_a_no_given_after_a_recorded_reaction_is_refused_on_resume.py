"""A hypersensitivity once recorded binds every answer given after it (clinical basis,
safety invariants 1 and 11). The visit that gave the dose a reaction then followed may
be resumed to be finished with the "no known hypersensitivity" it recorded before the
reaction; but a no given again on that resume, after the reaction was recorded, is a
new answer that the record contradicts, and is refused (as a no given after the yes
at a prompt is): by a flag, or typed at the prompt after `edit`. Taken, the record would
keep a "no" timed after the reaction."""

from __future__ import annotations

import json
import os

import pexpect
import pytest

from tests.helpers import (
    EXE,
    MONTHLY_VISIT,
    REPEAT_WITHOUT_USE,
    TODAY,
    Run,
    answer_flags,
    ready_patient,
    stored_sessions,
    wrapping,
)

LABEL = "ALLERGY-AGAIN"
DAY = TODAY.isoformat()
RESUMED = ["-a", "observation_minutes=30", "-a", "wallet_card_given=yes"]


def dose_then_reaction(run: Run) -> str:
    """10:00 a dose, its visit waiting for the observation; 10:30 another visit records a
    reaction after that dose. Returns the dose visit's session."""
    given = run(
        "walk", "--no-input", "--label", LABEL, "--now", f"{DAY}T10:00", "--acknowledge", "all",
        *answer_flags(
            ready_patient(injection_given=True, injection_side_used="left", needle_used="2-inch")
        ),
    )  # fmt: skip
    assert given.exit_code == 4, given.output  # waits for the observation and the card
    dose_visit: str = json.loads(run("sessions", "--json").stdout)[0]["id"]
    reaction = run(
        "walk", "--no-input", "--label", LABEL, "--now", f"{DAY}T10:30", "--acknowledge", "all",
        *answer_flags(
            ready_patient(
                **REPEAT_WITHOUT_USE,
                **{**MONTHLY_VISIT, "reaction_after_last_dose": True},
                last_injection_date=TODAY,
                last_injection_side="left",
            )
        ),
    )  # fmt: skip
    assert reaction.exit_code == 1, reaction.output
    return dose_visit


def test_the_control_the_dose_visit_is_finished_with_the_no_it_recorded_before(
    run: Run,
) -> None:
    dose_visit = dose_then_reaction(run)
    finished = run(
        "walk", "--no-input", "--resume", "--session", dose_visit, "--now", f"{DAY}T10:45",
        "--acknowledge", "all", *RESUMED,
    )  # fmt: skip
    assert finished.exit_code == 0, finished.output


def test_the_control_the_dose_visit_is_finished_by_a_clock_behind(run: Run) -> None:
    """Resumed with a clock behind the one that recorded the reaction (another
    workstation's, or ``--now``), the dose visit is finished with the no it recorded."""
    dose_visit = dose_then_reaction(run)
    finished = run(
        "walk", "--no-input", "--resume", "--session", dose_visit, "--now", f"{DAY}T10:20",
        "--acknowledge", "all", *RESUMED,
    )  # fmt: skip
    assert finished.exit_code == 0, finished.output


def test_a_no_given_by_flag_with_a_clock_behind_is_refused(run: Run) -> None:
    """Given by this run, after the reaction was on record, whatever time the run's clock
    gives it: a clock behind would otherwise time the fresh no before the yes."""
    dose_visit = dose_then_reaction(run)
    again = run(
        "walk", "--no-input", "--resume", "--session", dose_visit, "--now", f"{DAY}T10:20",
        "--acknowledge", "all", "-a", "hypersensitivity=no", *RESUMED,
    )  # fmt: skip
    assert again.exit_code == 2, again.output


def test_a_no_given_by_flag_after_the_reaction_is_refused(run: Run) -> None:
    dose_visit = dose_then_reaction(run)
    again = run(
        "walk", "--no-input", "--resume", "--session", dose_visit, "--now", f"{DAY}T10:45",
        "--acknowledge", "all", "-a", "hypersensitivity=no", *RESUMED,
    )  # fmt: skip
    assert again.exit_code == 2, again.output
    assert "hypersensitivity" in again.stderr, again.output


@pytest.mark.skipif(not EXE.exists(), reason=f"{EXE} is not installed")
def test_a_no_typed_after_the_reaction_is_refused_at_the_prompt(run: Run) -> None:
    dose_visit = dose_then_reaction(run)
    child = pexpect.spawn(
        str(EXE),
        ["walk", "--resume", "--session", dose_visit, "--now", f"{DAY}T10:45", "--plain"],
        env={**os.environ, "NO_COLOR": "1", "TERM": "xterm", "COLUMNS": "100"},
        encoding="utf-8",
        timeout=15,
        dimensions=(50, 100),
    )
    try:
        child.expect(wrapping(r"Minutes observed after the injection \(whole number\): "))
        child.sendline("edit hypersensitivity")
        child.expect(wrapping(r"Known hypersensitivity to naltrexone[^\n]*\? \(yes/no\)"))
        child.sendline("no")
        child.expect(wrapping(r"no was given, but session \w+ \(visit of [-\d]+\) recorded"))
        child.expect(wrapping(r"Known hypersensitivity to naltrexone[^\n]*\? \(yes/no\)"))
        child.sendline("quit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    (dose,) = [s for s in stored_sessions(LABEL) if s.name == dose_visit]
    kept = json.loads(dose.read_text())["answers"]["hypersensitivity"]
    assert kept["value"] is False and kept["at"] < f"{DAY}T10:30", kept  # the no of 10:00
