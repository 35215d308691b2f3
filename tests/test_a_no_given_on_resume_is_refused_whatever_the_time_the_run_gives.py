"""A no to a standing answer given again on the resume of the dose visit a reaction
followed is a new answer that the record contradicts, and is refused (clinical basis,
safety invariants 1 and 11). It is given by this run, after the reaction was recorded,
whatever time the run's clock gives it: a resume whose clock is behind the one that
recorded the reaction (another workstation's, or ``--now``) would otherwise time the
fresh no before the yes, and the visit is finished keeping a "no known hypersensitivity"
given after the reaction was on record."""

from __future__ import annotations

import json

from tests.helpers import MONTHLY_VISIT, REPEAT_WITHOUT_USE, TODAY, Run, answer_flags, ready_patient

LABEL = "ALLERGY-CLOCK"
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
    assert given.exit_code == 4, given.output
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


def resume_at(run: Run, dose_visit: str, at: str, *extra: str) -> int:
    resumed = run(
        "walk", "--no-input", "--resume", "--session", dose_visit, "--now", f"{DAY}T{at}",
        "--acknowledge", "all", *extra, *RESUMED,
    )  # fmt: skip
    return resumed.exit_code


def test_the_control_the_dose_visit_is_finished_by_a_clock_behind(run: Run) -> None:
    assert resume_at(run, dose_then_reaction(run), "10:20") == 0


def test_a_no_given_by_flag_with_a_clock_behind_is_refused(run: Run) -> None:
    dose_visit = dose_then_reaction(run)
    assert resume_at(run, dose_visit, "10:20", "-a", "hypersensitivity=no") == 2
