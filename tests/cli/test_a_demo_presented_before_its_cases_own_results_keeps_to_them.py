"""A presentation runs its case at the real time of day, on the case's date. Presented
at 01:00, the rapid pathway's injection day (its rating at 08:30) began its naloxone
challenge before that rating: the scenario's negative was refused, and an unattended
run (``--auto``, a kiosk, the tests) asked for it again for ever. The clock now starts
after the case's own results of its day, and an unattended run whose scenario answer is
refused ends, saying so, instead of asking again."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import pytest

from tests.helpers import Run
from xrntx_guide.cli.commands import presenting
from xrntx_guide.env import Clock, Environment

CASE = "20-rapid-pathway-injection-day"


@pytest.fixture
def at_one_in_the_morning(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """The machine's clock at 01:00 local time, for the next run."""
    import xrntx_guide.cli.commands.common as common

    one = dt.datetime.combine(dt.date(2026, 12, 8), dt.time(1)).astimezone()
    made = common.process_environment

    def make() -> Environment:
        env = made()
        return dataclasses.replace(env, clock=Clock(source=lambda: one))

    def use() -> None:
        monkeypatch.setattr(common, "process_environment", make)

    return use


def test_a_case_presented_at_one_in_the_morning_keeps_to_its_own_results(
    run: Run, at_one_in_the_morning: Callable[[], None]
) -> None:
    at_one_in_the_morning()
    out = run("demo", CASE, "--auto", "0", "--plain")
    assert out.exit_code == 0, out.output[-800:]
    assert "the guide gave the scenario's expected outcome" in out.stdout, out.stdout[-800:]
    assert "Timer started 12:00" in out.stdout, "after the case's 08:30 rating: at noon"


def test_an_unattended_run_whose_answer_is_refused_ends(
    run: Run, at_one_in_the_morning: Callable[[], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The clock left before the case's rating (as before): the challenge's negative is
    refused, and the run ends at it, once, instead of asking again."""
    at_one_in_the_morning()
    monkeypatch.setattr(presenting, "_latest_of_its_day", lambda answers, day: None)
    out = run("demo", CASE, "--auto", "0", "--plain")
    said = out.stdout
    assert "was not taken: the unattended run ends here" in said, said[-800:]
    assert said.count("Naloxone challenge result -> negative") <= 2, said[-800:]
