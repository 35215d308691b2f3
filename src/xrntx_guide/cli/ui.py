"""Semantic output helpers: the only place that decides how things look.

Two modes behind one switch: colour (rich panels and tables) and plain (no boxes, no
colour, numbered choices, nothing a screen reader would stumble over). Text that comes
from step files is always printed as :class:`rich.text.Text`, never as markup, so a ``[``
in a step file can never be swallowed or crash the renderer.
"""

from __future__ import annotations

import json
import os
import re
import sys
import textwrap
from collections.abc import Iterable, Sequence
from typing import IO

from rich.console import Console
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from ..errors import UserError
from .streams import OutputFailed, ReaderGone

SEVERITY_STYLE = {
    "contraindication": "bold red",
    "stop": "bold yellow",
    "caution": "yellow",
    "info": "cyan",
}
OUTCOME_STYLE = {
    "pass": "green",
    "fail": "red",
    "unknown": "magenta",
    "overridden": "yellow",
    "not_applicable": "italic",
}


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


class _Console(Console):
    def on_broken_pipe(self) -> None:
        # rich's default exits 1, which reads as "blocked"; the entry point ends the run
        # quietly instead (see ReaderGone).
        self.quiet = True
        raise ReaderGone()


def plain_wanted(flag: bool, env: dict[str, str] | None = None) -> bool:
    env = dict(os.environ) if env is None else env
    return flag or bool(env.get("NO_COLOR")) or env.get("TERM") == "dumb"


