"""An unattended walk whose standard output the machine refuses (a full disk behind
``> out.json``) records the visit all the same and ends saying both: the output could not
be written, and the session was saved (exit 2). Before, it said only "cannot read or
write: the disk is full", so a script took the dose for unsaved and would record it
again."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.helpers import EXE, TODAY, after_injection, answer_flags
from xrntx_guide.errors import ExitCode


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_the_session_is_saved_and_named(tmp_path: Path) -> None:
    env = {**os.environ, "XRNTX_GUIDE_HOME": str(tmp_path / "home")}
    with open("/dev/full", "w") as full:
        walked = subprocess.run(
            [str(EXE), "walk", "--no-input", "--json", "--today", TODAY.isoformat(),
             "--label", "FULL-1", "--acknowledge", "all", *answer_flags(after_injection())],
            stdout=full, stderr=subprocess.PIPE, text=True, env=env, check=False,
        )  # fmt: skip
    assert walked.returncode == ExitCode.USAGE, walked.stderr
    said = json.loads(walked.stderr.strip().splitlines()[-1])
    assert "cannot write the output" in said["message"], said
    listed = subprocess.run(
        [str(EXE), "sessions", "--json"], capture_output=True, text=True, env=env, check=True
    )
    (row,) = json.loads(listed.stdout)
    assert row["status"] == "complete", row
    assert row["id"] in said["message"] and "saved" in said["message"], said
