"""The environment a run sees: the clock, the standard streams and whether each is a
terminal, the environment variables, and the folders for sessions and the pack cache.

The command line creates one :class:`Environment` when it starts (on the process's own
streams) and hands it to the command; the commands read the time, the streams and the
variables only through it, so a test can swap any of them. Core: never prints, never
prompts, imports no UI.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TextIO

from .errors import SessionError
from .pack import cache
from .records import field, record, replace
from .visit import folders

VARIABLES: dict[str, str] = {
    "XRNTX_GUIDE_HOME": "the data folder: the store of sessions (HOME/visits.sqlite3) and the "
    "pack cache (HOME/cache)",
    "XDG_DATA_HOME": "else the store goes to XDG_DATA_HOME/xrntx-guide/visits.sqlite3 "
    "(else ~/.local/share/xrntx-guide/visits.sqlite3)",
    "XRNTX_GUIDE_DATABASE": "the store when --database is not given: a postgresql:// URL (a "
    "clinic's shared store) or a SQLite file",
    "XRNTX_GUIDE_CLINICIAN": "who makes the changes, for the audit trail and the note, when "
    "--clinician is not given (else the login name)",
    "XDG_CACHE_HOME": "else the pack cache goes to XDG_CACHE_HOME/xrntx-guide "
    "(else ~/.cache/xrntx-guide)",
    "XRNTX_GUIDE_NO_CACHE": "set: never cache compiled step packs",
    "XRNTX_GUIDE_STEPS": "the step pack folder when --steps is not given",
    "XRNTX_GUIDE_SITE": "the site file when --site is not given (not on a resume or a note: "
    "the session's own settings are used)",
    "XRNTX_GUIDE_ZONE": "the clinic's time zone (an IANA name, America/New_York): the run "
    "reads a visit's days there, and a time in UTC is read there too (without it, one "
    "that falls on another date there than here is refused); a patient's visit walked in "
    "another zone is refused",
    "NO_COLOR": "set: plain output, as --plain (so does TERM=dumb)",
    "XRNTX_GUIDE_DEBUG": "set: an internal error (exit 70) shows its traceback",
}
"""Every environment variable the program reads, and what it does: ``--help`` and the
docs/scripting.md list them from here, and a test keeps the three in step."""


def system_now() -> dt.datetime:
    """The real time, in UTC."""
    return dt.datetime.now(dt.UTC)


@record
class Clock:
    """The visit's one clock: the real time, or a fixed start (``--today``, ``--now``)
    that then runs in real time (clinical basis, safety invariant 8). A timer's reading can
    be sped up for demonstrations (--demo-clock).

    Records (answers, timer starts, overrides) always get :meth:`now`, never the sped-up
    reading, so a session resumed without the demo clock reads correctly.
    """

    factor: float = 1.0
    skipped: dt.timedelta = dt.timedelta(0)
    """Time a trainer fast-forwarded the timers by (a demo, a training run only)."""
    source: Callable[[], dt.datetime] = field(default=system_now, repr=False, compare=False)
    """Where the real time comes from (a test gives a fixed instant)."""
    start: dt.datetime | None = None
    """A fixed start (``--today``, ``--now``): the visit clock read this when the real
    time was :attr:`origin`, and runs in real time from there. None: the real time."""
    origin: dt.datetime | None = None

    def now(self) -> dt.datetime:
        """The visit's one clock (aware): every time the core compares or stamps."""
        real = self.source()
        if self.start is None or self.origin is None:
            return real
        return self.start + (real - self.origin)

    @property
    def fixed(self) -> bool:
        """Whether the clock was fixed (``--today``, ``--now``) rather than the real time."""
        return self.start is not None

    def starting_at(self, start: dt.datetime) -> Clock:
        """The same clock, reading ``start`` now and running in real time from there."""
        return replace(self, start=start, origin=self.source())

    def today(self) -> dt.date:
        """Today's date where the program runs (local time, as a clinician reads it)."""
        return self.now().astimezone().date()

    def timer_now(
        self, started: dt.datetime | None, real_start: dt.datetime | None = None
    ) -> dt.datetime:
        """What a timer started at ``started`` reads now: real time, times the factor.
        ``real_start``: when it started by the machine's real clock (the session's
        ``timers_real``): a fixed clock that a resume moved on never shortens the
        observation, which lasts its minutes of real time (safety invariant 5)."""
        now = self.now()
        if started is None:
            return now
        elapsed = now - started
        if real_start is not None:
            elapsed = min(elapsed, self.source() - real_start)
        return started + elapsed * self.factor + self.skipped

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds / self.factor)

    def sped_up(self, factor: float) -> Clock:
        """The same clock with timers running ``factor`` times faster (a training run)."""
        return replace(self, factor=factor)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):  # a closed or stand-in stream
        return False


