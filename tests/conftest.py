"""Shared fixtures: the shipped guide, a fixed date, and a CLI runner bound to the app."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xrntx_guide.cli.app import app
from xrntx_guide.loader import Guide, load_guide

TODAY = dt.date(2026, 11, 24)
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def guide() -> Guide:
    return load_guide(REPO / "steps")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Sessions go to a temporary folder; colour and the user's settings stay out."""
    home = tmp_path / "home"
    monkeypatch.setenv("XRNTX_GUIDE_HOME", str(home))
    monkeypatch.delenv("XRNTX_GUIDE_DEBUG", raising=False)
    yield home


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return f"--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


@pytest.fixture
def run() -> Callable[..., Result]:
    """``run("check", "--answer", "x=1")`` with stdout and stderr kept apart."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        r = runner.invoke(app, list(args), input=input, env={"NO_COLOR": "1", "COLUMNS": "100"})
        if r.exception is not None and not isinstance(r.exception, SystemExit):
            raise r.exception
        return Result(r.exit_code, r.stdout, r.stderr)

    return invoke
