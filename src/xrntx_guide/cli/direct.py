"""`check` without typer: a plain command line of `check` is read here and run at once.

Importing typer (and click) costs more than the whole check on a cached pack, so a
command line made only of `check` and options it takes, each given in its plain form, is
read here and run by the same code as the app's `check` (commands/checking.py) behind
the same error boundary (cli/boundary.py). Anything else - help, completion, `--batch`,
`--label`, an option given twice, an option or value this reader does not know, or a
`--site` that is not a regular file - goes to the app, which says what is wrong in its
own words: so this route changes nothing a user sees but the time it takes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import ExitCode, UserError

VALUE_OPTIONS = {
    "--answer": "answer",
    "-a": "answer",
    "--answers": "answers",
    "--override": "override",
    "--today": "today",
    "--now": "now_at",
    "--steps": "steps",
    "--site": "site",
}
REPEATABLE = {"answer", "override"}
FLAGS = {"--json": "json_out", "--plain": "plain", "--no-input": "no_input", "--explain": "explain"}


def read_check(args: list[str]) -> dict[str, object] | None:
    """The options of a plain `check` command line (``args`` without the program name),
    or None when the app is to read it."""
    if not args or args[0] != "check":
        return None
    got: dict[str, object] = {"answer": [], "override": []}
    i = 1
    while i < len(args):
        arg = args[i]
        name, eq, inline = arg.partition("=")
        if arg in FLAGS:
            got[FLAGS[arg]] = True
        elif name in VALUE_OPTIONS and (eq == "" or name.startswith("--")):
            if eq:
                value = inline
            elif i + 1 < len(args):
                i += 1
                value = args[i]
            else:
                return None
            if value == "" or value.startswith("-"):
                return None  # the app knows what such a value means, or refuses it
            key = VALUE_OPTIONS[name]
            if key in REPEATABLE:
                got[key].append(value)  # type: ignore[attr-defined]
            elif key in got:
                return None  # given twice
            else:
                got[key] = value
        else:
            return None
        i += 1
    return got


def main(argv: list[str]) -> int | None:
    """Run a plain `check` command line; None when the app is to run it."""
    import os

    if any(k.startswith("_XRNTX_GUIDE_COMPLETE") for k in os.environ):
        return None
    got = read_check(argv)
    if got is None or sys.stdout is None or sys.stdin is None or sys.stderr is None:
        return None
    site = Path(str(got["site"])) if "site" in got else None
    if site is not None and not _regular_or_missing(site):
        return None  # the app's parameter check words it
    from ..env import Environment
    from .boundary import Failed, boundary, flushed, reader_gone, report
    from .streams import ReaderGone

    env = Environment.of(sys.stdin, sys.stdout, sys.stderr)
    as_json = bool(got.get("json_out"))
    try:
        with boundary(as_json, lambda: env.debug):
            from ..pack import cache
            from .commands.checking import check_one, prepare

            with cache.using(env.cache_dir()):
                guide, day = prepare(
                    env,
                    json_out=as_json,
                    today=_text(got.get("today")),
                    now_at=_text(got.get("now_at")),
                    steps=_path(got.get("steps")),
                    site=site,
                    explain=bool(got.get("explain")),
                    label=None,
                    batch=None,
                )
                code = check_one(
                    env,
                    guide,
                    day,
                    answer=list(got["answer"]) or None,  # type: ignore[call-overload]
                    answers=_path(got.get("answers")),
                    override=list(got["override"]) or None,  # type: ignore[call-overload]
                    json_out=as_json,
                    plain=bool(got.get("plain")),
                    explain=bool(got.get("explain")),
                    label=None,
                )
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


def _regular_or_missing(path: Path) -> bool:
    from ..files import Unreadable, open_regular

    try:
        open_regular(path).close()
    except Unreadable as exc:
        return exc.missing
    return True


def _path(value: object) -> Path | None:
    return None if value is None else Path(str(value))


def _text(value: object) -> str | None:
    return None if value is None else str(value)
