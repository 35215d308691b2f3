"""The program's start-up with the cycle collector paused.

Starting `walk`, `history` or `sessions` imports the record models (pydantic), rich and
the engine, and reads the store: many thousands of small objects, nearly all of which
live as long as the process does. Python's cycle collector, started by their number
alone, walks them again and again meanwhile (for a walk, some ninety collections before
its first prompt), and once more when the process ends, for nothing. So the program's
direct route (cli/direct.py) starts these commands with it paused, as a pack's
compilation runs (pack/load.py); where the start-up is over (a walk about to begin, a
listing written) what it made is frozen (left out of every later collection) and the
collector resumes, so that a walk at a prompt for an hour collects as always. Such
garbage as the start-up left is bounded by it and kept until the process ends.

Only the program's one command in its own process pauses it: the app's route, which the
tests run many times in one process, never does.
"""

from __future__ import annotations

import gc

_paused: list[bool] = []
"""Holds one entry while :func:`pause_collector` has the collector paused."""


def pause_collector() -> None:
    """Pause the collector for the start-up (left alone when something else paused it)."""
    if gc.isenabled():
        gc.disable()
        _paused.append(True)


def resume_collector() -> None:
    """The start-up is over: freeze what it made and resume the collector, if
    :func:`pause_collector` paused it; else nothing."""
    if _paused:
        _paused.clear()
        gc.freeze()
        gc.enable()
