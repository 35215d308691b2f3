"""The rechallenge window runs from the positive challenge's result (reference 5.2: a
rechallenge within 24 hours; a later repeat is a new challenge on a new visit day), never
from the moment a clinician typed what made it positive. A negative challenge read at
09:00 (naloxone 08:30) becomes positive when the rating of withdrawal taken at 08:40 is
entered late, at 12:00: resumed the next morning at 09:30, past the window of the 09:00
result, the walk must not offer a rechallenge "until 12:00", nor record one as taken
"21.8 hours after the positive challenge" (safety invariant 3: a correction counts at the
time of the entry it corrects, never at the time it was typed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import TODAY, Run, opened, ready_patient
from tests.helpers import cows_threshold as threshold
from xrntx_guide.pack.guide import Guide

LABEL = "LATE-WINDOW"
DAY = TODAY.isoformat()


def at(hh_mm: str, day: str = DAY) -> str:
    return f"{day}T{hh_mm}"


def next_day() -> str:
    return TODAY.fromordinal(TODAY.toordinal() + 1).isoformat()


def next_morning(run: Run, tmp_path: Path, guide: Guide, late: bool) -> str:
    """08:00 calm rating; 09:00 the challenge: negative with the rating of withdrawal of
    08:40 entered at 12:00 (``late``), or positive at once. The walk resumed at 09:30 the
    next day: its output."""
    answers = ready_patient(cows_total=2, naloxone_challenge=None)
    session = opened(run, LABEL, "08:00", answers)

    def resume(when: str, *args: str) -> Any:
        return run(
            "walk", "--no-input", "--resume", "--session", session, "--now", when,
            "--acknowledge", "all", *args,
        )  # fmt: skip

    result = "negative" if late else "positive"
    read = resume(
        at("09:00"), "-a", f"naloxone_challenge={result}", "-a", "naloxone_challenge_started=08:30"
    )
    assert read.exit_code in (0, 1, 4), read.output
    if late:
        path = tmp_path / "late.json"
        rating = {"at": at("08:40"), "context": "after_challenge", "total": threshold(guide) + 3}
        path.write_text(json.dumps({"cows_ratings": [rating]}), encoding="utf-8")
        entered = resume(at("12:00"), "--answers", str(path))
        assert entered.exit_code in (0, 1, 4), entered.output
    morning = resume(at("09:30", next_day()))
    assert morning.exit_code in (0, 1, 4), morning.output
    return str(morning.output)


def test_a_positive_made_late_offers_no_rechallenge_past_its_results_window(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    said = next_morning(run, tmp_path, guide, late=True)
    assert f"until {next_day()} 12:00" not in said, said
    assert "no rechallenge is offered" in said, said


def test_the_control_a_positive_typed_at_once_offers_no_rechallenge_past_its_window(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    said = next_morning(run, tmp_path, guide, late=False)
    assert "no rechallenge is offered" in said, said
