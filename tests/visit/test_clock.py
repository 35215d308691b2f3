"""The time rules of a visit (visit/clock.py; clinical basis, safety invariant 8)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from xrntx_guide.env import Clock
from xrntx_guide.errors import InvalidAnswer
from xrntx_guide.visit import clock

NY = ZoneInfo("America/New_York")


def test_a_time_without_an_offset_is_the_local_time_and_is_kept_with_its_offset() -> None:
    at = clock.parse_instant("2026-11-24T09:30")
    assert at.tzinfo is not None
    assert at == dt.datetime(2026, 11, 24, 9, 30).astimezone()


def test_a_time_with_an_offset_keeps_it() -> None:
    at = clock.parse_instant("2026-11-24T09:30+05:00")
    assert at.utcoffset() == dt.timedelta(hours=5)
    assert at.astimezone(dt.UTC) == dt.datetime(2026, 11, 24, 4, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize("text", ["2026-11-24", "09:30", "soon", ""])
def test_what_is_not_a_date_and_time_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DDTHH:MM"):
        clock.parse_instant(text)


def test_hours_are_absolute_across_both_daylight_saving_changes() -> None:
    fall = clock.hours_between(
        dt.datetime(2026, 11, 1, 0, 30, tzinfo=NY), dt.datetime(2026, 11, 2, 0, 15, tzinfo=NY)
    )
    spring = clock.hours_between(
        dt.datetime(2027, 3, 13, 23, 30, tzinfo=NY), dt.datetime(2027, 3, 15, 0, 0, tzinfo=NY)
    )
    assert (fall, spring) == (24.75, 23.5)


def test_a_moment_past_a_whole_hour_is_never_rounded_into_it() -> None:
    start = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
    assert clock.hours_between(start, start + dt.timedelta(hours=24, seconds=1)) > 24


def test_a_result_after_now_is_refused_naming_it_and_now() -> None:
    now = dt.datetime(2026, 11, 24, 9, 30).astimezone()
    later = dt.datetime(2026, 11, 24, 23, 30).astimezone()
    problem = clock.future_problem("rating 1", later, now)
    assert problem is not None and "rating 1" in problem and "09:30" in problem
    with pytest.raises(InvalidAnswer) as caught:
        clock.refuse_after_now("cows_ratings", "rating 1", later, now)
    assert caught.value.key == "cows_ratings"


def test_a_result_is_after_now_by_its_exact_instant() -> None:
    now = dt.datetime(2026, 11, 24, 9, 30, 10).astimezone()
    # Written to the minute, before now: taken. Seconds after now: not taken yet.
    assert clock.future_problem("r", now.replace(second=0), now) is None
    assert clock.future_problem("r", now, now) is None
    later = clock.future_problem("r", now.replace(second=50), now)
    assert later is not None and "09:30:50" in later and "09:30:10" in later


def test_a_moment_may_be_a_time_on_the_day_a_date_and_time_or_minutes_ago() -> None:
    day = dt.date(2026, 11, 24)
    now = dt.datetime(2026, 11, 24, 9, 30).astimezone()
    assert clock.parse_moment("09:05", day, now) == dt.datetime(2026, 11, 24, 9, 5).astimezone()
    assert clock.parse_moment("25 minutes ago", day, now) == now - dt.timedelta(minutes=25)
    assert clock.parse_moment("2026-11-23T22:00", day, now) == clock.parse_instant(
        "2026-11-23T22:00"
    )
    with pytest.raises(ValueError, match="HH:MM"):
        clock.parse_moment("a while ago", day, now)


def test_the_observation_is_a_minimum() -> None:
    given = dt.datetime(2026, 11, 24, 9, 0).astimezone()
    assert clock.observation_problem("r", given, given + dt.timedelta(minutes=20), 20) is None
    early = clock.observation_problem("r", given, given + dt.timedelta(minutes=19), 20)
    assert early is not None and "less than 20 minutes" in early
    before = clock.observation_problem("r", given, given - dt.timedelta(minutes=1), 20)
    assert before is not None and "after the result" in before


def test_a_fixed_clock_starts_where_it_is_fixed_and_runs_on_in_real_time() -> None:
    real = [dt.datetime(2026, 12, 6, 1, 0, tzinfo=dt.UTC)]
    base = Clock(source=lambda: real[0])
    start = dt.datetime(2026, 11, 24, 9, 30).astimezone()
    fixed = base.starting_at(start)
    assert fixed.fixed and not base.fixed
    assert fixed.now() == start
    real[0] += dt.timedelta(minutes=21)
    assert fixed.now() == start + dt.timedelta(minutes=21)
    # A demo clock speeds up the timers, not the clock.
    fast = fixed.sped_up(60)
    assert fast.now() == fixed.now()
    assert fast.timer_now(start) == start + dt.timedelta(minutes=21 * 60)


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Pacific/Kiritimati"])
def test_the_end_of_a_day_at_the_calendars_edges_is_an_instant(
    zone: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A check dated on the calendar's first or last day is judged as of that day's end,
    never an error (the local offset would take it to year 0 or 10000)."""
    import time

    from xrntx_guide.visit.clock import end_of_day

    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        for day in (dt.date.min, dt.date.max):
            at = end_of_day(day)
            assert at.tzinfo is not None
            assert at.date() == day and (at.hour, at.minute) == (23, 59)
    finally:
        monkeypatch.undo()
        time.tzset()
