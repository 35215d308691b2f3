"""What the standard streams can do to a run: a reader that goes away, a write the machine
refuses. Kept apart from the screens (and from rich), so that the machine-readable paths
that never draw a screen can handle them without loading it."""

from __future__ import annotations

import errno

from ..errors import UsageError


class ReaderGone(BaseException):
    """Standard output was closed by its reader (``| head -1``): the run ends quietly.

    Like SystemExit, a way to end the run rather than an error: it passes through the
    error boundary (nothing to tell, no bug) and through click (which would exit 1,
    "blocked", for a BrokenPipeError) to the entry point."""


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
    """Standard output cannot be written."""

    def __init__(self, exc: OSError) -> None:
        super().__init__(exc, "cannot write the output")
