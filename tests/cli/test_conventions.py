"""Conventions users expect (issue 9, item 26): deleting asks first, "did you mean" for
mistyped names, and --explain says what it needs."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import xrntx_guide.cli.commands.common as common
from tests.helpers import TODAY, Result
from xrntx_guide.env import Environment

Run = Callable[..., Result]


@pytest.fixture
def on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """The next run believes its standard input is a terminal."""

    def make() -> Environment:
        env = Environment.of(sys.stdin, sys.stdout, sys.stderr)
        return dataclasses.replace(env, stdin_tty=True)

    monkeypatch.setattr(common, "process_environment", make)


def saved_session(run: Run, home: Path) -> Path:
    run("walk", "--no-input", "--label", "jd-01", "-a", "visit=first_injection")
    (path,) = (home / "sessions").glob("*.json")
    return path


def test_delete_off_a_terminal_refuses_without_yes_and_deletes_nothing(
    run: Run, _isolated_home: Path
) -> None:
    path = saved_session(run, _isolated_home)
    result = run("sessions", "--delete", "jd-01")
    assert result.exit_code == 2, result.output
    assert "--yes" in result.stderr and path.exists(), result.output


def test_delete_with_yes_deletes_without_asking(run: Run, _isolated_home: Path) -> None:
    path = saved_session(run, _isolated_home)
    result = run("sessions", "--delete", "jd-01", "--yes")
    assert result.exit_code == 0 and not path.exists(), result.output


@pytest.mark.parametrize(("reply", "deleted"), [("y\n", True), ("n\n", False), ("", False)])
def test_delete_on_a_terminal_asks_first(
    run: Run, _isolated_home: Path, on_a_terminal: Any, reply: str, deleted: bool
) -> None:
    path = saved_session(run, _isolated_home)
    result = run("sessions", "--delete", "jd-01", input=reply)
    assert result.exit_code == 0, result.output
    assert str(path) in result.stdout, result.output
    assert path.exists() is not deleted, result.output


def test_a_mistyped_delete_reference_deletes_and_asks_nothing(
    run: Run, _isolated_home: Path, on_a_terminal: Any
) -> None:
    path = saved_session(run, _isolated_home)
    result = run("sessions", "--delete", "nobody", input="y\n")
    assert result.exit_code == 2 and path.exists(), result.output
    assert "Delete?" not in result.stdout, result.output


@pytest.mark.parametrize(
    ("args", "suggestion"),
    [
        (("schema", "answer"), "'answers'"),
        (("export", "--format", "htm"), "'html'"),
        (("walk", "--no-input", "--acknowledge", "fentanly"), "'fentanyl'"),
    ],
)
def test_a_mistyped_name_gets_a_did_you_mean(
    run: Run, args: tuple[str, ...], suggestion: str
) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert f"did you mean {suggestion}?" in result.stderr, result.output


def test_note_format_gets_a_did_you_mean(run: Run, _isolated_home: Path) -> None:
    saved_session(run, _isolated_home)
    result = run("note", "jd-01", "--format", "markdwn")
    assert result.exit_code == 2 and "did you mean 'markdown'?" in result.stderr, result.output


def test_explain_without_json_is_refused_clearly(run: Run) -> None:
    result = run("check", "--explain", "--today", TODAY.isoformat(), "-a", "visit=first_injection")
    assert result.exit_code == 2, result.output
    assert "--explain" in result.stderr and "--json" in result.stderr, result.output
    assert result.stdout == "", result.output
