"""An imported record is stored as it stands (a dose given elsewhere is never hidden), but
one that counts a dose beside a dose the patient's record counts is never stored beside it
in silence (docs/storage.md says so for a dose of the same day; safety invariants 11 and
12). Another clinic, whose store did not hold the patient's dose of three days ago, gives a
"first injection" today; imported here, every route would have refused that visit (a
first injection beside a recorded dose; fewer than the early-repeat stop's days since the
last one), yet the import says nothing, and the history lists two doses three days apart
as if they were a planned course."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from tests.helpers import TODAY, Run, after_injection, days_ago, first_dose_on, walk_at

LABEL = "IMPORTED-LATER"


def imported_from_another_clinic(run: Run, tmp_path: Path, day: dt.date) -> tuple[str, str]:
    """The patient's first dose here 3 days ago; another clinic's store gives a first
    injection on ``day``, exported and imported here. Returns what the import said and the
    id of the dose recorded here."""
    first_dose_on(run, LABEL, days_ago(3))
    (mine,) = json.loads(run("history", "--json", LABEL, "--today", str(TODAY)).stdout)[
        "injections"
    ]
    there = str(tmp_path / "another-clinic.sqlite3")
    given = after_injection(last_opioid_use=day - dt.timedelta(days=14), injection_date=day)
    walked = walk_at(run, LABEL, f"{day.isoformat()}T15:00", given, "--database", there)
    assert walked.exit_code == 0, walked.output
    (theirs,) = json.loads(run("sessions", "--json", "--database", there).stdout)
    exported = run("sessions", "export", str(theirs["id"]), "--database", there)
    path = tmp_path / "theirs.json"
    path.write_text(exported.stdout, encoding="utf-8")
    imported = run("sessions", "import", str(path))
    assert imported.exit_code == 0, imported.output
    return " ".join((imported.stdout + imported.stderr).split()), str(mine["session"])


def test_the_control_a_dose_of_the_same_day_is_said(run: Run, tmp_path: Path) -> None:
    said, mine = imported_from_another_clinic(run, tmp_path, days_ago(3))
    assert mine in said, said


def test_a_dose_three_days_after_a_recorded_one_is_said(run: Run, tmp_path: Path) -> None:
    said, mine = imported_from_another_clinic(run, tmp_path, TODAY)
    assert mine in said, f"the import said nothing of the dose of session {mine}: {said!r}"
