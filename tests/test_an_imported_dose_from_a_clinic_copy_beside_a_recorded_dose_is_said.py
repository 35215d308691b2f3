"""An imported record is stored as it stands (a dose given elsewhere is never hidden), but
one that counts a dose beside a dose the patient's record counts is never stored beside it
in silence (docs/storage.md; safety invariants 11 and 12), whichever pack recorded it.
Another clinic walks with its own copy of the pack (its own guide id) that names one
question otherwise (nothing of the dose's roles); its "first injection" today, three days
after the dose recorded here, is imported in silence: the rule that says it reads the
imported answers by this pack's questions, and a name this pack does not know makes it
give up (visit/contradiction.py imported_beside: typed_answers raises, caught as
'nothing to say')."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from tests.helpers import (
    TODAY,
    Run,
    after_injection,
    copy_steps,
    days_ago,
    first_dose_on,
    walk_at,
)

LABEL = "IMPORTED-FROM-A-COPY"


def clinic_copy(tmp_path: Path, old: str, new: str) -> Path:
    """The shipped pack under its own guide id, the question ``old`` named ``new``."""
    steps = copy_steps(tmp_path)
    for path in steps.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        text = text.replace('id = "xrntx_induction"', 'id = "clinic_copy"', 1)
        path.write_text(re.sub(rf"\b{old}\b(?!\s*=[^=])", new, text), encoding="utf-8")
    return steps


def their_export(run: Run, tmp_path: Path, new: str) -> tuple[Path, str]:
    """The patient's first dose here 3 days ago; another clinic's store (its copy, the
    bleeding risk named ``new``) gives a first injection today, exported to a file.
    Returns the file and the id of the dose recorded here."""
    first_dose_on(run, LABEL, days_ago(3))
    (mine,) = json.loads(run("history", "--json", LABEL, "--today", str(TODAY)).stdout)[
        "injections"
    ]
    there = str(tmp_path / "another-clinic.sqlite3")
    copy = clinic_copy(tmp_path, "bleeding_risk", new)
    given = after_injection(last_opioid_use=TODAY - dt.timedelta(days=14), injection_date=TODAY)
    given[new] = given.pop("bleeding_risk")
    walked = walk_at(
        run, LABEL, f"{TODAY.isoformat()}T15:00", given, "--database", there, "--steps", str(copy)
    )
    assert walked.exit_code == 0, walked.output
    (theirs,) = json.loads(run("sessions", "--json", "--database", there).stdout)
    exported = run("sessions", "export", str(theirs["id"]), "--database", there)
    assert exported.exit_code == 0, exported.output
    path = tmp_path / "theirs.json"
    path.write_text(exported.stdout, encoding="utf-8")
    return path, str(mine["session"])


def said(result: object) -> str:
    return " ".join((result.stdout + result.stderr).split())  # type: ignore[attr-defined]


def test_the_control_a_copy_that_keeps_the_names_is_said(run: Run, tmp_path: Path) -> None:
    path, mine = their_export(run, tmp_path, "bleeding_risk")
    imported = run("sessions", "import", str(path))
    assert imported.exit_code == 0, imported.output
    assert mine in said(imported), said(imported)


def test_a_copy_that_renames_a_question_is_said_on_sessions_import(
    run: Run, tmp_path: Path
) -> None:
    path, mine = their_export(run, tmp_path, "bleeds_easily")
    imported = run("sessions", "import", str(path))
    assert imported.exit_code == 0, imported.output
    assert mine in said(imported), f"the import said nothing of session {mine}: {said(imported)}"


def test_a_copy_that_renames_a_question_is_said_on_a_resume_of_the_file(
    run: Run, tmp_path: Path
) -> None:
    path, mine = their_export(run, tmp_path, "bleeds_easily")
    resumed = run(
        "walk", "--no-input", "--resume", "--session", str(path), "--today", TODAY.isoformat()
    )
    assert resumed.exit_code != 70, resumed.output
    assert mine in said(resumed), f"the import said nothing of session {mine}: {said(resumed)}"
