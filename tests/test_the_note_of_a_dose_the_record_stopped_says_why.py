"""The note of a dose the patient's record stopped says why it was not counted (safety
invariant 12: the record says only what is true). Two rooms walked one patient at once;
room 2's first injection was saved first, so room 1's save refused to count its own dose
(store/saver.py ``Saver.hold``): every gate of room 1's visit passed. Its note must not
say that the gates did not allow the dose - a reader would look for the failing gate and
find none - but that the patient's record (another visit's dose) stopped it.

Room 2's walk runs at the one moment that matters, deterministically, as in
test_two_walks_of_one_patient_at_once_record_one_dose.py."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.helpers import TODAY, Run, after_injection, flat, walk_visit
from xrntx_guide.store.base import SqlStore

LABEL = "TWO-ROOMS"


def _room1_stopped_by_room2(run: Run, monkeypatch: pytest.MonkeyPatch) -> str:
    """Room 1's session id: its dose save met room 2's dose, saved just before."""
    create, save = SqlStore.create, SqlStore.save
    started: list[str] = []

    def room2_first(record: Any) -> None:
        if record.injection_given is True and not started:
            started.append(record.id)
            walk_visit(run, LABEL, TODAY, after_injection())

    def creating(self: SqlStore, record: Any, by: str, hold: Any = None) -> int:
        room2_first(record)
        return create(self, record, by, hold)

    def saving(self: SqlStore, record: Any, expected: int, by: str, hold: Any = None) -> int:
        room2_first(record)
        return save(self, record, expected, by, hold)

    monkeypatch.setattr(SqlStore, "create", creating)
    monkeypatch.setattr(SqlStore, "save", saving)
    room1 = walk_visit(run, LABEL, TODAY, after_injection())
    monkeypatch.setattr(SqlStore, "create", create)
    monkeypatch.setattr(SqlStore, "save", save)
    assert room1.exit_code == 2 and started, room1.output
    sessions = json.loads(run("sessions", "--json").stdout)
    (mine,) = [s["id"] for s in sessions if s["id"] == started[0]]
    return str(mine)


def test_the_note_never_blames_the_gates_for_a_dose_the_record_stopped(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = _room1_stopped_by_room2(run, monkeypatch)
    data = json.loads(run("note", session, "--format", "json").stdout)
    assert data["injection_given_not_counted"] is True, data
    failing = [g["id"] for g in data["gates"] if g["outcome"] not in ("pass", "acknowledged")]
    assert failing == [], "the premise: every gate of room 1's visit passed"
    note = flat(run("note", session).stdout)
    assert "the gates did not allow" not in note, note
    assert data["not_counted_because"] == "record", data
    assert "the patient's record" in note and "no next dose is due" in note, note
