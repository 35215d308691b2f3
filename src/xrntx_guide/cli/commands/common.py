"""What the commands share: the options that mean the same everywhere, today's date, the
pack, and recording the screen."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ...env import Environment
from ...errors import UsageError
from ...pack.guide import Guide

if TYPE_CHECKING:
    from ...visit.history import Timeline

# -- shared options ---------------------------------------------------------------------

from .basics import SITE_VAR as SITE_VAR
from .basics import STEPS_VAR as STEPS_VAR
from .basics import fixed_start as fixed_start
from .basics import gather_answers as gather_answers
from .basics import guide_of as guide_of
from .basics import pack_paths as pack_paths
from .basics import parse_today as parse_today
from .basics import read_stdin_answers as read_stdin_answers
from .basics import ui_for as ui_for

StepsOpt = Annotated[
    Path | None,
    typer.Option(
        "--steps",
        help=f"Load another step pack folder (default: ${STEPS_VAR}, else the shipped guide).",
        show_default=False,
    ),
]


def regular_file(value: Path | None) -> Path | None:
    """A file option names a regular file: a FIFO would be waited on for ever, and a
    device such as /dev/zero read for ever. (A missing file is left to the reader, which
    says so in its own words.)"""
    if value is not None:
        from ...files import Unreadable, open_regular

        try:
            open_regular(value).close()
        except Unreadable as exc:
            if not exc.missing:
                raise typer.BadParameter(f"{value} {exc.reason}") from None
    return value


SiteOpt = Annotated[
    Path | None,
    typer.Option(
        "--site",
        help=f"A site file that changes setting values (default: ${SITE_VAR}).",
        show_default=False,
        callback=regular_file,
    ),
]

NoteSiteOpt = Annotated[
    Path | None,
    typer.Option(
        "--site",
        help="Judge under this site file; refused when the session's settings differ "
        f"(${SITE_VAR} is not used: the session's own settings are).",
        show_default=False,
        callback=regular_file,
    ),
]


TodayOpt = Annotated[
    str | None,
    typer.Option(
        "--today",
        help="Fix today's date (YYYY-MM-DD) for reproducible runs; the time of day is the "
        "real one, and the clock runs on from there.",
        show_default=False,
    ),
]
NowOpt = Annotated[
    str | None,
    typer.Option(
        "--now",
        help="Fix the clock to this instant (YYYY-MM-DDTHH:MM, an offset optional) for "
        "reproducible runs; it runs on in real time from there.",
        show_default=False,
    ),
]
PlainOpt = Annotated[
    bool,
    typer.Option("--plain", help="No colour or boxes (also when NO_COLOR is set or TERM=dumb)."),
]
PlainDataOpt = Annotated[
    bool,
    typer.Option("--plain", help="Accepted everywhere: this command's output is plain already."),
]
AnswerOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--answer",
        "-a",
        help="KEY=VALUE, repeatable; see `xrntx-guide questions`.",
        show_default=False,
    ),
]
AnswersOpt = Annotated[
    Path | None,
    typer.Option(
        "--answers",
        help="A TOML or JSON file of answers (- reads JSON from standard input).",
        show_default=False,
    ),
]
RecordOpt = Annotated[
    Path | None,
    typer.Option(
        "--record", help="Save what the screen showed: FILE.svg or FILE.html.", show_default=False
    ),
]
OverrideOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--override",
        help='GATE="CODE: comment": override a stop gate with a code and a comment; repeatable.',
        show_default=False,
    ),
]

JsonOpt = Annotated[bool, typer.Option("--json", help="JSON on stdout.")]


def process_environment() -> Environment:
    """The environment of this process: its standard streams, variables and clock."""
    return Environment.of(sys.stdin, sys.stdout, sys.stderr)


def environment(ctx: typer.Context) -> Environment:
    """The run's environment: the one ``main`` created, or (the app invoked directly, as
    tests do) the process's own, created once for the run."""
    root = ctx.find_root()
    if root.obj is None:
        root.obj = process_environment()
    env: Environment = root.obj
    return env


def patient_label(text: str, where: str = "--label") -> str:
    """A label given to look a patient up (``--label``, ``history LABEL``): cleaned as a
    walk cleans it; one mixing scripts is refused (visit/labels.py).

    Raises:
        UsageError: empty, too long, or mixing Latin, Greek and Cyrillic letters.
    """
    from ...visit.session import clean_label

    try:
        return clean_label(text)
    except ValueError as exc:
        raise UsageError(f"{where} {text!r}: {exc}") from None


