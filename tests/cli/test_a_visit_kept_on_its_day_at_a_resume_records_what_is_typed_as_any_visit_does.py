"""A walk resumed at a terminal on a later day than its answered visit date asks whether
the patient is seen today; "keep" enters that day's visit late (visit/resume.py
``answered_day_behind``). A COWS rating or a naloxone result typed then would be taken
now, on another day than the visit's: it is refused, saying so and how to enter the
visit's own results (with their times, in a file) or move the visit
(visit/results.py ``taken_on_another_day``, safety invariant 3). So a rating of
withdrawal during a challenge's observation can never be left out of the series beside a
negative typed on the kept visit (reference 5.2), a challenge whose naloxone is given on
the resume's day never counts for the kept day's injection, and the record never holds a
rating as an answer that its series lacks (the session stays readable)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.helpers import (
    DOSE_GIVEN,
    TODAY,
    Run,
    answer_flags,
    flat,
    only_session,
    ready_patient,
    stored_record,
    walk_at,
)
from xrntx_guide.errors import ExitCode

NEXT_DAY = TODAY + dt.timedelta(days=1)
INJECTION_STEP = "Was the injection given?"
MOVED_RESULTS = "3\n" + "1\n" * 5  # "today": the pregnancy test and the five screens again
ITEMS = 11
SCREENS = ("uds_opiates", "uds_fentanyl", "uds_buprenorphine", "uds_methadone", "uds_oxycodone")


def _items(*scores: int) -> str:
    """The COWS items typed one by one: ``scores`` first, the rest 0."""
    return "".join(f"{s}\n" for s in (*scores, *[0] * (ITEMS - len(scores))))


WITHDRAWAL = _items(4, 4)  # total 8
CALM = _items(2)  # total 2
DOSE = "yes\nleft\n2-inch\n\n30\nyes\nquit\n"


def _challenge_left_open(run: Run, **changes: Any) -> str:
    """A first injection answered for TODAY, eight days after short-acting use on the
    patient's word alone (a challenge required), screened negative and left before its
    COWS rating: the stored session's id."""
    answers = ready_patient(
        injection_date=TODAY,
        last_opioid_use=TODAY - dt.timedelta(days=8),
        abstinence_evidence="self_report",
        cows_total=None,
        naloxone_challenge=None,
        **changes,
    )
    first = walk_at(run, "late-1", f"{TODAY.isoformat()}T09:00", answers)
    assert first.exit_code == ExitCode.INCOMPLETE, first.output
    return only_session()


def _resume_next_morning(run: Run, session: str, typed: str) -> Any:
    return run(
        "walk", "--resume", "--session", session, "--now", f"{NEXT_DAY.isoformat()}T08:30",
        "--plain", input=typed,
    )  # fmt: skip


def _withdrawal_during_the_challenge(choice: str) -> str:
    """At the question ``choice``; rated calm; the naloxone given at 08:00; at 08:30 a
    rating of withdrawal after it, then a calm one; the result typed negative; then yes to
    the injection and its details."""
    moved = MOVED_RESULTS if choice == "today" else ""
    return (
        f"{choice}\n{moved}{_items()}start 08:00\n"
        f"rate again after_challenge\n\n{WITHDRAWAL}"
        f"rate again repeat\n\n{CALM}negative\n{DOSE}"
    )


@pytest.mark.usefixtures("at_a_terminal")
def test_withdrawal_rated_during_a_kept_visits_challenge_never_leaves_it_negative(
    run: Run,
) -> None:
    session = _challenge_left_open(run)

    resumed = _resume_next_morning(run, session, _withdrawal_during_the_challenge("keep"))

    assert INJECTION_STEP not in resumed.stdout, resumed.output
    assert stored_record(session).injection_given is not True


