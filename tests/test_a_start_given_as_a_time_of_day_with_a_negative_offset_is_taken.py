"""A naloxone challenge's start may be given as a time of day on the visit day, an
offset optional (docs/scripting.md, Times and the clock: ``09:30-05:00``): the clinic's
09:00 written with its own offset (-05:00, every zone of the Americas is behind UTC) is
the same instant as 14:00+00:00 and is read as that, never refused as "not a time". On a
machine in the clinic's zone both name the same start, on the visit's date there."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from tests.helpers import Run, answer_flags, ready_patient

DAY = dt.date(2026, 11, 24)
CLINIC_ZONE = "EST5"  # POSIX: five hours behind UTC, no daylight saving


def checked(run: Run, started: str) -> tuple[int, str]:
    """``check`` late on DAY: a negative challenge on self-reported abstinence, its
    naloxone given at ``started``; the exit code and the message or status."""
    answers = ready_patient(
        last_opioid_use=DAY - dt.timedelta(days=14),
        abstinence_evidence="self_report",
        naloxone_challenge="negative",
        naloxone_challenge_started=started,
    )
    out = run("check", "--json", "--now", f"{DAY}T23:30", *answer_flags(answers))
    said = json.loads(out.stdout or out.stderr)
    return out.exit_code, str(said.get("status") if out.exit_code != 2 else said["message"])


def test_the_control_the_same_instant_in_utc_is_taken(
    run: Run, zone: Callable[[str], None]
) -> None:
    zone(CLINIC_ZONE)
    assert checked(run, "14:00+00:00") == (0, "ready")


def test_the_clinics_time_of_day_in_its_own_negative_offset_is_taken(
    run: Run, zone: Callable[[str], None]
) -> None:
    zone(CLINIC_ZONE)
    assert checked(run, "09:00-05:00") == checked(run, "14:00+00:00")
