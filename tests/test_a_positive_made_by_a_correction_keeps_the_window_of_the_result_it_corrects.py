"""A correction counts at the time of the entry it corrects, never at the time it was
typed (safety invariant 3; visit/entries.py ``placed``). A negative challenge read at
09:00 (naloxone 08:30) corrected to positive at 12:00 is a positive of 09:00: its
rechallenge window ends at 09:00 the next day (reference 5.2: within 24 hours; a later
repeat is a new challenge on a new visit day). Resumed the next morning at 09:30, the walk
must not offer a rechallenge "until 12:00", as the gate (which reads the placed time)
would never count one then."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from tests.helpers import TODAY, Run, opened, ready_patient

LABEL = "CORR-WINDOW"
NEXT_DAY = (TODAY + dt.timedelta(days=1)).isoformat()


def at(hh_mm: str, day: str = TODAY.isoformat()) -> str:
    return f"{day}T{hh_mm}"


def next_morning(run: Run, tmp_path: Path, corrected: bool) -> str:
    """08:00 calm rating; 09:00 the challenge: negative, corrected to positive at 12:00
    (``corrected``), or positive at once. The walk resumed at 09:30 the next day: its
    output."""
    session = opened(run, LABEL, "08:00", ready_patient(cows_total=2, naloxone_challenge=None))

    def resume(when: str, *args: str) -> Any:
        return run(
            "walk", "--no-input", "--resume", "--session", session, "--now", when,
            "--acknowledge", "all", *args,
        )  # fmt: skip

    result = "negative" if corrected else "positive"
    read = resume(
        at("09:00"), "-a", f"naloxone_challenge={result}", "-a", "naloxone_challenge_started=08:30"
    )
    assert read.exit_code in (0, 1, 4), read.output
    if corrected:
        fix = {
            "kind": "challenge", "result": "positive", "at": at("12:00"),
            "corrects": at("09:00"), "reason": "withdrawal was seen; recorded in error",
        }  # fmt: skip
        path = tmp_path / "fix.json"
        path.write_text(json.dumps({"naloxone_challenges": [fix]}), encoding="utf-8")
        entered = resume(at("12:00"), "--answers", str(path))
        assert entered.exit_code in (0, 1, 4), entered.output
    morning = resume(at("09:30", NEXT_DAY))
    assert morning.exit_code in (0, 1, 4), morning.output
    return str(morning.output)


def test_a_positive_made_by_a_correction_offers_no_rechallenge_past_its_results_window(
    run: Run, tmp_path: Path
) -> None:
    said = next_morning(run, tmp_path, corrected=True)
    assert f"until {NEXT_DAY} 12:00" not in said, said
    assert "no rechallenge is offered" in said, said


def test_the_control_a_positive_typed_at_once_offers_no_rechallenge_past_its_window(
    run: Run, tmp_path: Path
) -> None:
    said = next_morning(run, tmp_path, corrected=False)
    assert "no rechallenge is offered" in said, said
