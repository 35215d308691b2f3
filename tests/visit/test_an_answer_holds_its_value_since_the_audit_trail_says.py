"""When an answer took the value it holds is read from the audit trail (clinical basis,
safety invariants 9 and 12): the first event of the latest run of events logging that
value. The same value logged again (a resume that gives a whole answer set again) does
not move it; a change to another value and back does; a clear starts over; a trail that
does not end on the value the record holds says nothing (the record's own time is used).
What orders a dose and an end of treatment of one day, and a no against a recorded
hypersensitivity, rests on it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given

from tests.strategies.timed import TRAIL_KEY as KEY
from tests.strategies.timed import audit_trails, trail_values
from xrntx_guide.visit.integrity import held_since
from xrntx_guide.visit.session import Event

START = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


def trail(drawn: list[tuple[str, str, Any]]) -> list[Event]:
    return [
        Event(at=START + dt.timedelta(minutes=i), kind=kind, key=key, value=value)
        for i, (kind, key, value) in enumerate(drawn)
    ]


def by_hand(events: list[Event], value: Any) -> dt.datetime | None:
    """The same question answered the plain way: walk back from the end over the events
    of the key that log a value, while they log this value; stop at a clear."""
    mine = [e for e in events if e.key == KEY and e.kind in ("answer", "change", "carry", "clear")]
    if not mine or mine[-1].kind == "clear" or not _same(mine[-1].value, value):
        return None
    since = mine[-1].at
    for e in reversed(mine[:-1]):
        if e.kind == "clear" or not _same(e.value, value):
            break
        since = e.at
    return since


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


@given(audit_trails, trail_values)
def test_the_time_is_the_first_of_the_latest_run_of_the_value(
    drawn: list[tuple[str, str, Any]], value: Any
) -> None:
    events = trail(drawn)
    assert held_since(events, KEY, value) == by_hand(events, value)


def test_the_same_yes_given_again_keeps_its_first_time() -> None:
    events = trail([("answer", KEY, True), ("note", KEY, True), ("change", KEY, True)])
    assert held_since(events, KEY, True) == START


def test_a_change_and_back_is_a_new_time() -> None:
    events = trail([("answer", KEY, True), ("change", KEY, False), ("change", KEY, True)])
    assert held_since(events, KEY, True) == START + dt.timedelta(minutes=2)
