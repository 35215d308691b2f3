"""Two rooms walking one patient at once record one dose (clinical basis, safety
invariant 11; the walkthrough's Sessions): a walk reads the patient's other visits again
before its dose counts, and that reading and the save of the dose must not let another
room's dose in between, or both doses are recorded.

The other room's walk is run at the one moment that matters, deterministically: just
after this walk has read the record again and just before it saves its dose (the two
walks run in one process, on one store, as two terminals on one store would)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.helpers import TODAY, Run, after_injection, ready_patient, walk_visit
from xrntx_guide.store.base import SqlStore

LABEL = "TWO-ROOMS"


ROOM2 = {
    "a first injection": after_injection(),
    "a positive naloxone challenge": ready_patient(
        naloxone_challenge="positive", naloxone_rechallenge="not_done"
    ),
}


@pytest.mark.parametrize("room2_records", ROOM2)
def test_a_visit_saved_by_another_room_between_the_recheck_and_the_save_stops_the_dose(
    run: Run, monkeypatch: pytest.MonkeyPatch, room2_records: str
) -> None:
    """Room 1's unattended walk of a first injection has judged the visit and read the
    record again; as it saves its dose, room 2's walk of the same patient records a
    first injection, or a positive naloxone challenge that stands. Room 1's dose is then
    not counted: the patient's record holds at most room 2's dose of the day."""
    create, save = SqlStore.create, SqlStore.save
    other: list[Any] = []
    started: list[str] = []

    def room2_first(record: Any) -> None:
        if record.injection_given is True and not started:
            started.append(record.id)
            other.append(walk_visit(run, LABEL, TODAY, ROOM2[room2_records]))

    def creating(self: SqlStore, record: Any, by: str, hold: Any = None) -> int:
        room2_first(record)
        return create(self, record, by, hold)

    def saving(self: SqlStore, record: Any, expected: int, by: str, hold: Any = None) -> int:
        room2_first(record)
        return save(self, record, expected, by, hold)

    monkeypatch.setattr(SqlStore, "create", creating)
    monkeypatch.setattr(SqlStore, "save", saving)
    room1 = walk_visit(run, LABEL, TODAY, after_injection())
    assert other, room1.output  # room 2 ran (whether it may record its dose is the store's)
    assert other[0].exit_code in (0, 1), other[0].output  # room 2's visit is saved
    monkeypatch.setattr(SqlStore, "create", create)
    monkeypatch.setattr(SqlStore, "save", save)

    history = run("history", LABEL, "--json", "--today", TODAY.isoformat())
    doses = json.loads(history.stdout)["injections"]
    assert len(doses) == (room2_records == "a first injection"), (doses, room1.output)
    # Room 1 says so, and keeps its answers: the visit is saved with its dose not counted.
    assert room1.exit_code == 2, room1.output
    said = " ".join(room1.stderr.split())
    assert "dose is not counted" in said and "answers are saved" in said, room1.output
    assert "Retry" not in room1.output, "a refused visit is not a store that failed"
    sessions = json.loads(run("sessions", "--json").stdout)
    mine = [s for s in sessions if s["id"] == started[0]]  # room 1 (room 2 ran inside it)
    assert len(mine) == 1, sessions
    assert mine[0]["status"] != "complete", mine[0]
    kept = run("sessions", "export", mine[0]["id"])
    record = json.loads(kept.stdout)
    assert record["injection_given"] is False, kept.output
    assert record["answers"]["injection_given"]["value"] is True, "the answer stays as typed"
