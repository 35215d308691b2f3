"""Every command the program prints for the user to type starts the program as it was
started here.

The README's quick start runs ``.venv/bin/xrntx-guide`` without activating the venv, so
``xrntx-guide`` alone is not on the PATH. The resume command knows this
(``cli/commands/basics.py: program_name`` prints the full path then), but the other
commands a walk prints are written with the bare name: the emergency card's
(``xrntx-guide card ID --format html -o card.html``, at the end of every visit with a
dose) and the one that continues an unfinished visit of the same patient (``quit and
run: xrntx-guide walk --resume --session ID``). Typed as printed, they end in "command
not found": the clinician is left to guess the path.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.helpers import EXE, TODAY, after_injection, answer_flags

pytestmark = pytest.mark.skipif(not EXE.exists(), reason=f"{EXE} is not installed")

SYSTEM_PATH = "/usr/bin:/bin"


def _walk(home: Path, label: str, *args: str) -> subprocess.CompletedProcess[str]:
    """An unattended walk by the installed program's full path, its folder not on the
    PATH (the README's quick start: the venv is not activated)."""
    env = {**os.environ, "XRNTX_GUIDE_HOME": str(home), "NO_COLOR": "1", "PATH": SYSTEM_PATH}
    env.pop("XRNTX_GUIDE_DEBUG", None)
    return subprocess.run(
        [str(EXE), "walk", "--no-input", "--label", label, "--today", TODAY.isoformat(),
         "--acknowledge", "all", *args],
        capture_output=True, text=True, env=env, check=False, timeout=60,
    )  # fmt: skip


def _commands(text: str, subcommand: str) -> list[str]:
    """The program names of the printed commands ``PROGRAM SUBCOMMAND ...`` in ``text``."""
    return re.findall(rf"([^\s`]*xrntx-guide) {subcommand} ", text)


def test_the_bare_name_is_not_on_this_path() -> None:
    found = subprocess.run(
        ["sh", "-c", "command -v xrntx-guide"], env={"PATH": SYSTEM_PATH},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert found.returncode != 0, found.stdout


def test_the_emergency_card_command_starts_the_program_as_started(tmp_path: Path) -> None:
    given = _walk(tmp_path / "home", "CARD-1", *answer_flags(after_injection()))
    assert given.returncode == 0, given.stderr

    printed = _commands(given.stdout + given.stderr, "card")

    assert printed, given.stdout
    assert set(printed) == {str(EXE.resolve())}, printed


def test_the_command_to_continue_an_unfinished_visit_starts_the_program_as_started(
    tmp_path: Path,
) -> None:
    first = _walk(tmp_path / "home", "OPEN-1", "--answer", "visit=first_injection")
    assert first.returncode == 4, first.stderr  # left unfinished
    again = _walk(tmp_path / "home", "OPEN-1", "--answer", "visit=first_injection")

    printed = _commands(again.stdout + again.stderr, "walk")

    assert printed, again.stdout + again.stderr
    assert set(printed) == {str(EXE.resolve())}, printed
