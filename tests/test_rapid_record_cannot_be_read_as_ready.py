"""Routes to a wrong ready through the supervised rapid pathway's daily record (visit/rapid.py).

Each test starts from scenario 20 (day 7 of the example site's protocol, ready) and
changes one thing about the record.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.helpers import REPO

Run = Callable[..., Any]
SCENARIO = REPO / "scenarios" / "20-rapid-pathway-injection-day.toml"
SITE = REPO / "scenarios" / "_site-rapid-protocol.toml"


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def case() -> tuple[str, dict[str, Any]]:
    data = tomllib.loads(SCENARIO.read_text())
    return data["scenario"]["today"].isoformat(), _plain(data["answers"])


def check(run: Run, tmp_path: Path, today: str, answers: dict[str, Any]) -> Any:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers))
    # Late on the day: the scenario's COWS times that day are before the visit's clock.
    now = f"{today}T23:30"
    return run("check", "--json", "--site", str(SITE), "--now", now, "--answers", str(path))


def test_scenario_itself_is_ready(run: Run, tmp_path: Path) -> None:
    today, answers = case()
    assert check(run, tmp_path, today, answers).exit_code == 0


def test_equal_time_cows_on_the_injection_day_is_not_read_as_the_low_one(
    run: Run, tmp_path: Path
) -> None:
    """Two COWS ratings at the same time on the injection day, 1 and 9 (threshold 5):
    which is the latest cannot be told. ``derive`` takes ``max(..., key=time)``, i.e. the
    FIRST listed: listed [1, 9] the gate reads 1 and the patient is READY; listed [9, 1]
    it is blocked. cows_ratings refuses equal times ("which is the latest cannot be
    told"); rapid_days must refuse them too (exit 2), or at least never read the lower."""
    today, answers = case()
    answers["rapid_days"][-1]["cows"] = [
        {"time": "08:30", "total": 1},
        {"time": "08:30", "total": 9},
    ]
    result = check(run, tmp_path, today, answers)
    assert result.exit_code != 0, result.stdout
    if result.exit_code == 1:
        assert json.loads(result.stdout)["status"] != "ready"


def test_rapid_cows_times_with_and_without_an_offset_are_not_an_internal_error(
    run: Run, tmp_path: Path
) -> None:
    """``"time": "09:30+05:00"`` parses (dt.time.fromisoformat) beside a naive "08:30";
    comparing them in ``derive`` raised TypeError: exit 70. Times are now instants on
    their day (invariant 8): the later instant is the day's latest rating."""
    today, answers = case()
    times = {"08:30": 1, "09:30+05:00": 9}
    answers["rapid_days"][-1]["cows"] = [{"time": t, "total": n} for t, n in times.items()]
    result = check(run, tmp_path, today, answers)
    day = dt.date.fromisoformat(answers["rapid_days"][-1]["date"])

    def instant(text: str) -> dt.datetime:
        when = dt.time.fromisoformat(text)
        at = dt.datetime.combine(day, when)
        return at if when.tzinfo else at.astimezone()

    latest = times[max(times, key=instant)]
    assert result.exit_code == (0 if latest < 5 else 1), (result.exit_code, result.stderr)


def test_opioid_use_on_the_injection_day_of_the_pathway_is_not_ready(
    run: Run, tmp_path: Path
) -> None:
    """The pathway starts after the last opioid use (day 1 is the buprenorphine day, then
    no opioid; reference section 6). Here the record runs day 1 (2026-11-22) to day 7
    (today), but last_opioid_use is TODAY, the injection day itself: the record says
    nothing of it and check says READY. Opioid use after day 1 of the record breaks the
    protocol: the record should not be complete (or the answers refused as
    contradictory)."""
    today, answers = case()
    answers["last_opioid_use"] = today
    result = check(run, tmp_path, today, answers)
    assert result.exit_code != 0 or json.loads(result.stdout)["status"] != "ready", result.stdout
