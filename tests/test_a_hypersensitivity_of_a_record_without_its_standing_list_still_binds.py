"""A hypersensitivity once recorded binds every later no (clinical basis, safety
invariants 1 and 11), whichever pack recorded it. A record walked with a clinic's copy of
the pack that names the question otherwise binds by the ``standing`` list the record
keeps; a record edited by hand to drop that list still holds the yes under the copy's
name. Read only by the shipped pack's names, the yes is missed, and a later visit's no is
READY: a record that cannot say which of its answers stand must not be read as having
none (the audit trail logs the list from the start, so the edited record is refused)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import (
    TODAY,
    Run,
    check,
    clinic_copy,
    days_ago,
    ready_patient,
    stored_sessions,
    walk_visit,
)

LABEL = "CLINIC-NO-LIST"
USE = days_ago(16)
NAME = "naltrexone_allergy"


def later_visit_after(run: Run, tmp_path: Path, drop_list: bool) -> str:
    """The yes recorded with the copy (its record's ``standing`` list dropped or kept),
    then a later visit checked with the shipped pack: its status."""
    answers = ready_patient(last_opioid_use=USE, hypersensitivity=None)
    answers[NAME] = True
    yes = walk_visit(
        run, LABEL, TODAY, answers, "--steps", str(clinic_copy(tmp_path, "hypersensitivity", NAME))
    )
    assert yes.exit_code == 1, yes.output  # the copy's contraindication blocks
    if drop_list:
        (stored,) = stored_sessions(LABEL)
        data: dict[str, Any] = json.loads(stored.read_text())
        assert NAME in data.pop("standing"), data.keys()
        stored.write_text(json.dumps(data))
    checked = check(run, ready_patient(last_opioid_use=USE), "--label", LABEL)
    return str(json.loads(checked.stdout or "{}").get("status", "refused"))


def test_a_record_without_its_standing_list_still_binds_the_patient(
    run: Run, tmp_path: Path
) -> None:
    assert later_visit_after(run, tmp_path, drop_list=True) != "ready"


def test_the_control_the_record_with_its_list_binds(run: Run, tmp_path: Path) -> None:
    assert later_visit_after(run, tmp_path, drop_list=False) != "ready"
