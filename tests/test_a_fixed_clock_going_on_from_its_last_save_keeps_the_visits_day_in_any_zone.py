"""A visit's days are read in the machine's zone, so a session's fixed clock at another
zone's offset is refused on resume (safety invariant 8: one clock, its offset kept). A
visit walked at 19:10 in a clinic five hours behind UTC and resumed on a machine in UTC
with a ``--now`` that lies before the session's last save goes on from that save (a clock
never goes back): that clock is the clinic's evening at -05:00, which the machine reads as
the next day. The visit must not move to the next day there and count its dose on a day
the clinic never gave it; the run is refused, as the same resume without ``--now`` is."""

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
LABEL = "ZONE-NOW"


def resumed_in(
    run: Run, zone: Callable[[str], None], there: str, now: str
) -> tuple[int, list[str]]:
    """The visit walked in the clinic's zone at 19:10-05:00 of DAY with every result but
    the dose, resumed in ``there`` with ``--now now`` and the results and the dose: the
    resume's exit code, and the doses the history counts (read in the clinic's zone)."""
    answers = ready_patient(last_opioid_use=DAY - dt.timedelta(days=14))
    zone(CLINIC_ZONE)
    first = run(
        "walk", "--no-input", "--json", "--label", LABEL, "--now", f"{DAY}T19:10-05:00",
        "--acknowledge", "all", *answer_flags(answers),
    )  # fmt: skip
    assert first.exit_code in (0, 1, 4), first.output
    session = str(json.loads(first.stdout)["session"])
    zone(there)
    resumed = run(
        "walk", "--no-input", "--resume", "--session", session, "--now", now,
        "--acknowledge", "all", *answer_flags(answers | DOSE_GIVEN),
    )  # fmt: skip
    zone(CLINIC_ZONE)
    history = run("history", LABEL, "--json", "--today", (DAY + dt.timedelta(days=6)).isoformat())
    assert history.exit_code == 0, history.output
    return resumed.exit_code, [i["date"] for i in json.loads(history.stdout)["injections"]]


def test_the_control_resumed_in_the_clinics_zone_the_dose_is_of_its_day(
    run: Run, zone: Callable[[str], None]
) -> None:
    code, doses = resumed_in(run, zone, CLINIC_ZONE, f"{DAY}T19:05")
    assert code == 0
    assert doses == [DAY.isoformat()]


@pytest.mark.parametrize("now", [f"{DAY}T19:15", f"{NEXT_DAY}T00:05"])
def test_a_now_before_the_last_save_never_counts_the_dose_on_the_next_day(
    run: Run, zone: Callable[[str], None], now: str
) -> None:
    _, doses = resumed_in(run, zone, UTC_ZONE, now)
    assert NEXT_DAY.isoformat() not in doses
