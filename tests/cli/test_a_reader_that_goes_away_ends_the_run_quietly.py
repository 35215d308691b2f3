"""When the reader of standard output goes away (`| head -1`), the run ends quietly with
exit 141, as git does, and leaves no batch worker behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import TODAY, json_answers, ready_patient


def _processes_reading(path: Path) -> list[int]:
    """Processes whose command line names ``path`` (a run's workers too)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if str(path) in entry.joinpath("cmdline").read_bytes().decode(errors="replace"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--today", TODAY.isoformat(), "--batch", "BIG"],
        ["gates", "--plain"],
        ["questions"],
    ],
    ids=["batch", "gates", "questions"],
)
def test_a_closed_pipe_ends_the_run_quietly(tmp_path: Path, args: list[str]) -> None:
    """`check --batch big.jsonl | head -1`: the reader goes away; the run ends quietly
    with the code the shell gives a program ended by SIGPIPE (141), as git does, and no
    batch worker is left behind."""
    line = json.dumps(json_answers(ready_patient()))
    big = tmp_path / "big.jsonl"
    big.write_text((line + "\n") * 3000, encoding="utf-8")
    err = tmp_path / "stderr"
    argv = [str(big) if a == "BIG" else a for a in args]
    with err.open("w", encoding="utf-8") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "xrntx_guide", *argv],
            stdout=subprocess.PIPE,
            stderr=stderr,
            env={**os.environ, "XRNTX_GUIDE_DEBUG": ""},
        )
    try:
        assert proc.stdout is not None
        proc.stdout.close()  # the reader goes away (as `head -1` does once it has its line)
        code = proc.wait(timeout=60)
    finally:
        proc.kill()
    left = []
    for _ in range(50):  # the workers end with the run
        left = _processes_reading(big) if args[0] == "check" else []
        if not left:
            break
        time.sleep(0.1)
    for pid in left:  # started by this test: do not leave them to hang
        os.kill(pid, signal.SIGKILL)
    assert left == [], "batch workers left behind"
    assert code == 141, (code, err.read_text(encoding="utf-8"))
    assert err.read_text(encoding="utf-8") == ""
