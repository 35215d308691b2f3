"""The one error boundary of every command, and the end of a run, without typer: the app
(cli/app.py) and the direct check (cli/direct.py) both go through it, so a message and an
exit code are the same whichever route a command line took."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any, NoReturn

from ..errors import ExitCode, Interrupted, UserError
from . import ctrl_c_seen
from .streams import OutputFailed, ReaderGone, SystemRefused, json_error


class Failed(Exception):
    """A command ended by an error already reported; its exit code."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


_OPENED: list[Any] = []
"""What the running command opened that must be closed when it ends (its stores)."""


def opened(thing: Any) -> None:
    """Close ``thing`` (a store: anything with ``close()``) when the command ends, however
    it ends (:func:`boundary`): a process that runs many commands (the tests, a
    workshop's presenter) never keeps their connections and files open."""
    _OPENED.append(thing)


@contextlib.contextmanager
def boundary(
    as_json: bool,
    debug: Callable[[], bool],
    passing: tuple[type[BaseException], ...] = (),
) -> Iterator[None]:
    """User errors print a message (one JSON object in ``--json`` and ``--batch`` mode) and
    end in :class:`Failed` with their code; a bug says so, with the traceback only when
    ``debug()``. ``passing``: exceptions that go through untouched (typer's exit).

    Raises:
        Failed: with the exit code, the message written.
        ReaderGone: the reader of stdout has gone (`| head -1`): end quietly.
    """
    start = len(_OPENED)
    try:
        yield
    except passing:
        raise
    except Failed:
        raise
    except UserError as exc:
        report(exc, as_json)
        raise Failed(int(exc.exit_code)) from None
    except KeyboardInterrupt:
        _interrupted(as_json)
    except BrokenPipeError:  # the reader has gone: end quietly, in main()
        raise ReaderGone() from None
    except OSError as exc:  # the machine refused (a full disk, a closed stream): no bug
        report(SystemRefused(exc), as_json)
        raise Failed(int(ExitCode.USAGE)) from None
    except Exception as exc:  # a bug: say so, show the traceback only when asked
        if ctrl_c_seen():  # a library turned the interrupt into an error of its own
            _interrupted(as_json)
        if debug():
            raise
        from .ui import UI  # seam: rich, only to report a bug

        UI(plain=True).error(
            f"internal error ({type(exc).__name__}): this is a bug. Run again with "
            "XRNTX_GUIDE_DEBUG=1 to see the traceback."
        )
        raise Failed(int(ExitCode.INTERNAL)) from None
    finally:
        while len(_OPENED) > start:
            with contextlib.suppress(Exception):  # closed already, or gone
                _OPENED.pop().close()


def _interrupted(as_json: bool) -> NoReturn:
    """An interrupt (Ctrl-C, SIGINT) said as every error of the run is: one JSON object
    in ``--json`` and ``--batch`` mode (code ``interrupted``), else a line on stderr.
    What a walk saved before it stays saved; nothing is said to have been saved, since a
    run interrupted before its first save saved nothing.

    Raises:
        Failed: with the exit code of an interrupt, always.
    """
    if as_json:
        report(Interrupted("interrupted"), as_json=True)
    else:
        from .ui import UI  # seam: rich, only to say that a run was interrupted

        UI(plain=True).error("interrupted")
    raise Failed(int(ExitCode.INTERRUPTED)) from None


READER_GONE = int(ExitCode.READER_GONE)


def reader_gone() -> int:
    """End quietly: nothing more can be written, and nothing needs saying. What is still
    buffered for stdout goes to /dev/null, or Python would complain of it at exit."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return READER_GONE


def report(exc: UserError, as_json: bool = False) -> None:
    """The message of the error a run stops with, on stderr; in ``--json`` mode one line
    of JSON, written without a screen."""
    if as_json:
        json_error(sys.stderr, exc)
        return
    from .plain import PlainScreen, plain_possible  # seam: the plain screen, only for a message

    if plain_possible(sys.stdout, sys.stderr):  # a message into a file or a pipe: no rich
        PlainScreen(sys.stdout, sys.stderr).user_error(exc)
        return
    from .ui import UI  # seam: rich, only for a message to a terminal

    UI(plain=True).user_error(exc)


def closed_streams() -> str | None:
    """A standard stream the program was started without (``<&-``, ``>&-``).

    A closed standard input reads as empty (nothing to answer, so nothing is prompted);
    without a standard error messages are lost but exit codes still tell. Without a
    standard output there is nowhere for results to go: that is an error, said at once.
    """
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the run
    if sys.stdin is None:
        sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 - for the run
    if sys.stdout is None:
        return "standard output is closed: there is nowhere to write (redirect it to a file)"
    return None


def flushed(code: int) -> int:
    """Write out what is still buffered for stdout; a write that fails (a full disk) is an
    error with a message, never a traceback at exit."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        return reader_gone()
    except OSError as exc:
        # What stays buffered would fail again at exit: let it go to /dev/null instead.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        report(OutputFailed(exc))
        return int(ExitCode.USAGE)
    return code
