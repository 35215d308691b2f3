"""Semantic output helpers: the only place that decides how things look.

Two modes behind one switch: colour (rich panels and tables) and plain (no boxes, no
colour, numbered choices, nothing a screen reader would stumble over). Text that comes
from step files is always printed as :class:`rich.text.Text`, never as markup, so a ``[``
in a step file can never be swallowed or crash the renderer.
"""

from __future__ import annotations

import io
import re
import sys
import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import IO

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from ..errors import UserError
from ..output.text import visible
from ..pack.severity import SEVERITIES
from .streams import ReaderGone, json_error, write_result
from .wrap import fill

OUTCOME_STYLE = {
    "pass": "green",
    "fail": "red",
    "unknown": "magenta",
    "overridden": "yellow",
    # Full strength: italic and dim are hard to read on a projector.
    "not_applicable": "",
}


SKIPPED = "skipped"
COMPUTED_NEXT = "worked out from the answers asked next"
"""What Enter at an optional prompt records: nothing, said as such (:meth:`UI.taken`)."""

# Columns a prompt leaves at least for the answer typed after it, else it is wrapped:
# room for "2026-11-20" or "10 days ago" (with 2 the terminal split '4 day' / 's ago').
_ROOM = 16
# The least width text is filled to, however narrow the screen.
_NARROWEST = 24

_ITEM = re.compile(r"^(\s*(?:- |\d+\. ))(.*)$")


def reflow(text: str) -> list[tuple[str, str]]:
    """(prefix, text) per paragraph or list item, with hard line breaks joined."""
    out: list[tuple[str, str]] = []
    for raw in text.strip("\n").splitlines():
        line = raw.strip()
        m = _ITEM.match(raw)
        if not line:
            out.append(("", ""))
        elif m:
            out.append((m.group(1).lstrip(), m.group(2).strip()))
        elif out and out[-1][0] and not raw[:1].isspace():
            out.append(("", line))  # an unindented line after a list item: a new paragraph
        elif out and out[-1][1]:
            prefix, body = out[-1]
            out[-1] = (prefix, f"{body} {line}")
        else:
            out.append(("", line))
    return out


def _fill(text: str, width: int, first: str = "", rest: str = "", whole: bool = False) -> str:
    """Word-wrap by terminal cells as rich counts them (cli/wrap.py: :func:`fill`, the
    one rule of wrapping, which the screen without rich shares)."""
    return fill(text, width, first, rest, whole, cells=cell_len)


class _Console(Console):
    def on_broken_pipe(self) -> None:
        # rich's default exits 1, which reads as "blocked"; the entry point ends the run
        # quietly instead (see ReaderGone).
        self.quiet = True
        raise ReaderGone()


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):  # a closed or odd stream is no terminal
        return False


def plain_wanted(flag: bool, env: Mapping[str, str]) -> bool:
    """Plain output: asked for, or wanted by the environment's variables (NO_COLOR set,
    TERM=dumb). The variables are the run's Environment's, never read here."""
    return flag or bool(env.get("NO_COLOR")) or env.get("TERM") == "dumb"


