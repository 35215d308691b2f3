"""Every time carries its offset and is one instant (safety invariant 8); the same
instants give the same verdict wherever the program runs. A clinic five hours behind UTC
rates a patient calm at 18:30 and in withdrawal at 20:00, its times written with their
offset in an answers file, and checks an injection dated that day at 21:00 its time. A
clock given in the clinic's offset is refused on a machine in UTC, but the same instant
given in the machine's own terms (02:00 UTC, with ``Z`` or without an offset) is taken,
and the file's times are then read in the machine's zone: the 20:00 rating falls on the
next day there, and the check is READY on the calm rating where the clinic's zone blocks
it."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import Result, Run, answer_flags, cows_threshold, json_file, ready_patient
from xrntx_guide.pack.guide import Guide

DAY = dt.date(2026, 11, 24)
OFFSET = "-05:00"
CLINIC_ZONE = "EST5"  # POSIX: five hours behind UTC, no daylight saving
UTC_ZONE = "UTC0"
IN_THE_CLINIC = f"{DAY}T21:00{OFFSET}"
IN_UTC = f"{DAY + dt.timedelta(days=1)}T02:00"  # the same instant, the machine's terms


def rated(run: Run, tmp_path: Path, now: str, ratings: list[dict[str, object]]) -> Result:
    """``check --json`` at ``now`` of a patient ready but for the COWS series ``ratings``
    (in an answers file), the injection dated DAY."""
    answers = ready_patient(cows_total=None, last_opioid_use=DAY - dt.timedelta(14))
    answers["injection_date"] = DAY
    series = json_file(tmp_path, "ratings.json", {"cows_ratings": ratings})
    return run("check", "--json", "--now", now, "--answers", series, *answer_flags(answers))


def checked(run: Run, tmp_path: Path, guide: Guide, now: str) -> str:
    """``check`` at ``now``: calm at 18:30 and withdrawal at 20:00 in the clinic's offset
    (in a file), the injection dated DAY; the status it gives ("refused" if none)."""
    ratings: list[dict[str, object]] = [
        {"at": f"{DAY}T18:30{OFFSET}", "total": 2},
        {"at": f"{DAY}T20:00{OFFSET}", "total": cows_threshold(guide) + 5},
    ]
    out = rated(run, tmp_path, now, ratings)
    return str(json.loads(out.stdout or "{}").get("status", "refused"))


def test_the_control_in_the_clinics_zone_the_withdrawal_blocks(
    run: Run, tmp_path: Path, guide: Guide, zone: Callable[[str], None]
) -> None:
    zone(CLINIC_ZONE)
    assert checked(run, tmp_path, guide, IN_THE_CLINIC) == "blocked"


@pytest.mark.parametrize("now", [IN_UTC, f"{IN_UTC}Z"], ids=["no-offset", "utc"])
def test_on_a_machine_in_utc_the_same_instants_still_block(
    run: Run, tmp_path: Path, guide: Guide, zone: Callable[[str], None], now: str
) -> None:
    zone(UTC_ZONE)
    assert checked(run, tmp_path, guide, now) != "ready"


def test_on_a_machine_in_utc_the_time_is_refused_naming_both_days_and_the_fix(
    run: Run, tmp_path: Path, guide: Guide, zone: Callable[[str], None]
) -> None:
    """What a script on a server sees: which time, the two dates it falls on, and the
    variable that settles it (exit 2, never a verdict)."""
    zone(UTC_ZONE)
    out = rated(run, tmp_path, IN_UTC, [{"at": f"{DAY}T20:00{OFFSET}", "total": 2}])
    assert out.exit_code == 2, out.output
    said = json.loads(out.stderr)["message"]
    next_day = (DAY + dt.timedelta(days=1)).isoformat()
    assert f"{DAY}T20:00{OFFSET}" in said and DAY.isoformat() in said and next_day in said
    assert "XRNTX_GUIDE_ZONE" in said, said


def test_a_time_in_another_offset_on_the_same_date_here_is_taken(
    run: Run, tmp_path: Path, guide: Guide, zone: Callable[[str], None]
) -> None:
    """Only a time whose date differs is refused: the clinic's morning, written in its
    offset, is the same date on a server in UTC, and its withdrawal blocks there."""
    zone(UTC_ZONE)
    morning = {"at": f"{DAY}T08:30{OFFSET}", "total": cows_threshold(guide) + 5}
    out = rated(run, tmp_path, f"{DAY}T15:00", [morning])
    assert json.loads(out.stdout)["status"] == "blocked", out.output


DECLARED = "Etc/GMT+5"  # the IANA name of a zone five hours behind UTC (the sign is POSIX's)
needs_zone_data = pytest.mark.skipif(
    not Path("/usr/share/zoneinfo", DECLARED).exists(),
    reason="this machine has no time zone database (Debian: tzdata)",
)


@needs_zone_data
@pytest.mark.parametrize("written", [OFFSET, "Z"], ids=["clinic-offset", "utc-export"])
def test_with_the_clinics_zone_declared_a_server_in_utc_blocks_the_withdrawal(
    run: Run,
    tmp_path: Path,
    guide: Guide,
    zone: Callable[[str], None],
    monkeypatch: pytest.MonkeyPatch,
    written: str,
) -> None:
    """XRNTX_GUIDE_ZONE names the clinic's zone: the same file, written in the clinic's
    offset or exported in UTC, is read on the clinic's days wherever the program runs."""
    zone(UTC_ZONE)
    monkeypatch.setenv("XRNTX_GUIDE_ZONE", DECLARED)
    instants = [dt.datetime.fromisoformat(f"{DAY}T{t}{OFFSET}") for t in ("18:30", "20:00")]
    if written == "Z":
        instants = [t.astimezone(dt.UTC) for t in instants]
    at = [t.isoformat().replace("+00:00", "Z") for t in instants]
    ratings: list[dict[str, object]] = [
        {"at": at[0], "total": 2},
        {"at": at[1], "total": cows_threshold(guide) + 5},
    ]
    out = rated(run, tmp_path, IN_THE_CLINIC, ratings)
    assert json.loads(out.stdout)["status"] == "blocked", out.output


