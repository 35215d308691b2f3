"""Two runs saving one visit keep each challenge timer's real start with its timer
(safety invariant 5: the observation lasts its minutes of real time): a run that started
the timer while another saved the visit lost it at the merge, and a resume on a fixed
clock moved on then took a negative a few real seconds after the naloxone."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.helpers import TODAY
from xrntx_guide.pack import keys
from xrntx_guide.pack.guide import Guide
from xrntx_guide.store.saver import merge
from xrntx_guide.visit.session import new_session

NINE = dt.datetime.combine(TODAY, dt.time(9), tzinfo=dt.UTC)
REAL = dt.datetime(2026, 12, 7, 11, 40, tzinfo=dt.UTC)


@pytest.mark.parametrize("started_by", ["this run", "the other run"])
def test_the_timer_keeps_its_real_start_whichever_run_started_it(
    guide: Guide, started_by: str
) -> None:
    base = new_session(guide, "MERGED", NINE, TODAY)
    mine, theirs = base.model_copy(deep=True), base.model_copy(deep=True)
    starter, other = (mine, theirs) if started_by == "this run" else (theirs, mine)
    starter.start_timer(keys.CHALLENGE, NINE + dt.timedelta(minutes=1), REAL, NINE)
    other.set_answer("age", 35, "flag", NINE)
    merged = merge(base, mine, theirs)
    assert merged.timers_real == {keys.CHALLENGE: REAL}
    assert merged.naloxone_given == {keys.CHALLENGE: [NINE + dt.timedelta(minutes=1)]}
