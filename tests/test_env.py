"""The environment seam: the commands read the clock, the streams, whether stdin
is a terminal, and the environment variables only through the Environment, so a test can
swap each of them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import xrntx_guide.cli.commands.common as common
from tests.helpers import Result, stored_sessions
from xrntx_guide.env import Clock, Environment

Run = Callable[..., Result]
SRC = Path(__file__).resolve().parent.parent / "src" / "xrntx_guide"
CLI = SRC / "cli"


@pytest.fixture
def swap(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """``swap(vars=..., clock=...)``: the next run sees this environment, on the runner's
    streams."""

    def apply(**changes: Any) -> None:
        def make() -> Environment:
            env = Environment.of(sys.stdin, sys.stdout, sys.stderr)
            return dataclasses.replace(env, **changes)

        monkeypatch.setattr(common, "process_environment", make)

    return apply


def at(when: dt.datetime) -> Clock:
    return Clock(source=lambda: when)


def test_check_takes_today_from_the_environments_clock(run: Run, swap: Any) -> None:
    swap(clock=at(dt.datetime(2031, 3, 5, 12, 0, tzinfo=dt.UTC)))
    result = run("check", "--json", "-a", "visit=first_injection")
    assert json.loads(result.stdout)["today"] == "2031-03-05", result.output


def test_the_default_label_and_the_session_times_come_from_the_environments_clock(
    run: Run, swap: Any, tmp_path: Path
) -> None:
    when = dt.datetime(2031, 3, 5, 12, 0, tzinfo=dt.UTC)
    swap(clock=at(when))
    session = tmp_path / "s.json"
    run("walk", "--no-input", "-a", "visit=first_injection")
    session = stored_sessions()[-1]
    record = json.loads(session.read_text())
    local = when.astimezone()
    assert record["label"] == f"patient-{local:%Y%m%d}-{local:%H%M}"
    assert record["created"].startswith("2031-03-05T12:00")


def test_sessions_are_found_in_the_folder_the_environments_variables_name(
    run: Run, swap: Any, tmp_path: Path
) -> None:
    swap(vars={"XRNTX_GUIDE_HOME": str(tmp_path / "elsewhere")})
    result = run("sessions")
    assert f"No sessions in {tmp_path / 'elsewhere' / 'visits.sqlite3'}" in result.stdout, (
        result.output
    )


def test_debug_is_read_from_the_environment_not_the_process(
    run: Run, swap: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import xrntx_guide.cli.commands.pack as pack_commands

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(pack_commands, "guide_of", broken)
    swap(vars={"XRNTX_GUIDE_DEBUG": "1"})
    with pytest.raises(RuntimeError, match="a bug"):
        run("gates", "--json")


def test_a_demo_asks_the_environment_whether_stdin_is_a_terminal(run: Run, swap: Any) -> None:
    swap(stdin_tty=False)
    result = run("demo", "01-ready-after-heroin")
    assert result.exit_code == 2 and "needs a terminal" in result.stderr, result.output


def test_a_clock_sped_up_for_training_keeps_its_source() -> None:
    when = dt.datetime(2031, 3, 5, tzinfo=dt.UTC)
    clock = at(when).sped_up(60)
    assert clock.factor == 60 and clock.now() == when
    assert clock.timer_now(when - dt.timedelta(seconds=10)) == when + dt.timedelta(seconds=590)


@pytest.mark.parametrize(
    "path",
    sorted(p for p in CLI.rglob("*.py") if p.parent.name == "commands" or p.name == "app.py"),
    ids=lambda p: p.name,
)
def test_the_commands_reach_the_machine_only_through_the_environment(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for pattern in (
        r"os\.environ",
        r"\.isatty\(",
        r"datetime\.now\(",
        r"date\.today\(",
        r"getenv\(",
    ):
        assert not re.search(pattern, text), (path.name, pattern)


@pytest.mark.parametrize(
    "path",
    [
        CLI / "ui.py",
        SRC / "pack" / "cache.py",
        SRC / "pack" / "compile.py",
        SRC / "pack" / "load.py",
    ],
    ids=lambda p: p.name,
)
def test_the_screen_and_the_pack_cache_read_no_process_variables(path: Path) -> None:
    """Plain output and the cache folder follow the run's Environment, whose variables a
    test can swap: neither reads the process's own."""
    text = path.read_text(encoding="utf-8")
    for pattern in (r"os\.environ", r"getenv\(", r"Path\.home\(", r"expanduser\("):
        assert not re.search(pattern, text), (path.name, pattern)


def test_the_pack_cache_lives_in_the_folder_the_environments_variables_name(
    run: Run, swap: Any, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    swap(vars={"XRNTX_GUIDE_HOME": str(elsewhere)})
    result = run("gates", "--json")
    assert result.exit_code == 0, result.output
    assert list((elsewhere / "cache").glob("*.pickle")), result.output


def test_the_pack_cache_is_off_when_the_environment_says_so(
    run: Run, swap: Any, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    swap(vars={"XRNTX_GUIDE_HOME": str(elsewhere), "XRNTX_GUIDE_NO_CACHE": "1"})
    result = run("gates", "--json")
    assert result.exit_code == 0, result.output
    assert not (elsewhere / "cache").exists(), result.output


def test_the_pack_cache_folder_is_the_commands_alone() -> None:
    """Set for one command, then gone: the core used as a library caches nothing."""
    from xrntx_guide.pack import cache

    assert cache.folder() is None
