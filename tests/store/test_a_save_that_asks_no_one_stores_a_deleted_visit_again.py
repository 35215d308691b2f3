"""A save that asks no one (an unattended walk, a walk that stops before its dose) stores
again a visit another run deleted meanwhile, as the run holds it (Saver.save_kept): it
was lost, the save failing with "deleted meanwhile". A save that asks (the walkthrough)
offers the same, tested at the terminal."""

from __future__ import annotations

import datetime as dt

from tests.helpers import TODAY
from xrntx_guide.pack.guide import Guide
from xrntx_guide.store import Store
from xrntx_guide.store.saver import Saver
from xrntx_guide.visit.session import new_session

NINE = dt.datetime.combine(TODAY, dt.time(9), tzinfo=dt.UTC)


def test_a_deleted_visit_is_stored_again_with_what_the_run_holds(
    store: Store, guide: Guide
) -> None:
    record = new_session(guide, "KEPT-1", NINE, TODAY)
    saver = Saver(store, "room 1", record.id, guide=guide)
    _, again = saver.save_kept(record)
    assert not again
    record.set_answer("age", 35, "typed", NINE + dt.timedelta(minutes=1))
    store.delete(record.id)
    _, again = saver.save_kept(record)
    assert again
    stored, _ = store.load(record.id)
    assert stored.answers["age"].value == 35
