"""A visit's days are read in the machine's zone, so a clock in another offset is refused
(``--now``: its offset must be the machine's; safety invariant 8, one clock with its
offset kept). A visit walked on a fixed clock at 19:10 in a clinic five hours behind UTC
(``--now`` with -05:00, on a machine in that zone) and resumed, its clock going on from
its last save, on a machine in UTC (a server, a container) must not read that same
evening as the next day: the visit moves to the next day there, its results of the day
are cleared and asked again, and the dose given is counted on the next day, a day the
clinic never gave it (every later visit's timing counts from it)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from tests.helpers import DOSE_GIVEN, Run, answer_flags, ready_patient

DAY = dt.date(2026, 11, 24)
OFFSET = "-05:00"
CLINIC_ZONE = "EST5"  # POSIX: five hours behind UTC, no daylight saving
UTC_ZONE = "UTC0"
LABEL = "ZONE-1"


def doses_after_resuming_in(run: Run, zone: Callable[[str], None], there: str) -> list[str]:
    """The visit walked in the clinic's zone at 19:10 of DAY with every result but not
    the dose, resumed in ``there`` with the results and the dose; the doses history
    counts (read in the clinic's zone)."""
    answers = ready_patient(last_opioid_use=DAY - dt.timedelta(days=14))
    zone(CLINIC_ZONE)
    first = run(
        "walk", "--no-input", "--json", "--label", LABEL, "--now", f"{DAY}T19:10{OFFSET}",
        "--acknowledge", "all", *answer_flags(answers),
    )  # fmt: skip
    assert first.exit_code in (0, 1, 4), first.output
    session = str(json.loads(first.stdout)["session"])
    zone(there)
    run(
        "walk", "--no-input", "--resume", "--session", session, "--acknowledge", "all",
        *answer_flags(answers | DOSE_GIVEN),
    )  # fmt: skip
    zone(CLINIC_ZONE)
    history = run("history", LABEL, "--json", "--today", (DAY + dt.timedelta(days=6)).isoformat())
    assert history.exit_code == 0, history.output
    return [i["date"] for i in json.loads(history.stdout)["injections"]]


def test_the_control_resumed_in_the_clinics_zone_the_dose_is_of_its_day(
    run: Run, zone: Callable[[str], None]
) -> None:
    assert doses_after_resuming_in(run, zone, CLINIC_ZONE) == [DAY.isoformat()]


def test_resumed_on_a_machine_in_utc_the_dose_is_never_counted_on_the_next_day(
    run: Run, zone: Callable[[str], None]
) -> None:
    later = (DAY + dt.timedelta(days=1)).isoformat()
    assert later not in doses_after_resuming_in(run, zone, UTC_ZONE)
