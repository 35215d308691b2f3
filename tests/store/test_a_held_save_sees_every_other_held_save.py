"""A held save sees every other held save of the patient (safety invariant 11): the save
that counts a dose reads the patient's other visits inside its own write transaction,
after every other held save of the label has committed, so two rooms can never both
count a dose each read the other without. On SQLite the write transaction holds the
file; on PostgreSQL a lock per label does it (store/base.py ``Dialect.lock_label``).

Two connections to one store, two threads: room A's save is held open inside its check
while room B's save of the same patient starts; B's check must see A's dose."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest

from tests.helpers import TODAY
from xrntx_guide.pack.guide import Guide
from xrntx_guide.store import Found, Hold, Store, Withheld, open_store
from xrntx_guide.visit import integrity
from xrntx_guide.visit.session import SessionRecord, new_session

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
WAIT = 10.0  # seconds: only a broken lock or a hung thread comes near it


def _second_connection(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """Another connection to the store of the ``store`` fixture."""
    if request.node.callspec.params["store"] == "sqlite":
        return open_store(None, tmp_path / "data")
    return open_store(request.getfixturevalue("postgres_url"), tmp_path)


def _a_visit_with_its_dose(store: Store, guide: Guide, label: str) -> SessionRecord:
    record = new_session(guide, label, NOW, TODAY)
    store.create(record, "setup")
    record.injection_given = True  # counted, and logged as the walk logs it
    record.note_event(NOW, integrity.DOSE, value=True)
    return record


def _counted_elsewhere(found: Found) -> Exception | None:
    """The hold: refuse when another visit of the patient counted a dose."""
    assert not found.unreadable, found.unreadable
    others = [r.id for r in found.records if r.injection_given is True]
    return ValueError(f"{others} counted a dose") if others else None


@pytest.mark.parametrize("label_b", ["PAT", " pat "])  # one patient by the label rule
def test_the_second_room_waits_for_the_first_and_sees_its_dose(
    store: Store, guide: Guide, request: pytest.FixtureRequest, tmp_path: Path, label_b: str
) -> None:
    other = _second_connection(request, tmp_path)
    try:
        a = _a_visit_with_its_dose(store, guide, "PAT")
        b = _a_visit_with_its_dose(other, guide, label_b)
        inside, go = threading.Event(), threading.Event()
        b_saw: list[list[str]] = []
        a_result: list[object] = []
        b_result: list[object] = []

        def hold_a(found: Found) -> Exception | None:
            inside.set()
            go.wait(WAIT)  # A's transaction stays open here until B has started
            return _counted_elsewhere(found)

        def hold_b(found: Found) -> Exception | None:
            b_saw.append([r.id for r in found.records if r.injection_given is True])
            return _counted_elsewhere(found)

        def room(target: Store, record: SessionRecord, hold: Hold, out: list[object]) -> None:
            try:
                out.append(target.save(record, 1, record.label, hold))
            except Exception as exc:  # the test reads what each room met
                out.append(exc)

        room_a = threading.Thread(target=room, args=(store, a, hold_a, a_result))
        room_a.start()
        assert inside.wait(WAIT), "room A's check never ran"
        room_b = threading.Thread(target=room, args=(other, b, hold_b, b_result))
        room_b.start()
        room_b.join(0.5)
        # While A's save is open, B's check has not read the record (it waits for A).
        assert b_saw == [], "room B read the record while room A's dose was being saved"
        go.set()
        room_a.join(WAIT)
        room_b.join(WAIT)
        assert a_result == [2], a_result
        assert b_saw == [[a.id]], "room B's check did not see room A's dose"
        assert len(b_result) == 1 and isinstance(b_result[0], Withheld), b_result
        stored_b, revision = other.load(b.id)
        assert revision == 1 and stored_b.injection_given is not True, "nothing of B written"
    finally:
        other.close()
