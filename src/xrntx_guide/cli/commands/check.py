"""`check`: can the patient receive the injection now? One patient, or a batch."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

from ...env import Environment
from ...errors import ExitCode, UsageError
from ...pack.guide import Guide
from ...visit.presets import evaluate_presets, file_days, file_series, parse_overrides
from .common import (
    AnswerOpt,
    AnswersOpt,
    Given,
    OverrideOpt,
    PlainOpt,
    SiteOpt,
    StepsOpt,
    TodayOpt,
    environment,
    gather_answers,
    guide_of,
    pack_paths,
    parse_today,
    ui_for,
)


def check(
    ctx: typer.Context,
    answer: AnswerOpt = None,
    answers: AnswersOpt = None,
    override: OverrideOpt = None,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
    today: TodayOpt = None,
    steps: StepsOpt = None,
    site: SiteOpt = None,
    plain: PlainOpt = False,
    no_input: Annotated[
        bool,
        typer.Option("--no-input", help="Never prompt (check never does; accepted for symmetry)."),
    ] = False,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain",
            help="Add each gate's findings (every comparison with its values) to the JSON.",
        ),
    ] = False,
    batch: Annotated[
        Path | None,
        typer.Option(
            "--batch",
            help="JSON Lines of answers (- for stdin): one result line per input line.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Can the patient receive the injection now? Never prompts."""
    env = environment(ctx)
    from ...output.report import check_result

    if explain and not json_out and batch is None:
        raise UsageError(
            "--explain adds the findings to the JSON result: give --json too",
            hint="Without --json, `xrntx-guide walk` shows each gate in words (`why detail`).",
        )
    guide = guide_of(*pack_paths(env, steps, site))
    day = parse_today(today, env)
    if batch is not None:
        code = _check_batch(env, guide, day, batch, answer or [], answers, override or [], explain)
        raise typer.Exit(int(code))
    given = gather_answers(env, guide, answer or [], answers, day)
    presets = given.answers
    state = evaluate_presets(guide, presets, day, parse_overrides(guide, override or []))
    if json_out:
        result = check_result(state, explain)
        used = _series_used(guide, given.raw, presets, day)
        if used is not None:
            result["used"] = used

        rapid = _rapid_result(guide, state, given, day)
        if rapid is not None:
            result["rapid"] = rapid
        env.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    else:
        from ..render import show_check

        show_check(ui_for(env, plain), state)
    code = {
        "ready": ExitCode.OK,
        "blocked": ExitCode.BLOCKED,
        "needs_override": ExitCode.BLOCKED,
        "incomplete": ExitCode.INCOMPLETE,
    }[state.status]
    raise typer.Exit(int(code))


def _check_batch(
    env: Environment,
    guide: Guide,
    day: dt.date,
    source: Path,
    answer: list[str],
    answers: Path | None,
    override: list[str],
    explain: bool,
) -> ExitCode:
    """One JSON object of answers per line in, one result per line out; bad lines go on.

    Each line is the single check of its answers with the same options: ``--answer`` over
    the line over ``--answers FILE``, and ``--override`` checked here, before any line.
    """
    from ...batch import Job, read_lines, run
    from ...files import Unreadable, open_regular
    from ..streams import OutputFailed, ReaderGone

    if str(source) == "-" and answers is not None and str(answers) == "-":
        raise UsageError(
            "--batch - and --answers - both read standard input: give one of them a file"
        )
    # The file read once, with the flags (a flag beside its series is refused there);
    # each line's answers then go between the two.
    given = gather_answers(env, guide, answer or [], answers, day)
    job = Job(
        guide,
        day,
        {k: p for k, p in given.answers.items() if p.origin != "flag"},
        explain,
        flags={k: p for k, p in given.answers.items() if p.origin == "flag"},
        overrides=tuple(parse_overrides(guide, override)),
        shared_raw=given.raw,
        shared_days=file_days(guide, given.raw, day, given.where),
    )
    if str(source) == "-":
        handle = env.stdin.buffer
    else:
        try:
            handle = open_regular(source)
        except Unreadable as exc:
            raise UsageError(
                f"--batch {source}: {exc.reason}", hint="Give - to read standard input."
            ) from None

    try:
        failed = run(job, read_lines(handle), env.stdout.write)
        env.stdout.flush()
    except BrokenPipeError:
        raise ReaderGone() from None
    except OSError as exc:  # reading the input is read_lines' to report
        raise OutputFailed(exc) from None
    finally:
        if handle is not env.stdin.buffer:
            handle.close()
    return ExitCode.USAGE if failed else ExitCode.OK


def _series_used(
    guide: Guide, raw: Mapping[str, Any], presets: dict[str, Any], day: dt.date
) -> dict[str, Any] | None:
    """Which COWS rating and which challenge result of the answers file's series the gates
    read (``used`` in ``check --json``); None when the file gives no series."""
    expanded = file_series(guide, raw, presets, day)
    if expanded is None:
        return None
    used = expanded.used()
    # A flag given for what the file's series does not give (a COWS total beside the
    # file's challenges only) is what is read for it.
    if any(k.startswith("cows_") and p.origin == "flag" for k, p in presets.items()):
        used["cows_rating"] = "flag"
    if any(k.startswith("naloxone_") and p.origin == "flag" for k, p in presets.items()):
        used["naloxone_challenge"] = "flag"
    return used


def _rapid_result(guide: Guide, state: Any, given: Given, day: dt.date) -> dict[str, Any] | None:
    """What the rapid pathway's daily record (``rapid_days`` of the answers file) says,
    when the pathway applies to the patient: the day reached and what is missing."""
    from ...visit.answers import is_record_key

    shown = state.question_visible
    if not any(is_record_key(guide, k) and shown.get(k) is not False for k in guide.questions):
        return None  # not on the pathway (its questions do not apply)
    from ...visit.rapid import check_block  # pydantic: only on the pathway

    # One function for the block, the single check's and each batch line's (batch.py).
    return check_block(guide, shown, file_days(guide, given.raw, day, given.where), day)
