"""A visit moved to the day it is resumed on (the answer "today" to "Is the patient's
visit today?") clears its old day's point-in-time results and asks them again. An
override belongs to the answers it was given for (safety invariant 6): one given for the
old day's pregnancy test is not an override of the test asked again on the new day,
whatever that test shows, so the stop it lifted is shown again, not passed unasked."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.helpers import TODAY, Run, flat, only_session, ready_patient, stored_record, walk_at
from xrntx_guide.errors import ExitCode

NEXT_DAY = TODAY + dt.timedelta(days=1)
OVERRIDE = "pregnancy=patient_informed_choice: informed of the risks, chooses to start"


def _overridden_visit(run: Run) -> str:
    """A first injection answered for TODAY with a positive pregnancy test, its stop
    overridden, left before its COWS rating: the stored session's id."""
    answers = ready_patient(injection_date=TODAY, pregnancy_test="positive", cows_total=None)
    first = walk_at(run, "preg-1", f"{TODAY.isoformat()}T09:00", answers, "--override", OVERRIDE)
    assert first.exit_code == ExitCode.INCOMPLETE, first.output
    session = only_session()
    assert "pregnancy" in stored_record(session).overrides
    return session


def _resume_next_morning(run: Run, session: str, typed: str) -> Any:
    return run(
        "walk", "--resume", "--session", session, "--now", f"{NEXT_DAY.isoformat()}T08:30",
        "--plain", input=typed,
    )  # fmt: skip


@pytest.mark.usefixtures("at_a_terminal")
def test_the_stop_of_a_test_asked_again_after_a_move_is_shown_again(run: Run) -> None:
    session = _overridden_visit(run)

    resumed = _resume_next_morning(run, session, "\n2\nquit\n")  # today; positive again

    assert stored_record(session).answers["injection_date"].value == NEXT_DAY.isoformat()
    assert "STOP: Pregnancy" in flat(resumed.stdout), resumed.output
    assert "(pregnancy) are taken back" in flat(resumed.output), resumed.output


@pytest.mark.usefixtures("at_a_terminal")
def test_a_visit_kept_on_its_day_keeps_its_override(run: Run) -> None:
    """The control: "keep" leaves the day's results, and the override given for them."""
    session = _overridden_visit(run)

    resumed = _resume_next_morning(run, session, "keep\nquit\n")

    assert "STOP: Pregnancy" not in flat(resumed.stdout), resumed.output
    assert "pregnancy" in stored_record(session).overrides


@pytest.mark.usefixtures("at_a_terminal")
def test_a_positive_test_asked_again_after_a_move_stops_the_walk(run: Run) -> None:
    """The control: without an override, the test typed positive on the new day stops."""
    answers = ready_patient(injection_date=TODAY, pregnancy_test="negative", cows_total=None)
    first = walk_at(run, "preg-2", f"{TODAY.isoformat()}T09:00", answers)
    assert first.exit_code == ExitCode.INCOMPLETE, first.output

    resumed = _resume_next_morning(run, only_session(), "\n2\nquit\n")

    assert "STOP: Pregnancy" in flat(resumed.stdout), resumed.output