@needs_zone_data
def test_a_declared_zone_lasts_only_for_the_command(
    run: Run, zone: Callable[[str], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process runs in its own zone again once the command is over (the tests and the
    presenter run many commands in one process)."""
    zone(UTC_ZONE)
    monkeypatch.setenv("XRNTX_GUIDE_ZONE", DECLARED)
    out = run("check", "--json", "--now", IN_THE_CLINIC, "--answer", "visit=first_injection")
    assert out.stdout, out.output
    assert dt.datetime(2026, 7, 1, 12).astimezone().utcoffset() == dt.timedelta(0)


def test_a_zone_that_is_not_one_is_refused_naming_the_variable(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XRNTX_GUIDE_ZONE", "Mars/Olympus_Mons")
    out = run("check", "--json", "--answer", "visit=first_injection")
    assert out.exit_code == 2, out.output
    said = json.loads(out.stderr)["message"]
    assert "XRNTX_GUIDE_ZONE" in said and "Mars/Olympus_Mons" in said, said


@needs_zone_data
def test_a_zone_declared_by_mistake_never_drops_the_clinics_evening_rating(
    run: Run,
    tmp_path: Path,
    guide: Guide,
    zone: Callable[[str], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A server in UTC that declares its own zone (UTC) instead of the clinic's reads the
    clinic's 20:00 withdrawal, written in the clinic's offset, on the next day: taken
    there, it would leave the calm 18:30 rating to stand, READY. A time in another zone's
    local offset that falls on another date in the declared zone is refused instead,
    naming the variable to check (a time in UTC, an export's, is still read there)."""
    zone(UTC_ZONE)
    monkeypatch.setenv("XRNTX_GUIDE_ZONE", "UTC")
    ratings: list[dict[str, object]] = [
        {"at": f"{DAY}T18:30{OFFSET}", "total": 2},
        {"at": f"{DAY}T20:00{OFFSET}", "total": cows_threshold(guide) + 5},
    ]
    out = rated(run, tmp_path, f"{IN_UTC}Z", ratings)
    assert out.exit_code == 2, out.output
    said = json.loads(out.stderr)["message"]
    assert f"{DAY}T20:00{OFFSET}" in said and "XRNTX_GUIDE_ZONE" in said, said
