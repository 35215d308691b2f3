"""`demo`'s work, without typer: a scenario presented through the real walkthrough,
answered from the case, paced by the trainer (commands/training.py is the command)."""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import tempfile
from pathlib import Path
from typing import Any

from ... import scenarios as sc
from ...engine.drive import Prefill
from ...env import Environment
from ...errors import ExitCode, UsageError
from ...store import open_store
from ...store.saver import Saver
from ...suggest import closest
from ...visit.contradiction import contradiction
from ...visit.presets import parse_overrides
from ...visit.rapid import ANSWERS_KEY, parse_days
from ...visit.session import new_session
from ..demo import Presenter
from ..slides import Slides, parse_size
from ..walkthrough import Walkthrough
from ..workshop import case_named, pick_case, show_cases, show_recap
from .basics import pack_paths, save_recording, start_recording, ui_for


def present(
    env: Environment,
    *,
    scenario: str | None,
    folder: Path | None,
    auto: float | None,
    record_to: Path | None,
    slide_size: str | None,
    room: bool,
    demo_clock: float,
    steps: Path | None,
    site: Path | None,
    plain: bool,
) -> int:
    """Present the case ``scenario`` (none: pick one from a list at a terminal); the exit
    code: 0 when the guide did what the case says it does."""
    if not math.isfinite(demo_clock):
        raise UsageError(f"--demo-clock {demo_clock}: give a number from 1 to 3600")
    steps, site = pack_paths(env, steps, site)
    listed = sc.read_all(folder or sc.default_dir())
    cases = {c.id: c for c in listed}
    if scenario is None:
        ui = ui_for(env, plain)
        if auto is not None or not env.stdin_tty:
            show_cases(ui, listed)
            raise UsageError(
                "demo: name the case to present",
                hint="xrntx-guide demo 01-ready-after-heroin (a terminal lets you pick by number)",
            )
        picked = pick_case(ui, listed)
        if picked is None:
            return int(ExitCode.OK)
        scenario = picked.id
    case = case_named(listed, scenario)
    if case is None:
        close = closest(scenario, cases)
        raise UsageError(
            f"no scenario {scenario!r}" + (f" (did you mean {close!r}?)" if close else ""),
            hint="`xrntx-guide scenarios` lists them.",
        )
    if auto is None and not env.stdin_tty:
        raise UsageError("demo needs a terminal to pause at; give --auto SECONDS to run unattended")
    slides = None
    if slide_size is not None:
        if record_to is None:
            raise UsageError("--slide-size: give --record FILE.svg or FILE.html as well")
        cols, rows = parse_size(slide_size)
    ui = ui_for(env, plain)
    start_recording(ui, record_to)
    if slide_size is not None:
        ui.out.width = cols  # the screen is laid out at the slide's width
        slides = Slides(ui, cols, rows)
    if auto is None:
        with contextlib.suppress(ImportError):
            # Line editing at the pauses, as at a walk's prompts: Ctrl-L clears the
            # screen instead of showing ^L.
            # seam: line editing (readline), only for a demo at a terminal
            import readline  # noqa: F401
    guide = sc.guide_for(case, steps, site)
    ui.alert(f"TRAINING: scenario {case.id}: {case.title}")
    ui.block(case.story)
    for point in case.teaching_points:
        ui.bullet(point)
    requests = parse_overrides(guide, case.overrides)
    # One clock for the case: its date at the real time of day, running on from there
    # (the times shown and stamped agree with the case's date; its series count as of
    # the end of that day, visit/clock.py). Begun in the evening, it starts at noon
    # instead: a presentation never runs past its case's day (a result typed after
    # midnight would be the next day's, and refused for the case's visit).
    real = env.now().astimezone().time()
    noon = dt.time(12)
    start = real if real < dt.time(18) else noon
    latest = _latest_of_its_day(case.answers, case.today)
    if latest is not None and start <= latest:
        # Before the case's own results of its day (a rating at 08:30, presented at
        # 01:00): they would be after now, and a challenge begun then before its rating.
        after = dt.datetime.combine(case.today, latest) + dt.timedelta(minutes=1)
        start = max(noon, after.time()) if after.date() == case.today else latest
    env.fix_clock(dt.datetime.combine(case.today, start).astimezone())
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

        earlier = sc.from_history(guide, case)
        # Judged first as `scenarios test` judges it (judge.py, with the record): what
        # check refuses, the presenter refuses before the walk starts.
        filled = sc.played(guide, case)[1]
        prefills = {
            key: Prefill(fill.value, "history", "from the case's earlier visit")
            for key, fill in (earlier.prefills if earlier is not None else {}).items()
            if key not in case.answers  # the case's own answer is given, never replaced
        }

        def conflict(key: str, value: object) -> str | None:
            """The one rule of visit/contradiction.py, for each answer the walk records."""
            answers = {**record.typed_answers(guide, case.today), key: value}
            found = contradiction(guide, answers, earlier)
            return None if found is None else f"{found.key}: {found.at_prompt}"

        # A scratch store of its own: a training run is never in the clinic's store.
        w = Walkthrough(
            ui,
            guide,
            record,
            Saver(open_store(None, Path(scratch)), "training", record.id, guide=guide),
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
        return int(ExitCode.OK)
    if presenter.unanswered is not None:
        ui.note(f"(the walk ended at {presenter.unanswered}, which the scenario does not answer)")
    differences = sc.compare(case.expect, sc.outcome(state, filled))
    ui.alert(
        "TRAINING: the guide gave the scenario's expected outcome."
        if not differences
        else "TRAINING: the outcome differs from the scenario's: " + "; ".join(differences)
    )

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
    return int(ExitCode.BLOCKED if differences else ExitCode.OK)


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


def _latest_of_its_day(answers: Any, day: dt.date) -> dt.time | None:
    """The latest time of day a case's answers give a result of its own day (a COWS
    rating of the rapid pathway's day, a series entry's ``at``), or None."""
    found: list[dt.time] = []

    def walk(value: Any, on: dt.date | None) -> None:
        if isinstance(value, dt.datetime):
            if value.date() == day:
                found.append(value.time().replace(tzinfo=None))
        elif isinstance(value, dt.time):
            if on == day:
                found.append(value.replace(tzinfo=None))
        elif isinstance(value, dict):
            here = value.get("date", on)
            for item in value.values():
                walk(item, here if isinstance(here, dt.date) else on)
        elif isinstance(value, list):
            for item in value:
                walk(item, on)

    walk(answers, None)
    return max(found) if found else None
