"""A dose answered "given" beside a gate that stands is kept as typed, and the note says it
was not counted (clinical basis, safety invariant 12). A clinician who records the
injection at a visit the gates refused must find, in the chart note, that the answer was
taken and why no dose counts, whichever gate stood: an unacknowledged caution or a
contraindication."""

from __future__ import annotations

import json
from typing import Any

from tests.helpers import DOSE_GIVEN, TODAY, Run, answer_flags, days_ago, ready_patient
from xrntx_guide.errors import ExitCode

LABEL = "NOTE-1"


def walked(run: Run, answers: dict[str, Any], *extra: str) -> dict[str, Any]:
    """An unattended walk of ``answers`` with the dose answered given, and its note as JSON."""
    out = run(
        "walk", "--no-input", "--label", LABEL, "--now", f"{TODAY.isoformat()}T10:00",
        *extra, *answer_flags({**answers, **DOSE_GIVEN}),
    )  # fmt: skip
    assert out.exit_code == ExitCode.BLOCKED, out.output
    note = run("note", LABEL, "--format", "json")
    assert note.exit_code == ExitCode.OK, note.output
    data: dict[str, Any] = json.loads(note.stdout)
    return data


def test_a_dose_answered_given_beside_an_unacknowledged_caution_is_said_not_counted(
    run: Run,
) -> None:
    """Control: the caution (low mood) waits for its acknowledgement, the dose is not
    counted, and the note says an answer said it was given."""
    data = walked(run, ready_patient(mood_concern=True))
    assert data["injection_given"] is not True, data
    assert data["injection_given_not_counted"] is True, data
    assert data["not_counted_because"] == "gates", data


def test_a_dose_answered_given_beside_a_contraindication_is_said_not_counted(
    run: Run,
) -> None:
    """Last use 4 days ago: the opioid-free interval (a contraindication) stands. The
    clinician's answer "given" is kept in the record; the note must say it was not
    counted, as it does beside a caution."""
    data = walked(run, ready_patient(last_opioid_use=days_ago(4)), "--acknowledge", "all")
    assert data["readiness"] == "blocked", data
    assert data["injection_given"] is not True, data
    assert data["next_dose_due"] is None, data
    assert data["injection_given_not_counted"] is True, data
    assert data["not_counted_because"] == "gates", data
