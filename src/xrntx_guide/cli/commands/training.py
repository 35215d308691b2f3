"""For trainers: `scenarios`, `demo` (presenter mode) and `export` (the guide as a handout)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from ...errors import ExitCode, UsageError
from ...output.versions import SCENARIOS_TEST as version
from .common import (
    JsonOpt,
    PlainDataOpt,
    PlainOpt,
    RecordOpt,
    SiteOpt,
    StepsOpt,
    did_you_mean,
    environment,
    guide_of,
    pack_paths,
    ui_for,
)


def scenarios(
    ctx: typer.Context,
    action: Annotated[
        str,
        typer.Argument(help="list (the default): the cases; test: run each and compare."),
    ] = "list",
    folder: Annotated[
        Path | None,
        typer.Argument(help="A folder of scenario files (default: the shipped ones)."),
    ] = None,
    points: Annotated[
        bool,
        typer.Option("--points", help="List every teaching point of each case."),
    ] = False,
    json_out: JsonOpt = False,
    steps: StepsOpt = None,
    site: SiteOpt = None,
    plain: PlainOpt = False,
) -> None:
    """Case scenarios for teaching, which double as the guide's content tests.

    `scenarios` lists them (`--points`: with every teaching point); `scenarios test
    [DIR]` runs each through the engine and compares the outcome with the expected one
    (exit 1 on any difference). A clinic can
    keep its own folder of scenarios for its own site file (--site applies to all).
    """
    env = environment(ctx)
    from ... import scenarios as sc  # seam: the command's own work, loaded when it runs

    if action not in ("list", "test"):
        raise UsageError(
            f"scenarios {action!r}: expected 'list' or 'test'",
            hint="xrntx-guide scenarios test [DIR]",
        )
    steps, site = pack_paths(env, steps, site)
    ui = ui_for(env, plain)
    cases = sc.read_all(folder or sc.default_dir())
    if action == "list":
        rows = [
            {
                "id": c.id,
                "title": c.title,
                "date": c.today.isoformat(),
                "expect": c.expect["status"],
                "teaching_points": list(c.teaching_points),
            }
            for c in cases
        ]
        if json_out:
            ui.result(json.dumps(rows, ensure_ascii=False))
            return
        if points:
            from ..workshop import show_cases  # seam: the command's own work, loaded when it runs

            show_cases(ui, cases, points=True)
            return
        ui.table(
            ["scenario", "title", "visit date", "expected"],
            [[r["id"], r["title"], r["date"], r["expect"]] for r in rows],
            prose=("title",),
        )
        return

    results: list[dict[str, Any]] = []
    refused: list[sc.ScenarioError] = []
    for case in cases:
        guide = sc.guide_for(case, steps, site)
        try:
            got = sc.outcome(*sc.played(guide, case))
        except sc.ScenarioError as exc:  # every refused scenario is reported, not the first
            refused.append(exc)
            results.append(
                {"format_version": version, "id": case.id, "refused": exc.message, "hint": exc.hint}
            )
            continue
        differences = sc.compare(case.expect, got)
        results.append(
            {"format_version": version, "id": case.id, "differences": differences, "got": got}
        )
    failed = [r for r in results if r.get("differences")]
    if json_out:
        ui.result(json.dumps(results, ensure_ascii=False, default=_iso))
    else:
        for r in results:
            if "refused" in r:
                ui.line(f"REFUSED {r['id']}")
                continue
            ui.line(f"{'FAIL' if r['differences'] else 'ok  '} {r['id']}")
            for diff in r["differences"]:
                ui.line(f"       {diff}")
        ui.line(
            f"{len(results) - len(failed) - len(refused)} scenarios as expected, "
            f"{len(failed)} differ" + (f", {len(refused)} refused" if refused else "")
        )
    for why in refused:  # each refusal on stderr, with its fix, as any usage error
        ui.error(why.message + (f"\n{why.hint}" if why.hint else ""))
    if refused:
        raise typer.Exit(int(ExitCode.USAGE))
    if failed:
        raise typer.Exit(int(ExitCode.BLOCKED))


def _iso(value: object) -> str:
    """A date or a time in an outcome (an earliest date), as JSON carries it: ISO 8601."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


# -- export ---------------------------------------------------------------------------------


