"""Safety invariants 8 and 9 together: the one rule that takes a result into the record
(visit/results.py) reads every time by the one clock (visit/clock.py).

A time written without an offset is the local time where the program runs, for the
appended series as for everything else: ordering, naming an entry to correct, the visit
day a result falls on. A result timed after ``now`` is refused by the rule itself.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator

import pytest

from tests.helpers import TODAY, Run, gate, json_answers, ready_patient
from xrntx_guide.errors import InvalidAnswer
from xrntx_guide.pack.guide import Guide
from xrntx_guide.visit.clock import zone_declared
from xrntx_guide.visit.results import Offered, Results, offered_series, take_result
from xrntx_guide.visit.series import CowsRating, expand, latest_on, series_lines

DAY = TODAY.isoformat()


@pytest.fixture
def new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The program runs in New York: local time is not UTC, so the two readings of a
    time without an offset (local, or UTC) differ by hours."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def rating(at: dt.datetime, total: int) -> CowsRating:
    return CowsRating(at=at, day=TODAY, context="repeat", total=total)


@pytest.mark.usefixtures("new_york")
def test_a_rating_without_an_offset_is_ordered_as_local_time_beside_one_with_an_offset() -> None:
    # 08:00 in New York is 13:00 UTC: later than 12:00 UTC, whatever the clock on the wall.
    local = rating(dt.datetime.fromisoformat(f"{DAY}T08:00"), 9)
    utc = rating(dt.datetime.fromisoformat(f"{DAY}T12:00+00:00"), 2)
    ratings = [local, utc]

    assert latest_on(ratings, TODAY) == 0  # the gate reads the 08:00 (local) rating
    lines = series_lines(ratings, 4, TODAY, 48)  # a mix of both: never a TypeError
    rows = [line for line in lines if "repeat" in line]
    # Listed by instant, shown in local time; the gate's rating (>) is the later one.
    assert [row[2:7] for row in rows] == ["07:00", "08:00"], lines
    assert [row[0] for row in rows] == [" ", ">"], lines


@pytest.mark.usefixtures("new_york")
def test_a_correction_names_a_recorded_rating_by_its_local_time(guide: Guide) -> None:
    held = Results()
    first = dt.datetime.fromisoformat(f"{DAY}T08:00").astimezone()  # as stored: with offset
    take_result(guide, held, Offered("cows", 2, first, "file"), TODAY)
    fix = Offered(
        "cows",
        9,
        first + dt.timedelta(minutes=30),
        "file",
        corrects=dt.datetime.fromisoformat(f"{DAY}T08:00"),  # as the clinician writes it
        reason="pulse misread",
    )

    take_result(guide, held, fix, TODAY)

    assert [r.total for r in held.cows_ratings] == [2, 9]
    assert held.cows_ratings[1].corrects == first


@pytest.mark.usefixtures("new_york")
def test_undeclared_a_files_result_on_another_date_in_its_own_offset_is_refused(
    guide: Guide,
) -> None:
    # The same time with no zone declared: 2 a.m. of the visit day in UTC, the evening
    # before here; which of the two days it describes cannot be told.
    late = dt.datetime.combine(TODAY, dt.time(2)).isoformat() + "+00:00"
    now = dt.datetime.combine(TODAY, dt.time(9)).astimezone()

    with pytest.raises(InvalidAnswer, match="XRNTX_GUIDE_ZONE"):
        expand(guide, {"cows_ratings": [{"at": late, "total": 3}]}, TODAY, None, now)


@pytest.mark.usefixtures("new_york")
def test_a_files_result_counts_for_the_local_day_it_falls_on(guide: Guide) -> None:
    # 02:00 UTC on the visit day is 21:00 of the day before in New York, the clinic's
    # zone declared (XRNTX_GUIDE_ZONE): a rating of the evening before, which never counts
    # for the visit day's gate.
    late = dt.datetime.combine(TODAY, dt.time(2)).isoformat() + "+00:00"
    raw = {"cows_ratings": [{"at": late, "total": 3}]}
    now = dt.datetime.combine(TODAY, dt.time(9)).astimezone()
    held = Results()

    with zone_declared(True):
        for offered in offered_series(expand(guide, raw, TODAY, None, now)):
            take_result(guide, held, offered, TODAY, now)  # taken on the visit day, as a walk does

    assert [r.day for r in held.cows_ratings] == [TODAY - dt.timedelta(days=1)]
    assert latest_on(held.cows_ratings, TODAY) is None


def test_the_rule_refuses_a_result_timed_after_now(guide: Guide) -> None:
    now = dt.datetime.combine(TODAY, dt.time(9, 30)).astimezone()
    later = Offered("cows", 0, now + dt.timedelta(hours=2), "file")
    held = Results()

    with pytest.raises(InvalidAnswer, match="after now"):
        take_result(guide, held, later, TODAY, now)

    assert held.cows_ratings == []


def test_a_correction_of_yesterdays_rating_is_no_rating_of_today(run: Run) -> None:
    """A correction typed today of yesterday evening's rating corrects yesterday's result:
    the withdrawal gate of today's visit still has no rating of today (undecided), never
    the corrected total as if it had been rated today (a wrong ready)."""
    yesterday = (TODAY - dt.timedelta(days=1)).isoformat()
    answers = {
        **json_answers(ready_patient()),
        "cows_ratings": [
            {"at": f"{yesterday}T20:30", "total": 3},
            {"at": f"{DAY}T10:51", "corrects": f"{yesterday}T20:30", "reason": "typo", "total": 0},
        ],
    }
    for key in [k for k in answers if k.startswith("cows_") and k != "cows_ratings"]:
        del answers[key]
    case = json.dumps(answers)
    result = run("check", "--json", "--now", f"{DAY}T11:00", "--answers", "-", input=case)
    data = json.loads(result.stdout)
    assert data["status"] == "incomplete", result.output
    assert gate(data, "withdrawal")["outcome"] == "unknown", result.output