def patient_record(env: Environment, guide: Guide, label: str, day: dt.date) -> Timeline:
    """The record of the patient ``label`` on ``day``: their sessions in the store, read
    as a walk reads them (visit/history.py). Only this opens the store."""
    from ...visit.history import timeline
    from ..storage import the_store

    label = patient_label(label)
    found = the_store(env).history(label)  # an unreadable visit: the record's warnings
    return timeline(guide, found.records, label, day, unreadable=found.unreadable)


def did_you_mean(given: str, choices: list[str] | tuple[str, ...]) -> str:
    """`` (did you mean 'x'?)`` for a close choice, or nothing."""
    import difflib

    close = difflib.get_close_matches(given, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def start_recording(ui: Any, record_to: Path | None) -> None:
    if record_to is None:
        return
    if record_to.suffix.lower() not in (".svg", ".html"):
        raise UsageError(f"--record {record_to}: name it FILE.svg or FILE.html")
    ui.out.record = True


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
"""Characters XML 1.0 does not allow (or discourages: DEL and C1) in a document."""
_WEB_FONT = re.compile(r',\s*url\("https?://[^"]*"\)\s*format\("[^"]*"\)')
# rich's own page, with a title and a language (a newline just after <pre> is not
# shown); {stylesheet}, {code}, {foreground} and
# {background} are filled in by rich.
_RECORD_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<title>{title}</title>
<style>
{stylesheet}
body {{
    color: {foreground};
    background-color: {background};
}}
</style>
</head>
<body>
<pre style="font-family:Menlo,'DejaVu Sans Mono',consolas,'Courier New',monospace">
<code style="font-family:inherit">{code}</code></pre>
</body>
</html>
"""


def _projector_theme() -> Any:
    """The colours of a recording: black ground, white text, and colours of at least 7:1
    contrast on it (WCAG AAA), for slides read from the back of a room. rich's
    own SVG theme has red at 3.5:1 on its grey, and a contraindication is red."""
    from rich.terminal_theme import TerminalTheme

    colours = [
        (0, 0, 0),  # black
        (255, 128, 128),  # red
        (102, 230, 102),  # green
        (255, 215, 95),  # yellow
        (130, 170, 255),  # blue
        (255, 140, 255),  # magenta
        (95, 230, 255),  # cyan
        (255, 255, 255),  # white
    ]
    return TerminalTheme((0, 0, 0), (255, 255, 255), colours, colours)


def save_recording(ui: Any, record_to: Path | None, title: str) -> None:
    """What the screen showed, as SVG or HTML, for slides and handouts: one file that
    needs no network to be shown (a projector in a teaching room may have none)."""
    if record_to is None:
        return
    from ...files import write_private
    from ...output.text import visible

    title = visible(title)  # a scenario's or a record's text: no ESC in a window title
    if record_to.suffix.lower() == ".svg":
        # rich fetches its Fira Code from a CDN when it is not installed; the local font,
        # else the monospace fallback, is used instead.
        text = _WEB_FONT.sub("", ui.out.export_svg(title=title, theme=_projector_theme()))
    else:
        import html  # only for a recording: start-up of every command stays without it

        escaped = html.escape(title).replace("{", "{{").replace("}", "}}")
        text = ui.out.export_html(
            theme=_projector_theme(), code_format=_RECORD_HTML.replace("{title}", escaped)
        )
    # XML (the SVG) has no place for most control characters; the screen's text shows them
    # escaped, and anything that slipped past is shown so here (for the HTML page too).
    text = _NOT_XML.sub(lambda m: visible(m.group()), text)
    try:
        write_private(record_to, text)  # the patient's answers: owner-only
    except OSError as exc:
        raise UsageError(f"--record {record_to}: cannot write: {exc.strerror or exc}") from None
    ui.note(f"Recorded: {record_to}")


def program_name(env: Environment) -> str:
    """How to start this program again from here: ``xrntx-guide`` when that name on the
    PATH is this program, else its full path (a venv not activated: the README's quick
    start), so that a printed resume command works as typed."""
    import shutil
    import sys

    argv0 = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if argv0 is None or argv0.name != "xrntx-guide":
        return "xrntx-guide"  # run as a module or by a test runner: the documented name
    found = shutil.which("xrntx-guide", path=env.vars.get("PATH"))
    if found is not None and Path(found).resolve() == argv0.resolve():
        return "xrntx-guide"
    return str(argv0.resolve())
