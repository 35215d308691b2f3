"""``--correct KEY@TIME=REASON`` names the recorded result it corrects by its time; the
rule that matches it reads the time "where it was written" (visit/entries.py ``names``),
so the same instant in another offset (a log kept in UTC: 01:00Z for the clinic's 20:00
at -05:00) names the same entry. It only names an entry, it is no result of its own: the
rule that refuses a result's time falling on another date here than in its own offset
(visit/clock.py ``day_problem``) does not apply to it, and if it did, the message would
have to say so, not ask for the format the time is already in."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest

from tests.helpers import Run, answer_flags, cows_threshold, ready_patient
from xrntx_guide.errors import ExitCode
from xrntx_guide.pack.guide import Guide

DAY = dt.date(2026, 11, 24)
CLINIC_ZONE = "EST5"  # POSIX: five hours behind UTC, no daylight saving


def corrected(run: Run, guide: Guide, zone: Callable[[str], None], named: str) -> int:
    """A visit blocked by a COWS rating in withdrawal taken at 20:00 on DAY in the
    clinic's zone, resumed at 20:30 with a rating of 2 correcting the one named
    ``named``: the resume's exit code."""
    zone(CLINIC_ZONE)
    answers = ready_patient(
        last_opioid_use=DAY - dt.timedelta(days=14), cows_total=cows_threshold(guide) + 3
    )
    first = run(
        "walk", "--no-input", "--json", "--label", "CORR-Z", "--now", f"{DAY}T20:00",
        *answer_flags(answers),
    )  # fmt: skip
    assert first.exit_code == ExitCode.BLOCKED, first.output
    session = json.loads(first.stdout)["session"]
    out = run(
        "walk", "--no-input", "--json", "--resume", "--session", session,
        "--now", f"{DAY}T20:30", "--answer", "cows_total=2",
        "--correct", f"cows_total@{named}=pulse misread",
    )  # fmt: skip
    return out.exit_code


@pytest.mark.parametrize("named", [f"{DAY}T20:00", f"{DAY}T20:00-05:00"])
def test_the_control_the_entry_named_in_the_clinics_terms_is_corrected(
    run: Run, guide: Guide, zone: Callable[[str], None], named: str
) -> None:
    assert corrected(run, guide, zone, named) != ExitCode.USAGE


def test_the_same_instant_written_in_utc_names_the_same_entry(
    run: Run, guide: Guide, zone: Callable[[str], None]
) -> None:
    next_day = DAY + dt.timedelta(days=1)
    assert corrected(run, guide, zone, f"{next_day}T01:00Z") != ExitCode.USAGE
