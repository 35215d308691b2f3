"""Every time carries its offset and is one instant (safety invariant 8: "times are kept
with their offset"); given the clock (``--now`` with its offset), the injection date and
every rating with theirs, the verdict is the same wherever the program runs. A clinic
five hours behind UTC checks at 21:00 its time a patient rated calm at 18:30 and in
withdrawal at 20:00, for an injection dated today (its date): where the program runs in
that zone the check is blocked; on a machine in UTC (a server, a container) the 20:00
rating is 01:00 on the next day there, the day of the clock is the next day too, the
injection date reads as yesterday, the withdrawal rating as another day's, and the check
is READY on the calm rating."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

from tests.helpers import Run, answer_flags, cows_threshold, json_file, ready_patient
from xrntx_guide.pack.guide import Guide

DAY = dt.date(2026, 11, 24)
OFFSET = "-05:00"
CLINIC_ZONE = "EST5"  # POSIX: five hours behind UTC, no daylight saving
UTC_ZONE = "UTC0"


def checked(run: Run, tmp_path: Path, guide: Guide) -> str:
    """``check`` at 21:00 of DAY in the clinic's offset: calm at 18:30, withdrawal at 20:00
    (both with that offset), the injection dated DAY; the status it gives."""
    series = {
        "cows_ratings": [
            {"at": f"{DAY}T18:30{OFFSET}", "total": 2},
            {"at": f"{DAY}T20:00{OFFSET}", "total": cows_threshold(guide) + 5},
        ]
    }
    answers = ready_patient(cows_total=None, last_opioid_use=DAY - dt.timedelta(14))
    answers["injection_date"] = DAY
    out = run(
        "check", "--json", "--now", f"{DAY}T21:00{OFFSET}",
        "--answers", json_file(tmp_path, "ratings.json", series), *answer_flags(answers),
    )  # fmt: skip
    return str(json.loads(out.stdout or "{}").get("status", "refused"))


def test_the_control_in_the_clinics_zone_the_withdrawal_blocks(
    run: Run, tmp_path: Path, guide: Guide, zone: Callable[[str], None]
) -> None:
    zone(CLINIC_ZONE)
    assert checked(run, tmp_path, guide) == "blocked"


def test_on_a_machine_in_utc_the_withdrawal_still_blocks(
    run: Run, tmp_path: Path, guide: Guide, zone: Callable[[str], None]
) -> None:
    zone(UTC_ZONE)
    assert checked(run, tmp_path, guide) != "ready"


def test_a_clock_given_in_another_zone_than_the_machines_is_refused_naming_both(
    run: Run, zone: Callable[[str], None]
) -> None:
    zone(UTC_ZONE)
    out = run("check", "--json", "--now", f"{DAY}T21:00{OFFSET}", "-a", "visit=first_injection")
    assert out.exit_code == 2, out.output
    said = " ".join(out.output.split())
    assert "(-05:00)" in said and "(+00:00)" in said and "XRNTX_GUIDE_ZONE" in said, said
