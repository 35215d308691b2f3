"""Two runs on one visit that each record the injection as given (two rooms, two
clinicians): the visit records one dose, and the run that saves second is told, loudly,
to make sure only one injection was given. It was told only that the answer was kept."""

from __future__ import annotations

import datetime as dt

from tests.helpers import TODAY
from xrntx_guide.pack.guide import Guide
from xrntx_guide.store import Store
from xrntx_guide.store.saver import Saver
from xrntx_guide.visit.session import SessionRecord, new_session

NINE = dt.datetime.combine(TODAY, dt.time(9), tzinfo=dt.UTC)


def two_runs(store: Store, guide: Guide) -> tuple[Saver, Saver, SessionRecord, SessionRecord]:
    record = new_session(guide, "TWO-ROOMS", NINE, TODAY)
    first = Saver(store, "room 1", record.id, guide=guide)
    first.save(record)
    loaded, revision = store.load(record.id)
    mine = loaded.model_copy(deep=True)
    theirs = loaded.model_copy(deep=True)
    a = Saver.loaded(store, "room 1", mine, revision, guide)
    b = Saver.loaded(store, "room 2", theirs, revision, guide)
    return a, b, mine, theirs


def test_both_giving_the_dose_are_told_to_check(store: Store, guide: Guide) -> None:
    key = guide.meta.report.injection_given
    assert key is not None
    a, b, mine, theirs = two_runs(store, guide)
    theirs.set_answer(key, True, "typed", NINE + dt.timedelta(minutes=1))
    b.save(theirs)
    mine.set_answer(key, True, "typed", NINE + dt.timedelta(minutes=2))
    said = a.save(mine)
    assert any(line.startswith("CHECK:") and "only one injection" in line for line in said), said


def test_one_giving_the_dose_is_not_told_so(store: Store, guide: Guide) -> None:
    key = guide.meta.report.injection_given
    assert key is not None
    a, b, mine, theirs = two_runs(store, guide)
    theirs.set_answer(key, True, "typed", NINE + dt.timedelta(minutes=1))
    b.save(theirs)
    mine.set_answer("age", 35, "typed", NINE + dt.timedelta(minutes=2))
    said = a.save(mine)
    assert said and not any(line.startswith("CHECK:") for line in said), said
