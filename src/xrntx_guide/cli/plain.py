"""Plain lines without rich: the screen of a listing (``history``, ``sessions``) whose
output goes to a file or a pipe, and of an error message there.

Off a terminal the screen (cli/ui.py) is plain already: no colour, no box, text filled
between words to the console's width, tables in columns two spaces apart. Importing rich
to write that costs more than reading a page of the store, so :class:`PlainScreen`
writes the same bytes itself. It does so only for text whose every character rich
counts one cell wide (its own list of such characters, copied here); anything else (a
wide or a combining character, a title wider than its table) is handed to the rich
screen, created then, so the output is the same whichever writes it (a test compares
the two); both wrap words by the one rule of cli/wrap.py.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Collection, Iterable, Sequence
from typing import IO, TYPE_CHECKING, Protocol

from ..errors import UserError
from ..output.text import visible
from .streams import json_error, write_result
from .wrap import fill

if TYPE_CHECKING:
    from ..env import Environment
    from .ui import UI

# rich's own ranges of characters one cell wide (rich/cells.py): a text made of these
# only is as wide as it is long, for rich as here.
_ONE_CELL_RANGES = (
    (0x20, 0x7E),
    (0xA0, 0xAC),
    (0xAE, 0x2FF),
    (0x370, 0x482),
    (0x2500, 0x25FC),
    (0x2800, 0x28FF),
)
_ONE_CELL = frozenset(chr(c) for lo, hi in _ONE_CELL_RANGES for c in range(lo, hi + 1))


def one_cell_each(text: str) -> bool:
    """Whether every character of ``text`` takes one cell (as rich counts them)."""
    return _ONE_CELL.issuperset(text)


class Screen(Protocol):
    """What a listing writes through: the rich screen (cli/ui.py) or :class:`PlainScreen`."""

    def line(self, text: str = "", style: str | None = None, hang: int = 0) -> None: ...
    def note(self, text: str) -> None: ...
    def warning(self, text: str) -> None: ...
    def error(self, text: str) -> None: ...
    def result(self, text: str) -> None: ...
    def blank(self) -> None: ...
    def table(
        self,
        columns: Sequence[str],
        rows: Iterable[Sequence[str]],
        title: str | None = None,
        styles: Sequence[str | None] | None = None,
        header: bool = True,
        prose: Collection[str] = (),
    ) -> None: ...
    def user_error(self, exc: UserError, as_json: bool = False) -> None: ...


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):  # a closed or odd stream is no terminal
        return False


def plain_possible(out: IO[str], err: IO[str]) -> bool:
    """Whether :class:`PlainScreen` writes what the rich screen would: neither stream is
    a terminal, nothing makes rich take one for a terminal, and the width is not nought
    (COLUMNS=0: rich writes nothing at all). rich reads the process's variables, not the
    run's Environment: so does this, to decide as it does."""
    environ = os.environ
    return (
        sys.platform != "win32"
        and console_width() > 0
        and not _isatty(out)
        and not _isatty(err)
        and "FORCE_COLOR" not in environ
        and environ.get("TTY_COMPATIBLE", "") != "1"
    )


def console_width() -> int:
    """The width rich gives a console that is not a terminal: ``COLUMNS``, else the size
    of whichever standard stream is a terminal, else 80."""
    columns = os.environ.get("COLUMNS")
    if columns is not None and columns.isdecimal():
        return int(columns)
    for fd in (0, 1, 2):
        try:
            width = os.get_terminal_size(fd).columns
        except (AttributeError, ValueError, OSError):
            continue
        return width or 80
    return 80


