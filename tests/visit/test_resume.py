"""Opening a saved session again: its answers are checked anew (visit/resume.py)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from tests.helpers import TODAY, Run, answer_flags, ready_patient, stored_sessions, walk
from xrntx_guide.errors import ExitCode


def _only_session(home: Path) -> Any:
    (path,) = stored_sessions()
    return path


def test_resume_rechecks_saved_answers(run: Run, _isolated_home: Path) -> None:
    walk(run, {"visit": "first_injection"}, label="edit-me")
    path = _only_session(_isolated_home)
    record = json.loads(path.read_text(encoding="utf-8"))
    record["answers"]["age"] = {"value": -5, "origin": "typed", "at": record["created"]}
    path.write_text(json.dumps(record), encoding="utf-8")
    result = run("walk", "--resume", "--session", str(path), "--no-input")
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "age" in result.stderr and str(path) in result.stderr


def test_resume_on_a_later_day_moves_a_defaulted_injection_date(
    run: Run, _isolated_home: Path
) -> None:
    answers = ready_patient()
    answers.pop("injection_date", None)
    # A fixed clock, moved on three days (a session on the real clock stays on it).
    run(
        "walk",
        "--no-input",
        "--label",
        "later",
        "--today",
        TODAY.isoformat(),
        *answer_flags(answers),
    )
    path = _only_session(_isolated_home)
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["answers"]["injection_date"]["origin"] == "default"
    later = TODAY + dt.timedelta(days=3)
    result = run(
        "walk", "--resume", "--session", str(path), "--no-input", "--today", later.isoformat()
    )
    assert "injection_date follows its default" in result.stdout, result.output
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["answers"]["injection_date"]["value"] == later.isoformat()
