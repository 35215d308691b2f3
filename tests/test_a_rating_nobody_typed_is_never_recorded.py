"""The walk records a COWS rating when one is typed (or its items): never one made of item
answers from before the latest rating. A rating rated item by item, then a later rating
given in a file (its total only), left the old items beside the file's total, and the walk
recorded a "typed" rating of that total with those items at the resume's time; beside
another run's rating stamped ahead of this run's clock it recorded such ratings on every
save, without end (red team). The series holds only the ratings given."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import Run, json_answers, json_file, ready_patient
from xrntx_guide.errors import ExitCode

DAY = "2026-11-24"
ITEMS = {
    "cows_pulse": 1, "cows_sweating": 0, "cows_restlessness": 0, "cows_pupils": 0,
    "cows_aches": 0, "cows_runny_nose": 0, "cows_gi_upset": 0, "cows_tremor": 0,
    "cows_yawning": 0, "cows_anxiety": 1, "cows_gooseflesh": 0,
}  # fmt: skip


def test_a_files_later_rating_is_the_only_one_added(run: Run, tmp_path: Path) -> None:
    answers = json_answers(ready_patient(cows_total=None, injection_date=None))
    opening = json_file(tmp_path, "v.json", answers | ITEMS | {"injection_date": DAY})
    first = run("walk", "--no-input", "--now", f"{DAY}T10:00", "--label", "ITEMS",
                "--answers", opening)  # fmt: skip
    assert first.exit_code != ExitCode.USAGE, first.output
    later = json_file(tmp_path, "r.json", {"cows_ratings": [{"at": f"{DAY}T10:30", "total": 3}]})
    resumed = run("walk", "--resume", "--label", "ITEMS", "--no-input", "--json",
                  "--now", f"{DAY}T11:00", "--answers", later)  # fmt: skip
    assert resumed.exit_code != ExitCode.USAGE, resumed.output
    exported = run("sessions", "export", "ITEMS")
    series = json.loads(exported.stdout)["cows_ratings"]
    # The opening file's items (their total 2), then the file's later 3: nothing at 11:00.
    assert [r["total"] for r in series] == [sum(ITEMS.values()), 3], series
    assert not any(r["at"].startswith(f"{DAY}T11:00") for r in series), series
