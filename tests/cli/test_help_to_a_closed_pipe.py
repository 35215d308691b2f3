"""``xrntx-guide --help | true``: help written to a pipe whose reader has gone ends as any
other output does, with 141 (the code the shell gives a program ended by SIGPIPE), never 1
(which means "blocked")."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from xrntx_guide.errors import ExitCode


@pytest.mark.parametrize(
    "args", [["--help"], ["-h"], ["check", "--help"], ["walk", "-h"], ["note", "--help"]]
)
def test_help_to_a_closed_pipe_ends_with_the_reader_gone_code(args: list[str]) -> None:
    read, write = os.pipe()
    os.close(read)  # the reader has gone before a byte is written: every write fails
    try:
        done = subprocess.run(
            [sys.executable, "-m", "xrntx_guide", *args],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "XRNTX_GUIDE_DEBUG": ""},
            timeout=60,
            check=False,
        )
    finally:
        os.close(write)
    assert done.returncode == ExitCode.READER_GONE, done.stderr
    assert done.stderr == ""
