"""What a record says of itself in the session list, the history and a health record (its
status, visit date and next dose due) is logged in its audit trail as it is saved. A
copy whose status was edited by hand (a visit the gates blocked made "complete", which a
health record reads as a finished encounter; a dose's visit made "in progress", which the
history then lists as not finished) is refused as an edited result is, and nothing is
stored. Before, only the results, answers, starts and the dose's count were checked, and
such a copy was imported without a word. A date field holding other text ("soon") is
refused naming it, where it broke ``history --json``'s schema."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import TODAY, Run, after_injection, flat, walked_and_exported
from xrntx_guide.errors import ExitCode


def exported(run: Run, label: str, last_use: dt.date) -> dict[str, Any]:
    """A first injection (given, or blocked) walked, exported and deleted from the store."""
    return walked_and_exported(run, label, after_injection(last_opioid_use=last_use))


def stored(run: Run) -> list[Any]:
    listed = json.loads(run("sessions", "--json").stdout)
    return list(listed["sessions"] if isinstance(listed, dict) else listed)


def imported(run: Run, tmp_path: Path, record: dict[str, Any]) -> Any:
    path = tmp_path / "copy.json"
    path.write_text(json.dumps(record))
    return run("sessions", "import", str(path))


def test_a_blocked_visit_made_complete_by_hand_is_refused(run: Run, tmp_path: Path) -> None:
    record = exported(run, "SUM-1", TODAY - dt.timedelta(days=2))  # the interval not met
    assert record["status"] == "blocked", record["status"]
    out = imported(run, tmp_path, {**record, "status": "complete"})
    assert out.exit_code == ExitCode.USAGE, out.output
    said = flat(out.stderr)
    assert "status" in said and "audit trail" in said and '"blocked"' in said, said
    assert stored(run) == []


def test_a_dose_visit_made_unfinished_by_hand_is_refused(run: Run, tmp_path: Path) -> None:
    record = exported(run, "SUM-2", TODAY - dt.timedelta(days=14))
    assert record["status"] == "complete" and record["injection_given"] is True, record
    out = imported(run, tmp_path, {**record, "status": "in_progress"})
    assert out.exit_code == ExitCode.USAGE, out.output
    assert "status" in flat(out.stderr), out.output
    moved = {**record, "next_dose_due": "2027-01-30"}
    out = imported(run, tmp_path, moved)
    assert out.exit_code == ExitCode.USAGE, out.output
    assert "next_dose_due" in flat(out.stderr), out.output
    assert stored(run) == []


@pytest.mark.parametrize(
    ("field", "text"),
    [("next_dose_due", "soon"), ("next_dose_due", "2026-W51-6"), ("visit_date", "20261124")],
)
def test_a_date_field_holding_other_text_is_named(
    run: Run, tmp_path: Path, field: str, text: str
) -> None:
    record = exported(run, "SUM-3", TODAY - dt.timedelta(days=14))
    out = imported(run, tmp_path, {**record, field: text})
    assert out.exit_code == ExitCode.USAGE, out.output
    said = flat(out.stderr)
    assert field in said and "YYYY-MM-DD" in said, said
    assert "Traceback" not in out.output
    assert stored(run) == []


def test_the_copy_as_exported_is_imported_and_lists_as_it_was(run: Run, tmp_path: Path) -> None:
    record = exported(run, "SUM-4", TODAY - dt.timedelta(days=14))
    summaries = [e for e in record["events"] if e["kind"] == "summary"]
    assert summaries, "a walk's saves log its summary"
    out = imported(run, tmp_path, record)
    assert out.exit_code == 0, out.output
    (row,) = stored(run)
    assert (row["status"], row["next_dose_due"]) == (record["status"], record["next_dose_due"])


def test_a_record_written_before_summaries_were_logged_reads_as_it_stands(
    run: Run, tmp_path: Path
) -> None:
    """Nothing to check it against: as the other records of older versions, it is read as
    it stands (docs/storage.md)."""
    record = exported(run, "SUM-5", TODAY - dt.timedelta(days=2))
    assert record["format"] == 2, "a program that reads only format 1 refuses it"
    events = [e for e in record["events"] if e["kind"] != "summary"]
    out = imported(run, tmp_path, {**record, "format": 1, "events": events})
    assert out.exit_code == 0, out.output


def test_a_record_of_format_1_saved_here_is_of_format_2(run: Run, tmp_path: Path) -> None:
    """Saved here, it logs its summary, so a program that reads format 1 (and would save
    it again without one, making it unreadable here) must refuse it from then on."""
    record = exported(run, "SUM-6", TODAY - dt.timedelta(days=2))
    events = [e for e in record["events"] if e["kind"] != "summary"]
    assert imported(run, tmp_path, {**record, "format": 1, "events": events}).exit_code == 0
    resumed = run(
        "walk", "--no-input", "--resume", "--session", str(record["id"]),
        "--today", (TODAY - dt.timedelta(days=2)).isoformat(), "-a", "wallet_card_given=yes",
    )  # fmt: skip
    assert resumed.exit_code != ExitCode.USAGE, resumed.output
    saved = json.loads(run("sessions", "export", str(record["id"])).stdout)
    assert saved["format"] == 2 and any(e["kind"] == "summary" for e in saved["events"]), saved
