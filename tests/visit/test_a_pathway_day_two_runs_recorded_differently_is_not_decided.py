"""Two runs that record one day of the rapid pathway at once, saying different things of it
(another room's "tolerated" beside the nurse's "not tolerated"), leave both entries in the
record: the merge cannot refuse either (each room's own record took it). Neither is read
over the other (safety invariants 2 and 9: undecided is never ready; a recorded day is
never replaced): the record is not complete, naming the clash and the fix, until a
correction of the day settles it. The merge of two saves keeps both and says so."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.helpers import TODAY, the_store
from xrntx_guide.pack import keys
from xrntx_guide.pack.guide import Guide
from xrntx_guide.store.saver import Saver
from xrntx_guide.visit.rapid import RapidDay, add_day, day_rows, derive, parse_day
from xrntx_guide.visit.session import new_session

DAY1 = dt.date(2026, 11, 22)
DAY = 3
ON = DAY1 + dt.timedelta(days=DAY - 1)


def entry(guide: Guide, n: int, **changes: Any) -> RapidDay:
    raw: dict[str, Any] = {
        "day": n,
        "date": (DAY1 + dt.timedelta(days=n - 1)).isoformat(),
        "given": "as the protocol directs",
        "tolerated": True,
        "naltrexone_given": n > 1,
        "cows": [{"time": "08:00", "total": 1}],
        "injection_day": n == DAY,
    }
    raw.update(changes)
    return parse_day(guide, raw, ON)


def record(guide: Guide, *last: RapidDay) -> list[RapidDay]:
    days: list[RapidDay] = []
    for n in range(1, DAY):
        days = add_day(days, entry(guide, n))[0]
    return [*days, *last]


@pytest.mark.parametrize("first_says", [True, False])
def test_two_entries_of_a_day_that_disagree_leave_the_record_not_complete(
    guide: Guide, first_says: bool
) -> None:
    one = entry(guide, DAY, tolerated=first_says)
    other = entry(guide, DAY, tolerated=not first_says, cows=[{"time": "09:00", "total": 9}])
    with pytest.raises(ValueError, match="never replaced"):
        add_day(record(guide, one), other)  # one run alone refuses it
    reading = derive(record(guide, one, other), None, ON)
    assert reading.answers[keys.RAPID_RECORD_COMPLETE] is False, reading
    said = [m for m in reading.missing if f"day {DAY}:" in m and "disagree" in m]
    assert said and "tolerated" in said[0] and f"corrects = {DAY}" in said[0], reading.missing
    rows = day_rows(record(guide, one, other), None)
    assert "correct the day" in rows[-1]["entry"], rows[-1]


def test_a_correction_of_the_day_settles_it(guide: Guide) -> None:
    one = entry(guide, DAY, tolerated=True)
    other = entry(guide, DAY, tolerated=False)
    fixed = entry(guide, DAY, tolerated=False, corrects=DAY, reason="not tolerated: seen at 09:00")
    reading = derive(record(guide, one, other, fixed), None, ON)
    assert not any("disagree" in m for m in reading.missing), reading.missing
    assert reading.answers[keys.RAPID_DOSES_TOLERATED] is False


def test_the_merge_of_two_saves_keeps_both_entries_and_says_so(guide: Guide) -> None:
    store = the_store()
    start = new_session(guide, "PAT", dt.datetime.combine(TODAY, dt.time(9), dt.UTC), TODAY)
    now = dt.datetime.combine(ON, dt.time(10), dt.UTC)
    start.set_rapid_days(record(guide), now)
    store.create(start, "dr-a")
    stored, revision = store.load(start.id)
    mine = Saver.loaded(store, "dr-a", stored, revision, guide)
    other = Saver.loaded(store, "dr-b", stored, revision, guide)
    theirs = other.base.model_copy(deep=True)  # type: ignore[union-attr]
    theirs.record_day(entry(guide, DAY, tolerated=True), now)
    other.save(theirs)
    typed = mine.base.model_copy(deep=True)  # type: ignore[union-attr]
    typed.record_day(entry(guide, DAY, tolerated=False), now)
    said = mine.save(typed)
    kept, _ = store.load(start.id)
    store.close()
    assert [d.tolerated for d in kept.rapid_days if d.day == DAY] == [True, False]
    assert any("tolerated yes, not" in line and "Both entries are kept" in line for line in said)
    assert derive(kept.rapid_days, None, ON).answers[keys.RAPID_RECORD_COMPLETE] is False
