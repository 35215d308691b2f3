"""A scenario is presented on its case's date (``demo``: the case's day at the real time
of day, running on from there), a training run whose results the presenter types for the
case as the walk takes them. A presentation begun a minute before midnight runs on past
it: the case's COWS total, typed by the presenter after midnight, is refused as "taken
now, on" the next day, "not the visit of" the case's day (the rule for a care visit's
results, visit/results.py taken_on_another_day), the walk stops short of the scenario's
end, and the recap still says the guide gave the scenario's expected outcome. The
presentation of a case must reach the case's end, or say plainly that it did not."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
import time
from collections.abc import Callable, Iterator

import pytest

from tests.helpers import Run, flat
from xrntx_guide.env import Clock, Environment

SCENARIO = "01-ready-after-heroin"
A_MINUTE_BEFORE_MIDNIGHT = dt.datetime(2026, 12, 6, 23, 59, tzinfo=dt.UTC)
AN_AFTERNOON = dt.datetime(2026, 12, 6, 15, 0, tzinfo=dt.UTC)
FASTER = 600.0  # ten minutes of the clock to a real second: midnight comes at once


@pytest.fixture
def machine_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[dt.datetime], None]]:
    """Puts the machine in UTC, its clock reading ``start`` when the run starts and then
    running on fast (so that from a minute before it, midnight comes during the run)."""
    import xrntx_guide.cli.commands.common as common

    def install(start: dt.datetime) -> None:
        monkeypatch.setenv("TZ", "UTC0")
        time.tzset()
        begun = time.monotonic()

        def source() -> dt.datetime:
            return start + dt.timedelta(seconds=(time.monotonic() - begun) * FASTER)

        def make() -> Environment:
            env = Environment.of(sys.stdin, sys.stdout, sys.stderr)
            return dataclasses.replace(env, clock=Clock(source=source))

        monkeypatch.setattr(common, "process_environment", make)

    yield install
    monkeypatch.undo()
    time.tzset()


def test_the_control_a_presentation_in_the_afternoon_reaches_the_case_s_end(
    run: Run, machine_clock: Callable[[dt.datetime], None]
) -> None:
    machine_clock(AN_AFTERNOON)
    out = run("demo", SCENARIO, "--auto", "0", "--plain")
    assert out.exit_code == 0, out.output
    said = flat(out.output)
    assert "taken now" not in said and "input ended before the walkthrough did" not in said


def test_a_presentation_begun_before_midnight_reaches_the_case_s_end(
    run: Run, machine_clock: Callable[[dt.datetime], None]
) -> None:
    machine_clock(A_MINUTE_BEFORE_MIDNIGHT)
    out = run("demo", SCENARIO, "--auto", "0", "--plain")
    said = flat(out.output)
    assert "taken now" not in said, said
    assert "input ended before the walkthrough did" not in said, said
