"""A negative challenge whose own observation rated withdrawal reads as positive
(reference 5.2; visit/entries.py ``read_positive``). What follows it is a rechallenge
after a positive everywhere it is shown, not only where the gate reads it: the note gives
the rechallenge's hours after that positive, and a rechallenge's naloxone time typed at
the prompt (``start HH:MM``) before that positive's result is refused there and then."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import (
    TODAY,
    Run,
    json_file,
    opened,
    ready_patient,
    resume_at,
)
from tests.helpers import at_today as at
from tests.helpers import cows_threshold as threshold
from xrntx_guide.pack.guide import Guide

LABEL = "READ-POS"


def _challenge_read_positive(run: Run, guide: Guide, tmp_path: Path, during: int) -> str:
    """08:00 calm; 09:30 a negative challenge (naloxone 08:30); at 09:40 the ratings of
    08:40 (``during``) and 09:35 entered late. The session's id."""
    session = opened(run, LABEL, "08:00", ready_patient(cows_total=2, naloxone_challenge=None))
    neg = resume_at(
        run, session, "09:30", "-a", "naloxone_challenge=negative",
        "-a", "naloxone_challenge_started=08:30",
    )  # fmt: skip
    assert neg.exit_code in (0, 1, 4), neg.output
    ratings = [
        {"at": at("08:40"), "context": "after_challenge", "total": during},
        {"at": at("09:35"), "context": "repeat", "total": 1},
    ]
    late = resume_at(
        run, session, "09:40", "--answers", json_file(tmp_path, "r.json", {"cows_ratings": ratings})
    )
    assert late.exit_code in (0, 1, 4), late.output
    return session


def _rechallenge_hours(run: Run, session: str) -> Any:
    note = run("note", session, "--format", "json")
    assert note.exit_code == 0, note.output
    found = [
        c for c in json.loads(note.stdout)["naloxone_challenges"] if c["kind"] == "rechallenge"
    ]
    assert len(found) == 1, found
    return found[0].get("hours_after_positive")


def test_the_note_gives_a_rechallenges_hours_after_a_negative_read_as_positive(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    session = _challenge_read_positive(run, guide, tmp_path, threshold(guide) + 3)
    again = resume_at(
        run, session, "12:30", "-a", "naloxone_rechallenge=negative",
        "-a", "naloxone_rechallenge_started=12:00",
    )  # fmt: skip
    assert again.exit_code in (0, 1, 4), again.output
    hours = _rechallenge_hours(run, session)
    assert hours == pytest.approx(3.0, abs=0.05), hours  # the result of 09:30 -> 12:30


@pytest.mark.usefixtures("at_a_terminal")
def test_a_rechallenge_start_typed_before_the_read_positive_is_refused_at_the_prompt(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    session = _challenge_read_positive(run, guide, tmp_path, threshold(guide) + 3)
    walked = run(
        "walk", "--resume", "--session", session, "--now", f"{TODAY.isoformat()}T10:00",
        "--plain", input="start 09:00\nquit\n",
    )  # fmt: skip
    said = " ".join(walked.output.split())
    assert "start: " in said, said
    assert "09:30" in said.split("start: ", 1)[1], said
