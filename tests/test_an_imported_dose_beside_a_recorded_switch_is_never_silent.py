"""A visit recorded at another site (its store never saw the end of the treatment) gave a
repeat dose two months after the last injection, answered "no opioid use since the last
injection". Imported here, where a visit ended the treatment with a switch to
buprenorphine in between, the dose is stored as it stands, but never in silence
(visit/contradiction.py ``imported_beside``: the one rule every route follows): check
--label and the walk refuse that very answer beside the switch. The switch recorded under
a clinic's copy's own name ('bup') is named on import; the one recorded under the shipped
name must be named too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import (
    DOSE_GIVEN,
    TODAY,
    Run,
    after_injection,
    days_ago,
    stored_sessions,
    walk_visit,
)
from tests.test_a_switch_recorded_with_a_copy_naming_the_agonist_otherwise_binds import (
    LABEL,
    check_today,
    repeat_visit,
    switched_with_the_copy,
)


def imported_beside_a_switch(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, agonist: str
) -> str:
    """The other site's dose of today, imported into the store that recorded the switch
    (named ``agonist`` by the pack that recorded it): the import's message."""
    monkeypatch.setenv("XRNTX_GUIDE_HOME", str(tmp_path / "other-site"))
    first = walk_visit(run, LABEL, days_ago(84), after_injection(last_opioid_use=days_ago(98)))
    assert first.exit_code == 0, first.output
    given = walk_visit(run, LABEL, TODAY, repeat_visit(**DOSE_GIVEN))
    assert given.exit_code == 0, given.output
    record = json.loads(stored_sessions(LABEL)[-1].read_text())
    assert record["injection_given"] is True
    exported = tmp_path / "dose.json"
    out = run("sessions", "export", record["id"], "-o", str(exported))
    assert out.exit_code == 0, out.output
    monkeypatch.setenv("XRNTX_GUIDE_HOME", str(tmp_path / "here"))
    switched_with_the_copy(run, tmp_path, agonist)
    # Here, today's plain repeat dose is refused beside the switch.
    here = check_today(run, repeat_visit())
    assert here.exit_code == 2, here.output
    imported = run("sessions", "import", str(exported))
    assert imported.exit_code == 0, imported.output
    return " ".join((imported.stdout + imported.stderr).split())


def test_the_control_a_switch_named_by_a_copy_is_named_on_import(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    said = imported_beside_a_switch(run, tmp_path, monkeypatch, "bup")
    assert "contradicts" in said and "agonist_since_last_injection" in said, said


def test_a_switch_under_the_shipped_name_is_named_on_import(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    said = imported_beside_a_switch(run, tmp_path, monkeypatch, "buprenorphine")
    assert "contradicts" in said and "agonist_since_last_injection" in said, said
