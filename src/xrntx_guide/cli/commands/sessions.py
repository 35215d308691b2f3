"""Saved walkthroughs: `sessions` lists or deletes them, `note` writes a chart note."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from ...engine.evaluate import evaluate
from ...errors import SessionError, UsageError, UserError
from ...output import note as note_formats
from ...output.note import NoteInput
from ..storage import clinician, given_record, the_store
from .common import (
    ClinicianOpt,
    DatabaseOpt,
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
    lazy_pack,
    pack_paths,
    read_stdin_bytes,
    said_on_import,
    ui_for,
)
from .listing import PAGE, show_history, show_sessions
from .statuses import status_words


def sessions(
    ctx: typer.Context,
    action: Annotated[
        str | None,
        typer.Argument(
            help="export ID (the visit as its JSON record) or import FILE (a JSON record, "
            "checked as a resume checks it; - reads standard input); nothing: list the "
            "visits.",
            show_default=False,
        ),
    ] = None,
    target: Annotated[
        str | None,
        typer.Argument(
            help="The visit's id (export) or the file (import; - for standard input).",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="export: write to FILE (default: stdout)."),
    ] = None,
    delete: Annotated[
        list[str] | None,
        typer.Option(
            "--delete", help="Delete a session (id or label), repeatable.", show_default=False
        ),
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Delete without asking (needed off a terminal).")
    ] = False,
    page: Annotated[
        int, typer.Option("--page", min=1, help=f"Which page of {PAGE} visits, latest first.")
    ] = 1,
    json_out: JsonOpt = False,
    plain: PlainOpt = False,
    database: DatabaseOpt = None,
    clinician_name: ClinicianOpt = None,
) -> None:
    """List saved walkthroughs (a page at a time), delete them (asking first, unless
    --yes), or move one out of or into the store (export ID, import FILE)."""
    env = environment(ctx)
    if action is None and not delete:
        show_sessions(
            env,
            page=page,
            json_out=json_out,
            plain=plain,
            database=database,
            clinician_name=clinician_name,
        )
        return
    from ...store.refs import find_visit  # seam: the command's own work, loaded when it runs

    ui = ui_for(env, plain)
    by = clinician(env, clinician_name)
    if action is not None:
        _move(ui, env, action, target, output, database, by)
        return
    store = the_store(env, database, ui.warning, by)
    if delete:
        # Check every reference first: a typo deletes nothing and asks nothing.
        # A session named twice (its id and its label) is one session, deleted once.
        chosen = list({row.id: row for row in (find_visit(store, r) for r in delete)}.values())
        doses = _doses(env, store, chosen)
        if not yes:
            if not env.stdin_tty:
                raise UsageError(
                    f"--delete: not on a terminal, so nothing is deleted without --yes "
                    f"({', '.join(f'{r.label} {r.id}' for r in chosen)})",
                    hint="Add --yes to delete without asking.",
                )
            ui.line("This deletes:")
            said = status_words(env, store, chosen)  # as the listings say each status
            for row in chosen:
                ui.line(f"  {row.label} (session {row.id}, {said[row.id]}){doses[row.id]}")
            try:
                reply = ui.ask("Delete? [y/N]: ").strip().lower()
            except EOFError:
                reply = ""
            if reply not in ("y", "yes"):
                ui.note("nothing deleted")
                return
        for row in chosen:
            store.delete(row.id)
            ui.note(f"deleted session {row.id} ({row.label}){doses[row.id]}")


def _doses(env: Any, store: Any, chosen: list[Any]) -> dict[str, str]:
    """For each visit to delete, what its deletion takes out of the patient's record: the
    dose it records (a later walk would otherwise read a first injection again, or a
    repeat dose too early as on time), a known hypersensitivity, an opioid use, an end of
    treatment (visit/history.py ``what_it_binds``), said before asking and when it is
    done."""
    from ...visit.history import (  # seam: only when deleting
        judged_against,
        recorded_dose,
        what_it_binds,
    )

    guide = lazy_pack(env, None, None)()
    out = {}
    for row in chosen:
        try:
            record = store.load(row.id)[0]
        except UserError:  # a damaged record is deleted all the same
            out[row.id] = f": unreadable, so any dose it records leaves {row.label}'s record too"
            continue
        binds = what_it_binds(guide, record)
        dose = recorded_dose(guide, record)
        later = (
            judged_against(guide, store.history(row.label).records, row.label, dose, row.id)
            if dose
            else []
        )
        out[row.id] = (
            f": {', '.join(binds)} {'leaves' if len(binds) == 1 else 'leave'} "
            f"{row.label}'s record (later visits no longer see "
            f"{'it' if len(binds) == 1 else 'them'})"
            if binds
            else ""
        ) + (
            f"; {', '.join(later)} was judged as a repeat visit against its dose and then "
            "rests on a dose no longer on record: review it"
            if later
            else ""
        )
    return out


def _move(
    ui: Any,
    env: Any,
    action: str,
    target: str | None,
    output: Path | None,
    database: str | None,
    by: str,
) -> None:
    """`sessions export ID [-o FILE]`, `sessions import FILE`."""
    # seam: the command's own work, loaded when it runs
    from ...store.refs import find_visit, import_record, read_record_file
    from ...visit.resume import session_guide  # seam: as the store's references

    if action not in ("export", "import"):
        raise UsageError(
            f"sessions {action}{did_you_mean(action, ('export', 'import'))}: "
            "give export ID or import FILE (or nothing, to list the visits)"
        )
    if target is None:
        what = "ID" if action == "export" else "FILE"
        raise UsageError(f"sessions {action}: give the {what}")
    if action == "import":
        if target == "-":
            record, target = _stdin_record(env), "standard input"
        else:
            record = read_record_file(Path(target))
        # Checked as a resume checks it, before it is stored: settings a site may not give
        # (the shipped guide's limits) are refused here, never found at the next resume.
        session_guide(lazy_pack(env, None, None)(), record, target, None, None)
        store = the_store(env, database, ui.warning, by)
        imported = import_record(store, record, by)
        if imported.updated:
            ui.note(
                f"imported {target}: session {record.id} ({record.label!r}) was stored in an "
                "earlier state; the file's record, which goes on from it, replaces it"
            )
            said_on_import(ui, lazy_pack(env, None, None)(), store, record, imported)
        elif imported.stored:
            ui.note(f"imported {target}: session {record.id} ({record.label!r})")
            said_on_import(ui, lazy_pack(env, None, None)(), store, record, imported)
        else:
            ui.warning(
                f"{target}: session {record.id} is already in the store, with everything "
                "the file holds; the stored one is kept"
            )
        return
    store = the_store(env, database, ui.warning, by)
    row = find_visit(store, target)
    try:
        record, _ = store.load(row.id)
        text = record.model_dump_json(indent=2) + "\n"
    except SessionError as exc:  # written out as stored, to be put right and imported
        ui.warning(
            f"{exc.message}: it is exported as it is stored; put the field right in the "
            f"file, then delete the stored session (`xrntx-guide sessions --delete {row.id}`) "
            "and import the file (`xrntx-guide sessions import FILE`)"
        )
        text = store.stored_text(row.id)
        text = text if text.endswith("\n") else text + "\n"
    if output is None:
        env.stdout.write(text)
        return
    # seam: the command's own work, loaded when it runs
    from ...store.sqlite import make_private_dir

    try:
        make_private_dir(output.parent)
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
    except FileExistsError:
        raise UsageError(
            f"--output {output}: the file exists; it is never overwritten",
            hint="Name a new file.",
        ) from None
    except OSError as exc:
        raise UsageError(f"--output {output}: cannot write it: {exc.strerror}") from None
    ui.note(f"exported session {row.id} ({row.label!r}) to {output}")


STDIN = "sessions import -: standard input (stdin)"


def _stdin_record(env: Any) -> Any:
    """``sessions import -``: the JSON record on standard input, checked as a file's is
    (:func:`visit.session.record_from_json`), every error naming stdin. Standard input is
    the data here, so a terminal there is refused rather than read (or waited on).

    Raises:
        UsageError: standard input is a terminal, or more than a session file may hold.
        SessionError: not UTF-8, not JSON, or not a valid session record.
    """
    # seam: pydantic, only where a record is read
    from ...visit.session import MAX_SESSION_FILE, record_from_json

    if env.stdin_tty:
        raise UsageError(
            "sessions import -: reads the record from standard input, which is a terminal",
            hint="Pipe the record in (`xrntx-guide sessions import - < visit.json`), or "
            "give its file.",
        )
    raw = read_stdin_bytes(env, MAX_SESSION_FILE)
    if len(raw) > MAX_SESSION_FILE:
        raise UsageError(
            f"{STDIN} is larger than a session file may be ({MAX_SESSION_FILE // 1024**2} MiB)"
        )
    return record_from_json(raw, STDIN)


def note(
    ctx: typer.Context,
    session: Annotated[
        str, typer.Argument(help="Session id or label (a JSON record file is imported).")
    ],
    fmt: Annotated[str, typer.Option("--format", help=note_formats.choices())] = next(
        iter(note_formats.FORMATS)
    ),
    steps: StepsOpt = None,
    site: NoteSiteOpt = None,
    plain: PlainDataOpt = False,
    database: DatabaseOpt = None,
) -> None:
    """Write the chart note of a walkthrough (or its next dose as a calendar event)."""
    env = environment(ctx)
    from ...output.note.data import note_data  # seam: the command's own work, loaded when it runs
    from ...visit.contradiction import refused_by_the_record  # seam: the command's own work
    from ...visit.history import ratings_elsewhere, timeline  # seam: the command's own work

    chosen = note_formats.FORMATS.get(fmt)
    if chosen is None:
        raise UsageError(
            f"--format {fmt!r}{did_you_mean(fmt, list(note_formats.FORMATS))}: "
            f"choose {note_formats.choices(', ')}"
        )
    ui = ui_for(env, plain=True)
    store = the_store(env, database, ui.warning, reading=True)
    pack = lazy_pack(env, steps, site)
    record, from_file = given_record(ui, env, store, session, pack)
    path = f"session {record.id}"
    # The note judges the walk under the settings it ran with, as a resume does.
    steps, site = pack_paths(env, steps, site, site_var=False)
    from ...visit.resume import session_guide  # seam: the command's own work, loaded when it runs

    guide = session_guide(pack(), record, path, steps, site)
    day = record.today or env.today()
    records = [] if from_file else store.history(record.label).records
    # The ratings of the visit day that the patient's other visits hold are read with
    # this visit's, as its walk read them (a note judges the visit as it was judged).
    record.read_beside(ratings_elsewhere(records, record.id), record.updated)
    state = evaluate(guide, record.inputs(guide, day))
    # The visits before this one, as of its date: the note's own lines are this visit.
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
    # An unfinished visit is judged against the record as it stands (a dose another
    # visit gave since refuses it, as its resume would): never "ready" beside it.
    refused = (
        None
        if from_file or record.status == "complete"
        else refused_by_the_record(guide, records, record, as_of)
    )
    data = note_data(state, record, earlier.to_json(), refused)
    text = note_formats.write_note(chosen, NoteInput(guide, record, data, env.now()))
    if chosen.raw:
        env.stdout.write(text)
    else:
        ui.result(text)


def history(
    ctx: typer.Context,
    label: Annotated[str, typer.Argument(help="The patient label.")],
    json_out: JsonOpt = False,
    today: TodayOpt = None,
    now_at: NowOpt = None,
    steps: StepsOpt = None,
    site: SiteOpt = None,
    plain: PlainOpt = False,
    database: DatabaseOpt = None,
) -> None:
    """A patient's timeline across visits: the injections given (date, side, needle, kit
    lot, next dose due), the other visits, and when the next dose is due."""
    show_history(
        environment(ctx),
        label,
        json_out=json_out,
        today=today,
        now_at=now_at,
        steps=steps,
        site=site,
        plain=plain,
        database=database,
    )
