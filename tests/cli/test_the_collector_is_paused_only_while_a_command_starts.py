"""The program starts `walk`, `history` and `sessions` with Python's cycle collector paused
(cli/startup.py): it runs again, as always, once the start-up is over - a walk at its
first prompt, a listing once written - and a collector paused by anyone else is left so.
A `check` never touches it."""

from __future__ import annotations

import ast
import gc
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from xrntx_guide.cli import startup


@pytest.fixture
def collector() -> Iterator[None]:
    was = gc.isenabled()
    try:
        yield
    finally:
        startup._paused.clear()
        gc.unfreeze()
        (gc.enable if was else gc.disable)()


def test_a_paused_start_up_resumes_with_what_it_made_frozen(collector: None) -> None:
    gc.enable()
    startup.pause_collector()
    assert not gc.isenabled()
    made = [[n] for n in range(1000)]  # what a start-up makes, to be kept
    startup.resume_collector()
    assert gc.isenabled() and gc.get_freeze_count() >= len(made)
    startup.resume_collector()  # once only
    assert gc.isenabled()


def test_a_collector_paused_by_another_is_left_paused(collector: None) -> None:
    gc.disable()
    startup.pause_collector()
    startup.resume_collector()
    assert not gc.isenabled() and gc.get_freeze_count() == 0


# -- the program ---------------------------------------------------------------------------

PROBE = """
import builtins, gc, sys
from xrntx_guide.cli import startup

seen = []
def at_prompt(prompt=""):
    seen.append(("at the first prompt", gc.isenabled()))
    raise EOFError
builtins.input = at_prompt
pause = startup.pause_collector
def pausing():
    pause()
    seen.append(("paused", not gc.isenabled()))
startup.pause_collector = pausing
from xrntx_guide.cli.direct import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
seen.append(("after the command", gc.isenabled()))
sys.stderr.write("SEEN " + repr(seen))
"""


def _seen(args: list[str], home: Path) -> list[tuple[str, bool]]:
    env = {**os.environ, "XRNTX_GUIDE_HOME": str(home), "NO_COLOR": "1"}
    run = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert "SEEN " in run.stderr, run.stderr
    seen: list[tuple[str, bool]] = ast.literal_eval(run.stderr.rsplit("SEEN ", 1)[1])
    return seen


@pytest.mark.parametrize(
    "args",
    [
        ["history", "PT-1"],
        ["sessions"],
        ["walk", "--no-input", "--no-save", "--label", "PT-1", "-a", "visit=first_injection"],
    ],
)
def test_a_command_starts_paused_and_ends_collecting(args: list[str], tmp_path: Path) -> None:
    seen = _seen(args, tmp_path)
    assert ("paused", True) in seen
    assert seen[-1] == ("after the command", True)


def test_a_walk_collects_again_by_its_first_prompt(tmp_path: Path) -> None:
    import pexpect

    env = {**os.environ, "XRNTX_GUIDE_HOME": str(tmp_path), "NO_COLOR": "1"}
    child = pexpect.spawn(
        sys.executable,
        ["-c", PROBE, "walk", "--plain", "--label", "PT-1"],
        env=env,
        timeout=60,
        encoding="utf-8",
    )
    child.expect(pexpect.EOF)
    child.close()
    seen = ast.literal_eval(str(child.before).rsplit("SEEN ", 1)[1])
    assert ("paused", True) in seen
    assert ("at the first prompt", True) in seen


def test_a_check_never_pauses_it(tmp_path: Path) -> None:
    seen = _seen(["check", "-a", "visit=first_injection"], tmp_path)
    assert ("paused", True) not in seen
    assert seen[-1] == ("after the command", True)