class UI:
    """Everything the CLI shows goes through here; results to stdout, messages to stderr."""

    def __init__(
        self,
        plain: bool,
        out: IO[str] | None = None,
        err: IO[str] | None = None,
        stdin: IO[str] | None = None,
    ) -> None:
        self.plain = plain
        opts: dict[str, object] = dict(highlight=False, emoji=False, soft_wrap=False)
        if plain:  # no escape codes at all: no colour, no bold
            opts["color_system"] = None
        self.out = _Console(file=out or sys.stdout, **opts)  # type: ignore[arg-type]
        # Messages are never hard-wrapped: a hint like `--answer KEY=VALUE` must stay whole
        # to be copied or grepped; the terminal wraps long lines itself.
        self.err = _Console(file=err or sys.stderr, **{**opts, "soft_wrap": True})  # type: ignore[arg-type]
        self.stdin = stdin or sys.stdin

    # -- plain lines -------------------------------------------------------------------

    def line(self, text: str = "", style: str | None = None) -> None:
        self.out.print(Text(text, style=style or ""))

    def blank(self) -> None:
        self.out.print()

    def error(self, text: str) -> None:
        self.err.print(Text("error: ", style="bold red") + Text(text))

    def retry(self, text: str) -> None:
        """A reply the walkthrough cannot take. Unlike :meth:`error` it is part of the
        dialogue, so it is wrapped between words to the terminal's width."""
        self.err.print(Text("error: ", style="bold red") + Text(text), soft_wrap=False)

    def alert(self, text: str) -> None:
        """Something the clinician should know now, in the dialogue (stdout), word-wrapped."""
        width = max(40, min(self.out.width, 100) - 1)
        self.out.print(Text(textwrap.fill(text, width=width), style="bold yellow"))

    def warning(self, text: str) -> None:
        self.err.print(Text("warning: ", style="bold yellow") + Text(text))

    def note(self, text: str) -> None:
        """A message about the run (saved, cleared answers): stdout in a walkthrough."""
        self.out.print(Text(text, style="italic" if not self.plain else ""))

    def result(self, text: str) -> None:
        """Machine-readable output: printed as is, never wrapped or styled."""
        try:
            self.out.file.write(text + "\n")
            self.out.file.flush()
        except BrokenPipeError:
            raise ReaderGone() from None
        except OSError as exc:
            raise OutputFailed(exc) from None

    def user_error(self, exc: UserError, as_json: bool = False) -> None:
        """The message of the error a command stops with; in ``--json`` mode one line of
        JSON (:class:`xrntx_guide.schemas.UsageErrorOut`), so a script parses one format."""
        if not as_json:
            self.error(str(exc))
            return
        from ..output.schemas import usage_error_json

        self.err.file.write(json.dumps(usage_error_json(exc), ensure_ascii=False) + "\n")
        self.err.file.flush()

    # -- structure ---------------------------------------------------------------------

    def title(self, title: str, lines: Sequence[str]) -> None:
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
        if self.plain:
            self.blank()
            self.line(f"--- {where}: {title} ---")
            return
        self.blank()
        self.out.print(Rule(Text(f"{where} · {title}", style="bold"), align="left"))

    def block(self, text: str) -> None:
        """Instructions from a step file, reflowed to the terminal's width.

        Lines that start with "- " or "1. " start an item (kept with a hanging indent);
        other lines continue the one before; a blank line starts a new paragraph.
        """
        width = max(40, min(self.out.width, 100) - 1)
        for prefix, body in reflow(text):
            filled = textwrap.fill(
                body,
                width=width,
                initial_indent=prefix,
                subsequent_indent=" " * len(prefix),
                break_on_hyphens=False,
            )
            self.out.print(Text(filled or ""))

    def items(self, rows: Sequence[tuple[str, str, str | None]]) -> None:
        """A list that reads at any width: a heading line and an indented detail each."""
        width = max(40, min(self.out.width, 100) - 1)
        for head, detail, style in rows:
            self.out.print(Text(head, style=style or ""))
            if detail:
                self.out.print(
                    Text(
                        textwrap.fill(
                            detail, width=width, initial_indent="    ", subsequent_indent="    "
                        )
                    )
                )

    def bullet(self, text: str, marker: str = "-") -> None:
        self.out.print(Text(f"  {marker} ") + Text(text))

    def choices(self, items: Sequence[tuple[str, str, str | None]]) -> None:
        """Numbered choices: (value, label, help)."""
        width = max(40, min(self.out.width, 100) - 1)
        for i, (value, label, hint) in enumerate(items, 1):
            head = f"  {i}. {value}  "
            body = f"{label} ({hint})" if hint else label
            lines = textwrap.wrap(
                head + body,
                width=width,
                subsequent_indent=" " * len(f"  {i}. "),
                break_on_hyphens=False,
            )
            first = Text(head, style="") if not lines else Text(lines[0])
            first.stylize("bold", len(f"  {i}. "), len(f"  {i}. {value}"))
            self.out.print(first)
            for rest in lines[1:]:
                self.out.print(Text(rest))

    def scores(self, items: Sequence[tuple[str, str]]) -> None:
        """Score choices (an instrument item): the score first, never a list number."""
        for value, label in items:
            self.out.print(Text(f"  {value:>2}  ", style="bold") + Text(label))

    def gate(self, heading: str, severity: str, lines: Sequence[tuple[str, str]]) -> None:
        """A gate decision: a heading and labelled lines (what, why, source, instead)."""
        if self.plain:
            self.blank()
            self.line(heading)
            for label, text in lines:
                self.line(f"  {label}: {text}".rstrip() if label else f"    {text}")
            return
        body = Text()
        for i, (label, text) in enumerate(lines):
            if i:
                body.append("\n")
            if label:
                body.append(f"{label}: ", style="bold")
            body.append(text)
        style = SEVERITY_STYLE.get(severity, "white")
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
    ) -> None:
        rows = [list(r) for r in rows]
        if self.plain:
            if title:
                self.blank()
                self.line(title)
            for r in rows:
                if not header:
                    self.line("  " + ": ".join(v for v in r if v))
                    continue
                self.line(
                    "  " + "; ".join(f"{c}: {v}" for c, v in zip(columns, r, strict=False) if v)
                )
            return
        table = Table(
            title=Text(title, style="bold") if title else None,
            title_justify="left",
            show_lines=False,
            expand=False,
            show_header=header,
        )
        for c in columns:
            table.add_column(c, overflow="fold")
        for i, r in enumerate(rows):
            style = styles[i] if styles and i < len(styles) else None
            table.add_row(*(Text(v) for v in r), style=style or "")
        self.out.print(table)

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
        """Read one line; EOFError and KeyboardInterrupt reach the caller."""
        if self.stdin is sys.stdin and self.out.file is sys.stdout and not self.out.record:
            # The prompt goes through input() itself: printed apart from it, a prompt
            # answered with a bare Enter lost its newline under readline, and the next
            # screen was glued to the prompt line (issue 9, item 3).
            if not self.plain and "readline" in sys.modules:
                prompt = "\001\033[1m\002" + prompt + "\001\033[0m\002"  # bold, zero width
            return input(prompt)  # line editing where the terminal has it
        self.out.print(Text(prompt, style="bold" if not self.plain else ""), end="")
        self.out.file.flush()
        if self.stdin is sys.stdin:
            return input()
        line = self.stdin.readline()
        if not line:
            raise EOFError
        return line.rstrip("\n")
