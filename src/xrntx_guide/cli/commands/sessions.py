"""Saved walkthroughs: `sessions` lists or deletes them, `note` writes a chart note."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from ...engine.evaluate import evaluate
from ...errors import UsageError
from .common import (
    JsonOpt,
    NoteSiteOpt,
    NowOpt,
    PlainDataOpt,
    PlainOpt,
    SiteOpt,
    StepsOpt,
    TodayOpt,
    did_you_mean,
    environment,
    guide_of,
    pack_paths,
    parse_today,
    patient_label,
    suggesting_labels,
    ui_for,
)


def sessions(
    ctx: typer.Context,
    delete: Annotated[
        list[str] | None,
        typer.Option(
            "--delete", help="Delete a session (label, id or file), repeatable.", show_default=False
        ),
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Delete without asking (needed off a terminal).")
    ] = False,
    json_out: JsonOpt = False,
    plain: PlainOpt = False,
) -> None:
    """List saved walkthroughs, or delete them (asking first, unless --yes)."""
    env = environment(ctx)
    from ...visit.session import delete_session, scan_sessions

    ui = ui_for(env, plain)
    directory = env.sessions_dir()
    if delete:
        # Check every reference first: a typo, or a file that is not a session record,
        # deletes nothing and asks nothing.
        paths = [_deletable(directory, ref, ui.warning) for ref in delete]
        if not yes:
            if not env.stdin_tty:
                raise UsageError(
                    f"--delete: not on a terminal, so nothing is deleted without --yes "
                    f"({', '.join(map(str, paths))})",
                    hint="Add --yes to delete without asking.",
                )
            ui.line("This deletes:")
            for path in paths:
                ui.line(f"  {path}")
            try:
                reply = ui.ask("Delete? [y/N]: ").strip().lower()
            except EOFError:
                reply = ""
            if reply not in ("y", "yes"):
                ui.note("nothing deleted")
                return
        for ref in delete:
            ui.note(f"deleted {delete_session(directory, ref)}")
        return
    scan = scan_sessions(directory)
    # A file that is not a readable session is skipped with a warning (and listed in
    # the JSON with its reason): it never hides the others.
    for message in scan.warnings():
        ui.warning(message)
    rows: list[dict[str, Any]] = [
        {
            "file": str(path),
            "label": rec.label,
            "id": rec.id,
            "guide_version": rec.guide_version,
            "phase": rec.phase,
            "status": rec.status,
            "next_dose_due": rec.next_dose_due,
            "updated": rec.updated.isoformat(timespec="seconds"),
        }
        for path, rec in scan.found
    ]
    if json_out:
        unreadable = [
            {"file": str(path), "status": "error", "error": reason}
            for path, reason in scan.unreadable
        ]
        ui.result(json.dumps(rows + unreadable, ensure_ascii=False))
        return
    if not rows:
        ui.line(f"No sessions in {directory}.")
        return
    ui.table(
        ["label", "id", "guide", "phase", "status", "next dose", "updated"],
        [
            [
                r["label"],
                r["id"],
                r["guide_version"],
                r["phase"] or "",
                r["status"],
                r["next_dose_due"] or "",
                r["updated"],
            ]
            for r in rows
        ],
    )
    ui.note(f"Folder: {directory}")


def _deletable(directory: Path, ref: str, warn: Callable[[str], None]) -> Path:
    from ...visit.session import deletable_session

    return suggesting_labels(directory, ref, lambda: deletable_session(directory, ref, warn=warn))


def note(
    ctx: typer.Context,
    session: Annotated[str, typer.Argument(help="Session file, label or id.")],
    fmt: Annotated[
        str, typer.Option("--format", help="markdown | text | json | ics | fhir")
    ] = "markdown",
    steps: StepsOpt = None,
    site: NoteSiteOpt = None,
    plain: PlainDataOpt = False,
) -> None:
    """Write the chart note of a walkthrough (or its next dose as a calendar event)."""
    env = environment(ctx)
    from ...output.report import note_data, note_ics, note_markdown
    from ...visit.history import timeline
    from ...visit.session import load, resolve_session, scan_sessions

    formats = ("markdown", "text", "json", "ics", "fhir")
    if fmt not in formats:
        raise UsageError(
            f"--format {fmt!r}{did_you_mean(fmt, formats)}: choose markdown, text, json, ics "
            "or fhir"
        )
    ui = ui_for(env, plain=True)
    directory = env.sessions_dir()
    path = suggesting_labels(
        directory, session, lambda: resolve_session(directory, session, warn=ui.warning)
    )
    record = load(path)
    # The note judges the walk under the settings it ran with, as a resume does.
    steps, site = pack_paths(env, steps, site, site_var=False)
    from ...visit.resume import session_guide

    guide = session_guide(guide_of(steps, site), record, path, steps, site)
    day = record.today or env.today()
    state = evaluate(guide, record.inputs(guide, day))
    # The visits before this one, as of its date: the note's own lines are this visit.
    records = [r for _, r in scan_sessions(env.sessions_dir()).found]
    visit_day = state.value(guide.meta.date_key)
    as_of = visit_day if isinstance(visit_day, dt.date) else day
    earlier = timeline(
        guide,
        records,
        record.label,
        as_of,
        exclude=record.id,
        before_only=True,
        shown_only=True,
    )
    data = note_data(state, record, earlier.to_json())
    if fmt == "json":
        from ...output.versions import NOTE

        ui.result(json.dumps({"format_version": NOTE, **data}, ensure_ascii=False, indent=2))
    elif fmt == "fhir":  # the visit as one FHIR R4 Bundle, for a health record
        from ...output.fhir import fhir_bundle

        bundle = fhir_bundle(guide, record, data, env.now())
        ui.result(json.dumps(bundle, ensure_ascii=False, indent=2))
    elif fmt == "ics":
        ics = note_ics(data, env.now())
        if ics is None:
            why = (
                "its date would be after the calendar's last day, 9999-12-31"
                if data["injection_given"] is True
                else "the injection was not recorded as given"
            )
            raise UsageError(f"{record.label}: no next dose is due ({why})")
        env.stdout.write(ics)
    else:
        ui.result(note_markdown(data, plain=fmt == "text"))


def history(
    ctx: typer.Context,
    label: Annotated[str, typer.Argument(help="The patient label.")],
    json_out: JsonOpt = False,
    today: TodayOpt = None,
    now_at: NowOpt = None,
    steps: StepsOpt = None,
    site: SiteOpt = None,
    plain: PlainOpt = False,
) -> None:
    """A patient's timeline across visits: the injections given (date, side, needle, kit
    lot, next dose due), the other visits, and when the next dose is due."""
    from ..history import run_history

    env = environment(ctx)
    ui = ui_for(env, plain)
    guide = guide_of(*pack_paths(env, steps, site))
    label = patient_label(label, "history")
    run_history(ui, guide, env.sessions_dir(), label, parse_today(today, env, now_at), json_out)
