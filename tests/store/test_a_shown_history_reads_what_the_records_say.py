"""A timeline that is only shown (`history`) reads each visit's facts, kept beside its
record by every save (visit/facts.py), instead of the record whole: over random stores it
is the timeline the full records give, on every backend; and facts that no longer match
their record (a record or facts changed by hand, facts of another version, a record the
one check refuses, a visit stored before facts were kept) are never used."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import TODAY, _database, after_injection, answer_flags, days_ago
from xrntx_guide.errors import SessionError
from xrntx_guide.pack.guide import Guide
from xrntx_guide.store import DATABASE_FILE, Store, open_store
from xrntx_guide.visit import facts as facts_module
from xrntx_guide.visit.history import entry, shown_timeline, timeline
from xrntx_guide.visit.integrity import DOSE, KIND_OF_RUN
from xrntx_guide.visit.session import SessionRecord, new_session

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
DAY = NOW.date()


def _day(rng: random.Random) -> dt.date:
    return DAY + dt.timedelta(days=rng.randrange(-400, 30))


def _value(rng: random.Random, guide: Guide, key: str) -> Any:
    """A value for ``key``: mostly one its question takes, sometimes one it does not (a
    value the question refuses is left out of what a repeat visit takes)."""
    if rng.random() < 0.1:
        return rng.choice(["", "not a value", -3, 2.5, True, "2026-02-30"])
    q = guide.questions[key].spec
    if q.choices:
        return rng.choice([c.value for c in q.choices])
    if q.type == "date":
        return _day(rng).isoformat()
    if q.type == "bool":
        return rng.random() < 0.6
    if q.type == "int":
        return rng.randrange(16, 90)
    return rng.choice(["LOT-1", "LOT-2", "lot 9"])


KEYS = (
    "visit",
    "injection_date",
    "injection_given",
    "injection_side_used",
    "needle_used",
    "kit_lot",
    "age",
    "oud_diagnosis",
    "end_of_treatment",
    "end_of_treatment_reason",
    "agonist_after_naltrexone",
    "last_injection_date",
)
"""The answers a timeline reads (the pack's report and history settings)."""


def random_visit(rng: random.Random, guide: Guide, labels: list[str]) -> SessionRecord:
    at = NOW - dt.timedelta(days=rng.randrange(400), minutes=rng.randrange(600))
    training = 60.0 if rng.random() < 0.1 else None
    record = new_session(guide, rng.choice(labels), at, at.date(), demo_clock=training)
    # A record written before its kind and its count of the dose were logged from the start.
    legacy = rng.random() < 0.3
    if legacy:
        record.events = [e for e in record.events if e.kind not in (KIND_OF_RUN, DOSE)]
        record.injection_given = None
    for key in rng.sample(KEYS, rng.randrange(len(KEYS) + 1)):
        record.set_answer(key, _value(rng, guide, key), "typed", at)
    if rng.random() < 0.5:  # the dose as the record counts it, logged
        given = rng.random() < 0.7
        record.note_event(at, DOSE, value=given)
        record.injection_given = given
    elif legacy and rng.random() < 0.3:  # kept but not logged: read from its answer
        record.injection_given = rng.random() < 0.5
    record.status = rng.choice(["complete", "complete", "blocked", "in_progress", "needs_override"])
    record.next_dose_due = rng.choice([None, _day(rng).isoformat()])
    if rng.random() < 0.05:
        record.guide_id = "another_guide"
    record.visit_date = _day(rng).isoformat()
    record.updated = at + dt.timedelta(minutes=rng.randrange(120))
    return record


def test_over_random_stores_the_facts_give_the_timeline_the_records_give(
    store: Store, guide: Guide
) -> None:
    rng = random.Random(20261206)
    for n in range(40):
        labels = [f"AB-{n}", f"ab {n}", f"Ab_{n}"]
        for _ in range(rng.randrange(1, 9)):
            store.create(random_visit(rng, guide, labels), "dr-a")
        label = rng.choice(labels)
        day = _day(rng)
        found, seen = store.history(label), store.history_facts(label)
        assert seen.unreadable == found.unreadable
        for before_only in (False, True):
            whole = timeline(
                guide,
                found.records,
                label,
                day,
                unreadable=found.unreadable,
                before_only=before_only,
                shown_only=True,
            )
            shown = shown_timeline(
                guide, seen.facts, label, day, unreadable=seen.unreadable, before_only=before_only
            )
            assert shown == whole
            assert shown.to_json() == whole.to_json()
            assert shown.warnings() == whole.warnings()


def test_a_save_keeps_facts_that_match_the_saved_record(store: Store, guide: Guide) -> None:
    rng = random.Random(7)
    record = random_visit(rng, guide, ["PAT-1"])
    record.guide_id = guide.meta.id
    store.create(record, "dr-a")
    loaded, revision = store.load(record.id)
    loaded.set_answer("injection_date", DAY.isoformat(), "typed", NOW)
    loaded.set_answer("injection_side_used", "right", "typed", NOW)
    store.save(loaded, revision, "dr-a")
    (kept,) = store.history_facts("PAT-1").facts
    again, _ = store.load(record.id)
    assert kept == facts_module.facts_of(again)
    assert kept.answers["injection_side_used"] == "right"


# -- facts that no longer match their record are never used (SQLite: edited by hand) ------


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


def _stored(data: Path, guide: Guide, given: bool = True) -> SessionRecord:
    record = new_session(guide, "PAT-1", NOW, DAY)
    record.set_answer("visit", "first_injection", "typed", NOW)
    record.set_answer("injection_date", DAY.isoformat(), "typed", NOW)
    record.set_answer("injection_given", given, "typed", NOW)
    record.set_answer("injection_side_used", "left", "typed", NOW)
    record.status = "complete"
    # The record's count of the dose, logged as a walk's summary logs it.
    record.injection_given = given
    record.note_event(NOW, "injection_given", value=given)
    store = open_store(None, data)
    try:
        store.create(record, "dr-a")
    finally:
        store.close()
    return record


def _sql(data: Path, statement: str, *args: Any) -> list[Any]:
    db = sqlite3.connect(data / DATABASE_FILE)
    try:
        rows = db.execute(statement, args).fetchall()
        db.commit()
        return rows
    finally:
        db.close()


def _shown(data: Path, guide: Guide) -> tuple[Any, Any]:
    store = open_store(None, data)
    try:
        found, seen = store.history("PAT-1"), store.history_facts("PAT-1")
    finally:
        store.close()
    whole = timeline(
        guide, found.records, "PAT-1", DAY, unreadable=found.unreadable, shown_only=True
    )
    return shown_timeline(guide, seen.facts, "PAT-1", DAY, unreadable=seen.unreadable), whole


def test_facts_are_kept_beside_each_saved_record(data: Path, guide: Guide) -> None:
    _stored(data, guide)
    ((facts,),) = _sql(data, "SELECT facts FROM visits")
    assert facts and '"injection_side_used":"left"' in facts


def test_a_record_changed_by_hand_is_read_whole(data: Path, guide: Guide) -> None:
    _stored(data, guide)
    _sql(data, "UPDATE visits SET record = replace(record, '\"left\"', '\"right\"')")
    shown, whole = _shown(data, guide)
    assert shown == whole
    assert [v.side for v in shown.injections] == ["right"], "the record as it is now"


def test_facts_changed_by_hand_are_not_used(data: Path, guide: Guide) -> None:
    _stored(data, guide, given=True)
    _sql(data, "UPDATE visits SET facts = replace(facts, '\"left\"', '\"right\"')")
    shown, whole = _shown(data, guide)
    assert shown == whole
    assert [v.side for v in shown.injections] == ["left"]


def test_a_visit_stored_before_facts_were_kept_is_read_whole(data: Path, guide: Guide) -> None:
    _stored(data, guide)
    _sql(data, "UPDATE visits SET facts = NULL")
    shown, whole = _shown(data, guide)
    assert shown == whole and [v.side for v in shown.injections] == ["left"]


def test_facts_of_another_version_are_not_used(
    data: Path, guide: Guide, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stored(data, guide)
    # Facts that say something else than the record, with a seal that matches them: used
    # as long as this version wrote them...
    monkeypatch.setattr(facts_module, "_seal", lambda text, payload: "sealed")
    _sql(
        data,
        "UPDATE visits SET facts = 'sealed' || "
        "replace(substr(facts, instr(facts, char(10))), '\"left\"', '\"right\"')",
    )
    shown, _ = _shown(data, guide)
    assert [v.side for v in shown.injections] == ["right"]
    # ...and never by another version: the record is read whole.
    monkeypatch.setattr(facts_module, "__version__", "0.0.0-another")
    shown, whole = _shown(data, guide)
    assert shown == whole and [v.side for v in shown.injections] == ["left"]


def test_a_record_the_check_refuses_keeps_no_facts(data: Path, guide: Guide) -> None:
    record = new_session(guide, "PAT-1", NOW, DAY)
    record.set_answer("injection_side_used", "left", "typed", NOW)
    del record.events[-1]  # the answer no longer in the audit trail: refused on load
    store = open_store(None, data)
    try:
        store.create(record, "dr-a")
    finally:
        store.close()
    assert _sql(data, "SELECT facts FROM visits") == [(None,)]
    shown, whole = _shown(data, guide)
    assert shown == whole and shown.unreadable and not shown.visits


# -- the command: what `history` says is the same read either way -------------------------


def test_history_says_the_same_from_the_facts_as_from_the_records(run: Any) -> None:
    first = after_injection(last_opioid_use=days_ago(42), kit_lot="LOT-1")
    repeat = after_injection(visit="repeat_injection", opioid_use_since_last_injection=False)
    for key in ("last_opioid_use", "last_opioid_kind", "uds_opiates"):
        repeat.pop(key, None)
    for day, answers in ((days_ago(28), first), (TODAY, repeat)):
        made = run(
            "walk", "--no-input", "--label", "AB12", "--today", day.isoformat(),
            *answer_flags({k: v for k, v in answers.items() if v is not None}),
        )  # fmt: skip
        assert made.exit_code == 0, made.output
    asked = [
        ("history", "AB12", "--today", TODAY.isoformat()),
        ("history", "ab-12", "--json", "--today", TODAY.isoformat()),
    ]
    from_facts = [run(*a) for a in asked]
    assert all(r.exit_code == 0 for r in from_facts)
    assert "LOT-1" in from_facts[0].stdout and days_ago(28).isoformat() in from_facts[0].stdout
    kept = _sql(_database().parent, "SELECT facts FROM visits WHERE facts IS NOT NULL")
    assert len(kept) == 2, "each saved visit keeps its facts"
    _sql(_database().parent, "UPDATE visits SET facts = NULL")
    assert [run(*a) for a in asked] == from_facts


def test_a_visits_facts_say_what_its_record_says(store: Store, guide: Guide) -> None:
    """What a listing reads of one visit (`sessions` tells a treatment that ended by it)."""
    rng = random.Random(11)
    for _ in range(60):
        record = random_visit(rng, guide, ["PAT-1"])
        store.create(record, "dr-a")
        whole, _ = store.load(record.id)
        assert store.visit_facts(record.id) == facts_module.facts_of(whole)
        assert entry(guide, store.visit_facts(record.id)) == entry(guide, whole)
    with pytest.raises(SessionError, match="no session with id"):
        store.visit_facts("nothere")
