"""A finished visit resumed to record its dose is judged beside the patient's record
(clinical basis, safety invariant 11): a visit that finished without the injection (the
clinician decided against it, or it was not given yet) can be resumed to answer that it
was given after all. Meanwhile another visit of the same patient may have recorded a
dose. The resumed visit's dose must then be refused, as a new walk's is, and never
counted as a second dose of the day."""

from __future__ import annotations

import json

from tests.helpers import TODAY, Run, after_injection, ready_patient, walk_visit

LABEL = "FINISHED-1"
GIVEN = (
    "injection_given=yes",
    "injection_side_used=left",
    "needle_used=2-inch",
    "observation_minutes=30",
    "wallet_card_given=yes",
)


def test_a_dose_added_to_a_finished_visit_is_refused_beside_another_visits_dose(
    run: Run,
) -> None:
    """Room 1 finished the visit without the injection; room 2 then walked the same
    patient and recorded a first injection. Room 1's visit, resumed to say the injection
    was given, must not add a second dose of the day to the patient's record."""
    room1 = walk_visit(run, LABEL, TODAY, ready_patient(injection_given=False))
    assert room1.exit_code == 0, room1.output
    sessions = json.loads(run("sessions", "--json").stdout)
    assert [s["status"] for s in sessions] == ["complete"], sessions
    finished = sessions[0]["id"]
    room2 = walk_visit(run, LABEL, TODAY, after_injection())
    assert room2.exit_code == 0, room2.output

    answers = [a for pair in (("--answer", g) for g in GIVEN) for a in pair]
    resumed = run(
        "walk", "--no-input", "--resume", "--session", finished,
        "--today", TODAY.isoformat(), "--acknowledge", "all", *answers,
    )  # fmt: skip

    history = run("history", LABEL, "--json", "--today", TODAY.isoformat())
    doses = json.loads(history.stdout)["injections"]
    assert len(doses) == 1, (doses, resumed.output)
    assert resumed.exit_code != 0, resumed.output
