"""Deleting a visit takes what it recorded out of the patient's record, and a deletion that
does so is said before asking and when it is done (``sessions --delete``: "its dose of
DATE leaves LABEL's record (later visits no longer see it)"). A visit also records what
binds the patient's later visits beside a dose: a known hypersensitivity (a standing
answer: a later no is refused) and an opioid use (a later, older last use is refused).
Deleted, each leaves the record in silence, and the next visit with a no to the
hypersensitivity, or a last use two weeks old, is READY."""

from __future__ import annotations

import json
from typing import Any

from tests.helpers import (
    Run,
    check,
    days_ago,
    first_dose_on,
    only_session,
    ready_patient,
    walk_visit,
)

LABEL = "DELETED-VISIT"


def deleted(run: Run) -> str:
    """The one stored visit deleted (off a terminal: --yes); what the command said."""
    out = run("sessions", "--delete", only_session(), "--yes")
    assert out.exit_code == 0, out.output
    return " ".join((out.stdout + out.stderr).split())


def status(out: Any) -> str:
    return str(json.loads(out.stdout or "{}").get("status", "refused"))


def test_the_control_a_deleted_dose_is_said(run: Run) -> None:
    first_dose_on(run, LABEL, days_ago(3))
    assert days_ago(3).isoformat() in deleted(run)


def test_a_deleted_hypersensitivity_is_said(run: Run) -> None:
    yes = walk_visit(run, LABEL, days_ago(1), ready_patient(hypersensitivity=True))
    assert yes.exit_code == 1, yes.output  # the contraindication blocks
    assert check(run, ready_patient(), "--label", LABEL).exit_code == 2  # a later no refused
    said = deleted(run)
    assert "hypersensitivity" in said, f"the deletion said only: {said!r}"


def test_a_deleted_opioid_use_is_said(run: Run) -> None:
    blocked = walk_visit(run, LABEL, days_ago(1), ready_patient(last_opioid_use=days_ago(1)))
    assert blocked.exit_code == 1, blocked.output  # the interval blocks
    older = ready_patient(last_opioid_use=days_ago(14))
    assert status(check(run, older, "--label", LABEL)) != "ready"
    said = deleted(run)
    assert days_ago(1).isoformat() in said or "opioid use" in said, (
        f"the deletion said only: {said!r}"
    )
