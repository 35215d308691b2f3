"""The check result and the chart note in its formats (output/report.py)."""

from __future__ import annotations

import datetime as dt
import json

from tests.helpers import TODAY, Run, after_injection, walk
from xrntx_guide.errors import ExitCode


def test_a_blocked_patient_never_gets_an_injection_record(run: Run) -> None:
    answers = after_injection(
        last_opioid_use=(TODAY - dt.timedelta(days=4)).isoformat(), naloxone_challenge="negative"
    )
    result = walk(run, answers, label="blocked-1")
    assert result.exit_code == ExitCode.BLOCKED, result.output
    note = run("note", "blocked-1", "--format", "json")
    data = json.loads(note.stdout)
    assert data["injection_given"] is None and data["next_dose_due"] is None
    assert "injection_given" not in [a["key"] for a in data["answers"]]
    ics = run("note", "blocked-1", "--format", "ics")
    assert ics.exit_code == ExitCode.USAGE, ics.output


def test_ics_lines_are_folded_at_75_octets(run: Run) -> None:
    walk(run, after_injection(), label="x" * 70)
    ics = run("note", "x" * 70, "--format", "ics").stdout.replace("\r\n", "\n")
    for line in ics.splitlines():
        assert len(line.encode("utf-8")) <= 75, line
    unfolded = ics.replace("\n ", "")
    assert "SUMMARY:XR-naltrexone next dose due: " + "x" * 70 in unfolded
