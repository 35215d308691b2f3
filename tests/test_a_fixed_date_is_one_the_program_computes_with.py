"""``--today DATE`` is held to the years the program computes with, as ``--now`` is: a
date in year 1 or 9999 is refused naming the option and the range (exit 2), never an
internal error (exit 70) nor a run whose windows cannot be computed."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.helpers import Run, answer_flags, ready_patient
from xrntx_guide.errors import ExitCode
from xrntx_guide.visit.clock import end_of_day


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
@pytest.mark.parametrize("command", ["check", "walk"])
def test_a_date_outside_the_years_is_refused_as_now_is(run: Run, day: str, command: str) -> None:
    extra = ["--no-input", "--no-save"] if command == "walk" else []
    r = run(command, "--today", day, *extra, *answer_flags(ready_patient()))

    assert r.exit_code == ExitCode.USAGE, r.output
    said = " ".join(r.stderr.split())
    assert "--today" in said and "out of range" in said and "9998" in said, said
    assert "internal error" not in r.output


@pytest.mark.parametrize("day", [dt.date.min, dt.date.max])
def test_the_end_of_any_day_a_date_holds_is_an_instant(day: dt.date) -> None:
    """A batch line judged in process as of a day alone (no ``now``) reads the end of that
    day: at the ends of what a date holds it is still an instant, never a ValueError."""
    end = end_of_day(day)
    assert end.tzinfo is not None and end.date() == day
