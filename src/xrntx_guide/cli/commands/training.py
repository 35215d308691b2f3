"""For trainers: `scenarios`, `demo` (presenter mode) and `export` (the guide as a handout)."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Annotated, Any

import typer

from ...errors import ExitCode, UsageError
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
    save_recording,
    start_recording,
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
    from ... import scenarios as sc

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
            from ..workshop import show_cases

            show_cases(ui, cases, points=True)
            return
        ui.table(
            ["scenario", "title", "visit date", "expected"],
            [[r["id"], r["title"], r["date"], r["expect"]] for r in rows],
            prose=("title",),
        )
        return
    from ...output.versions import SCENARIOS_TEST as version

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
    from ...output import export as ex

    formats = ("markdown", "html", "cards", "fhir-questionnaire")
    if fmt not in formats:
        raise UsageError(
            f"--format {fmt!r}{did_you_mean(fmt, formats)}: choose markdown, html, cards or "
            "fhir-questionnaire"
        )
    guide = guide_of(*pack_paths(env, steps, site))
    if fmt == "fhir-questionnaire":  # the guide as a FHIR Questionnaire (SDC), as JSON
        from ...output.fhir import questionnaire

        text = json.dumps(questionnaire(guide), ensure_ascii=False, indent=2)
    elif fmt == "cards":
        from ... import scenarios as sc
        from ...output.cards import cards_html

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
    env = environment(ctx)
    import tempfile

    from ... import scenarios as sc
    from ...visit.presets import parse_overrides
    from ...visit.rapid import ANSWERS_KEY, parse_days
    from ...visit.session import new_session
    from ..demo import Presenter
    from ..walkthrough import Walkthrough

    if not math.isfinite(demo_clock):
        raise UsageError(f"--demo-clock {demo_clock}: give a number from 1 to 3600")
    steps, site = pack_paths(env, steps, site)
    listed = sc.read_all(folder or sc.default_dir())
    cases = {c.id: c for c in listed}
    if scenario is None:
        from ..workshop import pick_case, show_cases

        ui = ui_for(env, plain)
        if auto is not None or not env.stdin_tty:
            show_cases(ui, listed)
            raise UsageError(
                "demo: name the case to present",
                hint="xrntx-guide demo 01-ready-after-heroin (a terminal lets you pick by number)",
            )
        picked = pick_case(ui, listed)
        if picked is None:
            return
        scenario = picked.id
    case = cases.get(scenario)
    if case is None:
        import difflib

        close = difflib.get_close_matches(scenario, list(cases), n=1)
        raise UsageError(
            f"no scenario {scenario!r}" + (f" (did you mean {close[0]!r}?)" if close else ""),
            hint="`xrntx-guide scenarios` lists them.",
        )
    if auto is None and not env.stdin_tty:
        raise UsageError("demo needs a terminal to pause at; give --auto SECONDS to run unattended")
    slides = None
    if slide_size is not None:
        from ..slides import parse_size

        if record_to is None:
            raise UsageError("--slide-size: give --record FILE.svg or FILE.html as well")
        cols, rows = parse_size(slide_size)
    ui = ui_for(env, plain)
    start_recording(ui, record_to)
    if slide_size is not None:
        from ..slides import Slides

        ui.out.width = cols  # the screen is laid out at the slide's width
        slides = Slides(ui, cols, rows)
    if auto is None:
        import contextlib

        with contextlib.suppress(ImportError):
            # Line editing at the pauses, as at a walk's prompts: Ctrl-L clears the
            # screen instead of showing ^L.
            import readline  # noqa: F401
    guide = sc.guide_for(case, steps, site)
    ui.alert(f"TRAINING: scenario {case.id}: {case.title}")
    ui.block(case.story)
    for point in case.teaching_points:
        ui.bullet(point)
    requests = parse_overrides(guide, case.overrides)
    # One clock for the case: its date at the real time of day, running on from there
    # (the times shown and stamped agree with the case's date; its series count as of
    # the end of that day, visit/clock.py).
    env.fix_clock(dt.datetime.combine(case.today, env.now().astimezone().time()).astimezone())
    with tempfile.TemporaryDirectory(prefix="xrntx-demo-") as scratch:
        record = new_session(
            guide, f"TRAINING-{case.id}", env.now(), case.today, demo_clock=demo_clock
        )
        if ANSWERS_KEY in case.answers:  # the rapid pathway's daily record, as walk keeps it
            where = f"{case.path} [answers]"
            days = parse_days(guide, case.answers[ANSWERS_KEY], case.today, where)
            record.set_rapid_days(days, env.now())
        # The case's earlier visits ([[history]]) fill in what a repeat visit takes from
        # the patient's record, as `scenarios test` and a care walk do.
        from ...engine.drive import Prefill

        earlier = sc.from_history(guide, case)
        # Judged first as `scenarios test` judges it (judge.py, with the record): what
        # check refuses, the presenter refuses before the walk starts.
        filled = sc.played(guide, case)[1]
        prefills = {
            key: Prefill(fill.value, "history", "from the case's earlier visit")
            for key, fill in (earlier.prefills if earlier is not None else {}).items()
            if key not in case.answers  # the case's own answer is given, never replaced
        }
        from ...visit.contradiction import contradiction

        def conflict(key: str, value: object) -> str | None:
            """The one rule of visit/contradiction.py, for each answer the walk records."""
            answers = {**record.typed_answers(guide, case.today), key: value}
            found = contradiction(guide, answers, earlier)
            return None if found is None else f"{found.key}: {found.at_prompt}"

        from ...store import open_store
        from ...store.saver import Saver

        # A scratch store of its own: a training run is never in the clinic's store.
        w = Walkthrough(
            ui,
            guide,
            record,
            Saver(open_store(None, Path(scratch)), "training", record.id),
            case.today,
            env.clock.sped_up(demo_clock),
            flag_overrides={r.gate: r for r in requests},
            responder=(
                presenter := Presenter(
                    case,
                    auto,
                    record=earlier,
                    room=room,
                    clear=next(iter(_ready_cases(listed, case)), None),
                    clear_others=_ready_cases(listed, case)[1:],
                    on_pause=slides.cut if slides is not None else None,
                )
            ),
            prefills=prefills,
            history_conflict=conflict,
        )
        w.run()
        # Where the case ends, with all its answers, as `scenarios test` judges it: the
        # walk itself stops at the first gate that blocks, before the later questions.
        state = presenter.ends(w)
    title = f"TRAINING: {case.title}"
    if presenter.stopped:
        ui.alert("TRAINING: stopped by the trainer before the end of the case.")
        _save(ui, record_to, slides, title)
        return
    if presenter.unanswered is not None:
        ui.note(f"(the walk ended at {presenter.unanswered}, which the scenario does not answer)")
    differences = sc.compare(case.expect, sc.outcome(state, filled))
    ui.alert(
        "TRAINING: the guide gave the scenario's expected outcome."
        if not differences
        else "TRAINING: the outcome differs from the scenario's: " + "; ".join(differences)
    )
    from ..workshop import show_recap

    if slides is not None:
        slides.cut()  # the recap is a slide of its own
    show_recap(
        ui,
        case,
        state.status,
        state.blocking,
        state.cautions,
        state.earliest_injection_date,
        presenter.what_ifs,
        presenter.tally,
    )
    _save(ui, record_to, slides, title)
    # A presenter run succeeds when the guide did what the case says it does.
    if differences:
        raise typer.Exit(int(ExitCode.BLOCKED))


def _save(ui: Any, record_to: Path | None, slides: Any, title: str) -> None:
    """The recording: one image (or page) of the whole run, or slides."""
    if slides is None:
        save_recording(ui, record_to, title)
        return
    assert record_to is not None
    written = slides.save(record_to, title)
    ui.note(
        f"Recorded: {len(slides.pages)} slides, "
        + (f"{written[0]} to {written[-1]}" if len(written) > 1 else str(written[0]))
    )


def _ready_cases(cases: list[Any], case: Any) -> list[Any]:
    """The ready cases whose answers may stand in for those a blocked case never reaches
    (a what-if "as if every later answer were clear"): without earlier visits or a site
    file of its own, those of the same kind of visit first."""
    ready = [
        other
        for other in cases
        if other.id != case.id
        and other.expect.get("status") == "ready"
        and not other.history
        and other.site is None
    ]
    visit = case.answers.get("visit")
    return sorted(ready, key=lambda other: other.answers.get("visit") != visit)
