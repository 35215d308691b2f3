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

from tests.helpers import TODAY, Run, after_injection, flat, ready_patient, walk_visit
from xrntx_guide.store.base import SqlStore

LABEL = "TWO-ROOMS"


ROOM2 = {
    "a first injection": after_injection(),
    "a positive naloxone challenge": ready_patient(
        naloxone_challenge="positive", naloxone_rechallenge="not_done"
    ),
}


def room2_inside_room1s_save(
    run: Run, monkeypatch: pytest.MonkeyPatch, room2: dict[str, Any]
) -> tuple[Any, Any, str]:
    """Room 1's unattended walk of a first injection; as it saves its dose, room 2's walk
    of the same patient records ``room2``. Room 1's and room 2's results, and room 1's
    session id."""
    create, save = SqlStore.create, SqlStore.save
    other: list[Any] = []
    started: list[str] = []

    def room2_first(record: Any) -> None:
        if record.injection_given is True and not started:
            started.append(record.id)
            other.append(walk_visit(run, LABEL, TODAY, room2))

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
    assert other, room1.output  # room 2 ran (whether it may record its dose is the store's)
    assert other[0].exit_code in (0, 1), other[0].output  # room 2's visit is saved
    return room1, other[0], started[0]


@pytest.mark.parametrize("room2_records", ROOM2)
def test_a_visit_saved_by_another_room_between_the_recheck_and_the_save_stops_the_dose(
    run: Run, monkeypatch: pytest.MonkeyPatch, room2_records: str
) -> None:
    """Room 1's unattended walk of a first injection has judged the visit and read the
    record again; as it saves its dose, room 2's walk of the same patient records a
    first injection, or a positive naloxone challenge that stands. Room 1's dose is then
    not counted: the patient's record holds at most room 2's dose of the day."""
    room1, _, session = room2_inside_room1s_save(run, monkeypatch, ROOM2[room2_records])

    history = run("history", LABEL, "--json", "--today", TODAY.isoformat())
    doses = json.loads(history.stdout)["injections"]
    assert len(doses) == (room2_records == "a first injection"), (doses, room1.output)
    # Room 1 says so, and keeps its answers: the visit is saved with its dose not counted.
    assert room1.exit_code == 2, room1.output
    said = " ".join(room1.stderr.split())
    assert "dose is not counted" in said and "answers are saved" in said, room1.output
    assert "Retry" not in room1.output, "a refused visit is not a store that failed"
    sessions = json.loads(run("sessions", "--json").stdout)
    mine = [s for s in sessions if s["id"] == session]
    assert len(mine) == 1, sessions
    assert mine[0]["status"] != "complete", mine[0]
    kept = run("sessions", "export", session)
    record = json.loads(kept.stdout)
    assert record["injection_given"] is False, kept.output
    assert record["answers"]["injection_given"]["value"] is True, "the answer stays as typed"


def test_the_note_never_blames_the_gates_for_a_dose_the_record_stopped(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every gate of room 1's visit passed: its note says the patient's record (another
    visit's dose) stopped the dose, never that the gates did not allow it (safety
    invariant 12: a reader would look for the failing gate and find none)."""
    _, _, session = room2_inside_room1s_save(run, monkeypatch, after_injection())
    data = json.loads(run("note", session, "--format", "json").stdout)
    assert data["injection_given_not_counted"] is True, data
    failing = [g["id"] for g in data["gates"] if g["outcome"] not in ("pass", "acknowledged")]
    assert failing == [], "the premise: every gate of room 1's visit passed"
    note = flat(run("note", session).stdout)
    assert "the gates did not allow" not in note, note
    assert data["not_counted_because"] == "record", data
    assert "the patient's record" in note and "no next dose is due" in note, note
