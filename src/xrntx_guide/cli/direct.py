"""Commands without typer: a plain command line of `walk`, `check`, `history LABEL` or a
page of `sessions` is read here and run at once.

Importing typer (and click) costs more than the whole check on a cached pack, or than
reading a patient's history from the store, and is a good part of a walk's start; so a
command line made only of one of these commands, its arguments and options it takes,
each given in its plain form, is read here and run by the same code as the app's
command (commands/checking.py, commands/listing.py, commands/walk.py) behind the same
error boundary (cli/boundary.py). Anything else - help, completion, shared options
before the command, `check --batch` or `--label`, `sessions` with an action or
`--delete`, `walk --demo-clock` or `--record`, an option given twice, an option or value
this reader does not know, a `--page` that is not a whole number from 1, or a `--site`
that is not a regular file - goes to the app, which says what is wrong in its own words:
so this route changes nothing a user sees but the time it takes.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from ..env import Environment
from ..errors import ExitCode, UserError
from ..files import Unreadable, open_regular
from ..pack import cache
from .boundary import Failed, boundary, flushed, reader_gone, report
from .startup import pause_collector, resume_collector
from .streams import ReaderGone
from .zone import clinic_zone


class Grammar:
    """The plain form of one command's command line: what this reader takes. (A plain
    class: the dataclass machinery costs a direct route more than its command reads.)"""

    __slots__ = ("arguments", "command", "flags", "repeatable", "values", "whole")

    def __init__(
        self,
        command: str,
        *,
        values: Mapping[str, str],
        flags: Mapping[str, str],
        repeatable: frozenset[str] = frozenset(),
        arguments: tuple[str, ...] = (),
        whole: frozenset[str] = frozenset(),
    ) -> None:
        self.command = command
        self.values = values
        """Options with a value: option -> the name it is read as."""
        self.flags = flags
        """Options without a value (given twice they mean it once, as in the app)."""
        self.repeatable = repeatable
        """Names of the value options that may be given more than once (a list)."""
        self.arguments = arguments
        """Names of the arguments, each required, in order."""
        self.whole = whole
        """Names of the value options that are whole numbers from 1 (else the app reads
        it)."""


CHECK = Grammar(
    "check",
    values={
        "--answer": "answer",
        "-a": "answer",
        "--answers": "answers",
        "--override": "override",
        "--today": "today",
        "--now": "now_at",
        "--steps": "steps",
        "--site": "site",
    },
    flags={
        "--json": "json_out",
        "--plain": "plain",
        "--no-input": "no_input",
        "--explain": "explain",
    },
    repeatable=frozenset({"answer", "override"}),
)
HISTORY = Grammar(
    "history",
    values={
        "--today": "today",
        "--now": "now_at",
        "--steps": "steps",
        "--site": "site",
        "--database": "database",
    },
    flags={"--json": "json_out", "--plain": "plain"},
    arguments=("label",),
)
WALK = Grammar(
    "walk",
    values={
        "--session": "session",
        "--label": "label",
        "--answer": "answer",
        "-a": "answer",
        "--answers": "answers",
        "--correct": "correct",
        "--override": "override",
        "--acknowledge": "acknowledge",
        "--today": "today",
        "--now": "now_at",
        "--steps": "steps",
        "--site": "site",
        "--database": "database",
        "--clinician": "clinician_name",
    },
    flags={
        "--resume": "resume",
        "--no-input": "no_input",
        "--plain": "plain",
        "--json": "json_out",
        "--no-save": "no_save",
    },
    repeatable=frozenset({"answer", "correct", "override", "acknowledge"}),
)
SESSIONS = Grammar(
    "sessions",
    values={"--page": "page", "--database": "database", "--clinician": "clinician_name"},
    flags={"--json": "json_out", "--plain": "plain"},
    whole=frozenset({"page"}),
)


def read_command(args: list[str], grammar: Grammar) -> dict[str, object] | None:
    """The arguments and options of a plain command line of ``grammar``'s command
    (``args`` without the program name), or None when the app is to read it."""
    if not args or args[0] != grammar.command:
        return None
    got: dict[str, object] = {key: [] for key in grammar.repeatable}
    arguments = list(grammar.arguments)
    i = 1
    while i < len(args):
        arg = args[i]
        name, eq, inline = arg.partition("=")
        if arg in grammar.flags:
            got[grammar.flags[arg]] = True
        elif name in grammar.values and (eq == "" or name.startswith("--")):
            if eq:
                value = inline
            elif i + 1 < len(args):
                i += 1
                value = args[i]
            else:
                return None
            if value == "" or value.startswith("-"):
                return None  # the app knows what such a value means, or refuses it
            key = grammar.values[name]
            if key in grammar.whole and not (value.isascii() and value.isdigit() and int(value)):
                return None
            if key in grammar.repeatable:
                got[key].append(value)  # type: ignore[attr-defined]
            elif key in got:
                return None  # given twice
            else:
                got[key] = value
        elif arguments and arg and not arg.startswith("-"):
            got[arguments.pop(0)] = arg
        else:
            return None
        i += 1
    if arguments:
        return None  # an argument is missing: the app says so
    return got


def read_check(args: list[str]) -> dict[str, object] | None:
    """The options of a plain `check` command line, or None when the app is to read it."""
    return read_command(args, CHECK)


def main(argv: list[str]) -> int | None:
    """Run a plain command line of a command this reader takes; None when the app is to
    run it."""
    if any(k.startswith("_XRNTX_GUIDE_COMPLETE") for k in os.environ):
        return None
    route = ROUTES.get(argv[0]) if argv else None
    if route is None:
        return None
    grammar, run = route
    got = read_command(argv, grammar)
    if got is None or sys.stdout is None or sys.stdin is None or sys.stderr is None:
        return None
    if "site" in got and not _regular_or_missing(Path(str(got["site"]))):
        return None  # the app's parameter check words it
    if grammar is not CHECK:
        pause_collector()  # until the start-up is over (cli/startup.py)

    env = Environment.of(sys.stdin, sys.stdout, sys.stderr)
    as_json = bool(got.get("json_out"))
    try:
        with (
            boundary(as_json, lambda: env.debug),
            cache.using(env.cache_dir()),
            clinic_zone(env),
        ):
            try:
                code = run(env, got)
            finally:
                resume_collector()  # a walk resumed it where it began
    except Failed as failed:
        code = failed.code
    except UserError as exc:
        report(exc, as_json)
        code = int(exc.exit_code)
    except (ReaderGone, BrokenPipeError):
        return reader_gone()
    except KeyboardInterrupt:
        report(UserError("interrupted"))
        return int(ExitCode.INTERRUPTED)
    return flushed(code)


def _check(env: Environment, got: dict[str, object]) -> int:
    # seam: the command's own module, loaded when it runs
    from .commands.checking import check_one, prepare

    as_json = bool(got.get("json_out"))
    guide, day = prepare(
        env,
        json_out=as_json,
        today=_text(got.get("today")),
        now_at=_text(got.get("now_at")),
        steps=_path(got.get("steps")),
        site=_path(got.get("site")),
        explain=bool(got.get("explain")),
        label=None,
        batch=None,
    )
    return check_one(
        env,
        guide,
        day,
        answer=_texts(got["answer"]),
        answers=_path(got.get("answers")),
        override=_texts(got["override"]),
        json_out=as_json,
        plain=bool(got.get("plain")),
        explain=bool(got.get("explain")),
        label=None,
    )


def _walk(env: Environment, got: dict[str, object]) -> int:
    from .commands.walk import run_walk  # seam: the command's own module, loaded when it runs

    return run_walk(
        env,
        resume=bool(got.get("resume")),
        session=_text(got.get("session")),
        label=_text(got.get("label")),
        answer=_texts(got["answer"]),
        answers=_path(got.get("answers")),
        correct=_texts(got["correct"]),
        override=_texts(got["override"]),
        acknowledge=_texts(got["acknowledge"]),
        no_input=bool(got.get("no_input")),
        today=_text(got.get("today")),
        now_at=_text(got.get("now_at")),
        steps=_path(got.get("steps")),
        site=_path(got.get("site")),
        plain=bool(got.get("plain")),
        json_out=bool(got.get("json_out")),
        no_save=bool(got.get("no_save")),
        database=_text(got.get("database")),
        clinician_name=_text(got.get("clinician_name")),
    )


def _history(env: Environment, got: dict[str, object]) -> int:
    # seam: the command's own module, loaded when it runs
    from .commands.listing import show_history

    show_history(
        env,
        str(got["label"]),
        json_out=bool(got.get("json_out")),
        today=_text(got.get("today")),
        now_at=_text(got.get("now_at")),
        steps=_path(got.get("steps")),
        site=_path(got.get("site")),
        plain=bool(got.get("plain")),
        database=_text(got.get("database")),
    )
    return int(ExitCode.OK)


def _sessions(env: Environment, got: dict[str, object]) -> int:
    # seam: the command's own module, loaded when it runs
    from .commands.listing import show_sessions

    show_sessions(
        env,
        page=int(str(got.get("page", 1))),
        json_out=bool(got.get("json_out")),
        plain=bool(got.get("plain")),
        database=_text(got.get("database")),
        clinician_name=_text(got.get("clinician_name")),
    )
    return int(ExitCode.OK)


ROUTES: dict[str, tuple[Grammar, Callable[[Environment, dict[str, object]], int]]] = {
    "check": (CHECK, _check),
    "walk": (WALK, _walk),
    "history": (HISTORY, _history),
    "sessions": (SESSIONS, _sessions),
}


def _regular_or_missing(path: Path) -> bool:
    try:
        open_regular(path).close()
    except Unreadable as exc:
        return exc.missing
    return True


def _path(value: object) -> Path | None:
    return None if value is None else Path(str(value))


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _texts(value: object) -> list[str] | None:
    """A repeatable option's values; None when it was not given (as the app passes it)."""
    return [str(v) for v in value] or None if isinstance(value, list) else None
