"""The command that resumes a walk is printed on one line, at 80 columns too.

``quit`` and Ctrl-C end with "Resume with: PROGRAM walk --resume --session ID". PROGRAM is
the path the program was started by, absolute: for a README user that is
``/home/NAME/.../.venv/bin/xrntx-guide``, so at 80 columns the line is longer than the
terminal, and the screen breaks it with a real line break (between ``--resume`` and
``--session``, or between ``--session`` and the id). A clinician who copies the line (a
triple click) pastes only its first part: ``walk --resume`` alone continues the latest
unfinished walk, which need not be this patient's.

Driven in a pseudo-terminal of 80 columns, as a clinician's default terminal is.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pexpect
import pytest

from tests.helpers import EXE, TODAY, wrapping

pytestmark = pytest.mark.skipif(not EXE.exists(), reason=f"{EXE} is not installed")

COLUMNS = 80
P_VISIT = r"Which visit is this\? \(number or value\): "


@pytest.fixture
def at_80_columns(tmp_path: Path) -> Iterator[Any]:
    env = {**os.environ, "XRNTX_GUIDE_HOME": str(tmp_path / "home"), "NO_COLOR": "1"}
    env.update(TERM="xterm", COLUMNS=str(COLUMNS), LINES="30")
    env.pop("XRNTX_GUIDE_DEBUG", None)
    child = pexpect.spawn(
        str(EXE),
        ["walk", "--label", "AB-12", "--today", TODAY.isoformat()],
        env=env,
        encoding="utf-8",
        timeout=15,
        dimensions=(30, COLUMNS),
    )
    yield child
    if child.isalive():
        child.terminate(force=True)


def _resume_lines(child: Any) -> list[str]:
    """The lines of the screen from "Resume with:" on, to the end of the run."""
    child.expect(pexpect.EOF)
    screen = str(child.before).replace("\r\n", "\n")
    assert "Resume with:" in screen, screen
    return screen.split("Resume with:", 1)[1].splitlines()


def _the_command_is_on_its_line(lines: list[str]) -> bool:
    """The first line after "Resume with:" that is not blank holds the whole command, id
    included (a command put on a line of its own counts)."""
    shown = [line for line in lines if line.strip()]
    return bool(shown) and re.search(r"walk --resume --session [0-9a-f]{8}\b", shown[0]) is not None


def test_quit_prints_the_resume_command_on_one_line(at_80_columns: Any) -> None:
    at_80_columns.expect(wrapping(P_VISIT))
    at_80_columns.sendline("quit")

    lines = _resume_lines(at_80_columns)

    assert _the_command_is_on_its_line(lines), lines[:3]


def test_ctrl_c_prints_the_resume_command_on_one_line(at_80_columns: Any) -> None:
    at_80_columns.expect(wrapping(P_VISIT))
    at_80_columns.sendintr()

    lines = _resume_lines(at_80_columns)

    assert _the_command_is_on_its_line(lines), lines[:3]
