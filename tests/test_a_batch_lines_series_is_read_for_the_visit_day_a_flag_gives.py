"""`check --batch -a injection_date=D`: the flag gives every line its visit day (flags beat a
line's answers), and each line's series is read for that day, as a single check reads its
file's. Read for the run's date instead, a line whose series holds COWS 9 on D and a 1 the
next morning was judged on the 1: READY for an injection on D, while the line's own
``used`` named the 9."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import Run, json_answers, json_file, ready_patient

DAY = "2026-11-28"
NOW = "2026-11-29T09:00"
"""The next morning: the run's date is the day after the visit day."""


def line() -> dict[str, Any]:
    answers = json_answers(ready_patient(cows_total=None, injection_date=None))
    answers.pop("cows_total", None)
    answers.pop("injection_date", None)
    return {
        **answers,
        "cows_ratings": [
            {"at": f"{DAY}T10:00", "total": 9},
            {"at": "2026-11-29T08:00", "total": 1},
        ],
    }


def test_a_single_check_reads_the_series_for_the_flags_day(run: Run, tmp_path: Path) -> None:
    """The control: a single check with the same answers and flag."""
    out = run("check", "--json", "--now", NOW, "-a", f"injection_date={DAY}",
              "--answers", json_file(tmp_path, "a.json", line()))  # fmt: skip
    result = json.loads(out.stdout)
    assert result["status"] != "ready", out.output
    assert "withdrawal" in result["blocking"], out.output


def test_a_batch_line_reads_its_series_for_the_flags_day(run: Run) -> None:
    out = run("check", "--batch", "-", "--now", NOW, "-a", f"injection_date={DAY}",
              input=json.dumps({"id": 1, **line()}) + "\n")  # fmt: skip
    result = json.loads(out.stdout.splitlines()[0])
    assert result["status"] != "ready", out.output
    assert "withdrawal" in result["blocking"], out.output
    withdrawal = next(g for g in result["gates"] if g["id"] == "withdrawal")
    assert "9" in withdrawal["reason"], out.output
    assert result["used"]["cows_rating"]["total"] == 9, out.output


def test_a_batch_line_reads_its_series_for_the_shared_files_day(run: Run, tmp_path: Path) -> None:
    """The visit day in the shared ``--answers FILE``: each line's series is read for it."""
    shared = json_file(tmp_path, "shared.json", {"injection_date": DAY})
    out = run("check", "--batch", "-", "--now", NOW, "--answers", shared,
              input=json.dumps({"id": 1, **line()}) + "\n")  # fmt: skip
    result = json.loads(out.stdout.splitlines()[0])
    assert result["status"] != "ready", out.output
    assert "withdrawal" in result["blocking"], out.output


def test_a_lines_own_day_beats_the_shared_files(run: Run, tmp_path: Path) -> None:
    """The control: the line's own date (the next day, its 1 the latest) over the shared
    file's: the line is read for its own day."""
    shared = json_file(tmp_path, "shared.json", {"injection_date": DAY})
    own = {**line(), "injection_date": "2026-11-29"}
    out = run("check", "--batch", "-", "--now", NOW, "--answers", shared,
              input=json.dumps({"id": 1, **own}) + "\n")  # fmt: skip
    result = json.loads(out.stdout.splitlines()[0])
    assert "withdrawal" not in result["blocking"], out.output
    assert result["used"]["cows_rating"]["total"] == 1, out.output