class PlainScreen:
    """The rich screen's plain output off a terminal, written without rich (see the
    module docstring); what it cannot write exactly it hands to the rich screen."""

    plain = True
    terminal = False

    def __init__(self, out: IO[str], err: IO[str], stdin: IO[str] | None = None) -> None:
        self.out = out
        self.err = err
        self.stdin = stdin
        self._rich: UI | None = None
        # As the screen fills prose (cli/ui.py: UI._width).
        self._width = max(40, min(console_width(), 100) - 1)

    def _screen(self) -> UI:
        """The rich screen on the same streams, for text this one cannot lay out."""
        if self._rich is None:
            from .ui import UI  # seam: rich, only for text the plain screen cannot lay out

            self._rich = UI(True, out=self.out, err=self.err, stdin=self.stdin)
        return self._rich

    @staticmethod
    def _write(stream: IO[str], text: str) -> None:
        stream.write(text + "\n")
        stream.flush()

    # -- lines ---------------------------------------------------------------------------

    def line(self, text: str = "", style: str | None = None, hang: int = 0) -> None:
        shown = _visible(text)
        if not one_cell_each(shown):
            self._screen().line(text, style, hang)
            return
        self._write(self.out, fill(shown, self._width, rest=" " * hang, whole=True))

    def note(self, text: str) -> None:
        shown = _visible(text)
        if not one_cell_each(shown):
            self._screen().note(text)
            return
        self._write(self.out, fill(shown, self._width, whole=True))

    def blank(self) -> None:
        self._write(self.out, "")

    def result(self, text: str) -> None:
        write_result(self.out, text)

    # -- messages (stderr, never wrapped off a terminal) ---------------------------------

    def warning(self, text: str) -> None:
        self._message("warning: ", text)

    def error(self, text: str) -> None:
        self._message("error: ", text)

    def _message(self, head: str, text: str) -> None:
        body = _visible(text, newlines=True)
        if not one_cell_each(body.replace("\n", "")):
            screen = self._screen()
            (screen.warning if head == "warning: " else screen.error)(text)
            return
        self._write(self.err, head + body)

    def user_error(self, exc: UserError, as_json: bool = False) -> None:
        if not as_json:
            self.error(str(exc))
            return

        json_error(self.err, exc)

    # -- a table -------------------------------------------------------------------------

    def table(
        self,
        columns: Sequence[str],
        rows: Iterable[Sequence[str]],
        title: str | None = None,
        styles: Sequence[str | None] | None = None,
        header: bool = True,
        prose: Collection[str] = (),
    ) -> None:
        """Off a terminal the screen lays a table out at its values' full widths, two
        spaces apart, each line without its trailing spaces (cli/ui.py: UI.table)."""
        rows = [list(r) for r in rows]
        grid = [
            [_visible(v) for v in r][: len(columns)] + [""] * (len(columns) - len(r)) for r in rows
        ]
        heads = [_visible(c) for c in columns] if header else [""] * len(columns)
        shown_title = _visible(title) if title else None
        cells = list(zip(heads, *grid, strict=True))
        widths = [max(len(v) for v in col) for col in cells]
        texts = [v for col in cells for v in col]
        if shown_title is not None:
            texts.append(shown_title)
        if (
            not all(one_cell_each(v) for v in texts)
            or 0 in widths
            or (shown_title is not None and len(shown_title) > sum(widths) + 2 * (len(widths) - 1))
        ):
            self._screen().table(columns, rows, title, styles, header, prose)
            return
        if shown_title is not None:
            self.blank()
            self._write(self.out, shown_title.rstrip())
        lines = [heads, *grid] if header else grid
        for r in lines:
            text = "  ".join(v + " " * (w - len(v)) for v, w in zip(r, widths, strict=True))
            self._write(self.out, text.rstrip())


def _visible(text: str, newlines: bool = False) -> str:
    return visible(text, newlines)


def screen_for(env: Environment, plain: bool) -> Screen:
    """The screen of a listing (``history``, ``sessions``): off a terminal the screen
    without rich, which writes what the rich one would; else the rich one."""
    if plain_possible(env.stdout, env.stderr):
        return PlainScreen(env.stdout, env.stderr, env.stdin)
    # seam: the rich screen and the pack loader, only on a terminal
    from .commands.basics import ui_for

    return ui_for(env, plain)
