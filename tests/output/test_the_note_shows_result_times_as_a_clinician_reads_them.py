"""The chart note's naloxone lines name their times as the clinician reads a clock: local,
to the second where the time has seconds (a timer's start does), never an ISO 'T', a UTC
offset or microseconds (a start typed at the prompt carried them into the note)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from tests.helpers import TODAY, Run, at_today, json_answers, ready_patient


def test_the_challenge_line_of_the_note_shows_local_times(run: Run, tmp_path: Path) -> None:
    given = dt.datetime.combine(TODAY, dt.time(9, 20, 5, 838060)).astimezone()
    result = given + dt.timedelta(minutes=25, seconds=3, microseconds=1)
    answers = json_answers(ready_patient(naloxone_challenge=None))
    answers["naloxone_challenges"] = [
        {
            "at": result.isoformat(),
            "kind": "challenge",
            "result": "negative",
            "started": given.isoformat(),
        }
    ]
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    walked = run(
        "walk", "--no-input", "--label", "pt-note", "--now", at_today("10:00"),
        "--acknowledge", "all", "--answers", str(path), "--json",
    )  # fmt: skip
    assert walked.exit_code in (0, 4), walked.output
    note = run("note", "pt-note", "--format", "text")
    assert note.exit_code == 0, note.output
    (line,) = [
        x
        for x in note.stdout.splitlines()
        if x.lstrip("- ").startswith("challenge: negative (recorded")
    ]
    assert f"recorded {result.strftime('%Y-%m-%d %H:%M:%S')}" in line, line
    assert f"naloxone given {given.strftime('%Y-%m-%d %H:%M:%S')}" in line, line
    assert not re.search(r"\d{4}-\d\d-\d\dT|\.\d{6}|[+-]\d\d:\d\d\b", line), line
