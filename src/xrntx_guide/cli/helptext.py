"""The epilogs of ``--help``: examples, exit codes and environment variables.

The exit codes come from :class:`xrntx_guide.errors.ExitCode` (each member's docstring,
read from the source) and the variables from :data:`xrntx_guide.env.VARIABLES`, so the
help can never list a code or a variable the program does not have. Click rewraps an
epilog's paragraphs; a paragraph after a line holding only ``\\b`` keeps its lines.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import re
import textwrap
from typing import Any

from ..env import VARIABLES
from ..errors import ExitCode


def exit_code_meanings() -> dict[ExitCode, str]:
    """Each exit code with the first sentence of its docstring in :mod:`errors`."""
    meanings = {code: code.name.lower().replace("_", " ") for code in ExitCode}
    try:
        tree = ast.parse(inspect.getsource(ExitCode))
    except (OSError, TypeError):  # no source (a frozen build): the names still say it
        return meanings
    body = tree.body[0].body  # type: ignore[attr-defined]
    for assign, doc in itertools.pairwise(body):
        if (
            isinstance(assign, ast.Assign)
            and isinstance(assign.targets[0], ast.Name)
            and isinstance(doc, ast.Expr)
            and isinstance(doc.value, ast.Constant)
            and isinstance(doc.value.value, str)
        ):
            text = " ".join(doc.value.value.replace("``", "").split())
            first = re.split(r"(?<=\.)\s", text, maxsplit=1)[0]
            meanings[ExitCode[assign.targets[0].id]] = _short(first.rstrip("."))
    return meanings


def _short(text: str, width: int = 66) -> str:
    """The text, its last clause dropped until it fits on a help line."""
    while len(text) > width:
        cut = max(text.rfind(sep) for sep in ("; ", ": ", " ("))
        if cut <= 0:
            break
        text = text[:cut]
    return text


WIDTH = 78  # the help fits 80 columns


def _block(title: str, rows: list[tuple[str, str]], indent: int) -> str:
    lines = [
        textwrap.fill(
            f"  {name:<{indent - 3}} {text}",
            WIDTH,
            subsequent_indent=" " * indent,
            break_on_hyphens=False,
            break_long_words=False,
        )
        for name, text in rows
    ]
    return "\b\n" + title + ":\n" + "\n".join(lines)


def exit_codes() -> str:
    meanings = exit_code_meanings()
    rows = [(str(int(code)), meanings[code]) for code in sorted(ExitCode, key=int)]
    return _block("Exit codes", rows, 8)


def variables() -> str:
    return _block("Environment variables", list(VARIABLES.items()), 25)


def examples(*lines: str) -> str:
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


def app_epilog() -> str:
    return "\n\n".join(
        [
            examples(
                "xrntx-guide                               the walkthrough (= walk)",
                "xrntx-guide walk --resume --label AB12    continue a saved walkthrough",
                "xrntx-guide check --json -a visit=first_injection ...",
                "xrntx-guide --site clinic.toml gates      options before the command",
                "xrntx-guide --install-completion          shell completion (bash, zsh, fish)",
            ),
            exit_codes(),
            variables(),
        ]
    )


EXAMPLES: dict[str, tuple[str, ...]] = {
    "walk": (
        "xrntx-guide walk --label AB12 --today 2026-11-24",
        "xrntx-guide walk --answers case.toml --plain",
        "xrntx-guide walk --no-input --now 2026-11-24T09:30 --answers case.json",
        "xrntx-guide walk --resume --label AB12",
        "xrntx-guide walk --no-input --json --answers - < answers.json",
        "xrntx-guide walk --no-save          a dry run: no session is written",
    ),
    "check": (
        "xrntx-guide check --json -a visit=first_injection -a age=34 ...",
        "xrntx-guide check --json --answers case.json --explain",
        "xrntx-guide check --batch patients.jsonl > results.jsonl",
        "xrntx-guide check --json --now 2026-11-24T09:30 --answers case.json",
        'echo \'{"visit": "first_injection"}\' | xrntx-guide check --json --answers -',
    ),
    "sessions": (
        "xrntx-guide sessions --json",
        "xrntx-guide sessions --delete AB12 --yes",
    ),
    "note": (
        "xrntx-guide note AB12 --format text",
        "xrntx-guide note AB12 --format ics > next-dose.ics",
    ),
    "history": (
        "xrntx-guide history AB12",
        "xrntx-guide history AB12 --json --today 2026-11-24",
    ),
}
"""The main commands, whose help ends with examples, the exit codes and the variables."""


def command_epilog(name: str) -> str:
    return "\n\n".join([examples(*EXAMPLES[name]), exit_codes(), variables()])


def attach(app: Any) -> None:
    """Put the epilogs on the app and its main commands: only when help is shown, so that
    no other start-up reads the source of :class:`ExitCode`."""
    app.info.epilog = app_epilog()
    for info in app.registered_commands:
        name = info.name or getattr(info.callback, "__name__", "")
        if name in EXAMPLES:
            info.epilog = command_epilog(name)
