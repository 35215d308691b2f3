"""The typer app: the commands registered behind the one error boundary, the entry point
(``main``), and the options that may come before any command."""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import typer
import typer.main

from .. import __version__
from ..digest import sha256
from ..env import Environment
from ..errors import ExitCode, UsageError, UserError
from ..pack import cache
from .boundary import READER_GONE as READER_GONE
from .boundary import Failed, boundary, closed_streams, flushed, reader_gone, report
from .commands import card, check, pack, sessions, training, walk_app
from .commands.common import (
    environment,
    guide_of,
    pack_paths,
    process_environment,
    regular_file,
)
from .streams import ReaderGone, write_result
from .zone import clinic_zone

app = typer.Typer(
    name="xrntx-guide",
    help="Walk a clinician through starting extended-release injectable naltrexone "
    "(XR-NTX) for opioid use disorder, checking every gate on the way. It supports, and "
    "does not replace, clinical judgement.",
    # --install-completion and --show-completion, before any command (see _arrange).
    add_completion=True,
    no_args_is_help=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)

F = TypeVar("F", bound=Callable[..., Any])


def guarded(fn: F) -> F:
    """The one error boundary (cli/boundary.py): user errors print a message and exit with
    their code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = kwargs.get("ctx")
        # In --json mode (and --batch, whose output is JSON too) as one JSON object.
        as_json = bool(kwargs.get("json_out")) or kwargs.get("batch") is not None
        try:
            with (
                boundary(
                    as_json,
                    lambda: ctx is not None and environment(ctx).debug,
                    passing=(typer.Exit,),
                ),
                _pack_cache(ctx),
                _zone(ctx),
            ):
                return fn(*args, **kwargs)
        except Failed as failed:
            raise typer.Exit(failed.code) from None

    wrapper.guarded = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def _zone(ctx: typer.Context | None) -> contextlib.AbstractContextManager[None]:
    """The clinic's time zone the run's Environment names (cli/zone.py), for one command."""
    return contextlib.nullcontext() if ctx is None else clinic_zone(environment(ctx))


def _pack_cache(ctx: typer.Context | None) -> contextlib.AbstractContextManager[None]:
    """The pack cache in the folder the run's Environment names, for one command."""
    return cache.using(None if ctx is None else environment(ctx).cache_dir())


def command(*args: Any, **kwargs: Any) -> Callable[[F], F]:
    """Register a command behind the one error boundary (:func:`guarded`): a command
    registered this way cannot forget it, and a test checks that every command is."""

    def register(fn: F) -> F:
        app.command(*args, **kwargs)(guarded(fn))
        return fn

    return register


# In the order `--help` lists them. The main commands' help ends with examples, the exit
# codes and the environment variables (helptext.attach, when help is asked for).
for _fn in (
    walk_app.walk,
    check.check,
    pack.validate,
    pack.questions,
    pack.gates,
    pack.schema,
    sessions.sessions,
    sessions.note,
    sessions.history,
    card.card,
    training.scenarios,
    training.export,
    training.demo,
):
    command()(_fn)


SHARED_VALUE_OPTIONS = ("--steps", "--site", "--today", "--now")
SHARED_FLAGS = ("--plain", "--no-input")
COMPLETION_OPTIONS = ("--install-completion", "--show-completion")
"""Options that mean the same to every command that takes them: they may come before the
command (``xrntx-guide --site FILE check --json``)."""


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``xrntx-guide [SHARED OPTIONS] [COMMAND] [OPTIONS]``.

    With no command (or only options) the walkthrough runs. Shared options given before
    the command are passed to it; ``--version``, ``-h`` and ``--help`` work there too.
    In ``--json`` (or ``--batch``) mode a command-line error comes as one JSON object on
    stderr, as every other error there does.
    """
    closed = closed_streams()
    if closed is not None:
        report(UsageError(closed))
        return int(ExitCode.USAGE)
    # Created once, after the closed streams are replaced; every command reads the clock,
    # the streams and the variables through it.
    env = process_environment()
    args = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in args or any(a == "--batch" or a.startswith("--batch=") for a in args)
    try:
        args, version = _arrange(args)
        if version:
            return _show_version(args, env)
        if "--help" in args:
            from . import helptext  # seam: the help's own text, only for --help

            helptext.attach(app)
        command = typer.main.get_command(_app_for(args, env))
        _refuse_twice(command, args)
        code = command(
            args=args,
            prog_name="xrntx-guide",
            standalone_mode=False,
            help_option_names=["-h", "--help"],
            obj=env,
        )
    except typer.TyperException as exc:  # the command line itself: click's usage errors
        show = getattr(exc, "show", None)
        if as_json or show is None:
            error = UsageError(exc.format_message())
            error.exit_code = ExitCode(exc.exit_code)
            report(error, as_json)
        else:
            show()
        return exc.exit_code
    except typer.Abort:
        report(UserError("interrupted"))
        return int(ExitCode.INTERRUPTED)
    except UserError as exc:  # from the arguments themselves, or from --version
        report(exc, as_json)
        return int(exc.exit_code)
    except (ReaderGone, BrokenPipeError):
        return reader_gone()
    except SystemExit as exc:
        # click ends a write that met a closed pipe (its help, before any command runs)
        # with exit 1, which here means "blocked": the reader has gone, as anywhere else.
        if isinstance(exc.__context__, BrokenPipeError):
            return reader_gone()
        raise
    return flushed(code if isinstance(code, int) else 0)


def _noop() -> None:
    """The group's callback: with it the one command keeps its name as the first word."""


