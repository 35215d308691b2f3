"""A hypersensitivity once recorded stands for the patient's LATER visits (clinical basis,
safety invariants 1 and 11: a later no to it is refused). The visit that gave the dose
the reaction followed is not a later visit: it was walked before the reaction, and its
"no known hypersensitivity" was true then. Resumed after the reaction was recorded, to
record what follows the injection (the observation, the wallet card), it must be
finished, not refused: the dose is given and its record (and the emergency card printed
from it) would otherwise never be completed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import (
    MONTHLY_VISIT,
    REPEAT_WITHOUT_USE,
    TODAY,
    Run,
    answer_flags,
    clinic_copy,
    ready_patient,
)

LABEL = "ALLERGY-1"
DAY = TODAY.isoformat()
REPEAT = REPEAT_WITHOUT_USE


REACTION = "reaction_after_last_dose"


@pytest.mark.parametrize("named", [REACTION, "allergy_after_last_dose"], ids=["ours", "a-copy"])
def test_the_dose_visit_is_finished_after_a_reaction_to_it_was_recorded(
    run: Run, tmp_path: Path, named: str
) -> None:
    """10:00: a first injection is given; the walk waits for the observation and the
    wallet card. 10:30: during the observation, urticaria; a second walk records the
    allergic reaction after that dose (blocked), with this pack or with a clinic's copy
    that names the reaction otherwise. 10:45: the first walk is resumed to record the
    observation and the card: it finishes, and the card prints."""
    steps = [] if named == REACTION else ["--steps", str(clinic_copy(tmp_path, REACTION, named))]
    given = run(
        "walk", "--no-input", "--label", LABEL, "--now", f"{DAY}T10:00", "--acknowledge", "all",
        *answer_flags(
            ready_patient(injection_given=True, injection_side_used="left", needle_used="2-inch")
        ),
    )  # fmt: skip
    assert given.exit_code == 4, given.output  # waits for the observation and the card
    dose_visit = json.loads(run("sessions", "--json").stdout)[0]["id"]

    answers = ready_patient(
        **REPEAT, **MONTHLY_VISIT, last_injection_date=TODAY, last_injection_side="left"
    )
    answers = {k: v for k, v in answers.items() if k != REACTION} | {named: True}
    reaction = run(
        "walk", "--no-input", "--label", LABEL, "--now", f"{DAY}T10:30", "--acknowledge", "all",
        *steps, *answer_flags(answers),
    )  # fmt: skip
    assert reaction.exit_code == 1, reaction.output  # the contraindication blocks

    finished = run(
        "walk", "--no-input", "--resume", "--session", dose_visit, "--now", f"{DAY}T10:45",
        "--acknowledge", "all", "-a", "observation_minutes=30", "-a", "wallet_card_given=yes",
    )  # fmt: skip
    assert finished.exit_code == 0, finished.output
    card = run("card", dose_visit)
    assert card.exit_code == 0, card.output
