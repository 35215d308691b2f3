"""A held save sees every other held save of the patient whatever isolation level the
PostgreSQL server gives a transaction by default (safety invariant 11): a clinic's
database, or the role the program logs in with, may set ``default_transaction_isolation``
to ``repeatable read`` or ``serializable``. The save that counts a dose must still read
the patient's other visits after the other room's dose-counting save has committed, and
refuse its own dose; it must never count a second one (or fail the save instead of
refusing the dose).

Two connections to one database, two threads: room A's save is held open inside its
check while room B's save of the same patient starts (as in
test_a_held_save_sees_every_other_held_save.py, with the server's default changed
through the connection's ``options``)."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import pytest

from tests.helpers import TODAY
from xrntx_guide.pack.guide import Guide
from xrntx_guide.store import Found, Hold, Store, Withheld, open_store
from xrntx_guide.visit import integrity
from xrntx_guide.visit.session import SessionRecord, new_session

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
WAIT = 10.0  # seconds: only a broken lock or a hung thread comes near it


def _with_default_isolation(url: str, level: str) -> str:
    """``url`` whose sessions start with ``default_transaction_isolation`` = ``level``,
    as a database or role setting on the server would make it."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query)
    setting = "-c default_transaction_isolation=" + level.replace(" ", "\\ ")
    return urlunsplit(
        parts._replace(query=urlencode([*query, ("options", setting)], quote_via=quote))
    )


def _a_visit_with_its_dose(store: Store, guide: Guide) -> SessionRecord:
    record = new_session(guide, "PAT", NOW, TODAY)
    store.create(record, "setup")
    record.injection_given = True  # counted, and logged as the walk logs it
    record.note_event(NOW, integrity.DOSE, value=True)
    return record


@pytest.mark.parametrize("level", ["repeatable read", "serializable"])
def test_the_second_room_sees_the_first_rooms_dose_under_the_servers_default(
    postgres_url: str | None, guide: Guide, tmp_path: Path, level: str
) -> None:
    if postgres_url is None:
        pytest.skip("needs XRNTX_GUIDE_TEST_DATABASE (a PostgreSQL server)")
    url = _with_default_isolation(postgres_url, level)
    room_a_store, room_b_store = open_store(url, tmp_path), open_store(url, tmp_path)
    try:
        getattr(room_a_store, "wipe")()  # noqa: B009 - PostgreSQL's store only
        a = _a_visit_with_its_dose(room_a_store, guide)
        b = _a_visit_with_its_dose(room_b_store, guide)
        inside, go = threading.Event(), threading.Event()
        b_saw: list[list[str]] = []
        results: dict[str, object] = {}

        def hold_a(found: Found) -> Exception | None:
            inside.set()
            go.wait(WAIT)  # A's transaction stays open here until B has started
            return None

        def hold_b(found: Found) -> Exception | None:
            others = [r.id for r in found.records if r.injection_given is True]
            b_saw.append(others)
            return ValueError(f"{others} counted a dose") if others else None

        def room(target: Store, record: SessionRecord, hold: Hold, name: str) -> None:
            try:
                results[name] = target.save(record, 1, record.label, hold)
            except Exception as exc:  # the test reads what each room met
                results[name] = exc

        room_a = threading.Thread(target=room, args=(room_a_store, a, hold_a, "a"))
        room_a.start()
        assert inside.wait(WAIT), "room A's check never ran"
        room_b = threading.Thread(target=room, args=(room_b_store, b, hold_b, "b"))
        room_b.start()
        room_b.join(0.5)
        go.set()
        room_a.join(WAIT)
        room_b.join(WAIT)
        assert results.get("a") == 2, results
        assert b_saw == [[a.id]], f"room B's check did not see room A's dose: {results}"
        assert isinstance(results.get("b"), Withheld), results
        stored_b, revision = room_b_store.load(b.id)
        assert revision == 1 and stored_b.injection_given is not True, "B's dose was counted"
    finally:
        room_a_store.close()
        room_b_store.close()
