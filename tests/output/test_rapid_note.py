"""The chart note shows the rapid pathway's record day by day."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from tests.helpers import Run, json_answers, ready_patient

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "scenarios" / "_site-rapid-protocol.toml"
DAY1 = dt.date(2026, 11, 22)


def days(n: int, confirm: bool = False) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [
        {
            "day": k,
            "date": (DAY1 + dt.timedelta(days=k - 1)).isoformat(),
            "given": f"protocol text of day {k}",
            "tolerated": True,
            "cows": [{"time": "09:00", "total": 3}, {"time": "16:30", "total": 2}],
        }
        for k in range(1, n + 1)
    ]
    out[1]["note"] = "mild cramps, treated"
    out[1]["tolerated"] = None
    if confirm:
        out[-1]["injection_day"] = True
    return out


def walk_then_note(
    run: Run, tmp_path: Path, label: str, record: list[dict[str, Any]], *site: str
) -> tuple[str, dict[str, Any]]:
    today = DAY1 + dt.timedelta(days=len(record) - 1)
    answers = ready_patient(
        last_opioid_use=DAY1,
        injection_date=today,
        pathway="supervised_rapid",
        rapid_supervised_setting=True,
        rapid_protocol_on_file=True,
    )
    path = tmp_path / f"{label}.json"
    path.write_text(json.dumps({**json_answers(answers), "rapid_days": record}))
    on = ("--now", f"{today.isoformat()}T23:30")
    run("walk", "--no-input", "--label", label, "--answers", str(path), *on, *site)
    text = run("note", label, "--format", "text", *site)
    assert text.exit_code == 0, text.output
    data = json.loads(run("note", label, "--format", "json", *site).stdout)
    return text.stdout, data


def test_the_note_shows_every_day_with_its_cows_times_against_the_site_table(
    run: Run, tmp_path: Path
) -> None:
    text, data = walk_then_note(run, tmp_path, "T", days(3), "--site", str(SITE))
    assert "Supervised rapid pathway" in text
    assert "Tracked against the site's protocol table." in text
    for k in (1, 2, 3):
        day = (DAY1 + dt.timedelta(days=k - 1)).isoformat()
        assert f"{day}, day {k}: given: protocol text of day {k}" in text, text
    assert text.count("COWS: 3 at 09:00, 2 at 16:30") == 3
    assert "tolerated: not recorded" in text and "note: mild cramps, treated" in text
    assert "No site protocol table" not in text
    rapid = data["rapid_pathway"]
    assert rapid["site_table"] is True and len(rapid["days"]) == 3
    assert rapid["days"][0]["ratings"] == [
        {"time": "09:00", "total": 3},
        {"time": "16:30", "total": 2},
    ]
    assert any("whether the doses were given and tolerated" in m for m in rapid["missing"])


def test_the_note_says_when_no_site_table_was_used(run: Run, tmp_path: Path) -> None:
    text, data = walk_then_note(run, tmp_path, "U", days(2, confirm=True))
    assert "No site protocol table was used" in text
    assert "confirmed injection day" in text
    assert data["rapid_pathway"]["site_table"] is False


def test_a_note_off_the_pathway_has_no_rapid_section(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps(json_answers(ready_patient())))
    run("walk", "--no-input", "--label", "S", "--answers", str(path))
    text = run("note", "S", "--format", "text").stdout
    assert "Supervised rapid pathway" not in text
    assert json.loads(run("note", "S", "--format", "json").stdout)["rapid_pathway"] is None
