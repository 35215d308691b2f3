"""Invariant 9 for the supervised rapid pathway's daily record: days and their COWS
ratings are appended, never replaced or dropped; a correction names the day it corrects
and why, and both entries stay in the record and the note."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REPO, Run, StoredSession, json_answers, ready_patient
from xrntx_guide.errors import ExitCode
from xrntx_guide.pack.guide import Guide
from xrntx_guide.visit.rapid import add_day, day_in_force, derive, parse_day, parse_days

SITE = REPO / "scenarios" / "_site-rapid-protocol.toml"
DAY1 = dt.date(2026, 11, 22)
DAY7 = DAY1 + dt.timedelta(days=6)


def entry(n: int, **changes: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "day": n,
        "date": (DAY1 + dt.timedelta(days=n - 1)).isoformat(),
        "given": "as the protocol directs",
        "tolerated": True,
        "naltrexone_given": 3 <= n <= 6,
        "cows": [{"time": "08:00", "total": 1}],
    }
    out.update(changes)
    return out


def test_a_day_given_again_with_another_value_is_refused_naming_the_fix(guide: Guide) -> None:
    days = parse_days(guide, [entry(1), entry(2, tolerated=False)], DAY7, None)
    again = parse_day(guide, entry(2), DAY7)
    with pytest.raises(ValueError, match=r"day 2 is recorded with tolerated no.*corrects = 2"):
        add_day(days, again)


def test_a_new_rating_is_added_beside_the_recorded_ones(guide: Guide) -> None:
    days = parse_days(guide, [entry(1, cows=[{"time": "08:00", "total": 11}])], DAY7, None)
    later = parse_day(guide, entry(1, cows=[{"time": "09:00", "total": 2}]), DAY7)
    kept, added = add_day(days, later)
    assert added and len(kept) == 2
    day = day_in_force(kept, 1)
    assert day is not None and [r.total for r in day.cows] == [11, 2]


def test_the_same_day_given_again_adds_nothing(guide: Guide) -> None:
    days = parse_days(guide, [entry(1)], DAY7, None)
    assert add_day(days, parse_day(guide, entry(1), DAY7)) == (days, False)


def test_a_correction_needs_its_reason_and_keeps_both_entries(guide: Guide) -> None:
    days = parse_days(guide, [entry(1), entry(2, tolerated=False)], DAY7, None)
    with pytest.raises(ValueError, match="reason"):
        parse_day(guide, entry(2, corrects=2), DAY7)
    fix = parse_day(guide, entry(2, corrects=2, reason="typed no by mistake"), DAY7)
    kept, added = add_day(days, fix)
    assert added and len(kept) == 3
    assert [d.tolerated for d in kept if d.day == 2] == [False, True]
    reading = derive(kept, None, DAY7)
    assert reading.answers["rapid_doses_tolerated"] is True


def case(tmp_path: Path, name: str, days: list[dict[str, Any]]) -> str:
    answers = json_answers(
        ready_patient(
            last_opioid_use=DAY1,
            injection_date=DAY7,
            pathway="supervised_rapid",
            rapid_supervised_setting=True,
            rapid_protocol_on_file=True,
            uds_buprenorphine="positive",
            cows_total=None,  # the day record rates the injection day: its latest counts
        )
    )
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps({**answers, "rapid_days": days}))
    return str(path)


def walk(run: Run, answers: str, *extra: str) -> Any:
    return run(
        "walk", "--no-input", "--json", "--now", f"{DAY7.isoformat()}T23:30", "--site", str(SITE),
        "--answers", answers, *extra,
    )  # fmt: skip


def test_resuming_with_an_answers_file_never_drops_a_recorded_day_or_rating(
    run: Run, tmp_path: Path
) -> None:
    """A day not tolerated and a COWS 11 on the injection day are in the record; a file
    given on resume that says otherwise is refused, and one that adds a rating only adds it."""
    first = [entry(n) for n in range(1, 8)]
    first[2]["tolerated"] = False
    first[6]["cows"] = [{"time": "08:00", "total": 11}]
    started = walk(run, case(tmp_path, "first", first), "--label", "R7")
    assert started.exit_code == ExitCode.BLOCKED, started.output
    session = json.loads(started.stdout)["session"]

    clean = [entry(n) for n in range(1, 8)]
    refused = walk(run, case(tmp_path, "clean", clean), "--resume", "--session", session)
    assert refused.exit_code == ExitCode.USAGE, refused.output
    assert "day 3 is recorded with tolerated no" in refused.stderr
    assert "corrects = 3" in refused.stderr

    kept = json.loads(StoredSession(session).read_text(encoding="utf-8"))
    day3 = [d for d in kept["rapid_days"] if d["day"] == 3]
    assert [d["tolerated"] for d in day3] == [False]

    # The same days with a later rating of day 7 only add it: the COWS 11 stays.
    same = [dict(d) for d in first]
    same[6] = dict(same[6], cows=[{"time": "08:00", "total": 11}, {"time": "09:00", "total": 1}])
    again = walk(run, case(tmp_path, "same", same), "--resume", "--session", session)
    assert again.exit_code in (0, 1), again.output
    kept = json.loads(StoredSession(session).read_text(encoding="utf-8"))
    totals = [r["total"] for d in kept["rapid_days"] if d["day"] == 7 for r in d["cows"]]
    assert 11 in totals and 1 in totals
    events = [e for e in kept["events"] if e["kind"].startswith("rapid_day")]
    assert any(e["kind"] == "rapid_day_added" and e["value"] == 7 for e in events), events
