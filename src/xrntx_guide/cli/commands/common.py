"""What the commands share: the options that mean the same everywhere, today's date, the
pack, and recording the screen."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ...env import Environment
from ...files import Unreadable, open_regular

# -- shared options ---------------------------------------------------------------------
from .basics import _WEB_FONT as _WEB_FONT
from .basics import SITE_VAR as SITE_VAR
from .basics import STEPS_VAR as STEPS_VAR
from .basics import _projector_theme as _projector_theme
from .basics import did_you_mean as did_you_mean
from .basics import fixed_start as fixed_start
from .basics import gather_answers as gather_answers
from .basics import guide_of as guide_of
from .basics import lazy_pack as lazy_pack
from .basics import pack_paths as pack_paths
from .basics import parse_today as parse_today
from .basics import patient_label as patient_label
from .basics import program_name as program_name
from .basics import read_stdin_answers as read_stdin_answers
from .basics import read_stdin_bytes as read_stdin_bytes
from .basics import said_on_import as said_on_import
from .basics import save_recording as save_recording
from .basics import start_recording as start_recording
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

DatabaseOpt = Annotated[
    str | None,
    typer.Option(
        "--database",
        help="The store: a postgresql:// URL (a clinic's shared store) or a SQLite file "
        "(default: visits.sqlite3 in the data folder; env XRNTX_GUIDE_DATABASE).",
        show_default=False,
    ),
]
ClinicianOpt = Annotated[
    str | None,
    typer.Option(
        "--clinician",
        help="Who makes the changes, for the audit trail (env XRNTX_GUIDE_CLINICIAN; "
        "default: the login name).",
        show_default=False,
    ),
]


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
