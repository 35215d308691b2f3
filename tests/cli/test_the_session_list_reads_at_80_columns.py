"""The list of saved sessions reads at 80 columns: one visit a line, no word split.

At 80 columns (a clinician's default terminal) ``sessions`` draws its seven columns with
wide gaps and no room left: the status of an unfinished visit is broken into "in" and
"progress" on two lines, and the time it was saved goes under its date, so each visit takes
two lines and a status reads "in" in its own row. The docs promise "Works in 80 columns
and wider"; the fields fit in 80 (a status of 11 characters, dates of 10). The plain
listing (``NO_COLOR``) keeps each visit on its line; the drawn table does not.

Driven in a pseudo-terminal of 80 columns, where the program sizes its tables.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pexpect
import pytest

from tests.helpers import EXE, TODAY, Run

pytestmark = pytest.mark.skipif(not EXE.exists(), reason=f"{EXE} is not installed")

COLUMNS = 80


def _sessions_at_80_columns(home: Path) -> str:
    env = {**os.environ, "XRNTX_GUIDE_HOME": str(home), "TERM": "xterm"}
    env["COLUMNS"] = str(COLUMNS)
    for name in ("XRNTX_GUIDE_DEBUG", "NO_COLOR"):  # colour: a clinician's terminal
        env.pop(name, None)
    child = pexpect.spawn(
        str(EXE), ["sessions"], env=env, encoding="utf-8", timeout=15, dimensions=(30, COLUMNS)
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    # Colour codes aside: the text as the clinician reads it.
    return re.sub(r"\x1b\[[0-9;]*m", "", str(child.before)).replace("\r\n", "\n")


def test_an_unfinished_visit_is_one_line_at_80_columns(run: Run, _isolated_home: Path) -> None:
    label = "AB-12"
    left = run("walk", "--no-input", "--label", label, "--today", TODAY.isoformat())
    assert left.exit_code == 4, left.output  # saved, unfinished

    listed = _sessions_at_80_columns(_isolated_home)

    rows = [line for line in listed.splitlines() if line.startswith(label)]
    assert len(rows) == 1, listed
    assert "in progress" in rows[0], listed
