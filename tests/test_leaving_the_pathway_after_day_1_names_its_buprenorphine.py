"""A patient who leaves the supervised rapid pathway after its day 1, with no opioid used
since, waits the minimum of the buprenorphine day 1 gave (reference section 6). The wait
was said as the minimum of the opioid the history names ("short-acting opioid needs at
least 14 days"), a number that is not short-acting's: the gate now names day 1's
buprenorphine (and the readiness step says so). The minimum itself and the verdict are
the pack's, unchanged."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from tests.helpers import Run, gate, json_answers, ready_patient
from xrntx_guide.pack.guide import Guide

DAY1 = dt.date(2026, 11, 22)
TODAY = DAY1 + dt.timedelta(days=3)


def left_after_day1(kind: str = "short_acting") -> dict[str, Any]:
    answers = json_answers(
        ready_patient(
            last_opioid_use=DAY1, last_opioid_kind=kind, pathway="standard", injection_date=TODAY
        )
    )
    answers["rapid_days"] = [
        {"day": 1, "date": DAY1.isoformat(), "given": "buprenorphine", "tolerated": True,
         "naltrexone_given": False, "cows": [{"time": "09:00", "total": 3}]},
    ]  # fmt: skip
    return answers


def check(run: Run, tmp_path: Path, answers: dict[str, Any], *extra: str) -> dict[str, Any]:
    path = tmp_path / "a.json"
    path.write_text(json.dumps(answers))
    out = run("check", "--now", f"{TODAY.isoformat()}T12:00", "--answers", str(path), *extra)
    return json.loads(out.stdout) if "--json" in extra else {"text": out.stdout}


def test_the_gate_names_day_1s_buprenorphine(run: Run, tmp_path: Path, guide: Guide) -> None:
    minimum = guide.setting_values["min_opioid_free_days"]
    assert isinstance(minimum, dict)
    result = check(run, tmp_path, left_after_day1(), "--json")
    assert result["status"] == "blocked", result
    interval = gate(result, "opioid_free_interval")
    assert "day 1 (2026-11-22) gave buprenorphine" in interval["reason"], interval
    assert f"at least {minimum['buprenorphine']} days" in interval["reason"], interval
    assert "short-acting opioid needs" not in interval["reason"], interval
    assert (
        interval["earliest_date"]
        == (DAY1 + dt.timedelta(days=minimum["buprenorphine"])).isoformat()
    )


def test_a_later_use_keeps_its_own_words(run: Run, tmp_path: Path) -> None:
    answers = left_after_day1()
    answers["last_opioid_use"] = (DAY1 + dt.timedelta(days=1)).isoformat()
    result = check(run, tmp_path, answers, "--json")
    interval = gate(result, "opioid_free_interval")
    assert "needs at least" in interval["reason"], interval
