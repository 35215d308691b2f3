"""Fixtures: the shipped guide, an isolated home folder, and a CLI runner bound to the app.

Helpers that tests import by name live in :mod:`tests.helpers`.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from tests.helpers import STEPS, Result, Run
from xrntx_guide.cli.app import app
from xrntx_guide.pack.guide import Guide
from xrntx_guide.pack.load import load_guide

# The programs the tests start see Ctrl-C as from a terminal. A shell without job control
# starts what it runs in the background (`pytest ... &`) with SIGINT and SIGQUIT ignored,
# every program started from it inherits that, and a program that starts with SIGINT
# ignored rightly keeps it so: the tests of Ctrl-C would then hang (a pseudo-terminal's
# Ctrl-C) or pass on a run that was never interrupted.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
if signal.getsignal(signal.SIGQUIT) is signal.SIG_IGN:
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)

# In CI (CI=true), Hypothesis draws the same examples on every run, so a run there is the
# run a developer can repeat with CI=true; locally it keeps exploring new examples.
if os.environ.get("CI"):
    settings.register_profile("ci", derandomize=True, database=None)
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def guide() -> Guide:
    return load_guide(STEPS)


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Sessions go to a temporary folder; colour, the user's settings and the size of the
    terminal the tests were started from stay out (xdist hands each worker the COLUMNS and
    LINES of that terminal: the screens would be drawn to it, and differ by terminal)."""
    home = tmp_path / "home"
    monkeypatch.setenv("XRNTX_GUIDE_HOME", str(home))
    monkeypatch.delenv("XRNTX_GUIDE_DEBUG", raising=False)
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("LINES", raising=False)
    yield home


@pytest.fixture
def at_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """The next run's standard input counts as a terminal: the walk asks its questions
    (typed from the run's ``input``)."""
    import dataclasses
    import sys

    import xrntx_guide.cli.commands.common as common
    from xrntx_guide.env import Environment

    def make() -> Environment:
        env = Environment.of(sys.stdin, sys.stdout, sys.stderr)
        return dataclasses.replace(env, stdin_tty=True)

    monkeypatch.setattr(common, "process_environment", make)


@pytest.fixture
def zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """Sets the zone the program runs in (``TZ``, e.g. ``UTC0``, ``EST5``), and puts the
    test's own back after."""
    import time

    def set_zone(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield set_zone
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def run() -> Run:
    """``run("check", "--answer", "x=1")`` with stdout and stderr kept apart."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        r = runner.invoke(app, list(args), input=input, env={"NO_COLOR": "1", "COLUMNS": "100"})
        if r.exception is not None and not isinstance(r.exception, SystemExit):
            raise r.exception
        return Result(r.exit_code, r.stdout, r.stderr)

    return invoke