@pytest.mark.usefixtures("at_a_terminal")
def test_withdrawal_rated_during_a_moved_visits_challenge_leaves_no_negative(run: Run) -> None:
    """The same typing after "today" (the control): the negative is refused."""
    session = _challenge_left_open(run)

    resumed = _resume_next_morning(run, session, _withdrawal_during_the_challenge("today"))

    assert "withdrawal during the observation" in flat(resumed.output), resumed.output
    assert INJECTION_STEP not in resumed.stdout, resumed.output
    assert stored_record(session).injection_given is not True


@pytest.mark.usefixtures("at_a_terminal")
def test_a_challenge_begun_on_the_resumes_day_never_counts_for_the_kept_days_dose(
    run: Run,
) -> None:
    session = _challenge_left_open(run)

    resumed = _resume_next_morning(run, session, f"keep\n{_items()}start 08:00\nnegative\n{DOSE}")

    record = stored_record(session)
    filed = [
        (c.day, c.started.astimezone().date())
        for c in record.naloxone_challenges
        if c.started is not None and c.result == "negative"
    ]
    assert all(day == given for day, given in filed), filed
    assert record.injection_given is not True, resumed.output


@pytest.mark.usefixtures("at_a_terminal")
def test_a_rating_typed_on_a_kept_visit_is_refused_saying_how_to_enter_it(run: Run) -> None:
    session = _challenge_left_open(run)

    resumed = _resume_next_morning(run, session, f"keep\n{WITHDRAWAL}quit\n")

    said = flat(resumed.output)
    assert f"not the visit of {TODAY.isoformat()}" in said, said
    assert "cows_ratings" in said and "edit injection_date" in said, said
    record = stored_record(session)
    assert record.cows_ratings == [], record.cows_ratings
    assert not [k for k in record.answers if k.startswith("cows_")], record.answers


@pytest.mark.usefixtures("at_a_terminal")
def test_a_cows_total_typed_on_a_kept_visit_leaves_its_session_readable(run: Run) -> None:
    session = _challenge_left_open(run)

    _resume_next_morning(run, session, f"keep\n{WITHDRAWAL}rate again repeat\n2\nquit\n")

    again = run(
        "walk", "--resume", "--session", session, "--no-input",
        "--now", f"{NEXT_DAY.isoformat()}T08:40",
    )  # fmt: skip
    assert "do not match its audit trail" not in again.output, again.output
    assert again.exit_code != ExitCode.USAGE, again.output


def test_a_challenge_given_by_flag_for_a_visit_entered_late_never_counts_from_another_day(
    run: Run,
) -> None:
    session = _challenge_left_open(run)

    resumed = run(
        "walk", "--resume", "--session", session, "--no-input", "--acknowledge", "all",
        "--now", f"{NEXT_DAY.isoformat()}T08:30", "-a", f"injection_date={TODAY.isoformat()}",
        "-a", "cows_total=1", "-a", "naloxone_challenge=negative",
        "-a", "naloxone_challenge_started=08:00", *answer_flags(DOSE_GIVEN),
    )  # fmt: skip

    record = stored_record(session)
    assert record.injection_given is not True, resumed.output


def test_the_same_flags_moving_the_visit_to_the_run_s_day_count_the_dose_there(run: Run) -> None:
    """The control: the same results given for the day they are taken count there."""
    session = _challenge_left_open(run)

    resumed = run(
        "walk", "--resume", "--session", session, "--no-input", "--acknowledge", "all",
        "--now", f"{NEXT_DAY.isoformat()}T08:30", "-a", f"injection_date={NEXT_DAY.isoformat()}",
        "-a", "pregnancy_test=not_applicable", *answer_flags(dict.fromkeys(SCREENS, "negative")),
        "-a", "cows_total=1", "-a", "naloxone_challenge=negative",
        "-a", "naloxone_challenge_started=08:00", *answer_flags(DOSE_GIVEN),
    )  # fmt: skip

    record = stored_record(session)
    assert record.injection_given is True, resumed.output
    assert record.answers["injection_date"].value == NEXT_DAY.isoformat()
