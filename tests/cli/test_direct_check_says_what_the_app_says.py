"""A plain `check` command line runs without typer (cli/direct.py); whatever it says, and
its exit code, is what the app says for the same command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from xrntx_guide.cli.direct import read_check

DAY = ["--today", "2026-11-24"]
APP = "import sys\nfrom xrntx_guide.cli.app import main\nsys.exit(main())\n"


@pytest.mark.parametrize(
    "args",
    [
        ["check"],
        ["check", "--json", *DAY, "-a", "visit=first_injection", "--answer", "age=40"],
        ["check", "--answer=age=40", "--today=2026-11-24", "--plain", "--no-input"],
        ["check", "--json", "--explain", "--override", "pregnancy=x: y", "--steps", "s"],
        ["check", "--json", "--json"],  # a flag given twice means it once
    ],
)
def test_a_plain_check_command_line_is_read_directly(args: list[str]) -> None:
    assert read_check(args) is not None


@pytest.mark.parametrize(
    "args",
    [
        ["walk"],
        ["--today", "2026-11-24", "check"],  # shared options before the command
        ["check", "--help"],
        ["check", "-h"],
        ["check", "--batch", "-"],
        ["check", "--label", "pt-1", "--json"],
        ["check", "--today", "2026-11-24", "--today", "2026-11-25"],
        ["check", "--answers", "a.json", "--answers", "b.json"],
        ["check", "--json=yes"],
        ["check", "-a=age=40"],
        ["check", "-aage=40"],
        ["check", "-a"],
        ["check", "-a", "--json"],
        ["check", "--answer", ""],
        ["check", "--bogus"],
        ["check", "extra"],
        ["check", "--", "--json"],
        ["check", "--version"],
    ],
)
def test_anything_else_is_left_to_the_app(args: list[str]) -> None:
    assert read_check(args) is None


def _both(args: list[str], env: dict[str, str]) -> tuple[tuple[int, str, str], ...]:
    runs = []
    for program in (["-m", "xrntx_guide"], ["-c", APP]):
        p = subprocess.run(
            [sys.executable, *program, *args],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        runs.append((p.returncode, p.stdout, p.stderr))
    return tuple(runs)


def test_the_direct_check_says_what_the_app_says(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XRNTX_GUIDE")}
    env.update(XRNTX_GUIDE_HOME=str(tmp_path / "home"), NO_COLOR="1", COLUMNS="100")
    answers = tmp_path / "a.json"
    answers.write_text('{"visit": "first_injection", "age": 40}', encoding="utf-8")
    now = ["--now", "2026-11-24T10:00"]
    lines = [
        ["check", *now, "--json", "-a", "visit=first_injection", "-a", "age=40"],
        ["check", *now, "--plain", "--answers", str(answers), "--answer=age=41"],
        ["check", *now, "--json", "--explain", "--answers", str(answers)],
        ["check", *now, "--explain"],
        ["check", *now, "--json", "-a", "age=old"],
        ["check", *now, "-a", "no_such_key=1"],
        ["check", *now, "--json", "--today", "2026-11-24"],
        ["check", "--today", "24.11.2026", "--json"],
        ["check", *now, "--json", "--answers", str(tmp_path / "none.json")],
        ["check", *now, "--json", "--steps", str(tmp_path / "none")],
        ["check", *now, "--json", "--site", str(tmp_path)],  # a folder, not a file
        ["check", *now, "--json", "--site", os.devnull],  # not a regular file
        ["check", *now, "--json", "--override", "nonsense"],
    ]
    for args in lines:
        direct, app = _both(args, env)
        assert direct == app, args
    bad_env = {**env, "XRNTX_GUIDE_STEPS": str(tmp_path / "none")}
    direct, app = _both(["check", *now, "--json"], bad_env)
    assert direct == app
    assert direct[0] == 2 and "XRNTX_GUIDE_STEPS" in direct[2]
