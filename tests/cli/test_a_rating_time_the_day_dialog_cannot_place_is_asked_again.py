"""The rapid pathway's day dialog asks a COWS rating's time again when it cannot be
placed on the day (cli/rapid.py, the one rule of visit/rapid.py ``rating_time_problem``):
a time whose offset puts it on another local date (00:30 at +14:00 is the evening before
on a machine in UTC), or a local time the clock change makes ambiguous (01:30 on the day
the clocks go back in America/New_York). An answers file's day with the same time is
refused with a message (exit 2); at the prompt it is asked again, never an internal error
in the middle of a care walk."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pexpect
import pytest

from tests.helpers import EXE, REPO, json_answers, ready_patient

pytestmark = pytest.mark.skipif(not EXE.exists(), reason=f"{EXE} is not installed")

SITE = REPO / "scenarios" / "_site-rapid-protocol.toml"
P_DATE = r"Date of the injection [^\n]*: "
P_DAY = r"Day of the protocol \(number\) \[(\d+)\]: "
P_DAY_DATE = r"Date of day \d+ [^\n]*\[([0-9-]+)\]: "
P_GIVEN = r"What was given on day \d+[^\n]*: "
P_NALTREXONE = r"oral naltrexone given\? \(yes/no\) \[Enter: not recorded yet\]: "
P_TOLERATED = r"doses given and tolerated\? \(yes/no\) \[Enter: not recorded yet\]: "
P_COWS = r"Day \d+ COWS total[^\n]*\[Enter: (?:none|no other)\]: "
P_TIME = r"Time of the rating \(HH:MM\)[^\n]*: "

ON_A_NORMAL_DAY = dt.date(2026, 11, 22)
CLOCKS_GO_BACK = dt.date(2026, 11, 1)  # America/New_York: 01:00-01:59 happens twice
needs_zone_data = pytest.mark.skipif(
    not Path("/usr/share/zoneinfo/America/New_York").exists(),
    reason="this machine has no time zone database (Debian: tzdata)",
)


def after_the_time(tmp_path: Path, zone: str, day1: dt.date, typed: str) -> str:
    """Day 1 of the pathway typed at the day dialog in ``zone``, its COWS 3 at ``typed``:
    what follows the time ("asked again", "next rating", "internal error")."""
    answers = ready_patient(
        last_opioid_use=day1,
        pathway="supervised_rapid",
        rapid_supervised_setting=True,
        rapid_protocol_on_file=True,
        uds_opiates=None, uds_fentanyl=None, uds_buprenorphine=None, uds_methadone=None,
        uds_oxycodone=None, cows_total=None, naloxone_challenge=None, kit_storage_ok=None,
        body_habitus=None,
    )  # fmt: skip
    path = tmp_path / "case.json"
    path.write_text(json.dumps(json_answers(answers)))
    env = {**os.environ, "XRNTX_GUIDE_HOME": str(tmp_path / "home"), "NO_COLOR": "1",
           "TERM": "xterm", "COLUMNS": "100", "TZ": zone}  # fmt: skip
    env.pop("XRNTX_GUIDE_DEBUG", None)
    env.pop("XRNTX_GUIDE_ZONE", None)
    child = pexpect.spawn(
        str(EXE),
        ["--label", "RD", "--answers", str(path), "--site", str(SITE), "--plain",
         "--now", f"{day1.isoformat()}T23:30"],
        env=env, encoding="utf-8", timeout=15, dimensions=(50, 100),
    )  # fmt: skip
    try:
        for pattern, text in (
            (P_DATE, ""), (P_DAY, ""), (P_DAY_DATE, ""), (P_GIVEN, ""), (P_NALTREXONE, "no"),
            (P_TOLERATED, "yes"), (P_COWS, "3"), (P_TIME, typed),
        ):  # fmt: skip
            child.expect(pattern)
            child.sendline(text)
        index = child.expect([P_TIME, P_COWS, r"internal error", pexpect.EOF])
        return ("asked again", "next rating", "internal error", "ended")[index]
    finally:
        child.close(force=True)


def test_the_control_a_time_on_the_day_is_taken(tmp_path: Path) -> None:
    assert after_the_time(tmp_path, "UTC0", ON_A_NORMAL_DAY, "08:00") == "next rating"


def test_a_time_whose_offset_puts_it_on_the_evening_before_is_asked_again(
    tmp_path: Path,
) -> None:
    assert after_the_time(tmp_path, "UTC0", ON_A_NORMAL_DAY, "00:30+14:00") == "asked again"


@needs_zone_data
def test_a_time_the_clocks_going_back_repeat_is_asked_again(tmp_path: Path) -> None:
    assert after_the_time(tmp_path, "America/New_York", CLOCKS_GO_BACK, "01:30") == "asked again"
