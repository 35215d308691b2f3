"""A negative challenge whose own observation rated withdrawal reads as positive
(reference 5.2; visit/entries.py ``reads_positive``): the gate fails on it and the chart
note says "reads as positive". The visit's FHIR Bundle (``note --format fhir``) is what
an EHR reads of the visit: its Procedure for that challenge must not say a plain
"negative", with nothing of the withdrawal that makes it positive."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import Run, opened, ready_patient, resume_at
from tests.helpers import cows_threshold as threshold
from tests.test_a_negative_read_as_positive_is_the_positive_a_rechallenge_follows import (
    _challenge_read_positive,
)
from xrntx_guide.pack.guide import Guide


def _challenge_procedures(run: Run, session: str) -> list[dict[str, Any]]:
    note = run("note", session, "--format", "fhir")
    assert note.exit_code == 0, note.output
    found = [
        e["resource"]
        for e in json.loads(note.stdout)["entry"]
        if e["resource"]["resourceType"] == "Procedure"
        and "naloxone-challenge" in json.dumps(e["resource"]["code"])
    ]
    assert len(found) == 1, found
    return found


def test_a_negative_read_as_positive_is_never_exported_as_a_plain_negative(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    session = _challenge_read_positive(run, guide, tmp_path, threshold(guide) + 3)
    note = run("note", session, "--format", "text")
    assert "reads as positive" in note.stdout, note.output  # the note says it

    (procedure,) = _challenge_procedures(run, session)

    assert procedure["outcome"]["coding"][0]["code"] == "positive", procedure
    assert "recorded negative" in procedure["note"][0]["text"], procedure


def test_a_negative_without_withdrawal_is_exported_as_negative(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    """The control: a calm rating during the observation leaves a plain negative."""
    session = _challenge_read_positive(run, guide, tmp_path, threshold(guide) - 1)

    (procedure,) = _challenge_procedures(run, session)

    assert procedure["outcome"]["coding"][0]["code"] == "negative", procedure
    assert "positive" not in json.dumps(procedure), procedure


def test_a_recorded_positive_is_exported_as_positive(run: Run) -> None:
    session = opened(run, "POS-FHIR", "08:00", ready_patient(cows_total=2, naloxone_challenge=None))
    positive = resume_at(run, session, "09:00", "-a", "naloxone_challenge=positive")
    assert positive.exit_code in (0, 1, 4), positive.output

    (procedure,) = _challenge_procedures(run, session)

    assert procedure["outcome"]["coding"][0]["code"] == "positive", procedure
