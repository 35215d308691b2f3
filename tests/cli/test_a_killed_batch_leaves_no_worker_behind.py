"""A large ``check --batch`` runs on worker processes; killed with a plain ``kill`` (a
supervisor's SIGTERM, not the terminal's Ctrl-C, which reaches every process of the
group), it leaves none of them behind, and a script reading its output sees the end of
it. Before, both workers went on (their parent gone), holding the batch's standard
output open, so ``out=$(xrntx-guide check --batch big.jsonl)`` waited for ever."""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.helpers import EXE, TODAY, ready_patient

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux signals")


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux: /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    return state != "Z"


def test_a_batch_killed_with_sigterm_leaves_no_worker_and_ends_its_output(
    tmp_path: Path,
) -> None:
    line = (json.dumps(ready_patient(), default=str) + "\n").encode()
    batch = subprocess.Popen(
        [str(EXE), "check", "--today", TODAY.isoformat(), "--batch", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env={**os.environ, "XRNTX_GUIDE_HOME": str(tmp_path / "home")},
    )
    assert batch.stdin is not None and batch.stdout is not None

    def feed() -> None:
        try:
            for _ in range(100_000):
                batch.stdin.write(line)  # type: ignore[union-attr]
            batch.stdin.close()  # type: ignore[union-attr]
        except (BrokenPipeError, ValueError):
            pass

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    try:
        killed_at_work(batch)
    finally:
        batch.kill()
        batch.wait()
        feeder.join(timeout=30)
        for stream in (batch.stdin, batch.stdout):
            with contextlib.suppress(OSError, ValueError):
                stream.close()


def killed_at_work(batch: subprocess.Popen[bytes]) -> None:
    """Kill the batch once its workers are at work; its output ends, and its workers are
    gone."""
    assert batch.stdout is not None
    assert batch.stdout.read(1), "the batch writes its first results"
    deadline = time.monotonic() + 30
    while len(workers := children(batch.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(workers) >= 2, "a batch this large runs on worker processes"

    batch.send_signal(signal.SIGTERM)
    batch.wait(timeout=30)
    ended = time.monotonic() + 20
    while True:  # what is left to read, then the end of the output
        ready, _, _ = select.select([batch.stdout], [], [], max(0.0, ended - time.monotonic()))
        assert ready, "the output never ended: a worker still holds it"
        if not os.read(batch.stdout.fileno(), 1 << 16):
            break
    while any(alive(w) for w in workers) and time.monotonic() < ended:
        time.sleep(0.05)
    assert not [w for w in workers if alive(w)], "a worker was left behind"
