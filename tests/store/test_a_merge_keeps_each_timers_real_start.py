"""Two runs saving one visit keep each challenge timer's real start with its timer
(safety invariant 5: the observation lasts its minutes of real time): a run that started
the timer while another saved the visit lost it at the merge, and a resume on a fixed
clock moved on then took a negative a few real seconds after the naloxone."""

from __future__ import annotations

import datetime as dt

from tests.helpers import TODAY
from xrntx_guide.pack import keys
from xrntx_guide.pack.guide import Guide
from xrntx_guide.store.saver import merge
from xrntx_guide.visit.session import new_session

NINE = dt.datetime.combine(TODAY, dt.time(9), tzinfo=dt.UTC)
REAL = dt.datetime(2026, 12, 7, 11, 40, tzinfo=dt.UTC)


def test_the_timer_started_by_this_run_keeps_its_real_start(guide: Guide) -> None:
    base = new_session(guide, "MERGED", NINE, TODAY)
    mine, theirs = base.model_copy(deep=True), base.model_copy(deep=True)
    mine.timers[keys.CHALLENGE] = NINE + dt.timedelta(minutes=1)
    mine.timers_real[keys.CHALLENGE] = REAL
    theirs.set_answer("age", 35, "flag", NINE)
    merged = merge(base, mine, theirs)
    assert merged.timers_real == {keys.CHALLENGE: REAL}


def test_the_timer_the_other_run_started_keeps_its_real_start(guide: Guide) -> None:
    base = new_session(guide, "MERGED", NINE, TODAY)
    mine, theirs = base.model_copy(deep=True), base.model_copy(deep=True)
    theirs.timers[keys.CHALLENGE] = NINE + dt.timedelta(minutes=1)
    theirs.timers_real[keys.CHALLENGE] = REAL
    mine.set_answer("age", 35, "flag", NINE)
    merged = merge(base, mine, theirs)
    assert merged.timers_real == {keys.CHALLENGE: REAL}
