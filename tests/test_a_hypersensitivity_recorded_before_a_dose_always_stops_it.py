"""A hypersensitivity once recorded binds every later no, and no dose is counted beside it
(clinical basis, safety invariants 1 and 11). The one exception is the dose a reaction
followed: its visit, resumed, may be finished with the no it recorded before the
reaction, as its dose was given before the yes. A visit that finished WITHOUT the dose
(09:00), resumed after another visit recorded a hypersensitivity (10:00) to say the
injection was given after all (11:00), gives its dose after the yes: it must be refused,
as a new walk's is. Counted, the patient's record holds a dose given beside a
contraindication it already showed."""

from __future__ import annotations

import json

from tests.helpers import TODAY, Run, answer_flags, ready_patient

LABEL = "ALLERGY-THEN-DOSE"
DAY = TODAY.isoformat()
GIVEN = (
    "injection_given=yes",
    "injection_side_used=left",
    "needle_used=2-inch",
    "observation_minutes=30",
    "wallet_card_given=yes",
)


def walk_at(run: Run, at: str, answers: dict[str, object]) -> int:
    walked = run(
        "walk", "--no-input", "--label", LABEL, "--now", f"{DAY}T{at}", "--acknowledge", "all",
        *answer_flags(answers),
    )  # fmt: skip
    return walked.exit_code


def resume_with_the_dose(run: Run, allergy_first: bool) -> int:
    """09:00 a visit finishes without the injection; (10:00 another visit records a
    hypersensitivity;) 11:00 the first is resumed to record the dose. The resume's exit."""
    assert walk_at(run, "09:00", ready_patient(injection_given=False)) == 0
    finished = json.loads(run("sessions", "--json").stdout)[0]["id"]
    if allergy_first:
        assert walk_at(run, "10:00", ready_patient(hypersensitivity=True)) == 1
    resumed = run(
        "walk", "--no-input", "--resume", "--session", finished, "--now", f"{DAY}T11:00",
        "--acknowledge", "all", *[a for g in GIVEN for a in ("--answer", g)],
    )  # fmt: skip
    return resumed.exit_code


def doses(run: Run) -> list[object]:
    shown = json.loads(run("history", LABEL, "--json", "--today", DAY).stdout)
    return list(shown["injections"])


def test_the_control_the_finished_visit_records_its_dose(run: Run) -> None:
    assert resume_with_the_dose(run, allergy_first=False) == 0
    assert len(doses(run)) == 1


def test_the_dose_given_after_the_hypersensitivity_is_refused(run: Run) -> None:
    code = resume_with_the_dose(run, allergy_first=True)
    assert doses(run) == []
    assert code != 0
