"""A batch's progress on a terminal: one line on stderr, rewritten in place (records
checked, the rate, and the time left when the input's size is known). Never in a pipe or
a file, whose reader wants the results and the messages only."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import TextIO

EVERY = 0.5
"""Seconds between two updates of the line: often enough to be alive, rarely enough to
cost nothing."""


class Progress:
    """Counts what a batch reads and writes and shows it on ``stream`` (a terminal).

    Args:
        stream: the terminal's stderr.
        total: the input's size in bytes, or None (standard input): then no time left.
        clock: seconds, monotonic (a test passes its own).
    """

    def __init__(
        self, stream: TextIO, total: int | None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.stream = stream
        self.total = total or None
        self.clock = clock
        self.start = clock()
        self.shown_at = self.start - EVERY  # the first record shows the line at once
        self.read = 0
        self.records = 0
        self.shown = False

    def lines(self, lines: Iterable[bytes | None]) -> Iterator[bytes | None]:
        """The input's lines, passed on as they are, their bytes counted."""
        for line in lines:
            self.read += len(line) if line is not None else 0
            yield line

    def passing(self, write: Callable[[str], object]) -> Callable[[str], object]:
        """``write``, counting each result line it writes."""

        def counted(text: str) -> object:
            self.wrote(text)
            return write(text)

        return counted

    def wrote(self, text: str) -> None:
        """A result line was written: count it, and show the line if it is time."""
        self.records += 1
        now = self.clock()
        if now - self.shown_at >= EVERY:
            self.shown_at = now
            self.show(now)

    def words(self, now: float) -> str:
        spent = max(now - self.start, 1e-9)
        rate = self.records / spent
        text = f"{self.records:,} records checked, {rate:,.0f}/s"
        if self.total is not None and 0 < self.read < self.total:
            left = spent * (self.total - self.read) / self.read
            minutes, seconds = divmod(round(left), 60)
            text += f", about {minutes}:{seconds:02d} left"
        return text

    def show(self, now: float) -> None:
        self.stream.write("\r\x1b[K" + self.words(now))
        self.stream.flush()
        self.shown = True

    def done(self) -> None:
        """Clear the line, so that what follows on the terminal starts clean."""
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
