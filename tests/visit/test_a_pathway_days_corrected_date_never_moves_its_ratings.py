"""A pathway day corrected to another date keeps its COWS ratings on the date they were
taken: a rating is a fact of its instant. The day record keeps a rating's time of day
only, and a correction of the day's date placed every earlier rating on the new date:
day 7 recorded on the 27th with COWS 1, corrected to the 28th with no rating, read as
rated 1 on the 28th, the injection day, and the dose was counted (READY) with no rating
taken that day. A rating taken on the corrected date is given again with the correction.
The reverse holds too: withdrawal rated on the injection day never moves off it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import Run, cows_threshold, json_answers, ready_patient
from xrntx_guide.pack.guide import Guide
from xrntx_guide.visit.rapid import day_in_force, derive, parse_days, ratings_of, table_of

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "scenarios" / "_site-rapid-protocol.toml"
DAY1 = dt.date(2026, 11, 22)
TYPO = DAY1 + dt.timedelta(days=5)  # day 7 first recorded on the day of day 6
DAY7 = DAY1 + dt.timedelta(days=6)
NOW = dt.datetime.combine(DAY7, dt.time(12)).astimezone()


@pytest.fixture(scope="module")
def site_guide() -> Guide:
    from xrntx_guide.pack.load import load_guide

    return load_guide(ROOT / "steps", SITE)


def day(n: int, **changes: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "day": n,
        "date": (DAY1 + dt.timedelta(days=n - 1)).isoformat(),
        "given": "as the site's protocol directs",
        "tolerated": True,
        "naltrexone_given": 3 <= n <= 6,
        "cows": [{"time": "09:00", "total": 3}],
    }
    entry.update(changes)
    return entry


def record(*day7: dict[str, Any]) -> list[dict[str, Any]]:
    return [day(n) for n in range(1, 7)] + list(day7)


def moved(**first: Any) -> list[dict[str, Any]]:
    """Day 7 recorded on the wrong date with a rating, then corrected to its own date."""
    return record(
        day(7, date=TYPO.isoformat(), **first),
        day(7, cows=[], corrects=7, reason="date typed wrong"),
    )


def test_the_corrected_day_has_no_rating_it_was_not_given(site_guide: Guide) -> None:
    days = parse_days(site_guide, moved(cows=[{"time": "09:30", "total": 1}]), DAY7, "t", NOW)
    in_force = day_in_force(days, 7)
    assert in_force is not None and in_force.date == DAY7 and in_force.cows == []
    reading = derive(days, table_of(site_guide), DAY7)
    assert reading.answers.get("rapid_day_cows") is None, reading
    assert [r.total for r in ratings_of(days, DAY7, "t")] == []
    # The rating stays a rating of the day it was taken.
    assert (TYPO, 1) in [(r.day, r.total) for r in ratings_of(days, TYPO, "t")]


def test_a_rating_given_again_with_the_correction_counts(site_guide: Guide) -> None:
    raw = record(
        day(7, date=TYPO.isoformat(), cows=[{"time": "09:30", "total": 1}]),
        day(7, cows=[{"time": "10:00", "total": 2}], corrects=7, reason="date typed wrong"),
    )
    days = parse_days(site_guide, raw, DAY7, "t", NOW)
    assert derive(days, table_of(site_guide), DAY7).answers.get("rapid_day_cows") == 2


def test_withdrawal_on_the_injection_day_never_moves_off_it(site_guide: Guide) -> None:
    high = cows_threshold(site_guide)
    raw = record(
        day(7, cows=[{"time": "08:30", "total": high}]),
        day(7, date=TYPO.isoformat(), cows=[], corrects=7, reason="claimed typo"),
    )
    days = parse_days(site_guide, raw, DAY7, "t", NOW)
    assert [r.total for r in ratings_of(days, DAY7, "t")] == [high]


def test_check_of_a_day_moved_to_the_injection_day_is_not_ready(run: Run, tmp_path: Path) -> None:
    answers = json_answers(
        ready_patient(
            last_opioid_use=DAY1,
            pathway="supervised_rapid",
            rapid_supervised_setting=True,
            rapid_protocol_on_file=True,
            uds_buprenorphine="positive",
            cows_total=None,
            naloxone_challenge="not_done",
            injection_date=DAY7,
        )
    )
    answers.pop("cows_total", None)
    answers["rapid_days"] = moved(cows=[{"time": "09:30", "total": 1}])
    path = tmp_path / "a.json"
    path.write_text(json.dumps(answers))
    out = run("check", "--json", "--now", NOW.isoformat(), "--site", str(SITE),
              "--answers", str(path))  # fmt: skip
    result = json.loads(out.stdout or out.stderr)
    assert result["status"] != "ready", result
    cows = result.get("used", {}).get("cows_rating")
    assert cows is None or cows["at"][:10] == DAY7.isoformat(), result
