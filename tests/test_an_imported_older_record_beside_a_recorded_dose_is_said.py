"""An imported record that counts a dose beside a dose the patient's record counts is
stored as it stands, but never in silence (docs/storage.md; safety invariants 11 and 12).
A record written before the count of the dose was logged (its ``injection_given``
empty, no dose events, no names: an older version's export) still counts its dose by its
answer, in the history and for every later visit; imported beside a dose of the same
day, or as a first injection three days after one, it is stored in silence: both checks
look only at the logged count (store/refs.py doses_of_the_same_day, visit/contradiction.py
imported_beside)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.helpers import TODAY, Run, after_injection, days_ago, first_dose_on, flat, walk_at
from xrntx_guide.visit.integrity import DOSE, KIND_OF_RUN, NAMES

LABEL = "IMPORTED-OLDER"


def imported(run: Run, tmp_path: Path, day: dt.date, older: bool) -> tuple[str, str, list[str]]:
    """The patient's first dose here 3 days ago; another clinic's store gives a first
    injection on ``day``, exported (as an older version wrote it, when ``older``) and
    imported here. What the import said, the id of the dose here, the doses the history
    counts."""
    first_dose_on(run, LABEL, days_ago(3))
    (mine,) = json.loads(run("history", "--json", LABEL, "--today", str(TODAY)).stdout)[
        "injections"
    ]
    there = str(tmp_path / "another-clinic.sqlite3")
    given = after_injection(last_opioid_use=day - dt.timedelta(days=14), injection_date=day)
    walked = walk_at(run, LABEL, f"{day.isoformat()}T15:00", given, "--database", there)
    assert walked.exit_code == 0, walked.output
    (theirs,) = json.loads(run("sessions", "--json", "--database", there).stdout)
    data = json.loads(run("sessions", "export", str(theirs["id"]), "--database", there).stdout)
    if older:
        gone = (DOSE, KIND_OF_RUN, NAMES)
        data["events"] = [e for e in data["events"] if e["kind"] not in gone]
        data["injection_given"] = None
        data.pop("names")
    path = tmp_path / "theirs.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    out = run("sessions", "import", str(path))
    assert out.exit_code == 0, out.output
    shown = run("history", "--json", LABEL, "--today", str(TODAY))
    doses = [str(i["session"]) for i in json.loads(shown.stdout)["injections"]]
    return flat(out.stdout + out.stderr), str(mine["session"]), doses


@pytest.mark.parametrize("days", [3, 0], ids=["same-day", "three-days-later"])
def test_the_control_a_record_that_logs_its_dose_is_said(
    run: Run, tmp_path: Path, days: int
) -> None:
    said, mine, doses = imported(run, tmp_path, days_ago(days), older=False)
    assert len(doses) == 2 and mine in said, said


@pytest.mark.parametrize("days", [3, 0], ids=["same-day", "three-days-later"])
def test_an_older_record_is_said(run: Run, tmp_path: Path, days: int) -> None:
    said, mine, doses = imported(run, tmp_path, days_ago(days), older=True)
    assert len(doses) == 2, doses  # the history counts both doses
    assert mine in said, f"the import said nothing of session {mine}: {said!r}"
