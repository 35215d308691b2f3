"""A walk refused by the patient's record read again before the injection (another room
recorded a dose for the patient meanwhile) has saved its answers: its JSON error names
the session (``session``), what ``--resume --session`` takes, so a script need not read
it out of the message (before, only the message held it)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.helpers import TODAY, Run, after_injection, answer_flags, ready_patient
from xrntx_guide.errors import ExitCode
from xrntx_guide.output.schemas import UsageErrorOut
from xrntx_guide.store.saver import Saver

LABEL = "ROOMS"


def at(hh_mm: str) -> str:
    return f"{TODAY.isoformat()}T{hh_mm}"


def test_the_error_names_the_session_the_answers_are_saved_in(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    waiting = run("walk", "--no-input", "--json", "--label", LABEL, "--now", at("09:00"),
                  "--acknowledge", "all", *answer_flags(ready_patient()))  # fmt: skip
    session = json.loads(waiting.stdout)["session"]
    save = Saver.save
    other_room = {"done": False}

    def meanwhile(self: Saver, record: Any) -> list[str]:
        """Before this run's first save, another room gives the patient a dose."""
        if not other_room["done"]:
            other_room["done"] = True
            given = run("walk", "--no-input", "--json", "--label", LABEL, "--now", at("09:05"),
                        "--acknowledge", "all", *answer_flags(after_injection()))  # fmt: skip
            assert given.exit_code == 0, given.output
        return save(self, record)

    monkeypatch.setattr(Saver, "save", meanwhile)
    resumed = run("walk", "--resume", "--session", session, "--no-input", "--json", "--now",
                  at("09:10"), "--acknowledge", "all",
                  *answer_flags(after_injection()))  # fmt: skip
    assert resumed.exit_code == ExitCode.USAGE, resumed.output
    error = UsageErrorOut.model_validate(json.loads(resumed.stderr.strip().splitlines()[-1]))
    assert "stands against this visit" in error.message, error
    assert error.session == session, error


def test_an_error_before_anything_is_saved_names_no_session(run: Run) -> None:
    refused = run("check", "--json", "--answer", "age=abc")
    error = json.loads(refused.stderr.strip().splitlines()[-1])
    assert "session" not in error, error
