"""A walk resumed at a terminal on a later day than the date its visit was answered for
asks whether the patient is seen today (visit/resume.py ``answered_day_behind``). Moved,
the visit's results of its old day are cleared and asked again; kept, the walk says how
to move it. Either way nothing typed is filed for a day the clinician did not choose."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from tests.helpers import (
    DOSE_GIVEN,
    TODAY,
    Run,
    StoredSession,
    only_session,
    ready_patient,
    stored_record,
    walk_at,
)
from xrntx_guide.errors import ExitCode

NEXT_DAY = TODAY + dt.timedelta(days=1)
SCREENS = ("uds_opiates", "uds_fentanyl", "uds_buprenorphine", "uds_methadone", "uds_oxycodone")
QUESTION = "Is the patient's visit today?"


def _visit_left_waiting(run: Run, **changes: Any) -> str:
    """A first injection on TODAY, its date given, screened negative, left before its
    COWS rating: the stored session's id."""
    answers = ready_patient(injection_date=TODAY, cows_total=None, **changes)
    first = walk_at(run, "rx-day", f"{TODAY.isoformat()}T09:00", answers)
    assert first.exit_code == ExitCode.INCOMPLETE, first.output
    return only_session()


def _resume_next_morning(run: Run, session: str, typed: str, *extra: str) -> Any:
    return run(
        "walk", "--resume", "--session", session, "--now", f"{NEXT_DAY.isoformat()}T08:30",
        "--plain", *extra, input=typed,
    )  # fmt: skip


@pytest.mark.usefixtures("at_a_terminal")
def test_enter_moves_the_visit_to_today_and_asks_its_results_again(run: Run) -> None:
    session = _visit_left_waiting(run)
    assert stored_record(session).answers["injection_date"].origin != "default"

    resumed = _resume_next_morning(run, session, "\nquit\n")

    assert QUESTION in resumed.stdout, resumed.output
    record = stored_record(session)
    assert record.answers["injection_date"].value == NEXT_DAY.isoformat()
    assert not set(SCREENS) & set(record.answers), "a screen of the old day was kept"
    said = " ".join(resumed.output.split())
    assert f"{TODAY.isoformat()} -> {NEXT_DAY.isoformat()}" in said
    assert all(k in said for k in SCREENS), "the cleared results are not named"


@pytest.mark.usefixtures("at_a_terminal")
def test_keep_leaves_the_visit_on_its_day_and_says_how_to_move_it(run: Run) -> None:
    session = _visit_left_waiting(run)

    resumed = _resume_next_morning(run, session, "keep\nquit\n")

    record = stored_record(session)
    assert record.answers["injection_date"].value == TODAY.isoformat()
    assert all(record.answers[k].value == "negative" for k in SCREENS)
    said = " ".join(resumed.output.split())
    assert "edit injection_date" in said, said
    assert f"--answer injection_date={NEXT_DAY.isoformat()}" in said, said


@pytest.mark.usefixtures("at_a_terminal")
def test_a_wrong_word_is_asked_again_and_quit_leaves_the_record_as_it_was(run: Run) -> None:
    session = _visit_left_waiting(run)
    before = StoredSession(session).read_text()

    resumed = _resume_next_morning(run, session, "tomorrow\nquit\n")

    assert resumed.exit_code == ExitCode.OK, resumed.output
    assert resumed.stdout.count(QUESTION) == 2, resumed.output
    assert StoredSession(session).read_text() == before


@pytest.mark.usefixtures("at_a_terminal")
def test_not_asked_when_the_run_gives_the_date(run: Run) -> None:
    session = _visit_left_waiting(run)

    resumed = _resume_next_morning(
        run, session, "quit\n", "--answer", f"injection_date={TODAY.isoformat()}"
    )

    assert QUESTION not in resumed.stdout, resumed.output
    assert stored_record(session).answers["injection_date"].value == TODAY.isoformat()


@pytest.mark.usefixtures("at_a_terminal")
def test_not_asked_of_a_visit_whose_dose_is_counted(run: Run) -> None:
    answers = ready_patient(injection_date=TODAY) | DOSE_GIVEN
    done = walk_at(run, "rx-day", f"{TODAY.isoformat()}T09:00", answers)
    assert done.exit_code == ExitCode.OK, done.output
    session = only_session()
    assert stored_record(session).injection_given is True

    resumed = _resume_next_morning(run, session, "quit\n")

    assert QUESTION not in resumed.stdout, resumed.output
    assert stored_record(session).answers["injection_date"].value == TODAY.isoformat()
    assert "start a new walk" in " ".join(resumed.output.split())


@pytest.mark.usefixtures("at_a_terminal")
def test_not_asked_of_a_date_left_to_its_default_which_moves_by_itself(run: Run) -> None:
    answers = ready_patient(cows_total=None)
    first = walk_at(run, "rx-day", f"{TODAY.isoformat()}T09:00", answers)
    assert first.exit_code == ExitCode.INCOMPLETE, first.output
    session = only_session()
    assert stored_record(session).answers["injection_date"].origin == "default"

    resumed = _resume_next_morning(run, session, "quit\n")

    assert QUESTION not in resumed.stdout, resumed.output
    assert stored_record(session).answers["injection_date"].value == NEXT_DAY.isoformat()


def test_off_a_terminal_nothing_is_asked_and_the_warning_says_how_to_move(run: Run) -> None:
    session = _visit_left_waiting(run)

    resumed = run(
        "walk", "--resume", "--session", session, "--no-input",
        "--now", f"{NEXT_DAY.isoformat()}T08:30",
    )  # fmt: skip

    assert QUESTION not in resumed.output
    said = " ".join(resumed.output.split())
    assert f"--answer injection_date={NEXT_DAY.isoformat()}" in said, said
    record = stored_record(session)
    assert record.answers["injection_date"].value == TODAY.isoformat()
    assert json.dumps(record.answers["uds_opiates"].value) == '"negative"'
