"""What every store backend promises: a record comes back as saved with its revision, a
save over a newer revision is refused naming who, when and what, listings and history
read the label by the one label rule, and a deleted visit is gone."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.helpers import TODAY
from xrntx_guide.errors import SessionError
from xrntx_guide.pack.guide import Guide
from xrntx_guide.store import Store, StoreConflict
from xrntx_guide.visit.session import SessionRecord, new_session

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


def visit(guide: Guide, label: str, at: dt.datetime = NOW) -> SessionRecord:
    return new_session(guide, label, at, TODAY)


def test_a_created_visit_loads_with_its_revision(store: Store, guide: Guide) -> None:
    record = visit(guide, "PAT-1")
    record.set_answer("age", 34, "typed", NOW)
    assert store.create(record, "dr-a") == 1
    loaded, revision = store.load(record.id)
    assert revision == 1
    assert loaded == record


def test_a_save_at_the_stored_revision_advances_it(store: Store, guide: Guide) -> None:
    record = visit(guide, "PAT-1")
    store.create(record, "dr-a")
    loaded, revision = store.load(record.id)
    loaded.set_answer("age", 34, "typed", NOW)
    assert store.save(loaded, revision, "dr-a") == revision + 1
    again, now = store.load(record.id)
    assert now == revision + 1 and again.answers["age"].value == 34
    row = store.by_id(record.id)
    assert row is not None and row.updated_by == "dr-a" and row.revision == now


def test_a_save_over_a_newer_revision_is_refused_naming_who_and_what(
    store: Store, guide: Guide
) -> None:
    record = visit(guide, "PAT-1")
    store.create(record, "dr-a")
    mine, seen = store.load(record.id)
    theirs, _ = store.load(record.id)
    theirs.set_answer("consent", True, "typed", NOW)
    store.save(theirs, seen, "dr-b")
    mine.set_answer("age", 34, "typed", NOW)
    with pytest.raises(StoreConflict) as refused:
        store.save(mine, seen, "dr-a")
    conflict = refused.value
    assert conflict.by == "dr-b" and conflict.revision == seen + 1
    assert "dr-b" in conflict.message and "consent" in conflict.message
    assert conflict.stored.answers["consent"].value is True
    kept, _ = store.load(record.id)
    assert "age" not in kept.answers, "the refused save wrote nothing"


def test_find_and_history_use_the_label_rule(store: Store, guide: Guide) -> None:
    for label in ("AB-12", "ab 12", "CD-3"):
        store.create(visit(guide, label), "dr-a")
    assert {r.label for r in store.find("ab12")} == {"AB-12", "ab 12"}
    found = store.history("Ab_12")
    assert sorted(r.label for r in found.records) == ["AB-12", "ab 12"]
    assert found.unreadable == []


def test_listing_pages_latest_first(store: Store, guide: Guide) -> None:
    made = []
    for n in range(5):
        record = visit(guide, f"P{n}", NOW + dt.timedelta(minutes=n))
        store.create(record, "dr-a")
        made.append(record.id)
    assert store.count() == 5
    first, second = store.rows(3, 0), store.rows(3, 3)
    assert [r.id for r in first + second] == list(reversed(made))


def test_listing_pages_the_latest_saved_first_whatever_each_visits_clock(
    store: Store, guide: Guide
) -> None:
    """A visit whose own clock runs ahead (a scenario dated next year) created first, then
    one on today's clock: the one saved last heads the listing; saved again, the first
    does."""
    ahead = visit(guide, "SCENARIO", NOW + dt.timedelta(days=365))
    store.create(ahead, "dr-a")
    today = visit(guide, "PATIENT")
    store.create(today, "dr-a")
    assert [r.id for r in store.rows(2, 0)] == [today.id, ahead.id]
    loaded, revision = store.load(ahead.id)
    store.save(loaded, revision, "dr-a")
    assert [r.id for r in store.rows(2, 0)] == [ahead.id, today.id]


def test_a_deleted_visit_is_gone(store: Store, guide: Guide) -> None:
    record = visit(guide, "PAT-1")
    store.create(record, "dr-a")
    store.delete(record.id)
    assert store.by_id(record.id) is None
    with pytest.raises(SessionError, match="no session with id"):
        store.load(record.id)


def test_a_visit_is_created_once(store: Store, guide: Guide) -> None:
    record = visit(guide, "PAT-1")
    store.create(record, "dr-a")
    with pytest.raises(SessionError, match="already in the store"):
        store.create(record, "dr-b")
