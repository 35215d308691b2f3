"""`check`: can the patient receive the injection now? One patient, or a batch."""

from __future__ import annotations

import datetime as dt
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from ...env import Environment
from ...errors import ExitCode, UsageError
from ...files import Unreadable, open_regular
from ...pack.guide import Guide
from ...visit.presets import file_days, given_observation, parse_overrides
from ..progress import Progress
from ..storage import the_store
from ..streams import OutputFailed, ReaderGone
from .common import (
    AnswerOpt,
    AnswersOpt,
    NowOpt,
    OverrideOpt,
    PlainOpt,
    SiteOpt,
    StepsOpt,
    TodayOpt,
    environment,
    gather_answers,
)


def check(
    ctx: typer.Context,
    answer: AnswerOpt = None,
    answers: AnswersOpt = None,
    override: OverrideOpt = None,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
    today: TodayOpt = None,
    now_at: NowOpt = None,
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
    label: Annotated[
        str | None,
        typer.Option(
            "--label",
            help="The patient's label: read their record (saved walks) as a walk does.",
            show_default=False,
        ),
    ] = None,
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
    from .checking import check_one, prepare  # seam: the command's own work, when it runs

    env = environment(ctx)
    guide, day = prepare(
        env,
        json_out=json_out,
        today=today,
        now_at=now_at,
        steps=steps,
        site=site,
        explain=explain,
        label=label,
        batch=batch,
    )
    if batch is not None:
        code = _check_batch(env, guide, day, batch, answer or [], answers, override or [], explain)
        raise typer.Exit(int(code))
    raise typer.Exit(
        check_one(
            env,
            guide,
            day,
            answer=answer,
            answers=answers,
            override=override,
            json_out=json_out,
            plain=plain,
            explain=explain,
            label=label,
        )
    )


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
    from ...batch import Job, read_lines, run  # seam: the batch (pydantic), only for --batch

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
        shared_days=file_days(guide, given.raw, day, given.where, env.now()),
        starts=given_observation(
            guide, given.raw, given.where, given.answers, answer or [], day, env.now()
        )[0],
        now=env.now(),
        store=lambda: _store(env),  # opened only for a line with a "label"
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

    lines = read_lines(handle)
    write: Callable[[str], object] = env.stdout.write
    progress = None
    if env.stderr_tty:  # a person watching: a progress line; never in a pipe or a file
        progress = Progress(env.stderr, _size(handle))
        lines, write = progress.lines(lines), progress.passing(env.stdout.write)

    try:
        failed = run(job, lines, write)
        env.stdout.flush()
    except BrokenPipeError:
        raise ReaderGone() from None
    except OSError as exc:  # reading the input is read_lines' to report
        raise OutputFailed(exc) from None
    finally:
        if progress is not None:
            progress.done()
        if handle is not env.stdin.buffer:
            handle.close()
    return ExitCode.USAGE if failed else ExitCode.OK


def _size(handle: Any) -> int | None:
    """The size of a regular file being read, for the time left; None for a stream."""
    try:
        info = os.fstat(handle.fileno())
    except (OSError, ValueError, AttributeError):
        return None
    return info.st_size if stat.S_ISREG(info.st_mode) else None


def _store(env: Environment) -> Any:
    # Where no store was found is said in each labelled line's record warnings (batch.py
    # Job.record): a mistyped XRNTX_GUIDE_HOME is never read as a patient without visits.
    return the_store(env, reading=True)