def export(
    ctx: typer.Context,
    fmt: Annotated[
        str,
        typer.Option(
            "--format", help="markdown | html | cards (printable case cards) | fhir-questionnaire"
        ),
    ] = "markdown",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write to this file (default: stdout).", show_default=False
        ),
    ] = None,
    folder: Annotated[
        Path | None,
        typer.Option(
            "--dir",
            help="With --format cards: a folder of scenarios (default: the shipped ones).",
            show_default=False,
        ),
    ] = None,
    steps: StepsOpt = None,
    site: SiteOpt = None,
    plain: PlainDataOpt = False,
) -> None:
    """The whole guide as a handout: every step, question and gate in words, the settings
    in force (with --site), facts marked verify, and the sources. HTML is one
    self-contained printable file with a diagram of the flow. `--format cards`: printable
    case cards, one per scenario (the story and what to ask on the front, the teaching
    points and the outcome on the back)."""
    env = environment(ctx)
    from ...output import export as ex  # seam: the command's own work, loaded when it runs

    formats = ("markdown", "html", "cards", "fhir-questionnaire")
    if fmt not in formats:
        raise UsageError(
            f"--format {fmt!r}{did_you_mean(fmt, formats)}: choose markdown, html, cards or "
            "fhir-questionnaire"
        )
    guide = guide_of(*pack_paths(env, steps, site))
    if fmt == "fhir-questionnaire":  # the guide as a FHIR Questionnaire (SDC), as JSON
        # seam: the command's own work, loaded when it runs
        from ...output.fhir import questionnaire

        text = json.dumps(questionnaire(guide), ensure_ascii=False, indent=2)
    elif fmt == "cards":
        from ... import scenarios as sc  # seam: the command's own work, loaded when it runs
        from ...output.cards import cards_html  # seam: the command's own work, loaded when it runs

        text = cards_html(guide, sc.read_all(folder or sc.default_dir()))
    else:
        text = ex.markdown(guide) if fmt == "markdown" else ex.html_document(guide)
    if output is None:
        env.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--output {output}: cannot write: {exc.strerror or exc}") from None
    # Said on stderr (a newcomer saw nothing and wondered): stdout stays empty for scripts.
    env.stderr.write(f"Written: {output} ({fmt}, {len(text.encode('utf-8')):,} bytes)\n")


# -- demo -----------------------------------------------------------------------------------


def demo(
    ctx: typer.Context,
    scenario: Annotated[
        str | None,
        typer.Argument(
            help="A scenario id (see `xrntx-guide scenarios`); none: pick from a list.",
            show_default=False,
        ),
    ] = None,
    folder: Annotated[
        Path | None,
        typer.Option(
            "--dir", help="A folder of scenarios (default: the shipped ones).", show_default=False
        ),
    ] = None,
    auto: Annotated[
        float | None,
        typer.Option(
            "--auto",
            min=0.0,
            max=600.0,
            help="Advance by itself every N seconds.",
            show_default=False,
        ),
    ] = None,
    record_to: RecordOpt = None,
    slide_size: Annotated[
        str | None,
        typer.Option(
            "--slide-size",
            help="With --record: one slide per screen, COLUMNSxLINES (e.g. 100x30).",
            show_default=False,
        ),
    ] = None,
    room: Annotated[
        bool,
        typer.Option(
            "--room",
            help="Participant mode: at each gate ask the room first; a key reveals it.",
        ),
    ] = False,
    demo_clock: Annotated[
        float,
        typer.Option("--demo-clock", min=1.0, max=3600.0, help="Timers run N times faster."),
    ] = 60.0,
    steps: StepsOpt = None,
    site: SiteOpt = None,
    plain: PlainOpt = False,
) -> None:
    """Present a scenario: the real walkthrough, answered from the case, paced by you.

    With no scenario, lists the cases and lets you pick one by number. At each pause:
    Enter goes on, b goes back, f fast-forwards the naloxone-challenge timer, w KEY=VALUE
    shows what the guide would do with one answer changed (and comes back), q quits.
    --room asks the room at each gate before the verdict. A recap ends the case.
    Everything is marked TRAINING; no care session or note is written.
    """
    from .presenting import present  # seam: the command's own work, loaded when it runs

    code = present(
        environment(ctx),
        scenario=scenario,
        folder=folder,
        auto=auto,
        record_to=record_to,
        slide_size=slide_size,
        room=room,
        demo_clock=demo_clock,
        steps=steps,
        site=site,
        plain=plain,
    )
    if code:
        raise typer.Exit(code)
