"""The command-line interface: the only package that imports typer or rich."""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

_ctrl_c: list[bool] = []

AGAIN_AFTER = 0.01
"""Seconds after which a Ctrl-C that could not be raised where it landed comes back."""


def _on_ctrl_c(signum: int, frame: object) -> None:
    """Python's own answer to Ctrl-C (KeyboardInterrupt), remembered: a library that
    catches the interrupt mid-way and raises an error of its own (pydantic building a
    schema at start-up raises SchemaError) still ended because of it.

    Ctrl-C that lands in a callback of the import machinery (the release of a module's
    lock, a weak reference's callback), or in a regular expression that pydantic's
    compiled core builds while it makes a schema at start-up (native code that cannot
    pass an exception on), cannot be raised there: Python would print it as "Exception
    ignored" with a traceback and go on. It comes back a moment later (an alarm of
    :data:`AGAIN_AFTER` seconds, handled here as the same Ctrl-C), and is raised then,
    outside. (Sent again at once, it was handled before the callback had returned.)"""
    code = getattr(frame, "f_code", None)
    if code is not None and (
        (code.co_filename.startswith("<frozen importlib") and code.co_name == "cb")
        or _in_a_pattern_pydantic_builds(frame)
    ):
        signal.signal(signal.SIGALRM, _on_ctrl_c)
        signal.setitimer(signal.ITIMER_REAL, AGAIN_AFTER)
        return
    _ctrl_c.append(True)
    raise KeyboardInterrupt


def _in_a_pattern_pydantic_builds(frame: object) -> bool:
    """Whether ``frame`` is the standard library's ``re`` at work for pydantic (its
    compiled core calls it for a field's pattern): frames of ``re``, called from one of
    pydantic's. What ``re`` itself calls may be running when Ctrl-C lands (the value of
    its flags, an enum's, is read in ``enum.py``): the frames inside the first of ``re``
    are passed over."""
    seen_re = False
    while frame is not None:
        name = getattr(getattr(frame, "f_code", None), "co_filename", "")
        if os.sep + "re" + os.sep in name:
            seen_re = True
        elif seen_re:
            return os.sep + "pydantic" in name
        frame = getattr(frame, "f_back", None)
    return False


def ctrl_c_seen() -> bool:
    """Whether Ctrl-C came during this run."""
    return bool(_ctrl_c)


def _unraisable(unraisable: Any) -> None:
    """Python's hook for an exception it cannot raise where it happened (``sys.
    unraisablehook``): a Ctrl-C that landed in a callback or a check inside one (the
    import machinery's, a weak reference's, an ``isinstance`` that a class's
    ``__instancecheck__`` answers there) would be printed as "Exception ignored in" with a
    traceback, and the run would go on as if nothing had been typed. It comes back a
    moment later instead, raised outside (as :func:`_on_ctrl_c` does for the callbacks it
    knows). Anything else goes to the hook that was there before."""
    if isinstance(unraisable.exc_value, KeyboardInterrupt) or (
        isinstance(unraisable.exc_type, type) and issubclass(unraisable.exc_type, KeyboardInterrupt)
    ):
        signal.signal(signal.SIGALRM, _on_ctrl_c)
        signal.setitimer(signal.ITIMER_REAL, AGAIN_AFTER)
        return
    _before_unraisable(unraisable)


_before_unraisable = sys.unraisablehook


def main() -> None:
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _on_ctrl_c)
        sys.unraisablehook = _unraisable
    # A width that is no positive whole number (COLUMNS=0, COLUMNS=²) would make the screen
    # write nothing at all, or fail: it is left out, and the screen's own width is used.
    columns = os.environ.get("COLUMNS")
    if columns is not None and not (columns.isdecimal() and int(columns) > 0):
        del os.environ["COLUMNS"]
    # A plain `check` runs without typer, whose import costs more than the check itself;
    # every other command line (and any `check` the direct reader declines) goes to the app.
    # Ctrl-C is caught from the first line on: the imports of a start-up take a good part
    # of a second on a loaded machine, and an interrupt in them is an interrupt, not a bug
    # (no traceback). Once a command runs, its own error boundary says "interrupted".
    try:
        # seam: inside the try, so Ctrl-C in start-up's imports is an interrupt
        from .direct import main as direct

        code = direct(sys.argv[1:])
        if code is None:
            # seam: typer, only when the direct route declines the command line
            from .app import main as run

            code = run()
    except KeyboardInterrupt:
        code = _interrupted()
    except Exception as exc:
        # Python 3.11 wraps an interrupt raised while a class is being created
        # ('Error calling __set_name__'): still an interrupt. Anything else is a bug.
        if not _from_interrupt(exc):
            raise
        code = _interrupted()
    sys.exit(code)


def _from_interrupt(exc: BaseException) -> bool:
    """Whether ``exc`` was raised by a KeyboardInterrupt (its cause or context, however
    deep)."""
    if ctrl_c_seen():
        return True
    seen: set[int] = set()
    inner: BaseException | None = exc
    while inner is not None and id(inner) not in seen:
        if isinstance(inner, KeyboardInterrupt):
            return True
        seen.add(id(inner))
        inner = inner.__cause__ or inner.__context__
    return False


def _interrupted() -> int:
    # seam: nothing of the package at the top, so Ctrl-C in any import is an interrupt
    from ..errors import ExitCode

    try:
        sys.stderr.write("error: interrupted\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    return int(ExitCode.INTERRUPTED)