@record
class Environment:
    """What a run reads from the machine it runs on, in one place."""

    stdin: TextIO
    stdout: TextIO
    stderr: TextIO
    vars: Mapping[str, str]
    """The environment variables (a copy: changing it never changes the process's)."""
    clock: Clock = field(default_factory=Clock)
    stdin_tty: bool = False
    stdout_tty: bool = False
    stderr_tty: bool = False

    @classmethod
    def of(
        cls,
        stdin: TextIO,
        stdout: TextIO,
        stderr: TextIO,
        vars: Mapping[str, str] | None = None,
        clock: Clock | None = None,
    ) -> Environment:
        """An environment on these streams (the command line gives the process's own),
        with the process's variables and the real clock unless others are given; each
        stream is a terminal when it says it is."""
        return cls(
            stdin=stdin,
            stdout=stdout,
            stderr=stderr,
            vars=dict(os.environ if vars is None else vars),
            clock=clock or Clock(),
            stdin_tty=_isatty(stdin),
            stdout_tty=_isatty(stdout),
            stderr_tty=_isatty(stderr),
        )

    def now(self) -> dt.datetime:
        return self.clock.now()

    def today(self) -> dt.date:
        return self.clock.today()

    def fix_clock(self, start: dt.datetime) -> None:
        """From here on the run's clock starts at ``start`` (``--today``, ``--now``)."""
        self.clock = self.clock.starting_at(start)

    def var(self, name: str) -> str | None:
        """An environment variable; an empty one counts as not set."""
        return self.vars.get(name) or None

    def path_var(self, name: str) -> Path | None:
        """An environment variable naming a file or folder (``XRNTX_GUIDE_SITE``), if set."""
        value = self.var(name)
        return None if value is None else Path(value)

    @property
    def debug(self) -> bool:
        """XRNTX_GUIDE_DEBUG: show the traceback of an internal error."""
        return self.var("XRNTX_GUIDE_DEBUG") is not None

    def sessions_dir(self) -> Path:
        """The folder of an earlier version's session files (imported into the store)."""
        self._home_is_a_folder()
        return folders.sessions_dir(self.vars)

    def data_dir(self) -> Path:
        """The data folder, where the store lives (:func:`visit.folders.data_dir`).

        Raises:
            SessionError: ``XRNTX_GUIDE_HOME`` names something that is not a folder (a
                file): read as an empty store, the patient would seem to have no record.
        """
        self._home_is_a_folder()
        return folders.data_dir(self.vars)

    def _home_is_a_folder(self) -> None:
        home = self.vars.get("XRNTX_GUIDE_HOME")
        if home and Path(home).exists() and not Path(home).is_dir():
            raise SessionError(
                f"XRNTX_GUIDE_HOME={home}: not a folder (the store of sessions and the pack "
                "cache are kept under it)",
                hint="Set XRNTX_GUIDE_HOME to a folder, or unset it for the default one.",
            )

    def cache_dir(self) -> Path | None:
        """Where compiled packs are cached, or None for no cache."""
        return cache.cache_dir(self.vars)
