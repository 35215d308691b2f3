"""Ctrl-C at any moment of a run, start-up included, ends it with "interrupted" (exit
130) or, before the program has started at all, as the signal ends any program: never
with a traceback through the program's code (a traceback means a bug, and may show what
the run held). Python's own start-up and the installer's launcher script, before any line
of the package runs, are not the program's to handle: an interrupt there ends as Python
ends it."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

import xrntx_guide
from tests.helpers import EXE, TODAY
from xrntx_guide.errors import ExitCode

PACKAGE = str(Path(xrntx_guide.__file__).parent)

DELAYS = [i * 0.025 for i in range(24)]
"""Seconds after the start: over the imports and into the first prompt."""


@pytest.mark.skipif(not EXE.exists(), reason="needs the installed console script")
@pytest.mark.parametrize("delay", DELAYS)
def test_ctrl_c_during_start_up_shows_no_traceback(delay: float) -> None:
    proc = subprocess.Popen(
        [str(EXE), "walk", "--no-save", "--label", "x", "--today", TODAY.isoformat()],
        stdin=subprocess.PIPE,  # kept open: a prompt waits on it
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "XRNTX_GUIDE_DEBUG": ""},
    )
    try:
        time.sleep(delay)
        # On a quick machine the unattended walk (stdin is not a terminal) may be over
        # before the moment comes: then there is nothing to interrupt.
        interrupted = proc.poll() is None
        if interrupted:
            proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    ours = [
        line for line in err.splitlines() if line.strip().startswith("File") and PACKAGE in line
    ]
    # The launcher imports the entry point's own module before any of the package's code
    # can catch anything: an interrupt while that module is being loaded (its frames are
    # all "<module>" frames of the package and the entry module) is Python's start-up.
    entry = (str(Path(PACKAGE) / "__init__.py"), str(Path(PACKAGE) / "cli" / "__init__.py"))
    if ours and all(line.rstrip().endswith("in <module>") and any(e in line for e in entry)
                    for line in ours):  # fmt: skip
        return
    assert ours == [], err
    if "Traceback" in err:  # Python's start-up or the launcher, before the package's code
        return
    if proc.returncode == ExitCode.INCOMPLETE and "answers are missing" in err:
        return  # it ended on its own (the signal came as it exited): never an error
    assert interrupted, (proc.returncode, err)
    assert proc.returncode in (ExitCode.INTERRUPTED, -signal.SIGINT), (proc.returncode, err)


def test_a_ctrl_c_python_cannot_raise_where_it_landed_comes_back_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A Ctrl-C that lands inside a callback (an ``isinstance`` a class answers there, at
    start-up) cannot be raised there: Python hands it to ``sys.unraisablehook``, whose
    default prints "Exception ignored in" with a traceback and goes on as if nothing had
    been typed (the start-up test above caught it under load). The program's hook brings
    the interrupt back a moment later instead, and passes anything else on."""
    import xrntx_guide.cli as cli

    passed: list[object] = []
    monkeypatch.setattr(cli, "_before_unraisable", passed.append)

    class Unraisable:
        def __init__(self, exc: BaseException) -> None:
            self.exc_type, self.exc_value = type(exc), exc
            self.exc_traceback, self.err_msg, self.object = None, None, "a callback"

    before = signal.getsignal(signal.SIGALRM)
    try:
        cli._unraisable(Unraisable(KeyboardInterrupt()))
        assert signal.getitimer(signal.ITIMER_REAL)[0] > 0  # it comes back, raised outside
        assert signal.getsignal(signal.SIGALRM) is cli._on_ctrl_c
        assert passed == []  # nothing printed
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, before)
    other = Unraisable(ValueError("not an interrupt"))
    cli._unraisable(other)
    assert passed == [other]
