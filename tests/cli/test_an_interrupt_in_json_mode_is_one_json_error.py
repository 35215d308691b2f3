"""A run in ``--json`` or ``--batch`` mode that is interrupted (SIGINT from a script or a
supervisor) ends as every error of such a run does: one JSON object on stderr, code
``interrupted``, exit 130 (docs/scripting.md). Before, it wrote the plain text line
``error: interrupted``, which a script parsing stderr as JSON could not read."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.helpers import EXE, TODAY, ready_patient
from xrntx_guide.cli.boundary import Failed, boundary
from xrntx_guide.errors import ExitCode


@pytest.mark.parametrize("as_json", [True, False])
def test_the_interrupt_is_said_in_the_runs_format(
    as_json: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(Failed) as ended, boundary(as_json=as_json, debug=lambda: False):
        raise KeyboardInterrupt
    assert ended.value.code == ExitCode.INTERRUPTED
    err = capsys.readouterr().err
    if as_json:
        said = json.loads(err)
        assert (said["code"], said["exit_code"]) == ("interrupted", 130), said
    else:
        assert err.strip() == "error: interrupted", err


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="POSIX signals")
def test_a_batch_interrupted_by_a_script_says_so_in_json(tmp_path: object) -> None:
    line = json.dumps(ready_patient(), default=str) + "\n"
    batch = subprocess.Popen(
        [str(EXE), "check", "--today", TODAY.isoformat(), "--batch", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "XRNTX_GUIDE_HOME": str(tmp_path)},
        text=True,
    )
    assert batch.stdin is not None
    batch.stdin.write(line)
    batch.stdin.flush()
    time.sleep(1.5)  # started and waiting for its next line
    batch.send_signal(signal.SIGINT)
    _, err = batch.communicate(timeout=30)
    assert batch.returncode == ExitCode.INTERRUPTED, err
    said = json.loads(err.strip().splitlines()[-1])
    assert said["code"] == "interrupted", err
