"""Invariant 8, one clock: every time the product compares is read from the visit's
``now``; a result timed after it is refused on every route; durations are absolute.

Visits over time come from :mod:`tests.strategies.timed` (timed COWS series, challenges
and rechallenges, the rapid pathway's record, the patient's earlier injections) and are
judged through the public commands against the independent oracle (:mod:`tests.oracle`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given

from tests import oracle
from tests.helpers import ready_patient
from tests.strategies import timed
from tests.strategies.patients import pool_guide

NEEDS_CLOCK = pytest.mark.xfail(
    reason="needs --now and results after now refused (the one-clock slice of issue 15)",
    strict=True,
)


def describe(v: timed.Timed, verdicts: list[timed.Verdict]) -> str:
    said = "; ".join(f"{x.route}: {x.status} {x.stderr.strip()[:200]}" for x in verdicts)
    return f"{said}\n{v!r}"


# --- The generator and the oracle read every visit over time ---------------------------


@timed.bounded(150)
@given(timed.timed_visits())
def test_the_oracle_reads_every_visit_over_time(v: timed.Timed) -> None:
    """Every shape is drawn and read without error; a visit with a result after its clock
    is refused by the oracle (so the properties below test something)."""
    found = v.findings(pool_guide(v.site))
    if "after_now" in v.shapes:
        assert any(f.severity == oracle.REFUSED and "after now" in f.text for f in found), v


# --- A result timed after now is refused -----------------------------------------------


@timed.bounded(25)
@given(timed.visits_with_a_result_after_now())
def _after_now_is_refused(case: tuple[timed.Timed, str]) -> None:
    v, what = case
    routes = timed.Routes()
    label = routes.patient(v)
    verdicts = [
        routes.check(v, label),
        routes.batch([(v, label)])[0],
        routes.walk(timed.with_injection(v), label),
    ]
    for verdict in verdicts:
        assert verdict.status == "refused", f"{what} not refused: {describe(v, verdicts)}"


@NEEDS_CLOCK
def test_a_result_timed_after_now_is_refused_on_every_route() -> None:
    """A COWS rating, a challenge result or the time its naloxone was given, later than
    ``--now``: ``check``, a batch line and ``walk --no-input`` refuse it (exit 2, an error
    line), never count it."""
    timed.require_the_interfaces()
    _after_now_is_refused()


# --- Ready over time means the reference finds nothing ---------------------------------


@timed.bounded(50)
@given(timed.timed_visits())
def _ready_over_time(v: timed.Timed) -> None:
    guide = pool_guide(v.site)
    routes = timed.Routes()
    label = routes.patient(v)
    for verdict, in_record in (
        (routes.check(v, label), False),
        (routes.batch([(v, label)])[0], False),
        (routes.walk(timed.with_injection(v), label), True),
    ):
        if verdict.ready:
            found = v.findings(guide, in_record=in_record)
            assert not found, f"{verdict.route} ready, but {[str(f) for f in found]}\n{v!r}"


@NEEDS_CLOCK
def test_ready_over_time_means_the_reference_finds_nothing() -> None:
    """Series, challenges, the pathway's record and the patient's record, on ``check``, a
    batch line and ``walk --no-input``: ready only when the oracle finds nothing standing
    (invariants 1, 2 and 8-11 together)."""
    timed.require_the_interfaces()
    _ready_over_time()


# --- Durations are absolute: daylight saving ---------------------------------------------

EAST = dt.timezone(dt.timedelta(hours=-5), "EST")
EAST_SUMMER = dt.timezone(dt.timedelta(hours=-4), "EDT")


def _rechallenged(positive: dt.datetime, again: dt.datetime) -> timed.Timed:
    now = again + dt.timedelta(minutes=10)
    day = now.astimezone().date()
    answers: dict[str, Any] = ready_patient(
        last_opioid_use=day - dt.timedelta(days=14), naloxone_challenge=None
    )
    answers[oracle.CHALLENGES] = [
        {"at": positive.isoformat(), "kind": "challenge", "result": "positive"},
        {
            "at": again.isoformat(),
            "started": (again - dt.timedelta(minutes=25)).isoformat(),
            "kind": "rechallenge",
            "result": "negative",
        },
    ]
    return timed.Timed(now.astimezone().replace(tzinfo=None), answers)


@NEEDS_CLOCK
@pytest.mark.parametrize(
    ("positive", "again", "lifted"),
    [
        # New York falls back on 2026-11-01: 23 h 45 min on the wall is 24 h 45 min.
        (
            dt.datetime(2026, 10, 31, 12, 0, tzinfo=EAST_SUMMER),
            dt.datetime(2026, 11, 1, 11, 45, tzinfo=EAST),
            False,
        ),
        # It springs forward on 2027-03-14: 24 h 30 min on the wall is 23 h 30 min.
        (
            dt.datetime(2027, 3, 13, 10, 0, tzinfo=EAST),
            dt.datetime(2027, 3, 14, 10, 30, tzinfo=EAST_SUMMER),
            True,
        ),
    ],
)
def test_the_rechallenge_window_is_absolute_time_across_daylight_saving(
    positive: dt.datetime, again: dt.datetime, lifted: bool
) -> None:
    """The oracle and every route agree: the window is hours of real time."""
    timed.require_the_interfaces()
    v = _rechallenged(positive, again)
    guide = pool_guide(0)
    assert (not v.findings(guide)) is lifted, v
    routes = timed.Routes()
    verdicts = [routes.check(v), routes.batch([(v, None)])[0]]
    for verdict in verdicts:
        assert verdict.ready is lifted, describe(v, verdicts)
