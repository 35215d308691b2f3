"""A plain `walk` command line runs without typer (cli/direct.py); whatever it says, and
its exit code, is what the app says for the same command line (a session's random id
aside), and anything the direct reader does not take is left to the app."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from xrntx_guide.cli.direct import WALK, read_command

APP = "import sys\nfrom xrntx_guide.cli.app import main\nsys.exit(main())\n"
NOW = ["--now", "2026-11-24T10:00"]


@pytest.mark.parametrize(
    "args",
    [
        ["walk"],
        ["walk", "--plain", "--label", "P1"],
        ["walk", "--no-input", "--json", "-a", "visit=first_injection", "--answer=age=40"],
        ["walk", "--resume", "--session", "ab12cd34", "--no-save", "--clinician", "dr a"],
        ["walk", "--override", "g=C: why", "--acknowledge", "all", "--correct", "k@t=r"],
    ],
)
def test_a_plain_walk_command_line_is_read_directly(args: list[str]) -> None:
    assert read_command(args, WALK) is not None


@pytest.mark.parametrize(
    "args",
    [
        ["walk", "--help"],
        ["walk", "--demo-clock", "60"],
        ["walk", "--record", "x.svg"],
        ["walk", "--label", "P1", "--label", "P2"],
        ["walk", "--label"],
        ["walk", "--label", ""],
        ["walk", "extra"],
        ["--label", "P1"],  # the default command, with options first: the app arranges it
    ],
)
def test_anything_else_is_left_to_the_app(args: list[str]) -> None:
    assert read_command(args, WALK) is None


def _run(program: list[str], args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    p = subprocess.run(
        [sys.executable, *program, *args], capture_output=True, text=True, env=env, check=False
    )
    ids = re.compile(r"\b[0-9a-f]{8}\b")  # a session's id is drawn at random
    return p.returncode, ids.sub("ID", p.stdout), ids.sub("ID", p.stderr)


def test_the_direct_walk_says_what_the_app_says(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XRNTX_GUIDE")}
    env.update(NO_COLOR="1", COLUMNS="100", TZ="UTC")
    answers = tmp_path / "a.json"
    answers.write_text('{"visit": "first_injection", "age": 40}', encoding="utf-8")
    lines = [
        ["walk", *NOW, "--no-input", "--no-save", "-a", "visit=first_injection"],
        ["walk", *NOW, "--no-input", "--no-save", "--json", "--answers", str(answers)],
        ["walk", *NOW, "--no-input", "--no-save", "-a", "age=old"],
        ["walk", *NOW, "--no-input", "--no-save", "--acknowledge", "no_such_gate"],
        ["walk", *NOW, "--no-input", "--label", "PT-1", "-a", "visit=first_injection"],
        ["walk", *NOW, "--no-input", "--resume", "--session", "PT-1", "-a", "age=40"],
        ["walk", *NOW, "--no-input", "--resume", "--session", "PT-9"],
        ["walk", *NOW, "--json", "--no-save"],  # --json on no terminal without --no-input
    ]
    for n, args in enumerate(lines):
        # Each route on a store of its own, in the same state: a walk saves its visit.
        got = []
        for route, program in (("direct", ["-m", "xrntx_guide"]), ("app", ["-c", APP])):
            home = tmp_path / route
            got.append(_run(program, args, {**env, "XRNTX_GUIDE_HOME": str(home)}))
        assert got[0] == got[1], (n, args)
