"""A session that cannot be saved, a store it cannot open, no home folder, a closed or full
standard output and a closed standard input are each said in a message with a documented
exit code, never an internal error."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import (
    TODAY,
    Run,
    after_injection,
    answer_flags,
    check,
    no_traceback,
    program,
    ready_patient,
    walk,
)
from xrntx_guide.errors import ExitCode


@pytest.mark.parametrize("problem", ["ENOSPC", "EROFS", "EACCES"])
def test_a_session_that_cannot_be_saved_is_a_user_error(
    run: Run, monkeypatch: pytest.MonkeyPatch, problem: str
) -> None:
    import errno
    import sqlite3

    from xrntx_guide.store.sqlite import SqliteStore

    code = getattr(errno, problem)

    def refuse(self: SqliteStore, *args: object) -> Any:
        raise self._problem(sqlite3.OperationalError(os.strerror(code)), "save the session")

    monkeypatch.setattr(SqliteStore, "create", refuse)
    result = walk(run, after_injection())
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "cannot save the session" in result.stderr
    no_traceback(result)


def test_a_store_under_proc_is_a_user_error(run: Run) -> None:
    if not Path("/proc/self").exists():
        pytest.skip("no /proc here")
    result = run(
        "walk", "--no-input", "--database", "/proc/xrntx.db", *answer_flags(after_injection())
    )
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "/proc/xrntx.db: cannot open the store" in result.stderr
    no_traceback(result)


def test_no_home_folder_is_a_user_error(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    for name in ("XRNTX_GUIDE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    result = run("sessions")
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "XRNTX_GUIDE_HOME" in result.stderr
    no_traceback(result)
    # The commands that keep no session work without a home.
    assert check(run, ready_patient()).exit_code == ExitCode.OK


def test_a_closed_standard_output_is_an_error_with_a_message() -> None:

    done = program("check", "--json", "--answer", "age=34", preexec_fn=lambda: os.close(1))
    assert done.returncode == ExitCode.USAGE, done.stderr
    assert "standard output is closed" in done.stderr
    assert "internal error" not in done.stderr


def test_a_closed_standard_input_reads_as_nothing_to_answer() -> None:

    done = program(
        "walk", "--label", "x", "--today", TODAY.isoformat(), preexec_fn=lambda: os.close(0)
    )
    assert done.returncode == ExitCode.INCOMPLETE, done.stderr
    assert "internal error" not in done.stderr


@pytest.mark.parametrize("command", [["gates"], ["check", "--json", "--answer", "age=34"]])
def test_a_full_disk_under_standard_output_is_said_as_such(command: list[str]) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    with Path("/dev/full").open("w", encoding="utf-8") as full:
        done = program(*command, stdout=full, stderr=-1, capture_output=False)
    assert done.returncode == ExitCode.USAGE, done.stderr
    assert "disk is full" in done.stderr and "internal error" not in done.stderr
