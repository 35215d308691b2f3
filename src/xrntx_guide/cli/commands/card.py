"""``xrntx-guide card``: the patient's emergency card, printed from a finished visit."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Annotated

import typer

from ...engine.evaluate import evaluate
from ...errors import SessionError, UsageError, resume_command
from ..storage import given_record, the_store
from .common import (
    DatabaseOpt,
    NoteSiteOpt,
    PlainDataOpt,
    StepsOpt,
    did_you_mean,
    environment,
    lazy_pack,
    pack_paths,
    program_name,
    ui_for,
)

FORMATS = ("html", "text")
UNFINISHED = ("in_progress",)
"""A walk still under way: the card is printed from a visit that ended (given, blocked,
or left at a stop without its override: no injection that day)."""


def card(
    ctx: typer.Context,
    session: Annotated[
        str, typer.Argument(help="Session id or label (a JSON record file is imported).")
    ],
    fmt: Annotated[str, typer.Option("--format", help="html | text")] = "text",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write to this file, owner-only (default: stdout).",
            show_default=False,
        ),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option("--name", help="The name to print on the card (none is printed without it)."),
    ] = None,
    steps: StepsOpt = None,
    site: NoteSiteOpt = None,
    plain: PlainDataOpt = False,
    database: DatabaseOpt = None,
) -> None:
    """Print the patient's emergency card from a finished visit: the last injection, the
    date the blockade ends, and what emergency staff need to know about pain relief."""
    env = environment(ctx)
    # seam: the command's own work, loaded when it runs
    from ...output.card import card_html, card_text, emergency_card
    from ...visit.history import timeline  # seam: the command's own work, loaded when it runs
    from ...visit.resume import session_guide  # seam: the command's own work, loaded when it runs

    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r}{did_you_mean(fmt, FORMATS)}: choose html or text")
    ui = ui_for(env, plain=True)
    # The session is found and read as the note finds and reads it.
    store = the_store(env, database, ui.warning, reading=True)
    pack = lazy_pack(env, steps, site)
    record, from_file = given_record(ui, env, store, session, pack)
    path = f"session {record.id}"
    steps, site = pack_paths(env, steps, site, site_var=False)
    if record.demo_clock is not None:
        raise SessionError(
            f"session {record.id} is a training run (demo clock): it is not part of the "
            "patient's record, so no emergency card is printed from it",
            hint="Print the card from a care visit of the label.",
        )
    if record.status in UNFINISHED:
        raise SessionError(
            f"session {record.id} ({record.status.replace('_', ' ')}) is not finished: the "
            "card is printed from a finished visit",
            hint=f"Finish it ({resume_command(record.id, program_name(env))}), then print the "
            "card.",
        )
    guide = session_guide(pack(), record, path, steps, site)
    day = record.today or env.today()
    state = evaluate(guide, record.inputs(guide, day))
    visit_day = state.value(guide.meta.date_key)
    as_of = visit_day if isinstance(visit_day, dt.date) else day
    records = [record] if from_file else store.history(record.label).records
    tl = timeline(guide, records, record.label, as_of, before_only=True, shown_only=True)
    made = emergency_card(guide, tl, name, as_of)
    text = card_html(made) if fmt == "html" else card_text(made)
    if output is None:
        env.stdout.write(text)
        return
    try:
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.fchmod(fd, 0o600)  # an existing file keeps its mode otherwise
            os.write(fd, text.encode("utf-8"))
        finally:
            os.close(fd)
    except OSError as exc:
        raise UsageError(f"--output {output}: cannot write: {exc.strerror or exc}") from None
    env.stderr.write(f"Written: {output} (emergency card, {fmt}, owner-only)\n")
