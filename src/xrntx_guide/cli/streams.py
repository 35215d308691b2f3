"""What the standard streams can do to a run: a reader that goes away, a write the machine
refuses. Kept apart from the screens (and from rich), so that the machine-readable paths
that never draw a screen can handle them without loading it."""

from __future__ import annotations

import contextlib
import errno
import json
import os
from typing import IO, Any

from ..errors import UsageError, UserError


class ReaderGone(BaseException):
    """Standard output was closed by its reader (``| head -1``): the run ends quietly.

    Like SystemExit, a way to end the run rather than an error: it passes through the
    error boundary (nothing to tell, no bug) and through click (which would exit 1,
    "blocked", for a BrokenPipeError) to the entry point."""


class WritesUntilGone:
    """Standard output of a run whose work must finish whether anyone reads it or not (an
    unattended walk records a dose): when the reader goes away (``| head -1``), the rest
    of what the run says goes to /dev/null and the work goes on; the run then ends as one
    whose reader has gone (:attr:`gone`), after its work is saved."""

    def __init__(self, inner: IO[str]) -> None:
        self.inner = inner
        self.gone = False
        self.refused: OSError | None = None
        """The write the machine refused (a full disk): the run's work goes on, and the
        run then ends saying so (:meth:`end`)."""

    def write(self, text: str) -> int:
        if not self.gone:
            try:
                return self.inner.write(text)
            except BrokenPipeError:
                self._leave()
            except OSError as exc:
                self.refused = self.refused or exc
                self._leave()
        return len(text)

    def flush(self) -> None:
        if not self.gone:
            try:
                self.inner.flush()
            except BrokenPipeError:
                self._leave()
            except OSError as exc:
                self.refused = self.refused or exc
                self._leave()

    def end(self, saved: str | None) -> None:
        """After the run's work: end as a run whose reader went away, or whose output the
        machine refused, naming what was saved all the same (``saved``: the session).

        Raises:
            OutputFailed: a write was refused (a full disk).
            ReaderGone: the reader went away.
        """
        if self.refused is not None:
            raise OutputFailed(self.refused, saved)
        if self.gone:
            raise ReaderGone()

    def _leave(self) -> None:
        self.gone = True
        # What is still buffered would fail again at exit: let it go to /dev/null instead.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), self.inner.fileno())

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class SystemRefused(UsageError):
    """The machine refused a read or a write (a full disk, a read-only or closed stream):
    an environment problem, said as such, never an internal error."""

    def __init__(self, exc: OSError, doing: str | None = None) -> None:
        reason = {
            errno.ENOSPC: "the disk is full",
            errno.EDQUOT: "the disk quota is used up",
            errno.EROFS: "the file system is read-only",
            errno.EBADF: "the stream is closed",
            errno.EIO: "an input/output error",
        }.get(exc.errno or 0, exc.strerror or str(exc))
        if doing is None:
            doing = f"cannot use {exc.filename}" if exc.filename else "cannot read or write"
        super().__init__(f"{doing}: {reason}")


class OutputFailed(SystemRefused):
    """Standard output cannot be written; ``saved``: what the run saved all the same."""

    def __init__(self, exc: OSError, saved: str | None = None) -> None:
        super().__init__(exc, "cannot write the output")
        if saved is not None:
            self.message = f"{self.message}; {saved} was saved all the same"


def write_result(stream: IO[str], text: str) -> None:
    """Machine-readable output (JSON, a version line): printed as is, never wrapped or
    styled, and without a screen (rich) to print it.

    Raises:
        ReaderGone: the reader has gone.
        OutputFailed: the machine refused the write.
    """
    try:
        stream.write(text + "\n")
        stream.flush()
    except BrokenPipeError:
        raise ReaderGone() from None
    except OSError as exc:
        raise OutputFailed(exc) from None


def json_error(stream: IO[str], exc: UserError) -> None:
    """The message of the error a command stops with, in ``--json`` mode: one line of JSON
    (:class:`xrntx_guide.schemas.UsageErrorOut`), so a script parses one format."""
    from ..output.schemas import usage_error_json  # seam: pydantic, only for a usage error in JSON

    stream.write(json.dumps(usage_error_json(exc), ensure_ascii=False) + "\n")
    stream.flush()
