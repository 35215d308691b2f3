"""A visit's days are read in the machine's zone, so a clock in another offset is refused
(safety invariant 8, one clock with its offset kept). A visit walked on a fixed clock at
19:10 in a clinic five hours behind UTC (``--now`` with -05:00, on a machine in that
zone) and resumed on a machine in UTC (a server, a container), its clock going on from its
last save (with no ``--now``, or with one that lies before that save: a clock never goes
back), must not read that same evening as the next day: the visit would move to the next
day there, its results of the day cleared and asked again, and the dose given counted on
the next day, a day the clinic never gave it (every later visit's timing counts from
it). The resume is refused instead."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest

from tests.helpers import DOSE_GIVEN, Run, answer_flags, ready_patient

DAY = dt.date(2026, 11, 24)
NEXT_DAY = DAY + dt.timedelta(days=1)
CLINIC_ZONE = "EST5"  # POSIX: five hours behind UTC, no daylight saving
UTC_ZONE = "UTC0"
LABEL = "ZONE-1"


def resumed_in(
    run: Run, zone: Callable[[str], None], there: str, now: str | None = None
) -> tuple[int, list[str]]:
    """The visit walked in the clinic's zone at 19:10-05:00 of DAY with every result but
    the dose, resumed in ``there`` (with ``--now now`` when given) with the results and
    the dose: the resume's exit code, and the doses the history counts (read in the
    clinic's zone)."""
    answers = ready_patient(last_opioid_use=DAY - dt.timedelta(days=14))
    zone(CLINIC_ZONE)
    first = run(
        "walk", "--no-input", "--json", "--label", LABEL, "--now", f"{DAY}T19:10-05:00",
        "--acknowledge", "all", *answer_flags(answers),
    )  # fmt: skip
    assert first.exit_code in (0, 1, 4), first.output
    session = str(json.loads(first.stdout)["session"])
    zone(there)
    clock = ["--now", now] if now is not None else []
    resumed = run(
        "walk", "--no-input", "--resume", "--session", session, *clock,
        "--acknowledge", "all", *answer_flags(answers | DOSE_GIVEN),
    )  # fmt: skip
    zone(CLINIC_ZONE)
    history = run("history", LABEL, "--json", "--today", (DAY + dt.timedelta(days=6)).isoformat())
    assert history.exit_code == 0, history.output
    return resumed.exit_code, [i["date"] for i in json.loads(history.stdout)["injections"]]


@pytest.mark.parametrize("now", [None, f"{DAY}T19:05"], ids=["its-clock", "now-before"])
def test_the_control_resumed_in_the_clinics_zone_the_dose_is_of_its_day(
    run: Run, zone: Callable[[str], None], now: str | None
) -> None:
    code, doses = resumed_in(run, zone, CLINIC_ZONE, now)
    assert code == 0
    assert doses == [DAY.isoformat()]


@pytest.mark.parametrize(
    "now", [None, f"{DAY}T19:15", f"{NEXT_DAY}T00:05"], ids=["its-clock", "now-1", "now-2"]
)
def test_resumed_on_a_machine_in_utc_the_dose_is_never_counted_on_the_next_day(
    run: Run, zone: Callable[[str], None], now: str | None
) -> None:
    _, doses = resumed_in(run, zone, UTC_ZONE, now)
    assert NEXT_DAY.isoformat() not in doses
