"""Semantic output helpers: the only place that decides how things look.

Two modes behind one switch: colour (rich panels and tables) and plain (no boxes, no
colour, numbered choices, nothing a screen reader would stumble over). Text that comes
from step files is always printed as :class:`rich.text.Text`, never as markup, so a ``[``
in a step file can never be swallowed or crash the renderer.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from typing import IO

from rich.console import Console
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

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
    "not_applicable": "dim",
}


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
        self.out = Console(file=out or sys.stdout, **opts)  # type: ignore[arg-type]
        # Messages are never hard-wrapped: a hint like `--answer KEY=VALUE` must stay whole
        # to be copied or grepped; the terminal wraps long lines itself.
        self.err = Console(file=err or sys.stderr, **{**opts, "soft_wrap": True})  # type: ignore[arg-type]
        self.stdin = stdin or sys.stdin

    # -- plain lines -------------------------------------------------------------------

    def line(self, text: str = "", style: str | None = None) -> None:
        self.out.print(Text(text, style=style or ""))

    def blank(self) -> None:
        self.out.print()

    def error(self, text: str) -> None:
        self.err.print(Text("error: ", style="bold red") + Text(text))

    def warning(self, text: str) -> None:
        self.err.print(Text("warning: ", style="bold yellow") + Text(text))

    def note(self, text: str) -> None:
        """A message about the run (saved, cleared answers): stdout in a walkthrough."""
        self.out.print(Text(text, style="dim" if not self.plain else ""))

    def result(self, text: str) -> None:
        """Machine-readable output: printed as is, never wrapped or styled."""
        self.out.file.write(text + "\n")
        self.out.file.flush()

    # -- structure ---------------------------------------------------------------------

    def title(self, title: str, lines: Sequence[str]) -> None:
        if self.plain:
            self.line(title)
            self.line("=" * min(len(title), 78))
            for ln in lines:
                self.line(ln)
            return
        body = Text("\n").join(Text(ln) for ln in lines)
        self.out.print(
            Panel(body, title=Text(title, style="bold"), title_align="left", border_style="blue")
        )

    def step_header(self, where: str, title: str) -> None:
        if self.plain:
            self.blank()
            self.line(f"--- {where}: {title} ---")
            return
        self.blank()
        self.out.print(Rule(Text(f"{where} · {title}", style="bold"), align="left"))

    def block(self, text: str) -> None:
        """Instructions from a step file, kept as written."""
        if text.strip():
            self.out.print(Text(text.strip("\n")))

    def bullet(self, text: str, marker: str = "-") -> None:
        self.out.print(Text(f"  {marker} ") + Text(text))

    def choices(self, items: Sequence[tuple[str, str, str | None]]) -> None:
        """Numbered choices: (value, label, help)."""
        for i, (value, label, hint) in enumerate(items, 1):
            line = Text(f"  {i}. ") + Text(value, style="bold") + Text(f"  {label}")
            if hint:
                line += Text(f" ({hint})", style="dim")
            self.out.print(line)

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

    # -- input -------------------------------------------------------------------------

    def ask(self, prompt: str) -> str:
        """Read one line; EOFError and KeyboardInterrupt reach the caller."""
        self.out.print(Text(prompt, style="bold" if not self.plain else ""), end="")
        self.out.file.flush()
        if self.stdin is sys.stdin:
            return input()  # line editing where the terminal has it
        line = self.stdin.readline()
        if not line:
            raise EOFError
        return line.rstrip("\n")
