"""A pathway day's COWS ratings: one rating per instant, on the day's own date.

The gate reads the latest rating of the day reached. Two ratings at one instant with
different totals cannot say which that is, so a later entry giving one (a file's second
entry for the day, a batch line, a resume file, the dialog's "add") is refused naming both,
unless it corrects the day; an identical repeat adds nothing. A rating whose time falls on
another local date than its day's does not count for that day (as a ``cows_ratings`` entry
on that date would not), so it is refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ready_patient
from tests.visit.conftest import DAY1, SITE, pathway_day
from xrntx_guide.errors import InvalidAnswer
from xrntx_guide.pack.guide import Guide
from xrntx_guide.visit.rapid import add_day, derive, parse_day, parse_days, table_of

NOW = dt.datetime(2026, 11, 28, 12, 0).astimezone()


day = pathway_day


def seven_days(last_cows: int) -> list[dict[str, Any]]:
    return [day(n) for n in range(1, 7)] + [day(7, cows=[{"time": "08:30", "total": last_cows}])]


def read(guide: Guide, days: list[dict[str, Any]]) -> Any:
    parsed = parse_days(guide, days, NOW.date(), "test", NOW)
    return derive(parsed, table_of(guide), NOW.date()).answers.get("rapid_day_cows")


def test_a_later_entry_rating_at_a_recorded_time_with_another_total_is_refused_naming_both(
    site_guide: Guide,
) -> None:
    days = [*seven_days(1), day(7, cows=[{"time": "08:30", "total": 9}], tolerated=None)]
    with pytest.raises(InvalidAnswer) as err:
        parse_days(site_guide, days, NOW.date(), "test", NOW)
    message = str(err.value)
    assert "COWS 1" in message and "COWS 9" in message and "corrects" in message


def test_an_identical_repeat_of_a_rating_adds_nothing(site_guide: Guide) -> None:
    days = parse_days(site_guide, seven_days(1), NOW.date(), "test", NOW)
    again = parse_day(site_guide, day(7, cows=[{"time": "08:30", "total": 1}]), NOW.date(), NOW)
    after, added = add_day(days, again)
    assert not added and after == days


def test_a_correction_of_a_rating_is_what_the_gate_reads(site_guide: Guide) -> None:
    corrected = day(7, cows=[{"time": "08:30", "total": 9}], corrects=7, reason="misread")
    assert read(site_guide, seven_days(1)) == 1
    assert read(site_guide, [*seven_days(1), corrected]) == 9


def test_a_rating_on_another_local_date_than_its_day_is_refused(site_guide: Guide) -> None:
    # 00:30 at +14:00 on day 7's date is the evening before, anywhere west of +13:30.
    days = [*seven_days(1)[:6], day(7, cows=[{"time": "00:30+14:00", "total": 1}])]
    local = dt.datetime.fromisoformat("2026-11-28T00:30+14:00").astimezone().date()
    if local == dt.date(2026, 11, 28):
        pytest.skip("this machine's time zone puts the instant on the day's date")
    with pytest.raises(InvalidAnswer) as err:
        parse_days(site_guide, days, NOW.date(), "test", NOW)
    assert local.isoformat() in str(err.value) and "2026-11-28" in str(err.value)


def test_check_refuses_the_second_rating_at_a_recorded_time(
    site_guide: Guide, tmp_path: Path
) -> None:
    import json
    import subprocess

    from tests.helpers import EXE, json_answers

    if not EXE.exists():
        pytest.skip(f"{EXE} is not installed")
    answers = ready_patient(
        last_opioid_use=DAY1,
        injection_date=NOW.date(),
        pathway="supervised_rapid",
        rapid_supervised_setting=True,
        rapid_protocol_on_file=True,
        uds_buprenorphine="positive",
        naloxone_challenge="negative",
        cows_total=1,
    )
    file = json_answers(answers)
    file["rapid_days"] = [*seven_days(1), day(7, cows=[{"time": "08:30", "total": 9}])]
    path = tmp_path / "a.json"
    path.write_text(json.dumps(file))
    run = subprocess.run(
        [str(EXE), "--site", str(SITE), "check", "--json", "--now", "2026-11-28T12:00",
         "--answers", str(path)],
        capture_output=True, text=True, env={"XRNTX_GUIDE_HOME": str(tmp_path / "h"),
                                              "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert run.returncode == 2, run.stdout + run.stderr
    assert "COWS 9" in run.stdout + run.stderr
