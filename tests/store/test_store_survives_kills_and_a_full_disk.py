"""A save killed at any moment (kill -9) leaves every visit readable at its previous or
its new revision, and a full disk keeps the previous state and says so."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import TODAY, Run
from xrntx_guide.errors import ExitCode
from xrntx_guide.pack.guide import Guide
from xrntx_guide.store import StoreError, open_store
from xrntx_guide.visit.session import new_session

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
KILLS = 100

SAVER = """
import datetime as dt, sys
from pathlib import Path
from xrntx_guide.store import open_store
store = open_store(None, Path(sys.argv[1]))
ids = [r.id for r in store.rows()]
print("ready", flush=True)
n = 0
while True:
    for visit in ids:
        record, revision = store.load(visit)
        n += 1
        record.set_answer("age", 18 + n % 60, "typed", dt.datetime.now(dt.UTC))
        record.note_event(dt.datetime.now(dt.UTC), "bench", detail="x" * (n % 5000))
        store.save(record, revision, "killed")
"""


def test_a_save_killed_at_any_moment_leaves_every_visit_readable(
    tmp_path: Path, guide: Guide
) -> None:
    data = tmp_path / "data"
    store = open_store(None, data)
    visits = []
    for n in range(5):
        record = new_session(guide, f"K{n}", NOW, TODAY)
        store.create(record, "dr-a")
        visits.append(record.id)
    store.close()
    rng = random.Random(16)
    events = dict.fromkeys(visits, 0)
    for _ in range(KILLS):
        child = subprocess.Popen(
            [sys.executable, "-c", SAVER, str(data)], stdout=subprocess.PIPE, text=True
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0, 0.05))
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        child.stdout.close()
        store = open_store(None, data)
        try:
            for visit in visits:
                record, revision = store.load(visit)  # readable, never half of a save
                assert len(record.events) >= events[visit], "a saved revision was lost"
                events[visit] = len(record.events)
                row = store.by_id(visit)
                assert row is not None and row.revision == revision
        finally:
            store.close()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A tmpfs of 1 MB (needs the right to mount; else skipped, saying so)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({done.stderr.strip()}): run as root")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(disk: Path) -> None:
    fd = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)


def test_a_full_disk_keeps_the_previous_state_and_says_so(
    small_disk: Path, guide: Guide, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(None, small_disk)
    record = new_session(guide, "FULL", NOW, TODAY)
    record.set_answer("age", 34, "typed", NOW)
    store.create(record, "dr-a")
    _fill(small_disk)
    changed, revision = store.load(record.id)
    changed.set_answer("age", 35, "typed", NOW)
    changed.note_event(NOW, "bench", detail="x" * 200_000)
    with pytest.raises(StoreError, match="disk is full") as refused:
        store.save(changed, revision, "dr-a")
    assert refused.value.exit_code == ExitCode.USAGE
    assert refused.value.hint and "Free some space" in refused.value.hint
    kept, still = store.load(record.id)
    assert still == revision and kept.answers["age"].value == 34
    store.close()
    monkeypatch.setenv("XRNTX_GUIDE_HOME", str(small_disk))
    resumed = run("walk", "--resume", "--session", record.id, "--no-input", "-a", "age=36")
    assert resumed.exit_code == ExitCode.USAGE, resumed.output
    assert "disk is full" in resumed.stderr and "Traceback" not in resumed.stderr
    (small_disk / "filler").unlink()
    store = open_store(None, small_disk)
    assert store.load(record.id)[0].answers["age"].value == 34
    store.close()
