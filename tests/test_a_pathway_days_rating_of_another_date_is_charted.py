"""Every COWS rating of the rapid pathway's day record is in the note's chart, each on its
date (clinical basis, safety invariant 9: results are kept, whatever route recorded them):
a day recorded late, for an earlier date, is taken into no visit day's series, and the
chart skipped its date while the pathway section listed the rating. The gates still read
the visit day's ratings only."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from tests.helpers import Run, json_answers, ready_patient

DAY1 = dt.date(2026, 11, 10)


def day(n: int, total: int) -> dict[str, Any]:
    return {"day": n, "date": (DAY1 + dt.timedelta(days=n - 1)).isoformat(), "given": "as directed",
            "naltrexone_given": False, "tolerated": True,
            "cows": [{"time": "09:00", "total": total}]}  # fmt: skip


def test_the_days_recorded_for_earlier_dates_are_charted_on_their_dates(
    run: Run, tmp_path: Path
) -> None:
    today = DAY1 + dt.timedelta(days=2)
    answers = json_answers(
        ready_patient(
            last_opioid_use=DAY1,
            pathway="supervised_rapid",
            rapid_supervised_setting=True,
            rapid_protocol_on_file=True,
            cows_total=None,
            uds_buprenorphine="positive",
        )
    )
    answers["rapid_days"] = [day(1, 3), day(2, 2)]  # both recorded today, late
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers))
    walked = run("walk", "--no-input", "--json", "--label", "LATE", "--today", today.isoformat(),
                 "--answers", str(path))  # fmt: skip
    session = json.loads(walked.stdout)["session"]
    note = json.loads(run("note", session, "--format", "json").stdout)
    charted = {(r["at"][:10], r["total"]) for r in note["cows_ratings"]}
    assert {(d["date"], d["cows"][0]["total"]) for d in answers["rapid_days"]} <= charted, note
    text = run("note", session, "--format", "text").stdout
    for d in answers["rapid_days"]:
        assert f"{d['date']} (not the visit day)" in text, text
