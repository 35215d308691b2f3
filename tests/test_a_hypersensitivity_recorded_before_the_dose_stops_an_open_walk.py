"""A hypersensitivity once recorded is known (clinical basis, safety invariants 1 and 11):
no injection step is shown beside it. The exception for the visit that gave the dose a
reaction then followed (its earlier "no" was true when the dose was given) must not
cover a visit whose dose is not given yet: a walk that answered "no known
hypersensitivity" at 09:00 and waits at the injection step, resumed after another visit
recorded hypersensitivity=yes at 10:00, must stop before the injection step, not show
it and only refuse to count the dose once it is given."""

from __future__ import annotations

import json

from tests.helpers import TODAY, Run, answer_flags, ready_patient

LABEL = "ALLERGY-OPEN"
DAY = TODAY.isoformat()


def test_a_walk_waiting_at_the_injection_stops_after_a_hypersensitivity_is_recorded(
    run: Run,
) -> None:
    first = run(
        "walk", "--no-input", "--label", LABEL, "--now", f"{DAY}T09:00", "--acknowledge", "all",
        *answer_flags(ready_patient()),
    )  # fmt: skip
    assert first.exit_code == 4, first.output  # waits at the injection step
    open_walk = json.loads(run("sessions", "--json").stdout)[0]["id"]
    allergy = run(
        "walk", "--no-input", "--label", LABEL, "--now", f"{DAY}T10:00", "--acknowledge", "all",
        *answer_flags(ready_patient(hypersensitivity=True)),
    )  # fmt: skip
    assert allergy.exit_code == 1, allergy.output  # the contraindication blocks
    resumed = run(
        "walk", "--no-input", "--resume", "--session", open_walk, "--now", f"{DAY}T10:30",
        "--acknowledge", "all",
    )  # fmt: skip
    assert "injection_given" not in resumed.stderr, resumed.output
    assert resumed.exit_code == 2 and "hypersensitivity" in resumed.stderr, resumed.output