class UI:
    """Everything the CLI shows goes through here; results to stdout, messages to stderr."""

    def __init__(
        self,
        plain: bool,
        out: IO[str] | None = None,
        err: IO[str] | None = None,
        stdin: IO[str] | None = None,
        terminal: bool | None = None,
        width: int | None = None,
    ) -> None:
        """``terminal`` and ``width`` say what stdout is, for tests; by default it is asked."""
        out = out or sys.stdout
        self.terminal = _isatty(out) if terminal is None else terminal
        # Output that goes to a file or a pipe (| tee transcript) is a record: no boxes, no
        # colour, and no line broken by the program, so that a path or a record stays
        # whole; whatever shows it wraps it.
        self.plain = plain or not self.terminal
        opts: dict[str, object] = dict(highlight=False, emoji=False, soft_wrap=False, width=width)
        if self.plain:  # no escape codes at all: no colour, no bold
            opts["color_system"] = None
        if terminal is not None:
            opts["force_terminal"] = terminal
        self.out = _Console(file=out, **{**opts, "soft_wrap": not self.terminal})  # type: ignore[arg-type]
        # Messages are never hard-wrapped: a hint like `--answer KEY=VALUE` must stay whole
        # to be copied or grepped; the terminal wraps long lines itself.
        self.err = _Console(file=err or sys.stderr, **{**opts, "soft_wrap": True})  # type: ignore[arg-type]
        self.stdin = stdin or sys.stdin

    @property
    def _width(self) -> int:
        """The width prose is filled to: the terminal's, at most 100 (a line stays readable)."""
        return max(40, min(self.out.width, 100) - 1)

    @property
    def screen_lines(self) -> int | None:
        """The terminal's height in lines; None when the output is not a terminal (a
        transcript has no screen to fit)."""
        return self.out.height if self.terminal else None

    def lines_taken(self, text: str, hang: int = 0) -> int:
        """How many lines :meth:`line` fills with ``text``."""
        return len(_fill(visible(text), self._width, rest=" " * hang, whole=True).splitlines())

    # -- plain lines -------------------------------------------------------------------

    def line(self, text: str = "", style: str | None = None, hang: int = 0) -> None:
        """One line of the dialogue, wrapped between words (a path is never cut: on a
        terminal it runs on, and in a transcript it stays whole); ``hang`` indents the
        lines it wraps onto, so that a reader sees where the next entry starts."""
        filled = _fill(visible(text), self._width, rest=" " * hang, whole=True)
        self._say(Text(filled, style=style or ""))

    def _say(self, text: Text) -> None:
        """Text the helpers have wrapped already: the console must not wrap it again, or
        it would cut a word (a path) that is longer than the line."""
        self.out.print(text, soft_wrap=True)

    def blank(self) -> None:
        self.out.print()

    def error(self, text: str) -> None:
        self._message("error: ", "bold red", text)

    def _message(self, head: str, style: str, text: str) -> None:
        """A message on stderr. On a terminal it is wrapped between words (a word was cut
        at the edge: 'care r' / 'ecord'); a line holding a path or a command stays whole
        (the terminal runs it on, and it is copied in one piece). Into a file or a pipe
        it is never wrapped."""
        body = visible(text, newlines=True)
        if self.err.is_terminal:
            width = max(40, min(self.err.width, 100) - 1)
            body = "\n".join(
                _fill(part, width, whole=True) if part.strip() else part
                for part in (head + body).split("\n")
            )[len(head) :]
        self.err.print(Text(head, style=style) + Text(body), soft_wrap=True)

    def retry(self, text: str) -> None:
        """A reply the walkthrough cannot take. Unlike :meth:`error` it is part of the
        dialogue, so it is wrapped between words to the terminal's width."""
        self.err.print(
            Text("error: ", style="bold red") + Text(visible(text, newlines=True)),
            soft_wrap=False,
        )

    def alert(self, text: str) -> None:
        """Something the clinician should know now, in the dialogue (stdout), word-wrapped."""
        self._say(Text(_fill(visible(text), self._width), style="bold yellow"))

    def warning(self, text: str) -> None:
        self._message("warning: ", "bold yellow", text)

    def note(self, text: str) -> None:
        """A message about the run (saved, cleared answers): stdout in a walkthrough.

        Full strength, never dim or italic: a presenter's notes are read from the back of
        a room."""
        self._say(Text(_fill(visible(text), self._width, whole=True)))

    def taken(self, words: str) -> None:
        """What Enter at a prompt was taken as (``Enter -> 2026-11-24``, ``Enter ->
        skipped``): every prompt that gives Enter a meaning says what it recorded, so a
        clinician in a hurry sees it on the screen and in the scrollback."""
        self.note(f"Enter -> {words}")

    def result(self, text: str) -> None:
        """Machine-readable output: printed as is, never wrapped or styled."""
        write_result(self.out.file, text)

    def user_error(self, exc: UserError, as_json: bool = False) -> None:
        """The message of the error a command stops with; in ``--json`` mode one line of
        JSON (:class:`xrntx_guide.schemas.UsageErrorOut`), so a script parses one format."""
        if not as_json:
            self.error(str(exc))
            return
        json_error(self.err.file, exc)

    # -- structure ---------------------------------------------------------------------

    def title(self, title: str, lines: Sequence[str]) -> None:
        title, lines = visible(title), [visible(ln) for ln in lines]
        if self.plain:
            self.line(title)
            self.line("=" * min(len(title), 78))
            for ln in lines:
                self.line(ln)
            return
        # The title goes inside the box: a long one is wrapped, not cut off.
        body = Text("\n").join([Text(title, style="bold"), *(Text(ln) for ln in lines)])
        self.out.print(Panel(body, border_style="blue"))

    def step_header(self, where: str, title: str) -> None:
        where, title = visible(where), visible(title)
        # A phase of one step has the step's title already: "Patient history · step 1
        # of 1 · Patient history" said it twice.
        if title == re.sub(r"^\d+\.\s+", "", where.split(" · ", 1)[0]):
            title = ""
        if self.plain:
            self.blank()
            self.line(f"--- {where}: {title} ---" if title else f"--- {where} ---")
            return
        self.blank()
        text = f"{where} · {title}" if title else where
        if cell_len(text) + 6 > self.out.width:
            # Too long for the rule's title, which rich cuts off with '…': the words
            # above a plain rule instead.
            self._say(Text(_fill(text, self._width), style="bold"))
            self.out.print(Rule(style="bold blue"))
            return
        self.out.print(Rule(Text(text, style="bold"), align="left", style="bold blue"))

    def block(self, text: str) -> None:
        """Instructions from a step file, reflowed to the terminal's width.

        Lines that start with "- " or "1. " start an item (kept with a hanging indent);
        other lines continue the one before; a blank line starts a new paragraph.
        """
        for prefix, body in reflow(visible(text, newlines=True)):
            self._say(Text(_fill(body, self._width, prefix, " " * len(prefix))))

    def items(self, rows: Sequence[tuple[str, str, str | None]]) -> None:
        """A list that reads at any width: a heading line and an indented detail each."""
        for head, detail, style in rows:
            self._say(Text(_fill(visible(head), self._width, "", "  "), style=style or ""))
            # A detail of several paragraphs (one per line); one that starts with "- "
            # is an item, wrapped under its own text.
            for part in visible(detail, newlines=True).splitlines():
                rest = "      " if part.startswith("- ") else "    "
                self._say(Text(_fill(part, self._width, "    ", rest)))

    def bullet(self, text: str, marker: str = "-") -> None:
        self._say(Text(_fill(visible(text), self._width, f"  {marker} ", "    ")))

    def choices(self, items: Sequence[tuple[str, str, str | None]]) -> None:
        """Numbered choices: (value, label, help)."""
        for i, (value, label, hint) in enumerate(items, 1):
            value, label = visible(value), visible(label)
            head = f"  {i}. {value}  "
            body = f"{label} ({visible(hint)})" if hint else label
            lines = _fill(head + body, self._width, "", " " * len(f"  {i}. ")).splitlines()
            first = Text(head, style="") if not lines else Text(lines[0])
            first.stylize("bold", len(f"  {i}. "), len(f"  {i}. {value}"))
            self._say(first)
            for rest in lines[1:]:
                self._say(Text(rest))

    def scores(self, items: Sequence[tuple[str, str]]) -> None:
        """Score choices (an instrument item): the score first, never a list number."""
        for value, label in items:
            self.out.print(Text(f"  {value:>2}  ", style="bold") + Text(visible(label)))

    def gate(self, heading: str, severity: str, lines: Sequence[tuple[str, str]]) -> None:
        """A gate decision: a heading and labelled lines (what, why, source, instead)."""
        heading = visible(heading)
        lines = [(label, visible(text)) for label, text in lines]
        if self.plain:
            # Each entry wraps under its own text (a hanging indent), so that a reader
            # can tell where the next entry starts.
            self.blank()
            self.line(heading)
            for label, text in lines:
                if label:
                    # An empty text (the "Instead:" over its items) still shows its label.
                    head = f"  {label}:"
                    self._say(Text(_fill(text, self._width, head + " ", "      ") or head))
                else:
                    marker = "- " if text.startswith("- ") else ""
                    item = text[len(marker) :]
                    self._say(
                        Text(_fill(item, self._width, f"    {marker}", " " * (4 + len(marker))))
                    )
            return
        # Filled here to the box's inside, so that an item wraps under its own text
        # (rich would start its next line at the box's edge).
        inner = max(_NARROWEST, self.out.width - 4)
        body = Text()
        for i, (label, text) in enumerate(lines):
            if i:
                body.append("\n")
            if label:
                filled = _fill(text, inner, f"{label}: ", "  ") or f"{label}:"
                body.append(filled[: len(label) + 1], style="bold")
                body.append(filled[len(label) + 1 :])
            else:
                marker = "- " if text.startswith("- ") else ""
                body.append(_fill(text[len(marker) :], inner, marker, " " * len(marker)))
        kind = SEVERITIES.get(severity)
        style = kind.style if kind is not None else "white"
        self.out.print(
            Panel(
                body,
                title=Text(heading, style=style),
                title_align="left",
                border_style=style.replace("bold ", ""),
            )
        )

    def table(
        self,
        columns: Sequence[str],
        rows: Iterable[Sequence[str]],
        title: str | None = None,
        styles: Sequence[str | None] | None = None,
        header: bool = True,
        prose: Collection[str] = (),
    ) -> None:
        """Rows under a header given once, in columns.

        A value (an id, a key, a date) is never split across lines: only the ``prose``
        columns wrap, and only between words. When the values cannot stand side by side
        at this width, each row becomes a short record instead (its first value, then
        one indented line per column), so nothing is ever cut. Output
        that is not a terminal is never wrapped at all.
        """
        grid = [
            [visible(v) for v in r][: len(columns)] + [""] * (len(columns) - len(r)) for r in rows
        ]
        wraps = [c in prose for c in columns]
        heads = [visible(c) for c in columns] if header else [""] * len(columns)
        cells = list(zip(heads, *grid, strict=True))  # per column: its heading, then its values
        natural = [max(cell_len(v) for v in col) for col in cells]
        least = [
            max((cell_len(w) for v in col for w in v.split()), default=0) if wrap else n
            for col, wrap, n in zip(cells, wraps, natural, strict=True)
        ]
        # Between columns: two spaces, in colour (one of them the box's blank vertical, the
        # cells padded on the right only) as in plain; no edges. Borders around the table,
        # or a third space, would cost the width a row of sessions needs at 80 columns.
        extra = 2 * (len(columns) - 1)
        room = self.out.width - extra if self.terminal else sum(natural)
        if sum(least) > room:
            self._records(heads, grid, title, styles)
            return
        widths = _share(natural, least, wraps, room)
        table = Table(
            title=Text(visible(title), style="bold") if title else None,
            title_justify="left",
            show_lines=False,
            expand=False,
            show_header=header,
            header_style="bold",
            box=None if self.plain else box.SIMPLE_HEAD,
            show_edge=False,
            pad_edge=False,
            padding=(0, 1) if self.plain else (0, 1, 0, 0),
        )
        for c, width, wrap in zip(heads, widths, wraps, strict=True):
            table.add_column(c, width=width, no_wrap=not wrap, overflow="fold")
        for i, r in enumerate(grid):
            style = styles[i] if styles and i < len(styles) else None
            table.add_row(*(Text(v) for v in r), style=style or "")
        if self.plain and title:
            self.blank()
        # At its own width: off a terminal that can be more than the console's default 80.
        screen = self.out.width
        self.out.width = sum(widths) + extra
        try:
            with self.out.capture() as capture:
                self.out.print(table, soft_wrap=False)
        finally:
            self.out.width = screen
        for ln in capture.get().splitlines():
            # The padding after the last column is not kept (plain text ends at its words).
            self.out.print(Text.from_ansi(ln.rstrip() if self.plain else ln), soft_wrap=True)

    def _records(
        self,
        heads: Sequence[str],
        grid: Sequence[Sequence[str]],
        title: str | None,
        styles: Sequence[str | None] | None,
    ) -> None:
        """A table too wide for the screen: each row as its first value and indented lines."""
        width = max(40, self.out.width - 1) if self.terminal else 10**6
        if title:
            self.blank()
            self.out.print(Text(visible(title), style="bold"))
        for i, r in enumerate(grid):
            style = styles[i] if styles and i < len(styles) else None
            (_, first), *rest = zip(heads, r, strict=True)
            self._say(Text(_fill(first, width, "  ", "    "), style=style or "bold"))
            for head, value in rest:
                if value:
                    prefix = f"      {head}: " if head else "      "
                    self._say(Text(_fill(value, width, prefix, " " * 8)))

    # -- a line updated in place (a countdown) -----------------------------------------

    def live(self) -> bool:
        """Whether a line can be rewritten in place: colour mode on a terminal, and not
        recorded (a recording keeps every line)."""
        return not self.plain and self.out.is_terminal and not self.out.record

    def ticker(self, text: str) -> None:
        """Show ``text`` in place of the current line; :meth:`ticker_end` ends the line."""
        self.out.file.write("\r\x1b[K" + text)
        self.out.file.flush()

    def ticker_end(self) -> None:
        self.out.file.write("\n")
        self.out.file.flush()

    # -- input -------------------------------------------------------------------------

    def ask(self, prompt: str) -> str:
        """Read one line; EOFError and KeyboardInterrupt reach the caller.

        On a terminal the prompt and the typing share a line. When stdout is a file or a
        pipe (``| tee transcript``), the prompt goes to the terminal (stderr), and stdout
        gets the prompt with the answer once it is read; when the input is not typed at a
        terminal (nothing echoes it), the answer is shown after the prompt. Either way a
        transcript reads prompt and answer.
        """
        prompt = visible(prompt)
        typed = _isatty(self.stdin)
        shown = self.out if self.terminal else self.err
        style = "bold" if not self.plain else ""
        if not self.terminal and shown.is_terminal:
            # | tee transcript: what tee has still to show comes before the prompt, or
            # the prompt appeared above the step it belongs to.
            self.out.file.flush()
            time.sleep(0.05)
        # A prompt wider than the screen is wrapped between words, its last line left
        # for the answer: the terminal split '[2026-' / '11-20]'.
        last = prompt
        if shown.is_terminal and cell_len(prompt) + _ROOM > shown.width:
            *above, last = _fill(prompt, max(_NARROWEST, shown.width - _ROOM - 1)).splitlines()
            last += " " * (len(prompt) - len(prompt.rstrip()))
            for ln in above:
                shown.print(Text(ln, style=style), soft_wrap=True)
        try:
            if (
                self.terminal
                and typed
                and self.stdin is sys.stdin
                and self.out.file is sys.stdout
                and not self.out.record
            ):
                # The prompt goes through input() itself: printed apart from it, a prompt
                # answered with a bare Enter lost its newline under readline, and the next
                # screen was glued to the prompt line.
                if not self.plain and "readline" in sys.modules:
                    last = "\001\033[1m\002" + last + "\001\033[0m\002"  # bold, zero width
                return input(last)  # line editing where the terminal has it
            shown.print(Text(last, style=style), end="")
            shown.file.flush()
            answer = self._read()
        except (KeyboardInterrupt, EOFError):
            # Ctrl-C or Ctrl-D leaves the cursor on the prompt line: what follows (the
            # message that the session is saved) starts a line of its own.
            shown.file.write("\n")
            shown.file.flush()
            raise
        if not self.terminal:
            self.out.print(Text(prompt + visible(answer)))
        elif not typed:
            self.out.print(Text(visible(answer)))
        elif self.out.record:
            self._record_only(visible(answer))
        return answer

    def _record_only(self, text: str) -> None:
        """Add to a recording what the terminal echoed itself (the typing and its
        newline): a slide shows the answer on its prompt's line, and what follows on a
        line of its own, not glued to the prompt and cut at the slide's edge."""
        screen = self.out.file
        self.out.file = io.StringIO()
        try:
            self.out.print(Text(text))
        finally:
            self.out.file = screen

    def _read(self) -> str:
        if self.stdin is sys.stdin:
            return input()
        line = self.stdin.readline()
        if not line:
            raise EOFError
        return line.rstrip("\n")


def _share(natural: list[int], least: list[int], wraps: list[bool], room: int) -> list[int]:
    """Column widths: values at their full width; the prose columns share what is left,
    each at least its longest word, the room going first to the column that lacks most."""
    widths = [n if not w else lo for n, lo, w in zip(natural, least, wraps, strict=True)]
    spare = room - sum(widths)
    while spare > 0:
        short = [(natural[i] - widths[i], i) for i, w in enumerate(wraps) if w]
        lack, i = max(short, default=(0, -1))
        if lack <= 0:
            break
        widths[i] += 1
        spare -= 1
    return widths
