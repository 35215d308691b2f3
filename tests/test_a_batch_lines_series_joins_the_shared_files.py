"""A batch line's own series (``cows_ratings``, ``naloxone_challenges``) beside the shared
``--answers FILE``'s is added to it, entry by entry, as ``walk --resume --answers FILE``
adds a file's entries to a session's: the gates read the one series. It was refused as a
single answer "given beside the series", with advice to give a later rating with its time,
which is what the line had done. A single answer beside the shared series stays refused;
withdrawal in either file is never hidden by a calm rating of the other taken earlier."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import (
    TODAY,
    Run,
    cows_threshold,
    json_answers,
    json_file,
    ready_patient,
)
from xrntx_guide.pack.guide import Guide

DAY = TODAY.isoformat()
NOW = f"{DAY}T12:00"


def patient(**more: Any) -> dict[str, Any]:
    answers = json_answers(ready_patient(cows_total=None, injection_date=TODAY))
    answers.pop("cows_total", None)
    return {**answers, **more}


def batch(run: Run, tmp_path: Path, shared: dict[str, Any], line: dict[str, Any]) -> Any:
    out = run("check", "--batch", "-", "--now", NOW,
              "--answers", json_file(tmp_path, "shared.json", shared),
              input=json.dumps({"id": 1, **line}) + "\n")  # fmt: skip
    return json.loads(out.stdout.splitlines()[0])


def test_a_later_rating_of_the_line_is_read_after_the_shared_files(
    run: Run, tmp_path: Path, guide: Guide
) -> None:
    calm = cows_threshold(guide) - 1
    shared = {"cows_ratings": [{"at": f"{DAY}T08:00", "total": calm}]}
    line = patient(cows_ratings=[{"at": f"{DAY}T09:00", "total": 1}])
    result = batch(run, tmp_path, shared, line)
    assert result["status"] == "ready", result
    assert result["used"]["cows_rating"]["total"] == 1, result
    assert result["used"]["cows_rating"]["at"].startswith(f"{DAY}T09:00"), result


def test_withdrawal_in_the_shared_file_after_the_lines_rating_blocks(
    run: Run, tmp_path: Path, guide: Guide
) -> None:
    shared = {"cows_ratings": [{"at": f"{DAY}T10:00", "total": cows_threshold(guide)}]}
    line = patient(cows_ratings=[{"at": f"{DAY}T09:00", "total": 1}])
    result = batch(run, tmp_path, shared, line)
    assert result["status"] != "ready", result
    assert "withdrawal" in result["blocking"], result


def test_withdrawal_in_the_line_after_the_shared_files_rating_blocks(
    run: Run, tmp_path: Path, guide: Guide
) -> None:
    shared = {"cows_ratings": [{"at": f"{DAY}T09:00", "total": 1}]}
    line = patient(cows_ratings=[{"at": f"{DAY}T10:00", "total": cows_threshold(guide)}])
    result = batch(run, tmp_path, shared, line)
    assert result["status"] != "ready", result
    assert "withdrawal" in result["blocking"], result


def test_the_same_entry_in_both_is_one_and_a_clash_is_refused(run: Run, tmp_path: Path) -> None:
    shared = {"cows_ratings": [{"at": f"{DAY}T09:00", "total": 1}]}
    same = batch(run, tmp_path, shared, patient(cows_ratings=[{"at": f"{DAY}T09:00", "total": 1}]))
    assert same["status"] == "ready", same
    clash = batch(run, tmp_path, shared, patient(cows_ratings=[{"at": f"{DAY}T09:00", "total": 2}]))
    assert clash["status"] == "error" and clash["key"] == "cows_ratings", clash
    assert "same time" in clash["message"], clash


def test_a_positive_challenge_of_the_shared_file_stands_beside_the_lines_negative(
    run: Run, tmp_path: Path
) -> None:
    shared = {
        "cows_ratings": [{"at": f"{DAY}T08:00", "total": 1}],
        "naloxone_challenges": [{"at": f"{DAY}T09:00", "kind": "challenge", "result": "positive"}],
    }
    line = patient(
        naloxone_challenges=[{"at": f"{DAY}T10:00", "kind": "challenge", "result": "negative"}]
    )
    line.pop("naloxone_challenge", None)
    result = batch(run, tmp_path, shared, line)
    # Refused as the one series would be: a second challenge never lifts a positive one.
    assert result["status"] == "error" and result["key"] == "naloxone_challenges", result
    assert "never by a second challenge" in result["message"], result


def test_a_single_answer_beside_the_shared_series_is_still_refused(
    run: Run, tmp_path: Path
) -> None:
    shared = {"cows_ratings": [{"at": f"{DAY}T09:00", "total": 1}]}
    result = batch(run, tmp_path, shared, patient(cows_total=2))
    assert result["status"] == "error" and result["key"] == "cows_total", result
    assert "beside the series" in result["message"], result
