"""Slide-sized recordings of a presenter run: one slide per screen, at a chosen size.

A whole run as one image (``--record run.svg``) is a strip thousands of pixels tall:
unusable on a slide. With ``--slide-size 100x30`` a slide is taken at each pause: the
screen as the room saw it before the trainer pressed a key (its last 30 lines, at 100
columns; a screen that scrolled further gets slides for what scrolled past), written as
numbered SVG files (``run-01.svg``, ``run-02.svg``, ...) or as one HTML file with a
slide per screen and arrow-key navigation. Nothing to fetch:
a teaching room's projector may have no network.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

from ..errors import UsageError
from .commands.basics import _WEB_FONT, _projector_theme

_SIZE = re.compile(r"^\s*(\d{2,3})\s*[xX×]\s*(\d{1,3})\s*$")
_NARROWEST, _WIDEST, _FEWEST, _MOST = 40, 240, 10, 120
# Control characters other than a newline and the escape that starts a colour: a
# character a step file or an answer carried must never reach the SVG or HTML as such
# (XML forbids most of them).
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1a\x1c-\x1f\x7f]")


def parse_size(text: str) -> tuple[int, int]:
    """``100x30`` -> (100 columns, 30 lines).

    Raises:
        UsageError: a size that is not COLUMNSxLINES within what a slide can show.
    """
    m = _SIZE.match(text)
    if m is None:
        raise UsageError(f"--slide-size {text!r}: give COLUMNSxLINES, for example 100x30")
    cols, rows = int(m.group(1)), int(m.group(2))
    if not (_NARROWEST <= cols <= _WIDEST and _FEWEST <= rows <= _MOST):
        raise UsageError(
            f"--slide-size {text}: from {_NARROWEST} to {_WIDEST} columns and "
            f"{_FEWEST} to {_MOST} lines"
        )
    return cols, rows


@dataclass
class Slides:
    """The screens of a run, cut at each pause."""

    ui: Any
    cols: int
    rows: int
    pages: list[list[str]] = field(default_factory=list)
    """Each slide: its lines, with their colours as escape codes."""
    screen: list[str] = field(default_factory=list)
    """The lines on the screen now (the last ``rows``)."""

    def cut(self) -> None:
        """A slide of the screen as the room sees it now: the last ``rows`` lines shown.
        What scrolled past since the last slide without being on one (a long screen)
        gets slides of its own first, so that nothing shown is left out."""
        text = self.ui.out.export_text(clear=True, styles=True)
        lines = _CONTROL.sub("", text).splitlines()
        while lines and not _plain(lines[0]).strip():
            lines.pop(0)
        while lines and not _plain(lines[-1]).strip():
            lines.pop()
        if not lines:
            return  # nothing new: the same screen is not a new slide
        for start in range(0, len(lines) - self.rows, self.rows):
            self.pages.append(lines[start : start + self.rows])
        self.screen = (self.screen + ([""] if self.screen else []) + lines)[-self.rows :]
        self.pages.append(list(self.screen))

    def save(self, target: Path, title: str) -> list[Path]:
        """Write the slides: numbered SVG files beside ``target`` (``run.svg`` ->
        ``run-01.svg``...), or ``target`` itself as one HTML file. Returns the files."""
        self.cut()
        if not self.pages:
            self.pages.append(["(nothing was shown)"])

        theme = _projector_theme()
        written: list[Path] = []
        try:
            if target.suffix.lower() == ".svg":
                digits = max(2, len(str(len(self.pages))))
                for n, page in enumerate(self.pages, 1):
                    path = target.with_name(f"{target.stem}-{n:0{digits}d}{target.suffix}")
                    svg = self._console(page).export_svg(
                        title=f"{title} ({n}/{len(self.pages)})", theme=theme
                    )
                    path.write_text(_no_web_font(svg), encoding="utf-8")
                    written.append(path)
            else:
                target.write_text(self._html(title, theme), encoding="utf-8")
                written.append(target)
        except OSError as exc:
            raise UsageError(f"--record {target}: cannot write: {exc.strerror or exc}") from None
        return written

    def _console(self, page: list[str]) -> Any:
        """A console the size of a slide holding one page, padded to the full height so
        that every slide of a run is the same size."""
        console = Console(
            record=True,
            width=self.cols,
            file=io.StringIO(),
            force_terminal=True,
            color_system="truecolor",
            highlight=False,
            emoji=False,
        )
        for line in page + [""] * (self.rows - len(page)):
            console.print(Text.from_ansi(line), no_wrap=True, overflow="crop")
        return console

    def _html(self, title: str, theme: Any) -> str:
        sections = []
        for n, page in enumerate(self.pages, 1):
            code = self._console(page).export_html(
                theme=theme, inline_styles=True, code_format="{code}"
            )
            current = " current" if n == 1 else ""  # shown before the script runs
            sections.append(
                f'<section class="slide{current}" id="slide-{n}" '
                f'aria-label="slide {n} of {len(self.pages)}"><pre>{code}</pre>'
                f'<p class="count">{n} / {len(self.pages)}</p></section>'
            )
        fg = "#{:02x}{:02x}{:02x}".format(*theme.foreground_color)
        bg = "#{:02x}{:02x}{:02x}".format(*theme.background_color)
        return _PAGE.format(
            title=html.escape(title),
            fg=fg,
            bg=bg,
            cols=self.cols,
            rows=self.rows,
            slides="\n".join(sections),
        )


def _plain(line: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", line)


def _no_web_font(svg: str) -> str:
    return _WEB_FONT.sub("", svg)


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<title>{title}</title>
<style>
html, body {{ margin: 0; background: {bg}; color: {fg}; }}
.slide {{ display: none; height: 100vh; box-sizing: border-box; padding: 2vh 2vw;
  flex-direction: column; justify-content: flex-start; align-items: center; }}
.slide.current {{ display: flex; }}
pre {{ margin: 0; font-family: Menlo, 'DejaVu Sans Mono', consolas, 'Courier New', monospace;
  font-size: min(calc(96vw / {cols} / 0.6), calc(90vh / {rows} / 1.2)); line-height: 1.2; }}
.count {{ margin: 0; font: 0.9rem sans-serif; opacity: 0.85; align-self: flex-end; }}
@media print {{
  .slide {{ display: flex; height: auto; page-break-after: always; break-after: page; }}
  pre {{ font-size: 9pt; }}
}}
</style>
</head>
<body>
{slides}
<script>
// Arrow keys, Page Up/Down and the space bar move between slides; the address keeps
// the slide (#slide-3), so a reload stays where it was.
(function () {{
  var slides = document.querySelectorAll('.slide');
  var at = 0;
  function show(n) {{
    at = Math.max(0, Math.min(slides.length - 1, n));
    for (var i = 0; i < slides.length; i++) {{
      slides[i].classList.toggle('current', i === at);
    }}
    history.replaceState(null, '', '#slide-' + (at + 1));
  }}
  document.addEventListener('keydown', function (e) {{
    if (['ArrowRight', 'ArrowDown', 'PageDown', ' '].indexOf(e.key) >= 0) {{ show(at + 1); }}
    else if (['ArrowLeft', 'ArrowUp', 'PageUp'].indexOf(e.key) >= 0) {{ show(at - 1); }}
    else if (e.key === 'Home') {{ show(0); }}
    else if (e.key === 'End') {{ show(slides.length - 1); }}
    else {{ return; }}
    e.preventDefault();
  }});
  var m = location.hash.match(/^#slide-(\\d+)$/);
  show(m ? parseInt(m[1], 10) - 1 : 0);
}})();
</script>
</body>
</html>
"""
