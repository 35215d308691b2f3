"""A held save behind another room's stalled one says the store is busy, on every backend
(docs/storage.md: a locked store says so, exit 2): the save that counts a dose waits for
the other held saves of the patient (store/base.py ``SqlStore._hold``), and the other
room's program can stall inside its save (a laptop closed mid-save on the clinic's
network, a process stopped with Ctrl-Z). SQLite gives up after its busy timeout with a
message; a walk on PostgreSQL must not wait on the patient's lock for ever, silent at
its last answer, either.

Two connections to one store, two threads: room A's save stays open inside its check;
room B's save of the same patient must end within the busy timeout (and a margin)."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest

from tests.helpers import TODAY
from xrntx_guide.pack.guide import Guide
from xrntx_guide.store import Found, Hold, Store, StoreError, open_store
from xrntx_guide.store.base import BUSY_TIMEOUT_MS
from xrntx_guide.visit import integrity
from xrntx_guide.visit.session import SessionRecord, new_session

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
STALLED = 120.0  # seconds room A's save stays open unless the test lets it go
BOUND = BUSY_TIMEOUT_MS / 1000 + 5.0  # the busy timeout, and a margin for a slow machine


def _dosed(guide: Guide, label: str) -> SessionRecord:
    record = new_session(guide, label, NOW, TODAY)
    record.injection_given = True  # counted, and logged as the walk logs it
    record.note_event(NOW, integrity.DOSE, value=True)
    return record


def _second_connection(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    if request.node.callspec.params["store"] == "sqlite":
        return open_store(None, tmp_path / "data")
    return open_store(request.getfixturevalue("postgres_url"), tmp_path)


@pytest.mark.parametrize("store", ["postgresql"], indirect=True)
def test_a_save_behind_a_stalled_save_of_the_patient_ends_with_a_message(
    store: Store, guide: Guide, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    other = _second_connection(request, tmp_path)
    inside, release = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def stalled(found: Found) -> Exception | None:
        inside.set()
        release.wait(STALLED)
        return None

    def room(target: Store, record: SessionRecord, hold: Hold, name: str) -> None:
        try:
            results[name] = target.create(record, record.label, hold)
        except Exception as exc:  # the test reads what each room met
            results[name] = exc

    room_a = threading.Thread(target=room, args=(store, _dosed(guide, "PAT"), stalled, "a"))
    room_b = threading.Thread(target=room, args=(other, _dosed(guide, "pat"), lambda f: None, "b"))
    try:
        room_a.start()
        assert inside.wait(BOUND), "room A's check never ran"
        room_b.start()
        room_b.join(BOUND)
        waiting = room_b.is_alive()
    finally:
        release.set()
        room_a.join(STALLED)
        room_b.join(STALLED)
        other.close()
    assert not waiting, f"room B's save still waited after {BOUND:g} s: {results}"
    assert isinstance(results.get("b"), StoreError), results
