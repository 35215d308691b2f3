"""A correction stands in the place of the result it corrects: at that result's time and
for that result's day (safety invariant 3: a point-in-time result counts only for the day
it was done; invariant 9: results are appended, never replaced). Found by the long safety
run over time: yesterday's negative rechallenge, corrected this morning, was read as a
rechallenge of today and lifted yesterday's positive challenge for today's injection."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import TODAY, Run, json_answers, ready_patient

YESTERDAY = (TODAY - dt.timedelta(days=1)).isoformat()
DAY = TODAY.isoformat()


def check(run: Run, tmp_path: Path, challenges: list[dict[str, Any]]) -> dict[str, Any]:
    answers = json_answers(ready_patient(naloxone_challenge=None, cows_total=None))
    answers["naloxone_challenges"] = challenges
    # A calm rating of each day before its rechallenge (reference 5.2: done only without
    # withdrawal), so that only the day a result counts for decides.
    answers["cows_ratings"] = [
        {"at": f"{YESTERDAY}T21:00", "total": 0},
        {"at": f"{DAY}T05:00", "total": 0},
    ]
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    out = run("check", "--json", "--now", f"{DAY}T07:01", "--answers", str(path))
    assert out.stdout, out.stderr
    data: dict[str, Any] = json.loads(out.stdout)
    return data


POSITIVE = {"at": f"{YESTERDAY}T08:46", "kind": "challenge", "result": "positive"}
RECHALLENGE = {"at": f"{YESTERDAY}T21:56", "kind": "rechallenge", "result": "negative"}


@pytest.mark.parametrize("result", ["negative", "not_done"])
def test_inv3_yesterdays_rechallenge_corrected_today_never_lifts_yesterdays_positive(
    run: Run, tmp_path: Path, result: str
) -> None:
    correction = {
        "at": f"{DAY}T07:01",
        "corrects": RECHALLENGE["at"],
        "kind": "rechallenge",
        "result": result,
        "reason": "typo",
    }
    data = check(run, tmp_path, [POSITIVE, RECHALLENGE, correction])
    assert data["status"] != "ready", data
    assert "naloxone_challenge" in data["blocking"], data


def test_the_same_rechallenge_uncorrected_does_not_count_for_today_either(
    run: Run, tmp_path: Path
) -> None:
    data = check(run, tmp_path, [POSITIVE, RECHALLENGE])
    assert "naloxone_challenge" in data["blocking"], data


def test_a_rechallenge_of_today_within_the_window_still_lifts_the_positive(
    run: Run, tmp_path: Path
) -> None:
    today = {"at": f"{DAY}T06:00", "kind": "rechallenge", "result": "negative"}
    data = check(run, tmp_path, [POSITIVE, today])
    assert "naloxone_challenge" not in data["blocking"], data
