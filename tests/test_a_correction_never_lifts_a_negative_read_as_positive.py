"""Any sign of withdrawal after the naloxone is a positive result (reference 5.2): a
negative challenge (naloxone 08:30, read 09:30) with a COWS rating of withdrawal taken at
08:40 reads as positive, and a correction never lifts a positive; only a negative
rechallenge within the window does (safety invariant 9).

A correction of that challenge that repeats "negative" but leaves out the naloxone time
(a file's entry with no ``started``) must not make the challenge negative: it says nothing
about when the naloxone was given, and the entry it corrects says 08:30. The dose given
after it is never counted beside the withdrawal rated during the observation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import DOSE_GIVEN as GIVEN
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

LABEL = "CORR-LIFT"
DAY = TODAY.isoformat()


def doses_after_correction(run: Run, tmp_path: Path, during: int, started: bool) -> list[str]:
    """08:00 calm; 09:30 a negative challenge (naloxone 08:30); at 09:40 the ratings of
    08:40 (``during``), 08:50 and 09:35 (calm); at 10:00 a correction of the challenge,
    negative, with or without its naloxone time, and the dose. The doses' dates."""
    session = opened(run, LABEL, "08:00", ready_patient(cows_total=2, naloxone_challenge=None))

    def resume(hh_mm: str, *args: str) -> Any:
        return resume_at(run, session, hh_mm, *args)

    def given(name: str, data: dict[str, Any]) -> str:
        return json_file(tmp_path, name, data)

    neg = resume(
        "09:30", "-a", "naloxone_challenge=negative", "-a", "naloxone_challenge_started=08:30"
    )
    assert neg.exit_code in (0, 1, 4), neg.output
    ratings = [
        {"at": at("08:40"), "context": "after_challenge", "total": during},
        {"at": at("08:50"), "context": "repeat", "total": 1},
        {"at": at("09:35"), "context": "repeat", "total": 1},
    ]
    late = resume("09:40", "--answers", given("ratings.json", {"cows_ratings": ratings}))
    assert late.exit_code in (0, 1, 4), late.output
    fix: dict[str, Any] = {
        "at": at("10:00"), "corrects": at("09:30"), "kind": "challenge",
        "result": "negative", "reason": "result read again",
    }  # fmt: skip
    if started:
        fix["started"] = at("08:30")
    resume("10:00", "--answers", given("fix.json", {"naloxone_challenges": [fix], **GIVEN}))
    history = run("history", LABEL, "--json", "--today", DAY)
    assert history.exit_code == 0, history.output
    return [i["date"] for i in json.loads(history.stdout)["injections"]]


def test_a_correction_without_the_naloxone_time_never_lifts_the_positive(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    doses = doses_after_correction(run, tmp_path, threshold(guide) + 3, started=False)
    assert doses == [], "a dose was counted beside withdrawal rated during the observation"


def test_the_control_the_same_correction_with_its_naloxone_time_holds_the_dose(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    doses = doses_after_correction(run, tmp_path, threshold(guide) + 3, started=True)
    assert doses == []


def test_the_control_a_calm_observation_and_the_dose_counts(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    doses = doses_after_correction(run, tmp_path, threshold(guide) - 3, started=False)
    assert doses == [DAY]
