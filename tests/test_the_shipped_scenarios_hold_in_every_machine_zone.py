"""The shipped scenarios are the guide's executable examples: each gives its expected
outcome wherever the program runs (safety invariant 8: a visit's days are read in the
machine's zone, and every time the program makes for a visit lies on that visit's day
there). A case's earlier visits ([[history]]) are walked as visits of their own dates; in
New Zealand in summer (UTC+13) a time made for such a visit at noon UTC is 01:00 the next
day, the earlier visit's COWS total is then refused as "taken now" on another day, and
the case is refused, in ``scenarios test`` and in the presenter alike."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.helpers import Run, flat

HISTORY_CASE = "21-second-visit-four-weeks-later"


def test_the_control_in_utc_every_scenario_gives_its_outcome(
    run: Run, zone: Callable[[str], None]
) -> None:
    zone("UTC0")
    out = run("scenarios", "test")
    assert out.exit_code == 0, out.output
    assert "REFUSED" not in out.output


@pytest.mark.parametrize("name", ["Pacific/Auckland", "XXX-13"], ids=["auckland", "posix"])
def test_in_new_zealand_in_summer_every_scenario_gives_its_outcome(
    run: Run, zone: Callable[[str], None], name: str
) -> None:
    zone(name)
    out = run("scenarios", "test")
    assert "REFUSED" not in out.output and "taken now" not in flat(out.output), out.output
    assert out.exit_code == 0, out.output


def test_in_new_zealand_in_summer_a_case_with_earlier_visits_is_presented(
    run: Run, zone: Callable[[str], None]
) -> None:
    zone("XXX-13")
    out = run("demo", HISTORY_CASE, "--auto", "0", "--plain")
    assert out.exit_code == 0 and "taken now" not in flat(out.output), out.output