def _app_for(args: list[str], env: Environment) -> typer.Typer:
    """The app with only the command being run: typer reads the signature of every
    command it holds on every run (16 ms for thirteen), and a run needs one. Help, an
    unknown command and completion get the whole app, which lists and suggests them."""
    completing = any(k.startswith("_XRNTX_GUIDE_COMPLETE") for k in env.vars)
    if completing or not args or args[0].startswith("-") or "--help" in args or "-h" in args:
        return app
    for info in app.registered_commands:
        callback = info.callback
        name = info.name or (callback.__name__.replace("_", "-") if callback else None)
        if name == args[0]:
            solo = typer.Typer(
                add_completion=False, pretty_exceptions_show_locals=False, rich_markup_mode=None
            )
            solo.callback()(_noop)
            solo.registered_commands.append(info)
            return solo
    return app


def _arrange(args: list[str]) -> tuple[list[str], bool]:
    """The arguments as the app takes them: shared options given before the command
    moved after it, and ``walk`` when there is no command. True with ``--version``.

    Raises:
        UsageError: a shared option without its value, or one the command does not take.
    """
    shared: list[str] = []
    version = False
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("-h", "--help"):
            return ["--help"], False
        if arg in COMPLETION_OPTIONS:  # typer's own, on the app: nothing to move
            return args[i:], False
        if arg == "--version":
            version = True
        elif arg.split("=", 1)[0] in SHARED_VALUE_OPTIONS:
            if "=" not in arg:
                if i + 1 == len(args):
                    raise UsageError(f"{arg} needs a value")
                shared.append(arg)
                i += 1
                arg = args[i]
            shared.append(arg)
        elif arg in SHARED_FLAGS:
            shared.append(arg)
        else:
            break
        i += 1
    rest = args[i:]
    if version:
        return shared, True
    if not rest or rest[0].startswith("-"):
        return ["walk", *shared, *rest], False  # options of the walkthrough, the default
    command, tail = rest[0], rest[1:]
    if shared:
        taken = _options_of(command)
        if taken is not None:
            for option in shared:
                name = option.split("=", 1)[0]
                if name.startswith("--") and name not in taken:
                    raise UsageError(
                        f"{name} does not apply to `{command}`",
                        hint=f"`xrntx-guide {command} --help` lists its options.",
                    )
    return [command, *shared, *tail], False


def _refuse_twice(app_command: Any, args: list[str]) -> None:
    """An option that takes one value (an answers file, a site file, a date, a label)
    given twice is refused: click would keep the last one without a word, so a clinic's
    alias with its --site could be overridden silently by a second --site, and the first
    of two --answers files was dropped. Options that may be repeated (``-a``,
    ``--override``...) and flags are not counted. Read from the command's own options.
    """
    commands = getattr(app_command, "commands", {})
    command = commands.get(args[0]) if args else None
    if command is None or "--help" in args or "-h" in args:
        return  # no command, help, or one the app says it does not know
    takes_value: dict[str, str] = {}  # an option with a value -> its parameter
    single: set[str] = set()
    for param in command.params:
        if getattr(param, "is_flag", True) or getattr(param, "count", False):
            continue
        for opt in param.opts:
            takes_value[opt] = param.name
        if not param.multiple:
            single.add(param.name)
    seen: dict[str, str] = {}
    skip = False
    for arg in args[1:]:
        if skip:  # the value of the option before it, whatever it looks like
            skip = False
            continue
        if arg == "--":
            return
        attached = not arg.startswith("--") and len(arg) > 2  # -oFILE
        name = arg.split("=", 1)[0] if arg.startswith("--") else arg[:2] if attached else arg
        param = takes_value.get(name)
        if param is None:
            continue
        skip = "=" not in arg and not attached
        if param not in single:
            continue
        if param in seen:
            given = name if seen[param] == name else f"{seen[param]} and {name}"
            raise UsageError(
                f"{given} is given twice: give it once",
                hint="An option before the command counts too (xrntx-guide --site F ...); "
                "to combine answers files, give one file (or the others' answers as -a).",
            )
        seen[param] = name


def _options_of(command: str) -> set[str] | None:
    """The options a command takes, or None for a command that does not exist (the app
    says so in its own words)."""
    commands = getattr(typer.main.get_command(app), "commands", {})
    found = commands.get(command)
    if found is None:
        return None
    return {opt for param in found.params for opt in param.opts}


def _show_version(shared: list[str], env: Environment) -> int:
    """The program's version, the guide's id and version, and a fingerprint of the pack
    in use (every step file and the site file), so two runs can be shown to have used
    the same pack."""
    values = _shared_values(shared)
    site = Path(values["--site"]) if "--site" in values else None
    steps = Path(values["--steps"]) if "--steps" in values else None
    steps, site = pack_paths(env, steps, regular_file(site))
    with cache.using(env.cache_dir()):
        guide = guide_of(steps, site)
    digest = sha256()
    for path in sorted(p for p in guide.root.glob("*.toml") if p.is_file()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    if site is not None:
        digest.update(b"site\0" + site.read_bytes())
    # Plain lines, written without a screen: rich is not even imported.
    write_result(sys.stdout, f"xrntx-guide {__version__}")
    write_result(sys.stdout, f"guide {guide.meta.id} {guide.meta.version} ({guide.meta.status})")
    where = f"{guide.root}" + (f" with site file {site}" if site is not None else "")
    write_result(sys.stdout, f"pack sha256:{digest.hexdigest()[:16]} ({where})")
    return flushed(int(ExitCode.OK))


def _shared_values(shared: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    i = 0
    while i < len(shared):
        name, eq, value = shared[i].partition("=")
        if not eq and name in SHARED_VALUE_OPTIONS:
            i += 1
            value = shared[i]
        if name in values and name in SHARED_VALUE_OPTIONS:
            raise UsageError(f"{name} is given twice: give it once")
        values[name] = value
        i += 1
    return values
