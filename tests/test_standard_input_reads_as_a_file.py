"""Answers on standard input (``--answers -``) are read exactly as the same JSON in a file:
what one accepts the other accepts, and both judge the patient alike."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import TODAY, Run, json_answers, ready_patient


def test_an_id_on_standard_input_is_accepted_as_in_a_file(run: Run, tmp_path: Path) -> None:
    """``schema answers`` declares ``id``; a file with it is accepted, so stdin must be."""
    text = json.dumps({"id": "pt-7", **json_answers(ready_patient())})
    file = tmp_path / "answers.json"
    file.write_text(text, encoding="utf-8")
    day = ("--today", TODAY.isoformat())
    from_file = run("check", "--json", *day, "--answers", str(file))
    from_stdin = run("check", "--json", *day, "--answers", "-", input=text)
    assert from_file.exit_code == 0, from_file.output
    assert from_stdin.exit_code == from_file.exit_code, from_stdin.output
    assert json.loads(from_stdin.stdout)["status"] == json.loads(from_file.stdout)["status"]
