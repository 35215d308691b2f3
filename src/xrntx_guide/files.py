"""Reading files a user names: regular files only, and never more than a limit (and
writing a file that holds patient data: owner-only).

A path given on the command line (or a file lying in the sessions folder) can be anything:
a FIFO that never gets a writer, ``/dev/zero``, a log of many gigabytes. Opening a FIFO
blocks until someone writes to it, and reading ``/dev/zero`` never ends, so every file
read as data goes through this module: it opens without blocking, refuses what is not a
regular file, and reads at most a limit. Its messages say what the file is, for the
caller to put after the file's name.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

KIB = 1024
MIB = 1024 * KIB


class Unreadable(Exception):
    """A file that cannot be read as data; ``reason`` says why, in a few words, and
    ``missing`` whether it is simply not there."""

    def __init__(self, reason: str, *, missing: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.missing = missing


def describe_os_error(exc: OSError) -> str:
    """An OS error in words: the system's message, without the file name and errno."""
    return exc.strerror or str(exc)


def _what(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "is a pipe (FIFO), not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a regular file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a regular file"
    return "is not a regular file"


def open_regular(path: Path) -> BinaryIO:
    """Open a regular file for reading, without blocking on a FIFO.

    Raises:
        Unreadable: the file does not exist, cannot be opened, or is not a regular file.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise Unreadable("no such file", missing=True) from None
    except OSError as exc:
        raise Unreadable(f"cannot be opened: {describe_os_error(exc)}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise Unreadable(_what(mode))
        # O_NONBLOCK changes nothing for a regular file; clear it all the same.
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    Raises:
        Unreadable: not a regular file, larger than the limit, or unreadable.
    """
    with open_regular(path) as fh:
        try:
            data = fh.read(limit + 1)
        except OSError as exc:
            raise Unreadable(f"cannot be read: {describe_os_error(exc)}") from None
    if len(data) > limit:
        raise Unreadable(f"is larger than {size(limit)}")
    return data


def size(n: int) -> str:
    """A byte count as people say it: 1 MiB, 64 KiB, 300 bytes."""
    if n >= MIB and n % MIB == 0:
        return f"{n // MIB} MiB"
    if n >= KIB and n % KIB == 0:
        return f"{n // KIB} KiB"
    return f"{n} bytes"


def write_private(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` readable and writable by its owner only (0600),
    as every file holding a patient's answers is: a file already there is made 0600 too
    (its old mode is not kept). Something other than a regular file (a pipe, a terminal)
    is written to and left as it is.

    Raises:
        OSError: the file cannot be opened or written.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            os.fchmod(fd, 0o600)
        fh.write(text.encode("utf-8"))
