"""A long batch shows its progress on a terminal (records, rate, time left) on stderr,
rewritten in place and cleared at the end; in a pipe or a file stderr stays quiet, and
stdout holds the results only, either way."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import pexpect

from tests.helpers import TODAY, Run, json_answers, ready_patient
from xrntx_guide.cli.progress import Progress
from xrntx_guide.errors import ExitCode


class Ticks:
    """A clock that moves one second each time it is read."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def test_the_progress_line_counts_records_and_estimates_the_time_left() -> None:
    err = io.StringIO()
    lines = [b"x" * 99 + b"\n"] * 10
    progress = Progress(err, total=1000, clock=Ticks())
    written = io.StringIO()
    write = progress.passing(written.write)
    for line in progress.lines(lines[:4]):
        assert line is not None
        write("{}\n")
    shown = err.getvalue().split("\r\x1b[K")[-1]
    assert shown.startswith("4 records checked"), shown
    assert "left" in shown  # 400 of 1,000 bytes read: the rest estimated from the rate
    assert written.getvalue() == "{}\n" * 4  # the results themselves untouched
    progress.done()
    assert err.getvalue().endswith("\r\x1b[K")


def test_no_time_left_is_guessed_for_standard_input() -> None:
    err = io.StringIO()
    progress = Progress(err, total=None, clock=Ticks())
    for _ in progress.lines([b"{}\n"] * 3):
        progress.wrote("{}\n")
    assert err.getvalue() and "left" not in err.getvalue()


def test_a_batch_into_a_pipe_writes_no_progress(run: Run, tmp_path: Path) -> None:
    lines = tmp_path / "lines.jsonl"
    lines.write_text((json.dumps(json_answers(ready_patient())) + "\n") * 3, encoding="utf-8")
    result = run("check", "--today", TODAY.isoformat(), "--batch", str(lines))
    assert result.exit_code == ExitCode.OK, result.output
    assert result.stderr == ""
    assert len(result.stdout.splitlines()) == 3


def test_a_batch_on_a_terminal_shows_progress_on_stderr_only(tmp_path: Path) -> None:
    """stderr a terminal, stdout a file: the line goes to the terminal, never the file."""
    lines = tmp_path / "lines.jsonl"
    lines.write_text((json.dumps(json_answers(ready_patient())) + "\n") * 400, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    script = (
        f"import sys; sys.argv = ['xrntx-guide', 'check', '--today', '{TODAY.isoformat()}', "
        f"'--batch', {str(lines)!r}]; from xrntx_guide.cli import main; main()"
    )
    child = pexpect.spawn(
        sys.executable,
        ["-c", f"import os; os.dup2(os.open({str(out)!r}, os.O_WRONLY | os.O_CREAT), 1); {script}"],
        env={**os.environ, "XRNTX_GUIDE_DEBUG": ""},
        encoding="utf-8",
        timeout=120,
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == ExitCode.OK, child.before
    assert "records checked" in (child.before or "")
    results = out.read_text(encoding="utf-8").splitlines()
    assert len(results) == 400 and all(json.loads(r)["status"] for r in results)
