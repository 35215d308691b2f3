"""A negative challenge read at 09:00 (naloxone 08:30) is positive when withdrawal was
rated during its observation (reference 5.2), and a negative rechallenge within the
window lifts it. Entered together from the paper sheet at 10:30 (the rating of 08:40, a
calm rating of 09:35, the rechallenge given at 09:40 and read negative at 10:05), the
rechallenge follows the positive result of 09:00 and must be taken, and the dose counted,
as when the challenge was typed positive at once: never refused as "not after the
positive challenge at 10:30", the moment the sheet was typed in (safety invariant 3: a
correction counts at the time of the entry it corrects)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import DOSE_GIVEN as GIVEN
from tests.helpers import (
    TODAY,
    Run,
    opened,
    ready_patient,
    resume_at,
)
from tests.helpers import at_today as at
from tests.helpers import cows_threshold as threshold
from xrntx_guide.pack.guide import Guide

LABEL = "PAPER-SHEET"
DAY = TODAY.isoformat()


def sheet_entered(run: Run, tmp_path: Path, guide: Guide, typed: str) -> tuple[Any, list[str]]:
    """The challenge typed ``typed`` at 09:00, the sheet entered at 10:30 with the dose:
    the walk's result and the doses the history counts."""
    session = opened(run, LABEL, "08:00", ready_patient(cows_total=2, naloxone_challenge=None))

    def resume(hh_mm: str, *args: str) -> Any:
        return resume_at(run, session, hh_mm, *args)

    read = resume(
        "09:00", "-a", f"naloxone_challenge={typed}", "-a", "naloxone_challenge_started=08:30"
    )
    assert read.exit_code in (0, 1, 4), read.output
    sheet = {
        "cows_ratings": [
            {"at": at("08:40"), "context": "after_challenge", "total": threshold(guide) + 3},
            {"at": at("09:35"), "context": "before_challenge", "total": 1},
        ],
        "naloxone_challenges": [
            {"at": at("10:05"), "started": at("09:40"), "kind": "rechallenge",
             "result": "negative"}
        ],
        **GIVEN,
    }  # fmt: skip
    path = tmp_path / "sheet.json"
    path.write_text(json.dumps(sheet), encoding="utf-8")
    out = resume("10:30", "--answers", str(path))
    history = run("history", LABEL, "--json", "--today", DAY)
    assert history.exit_code == 0, history.output
    return out, [i["date"] for i in json.loads(history.stdout)["injections"]]


def test_the_rechallenge_on_the_sheet_follows_the_positive_result(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    out, doses = sheet_entered(run, tmp_path, guide, typed="negative")
    assert out.exit_code == 0, out.output
    assert doses == [DAY]


def test_the_control_the_challenge_typed_positive_at_once(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    out, doses = sheet_entered(run, tmp_path, guide, typed="positive")
    assert out.exit_code == 0, out.output
    assert doses == [DAY]
