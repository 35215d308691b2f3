"""The app's `walk` (the default command): its options, read by typer. Its work is in
commands/walk.py, which a plain command line runs without typer (cli/direct.py)."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import (
    AnswerOpt,
    AnswersOpt,
    ClinicianOpt,
    DatabaseOpt,
    NowOpt,
    OverrideOpt,
    PlainOpt,
    RecordOpt,
    SiteOpt,
    StepsOpt,
    TodayOpt,
    environment,
)


def walk(
    ctx: typer.Context,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Continue a saved walkthrough (the latest unfinished one, or --session/--label).",
        ),
    ] = False,
    session: Annotated[
        str | None,
        typer.Option(
            "--session",
            help="With --resume: the stored session's id or label (a JSON record file "
            "given here is imported into the store first, saying so).",
            show_default=False,
        ),
    ] = None,
    label: Annotated[
        str | None, typer.Option("--label", help="Patient label (not a name).", show_default=False)
    ] = None,
    answer: AnswerOpt = None,
    answers: AnswersOpt = None,
    correct: Annotated[
        list[str] | None,
        typer.Option(
            "--correct",
            help="KEY@TIME=REASON: the result given by --answer KEY corrects the one "
            "recorded at TIME (both are kept); repeatable.",
            show_default=False,
        ),
    ] = None,
    override: OverrideOpt = None,
    acknowledge: Annotated[
        list[str] | None,
        typer.Option(
            "--acknowledge",
            help="Acknowledge a caution gate without a prompt (or 'all').",
            show_default=False,
        ),
    ] = None,
    no_input: Annotated[bool, typer.Option("--no-input", help="Never prompt.")] = False,
    today: TodayOpt = None,
    now_at: NowOpt = None,
    steps: StepsOpt = None,
    site: SiteOpt = None,
    plain: PlainOpt = False,
    demo_clock: Annotated[
        float,
        typer.Option(
            "--demo-clock",
            min=1.0,
            max=3600.0,
            help="Run timers N times faster (training demos only).",
        ),
    ] = 1.0,
    record_to: RecordOpt = None,
    json_out: Annotated[
        bool,
        typer.Option(
            "--json",
            help="For scripts (with --no-input): the outcome as one JSON object on stdout "
            "(status, session, blocking, missing, next_dose_due); the screen goes to stderr.",
        ),
    ] = False,
    no_save: Annotated[
        bool,
        typer.Option(
            "--no-save", help="A dry run: never write a session (interactive or --no-input)."
        ),
    ] = False,
    database: DatabaseOpt = None,
    clinician_name: ClinicianOpt = None,
) -> None:
    """Walk through the guide step by step (the default command)."""
    from .walk import run_walk  # seam: the command's own work, loaded when it runs

    code = run_walk(
        environment(ctx),
        resume=resume,
        session=session,
        label=label,
        answer=answer,
        answers=answers,
        correct=correct,
        override=override,
        acknowledge=acknowledge,
        no_input=no_input,
        today=today,
        now_at=now_at,
        steps=steps,
        site=site,
        plain=plain,
        demo_clock=demo_clock,
        record_to=record_to,
        json_out=json_out,
        no_save=no_save,
        database=database,
        clinician_name=clinician_name,
    )
    raise typer.Exit(code)
