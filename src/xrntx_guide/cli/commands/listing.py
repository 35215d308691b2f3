"""`history LABEL` and a page of `sessions`, without typer: the app's commands
(commands/sessions.py) and the direct route of a plain command line (cli/direct.py) both
run these, so they say the same. Off a terminal they write through the screen without
rich (cli/plain.py), which writes what the rich screen would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ...env import Environment
from ..plain import screen_for
from ..storage import clinician, the_store
from .statuses import status_words

PAGE = 50
"""Visits per page of `sessions`."""


def show_history(
    env: Environment,
    label: str,
    *,
    json_out: bool,
    today: str | None,
    now_at: str | None,
    steps: Path | None,
    site: Path | None,
    plain: bool,
    database: str | None,
) -> None:
    """A patient's timeline across visits (cli/history.py), read from the store."""
    # seam: the history and the pack (the engine, 30 modules): `sessions` reads neither
    from ..history import run_history
    from .basics import guide_of, pack_paths, parse_today, patient_label  # seam: the pack loader

    ui = screen_for(env, plain)
    guide = guide_of(*pack_paths(env, steps, site))
    label = patient_label(label, "history")
    day = parse_today(today, env, now_at)
    store = the_store(env, database, ui.warning, reading=True)
    run_history(ui, guide, store, label, day, json_out)


def show_sessions(
    env: Environment,
    *,
    page: int,
    json_out: bool,
    plain: bool,
    database: str | None,
    clinician_name: str | None,
) -> None:
    """One page of the stored visits, the latest changed first: their indexed fields
    only (no record is read)."""
    ui = screen_for(env, plain)
    by = clinician(env, clinician_name)
    store = the_store(env, database, ui.warning, by, reading=True)
    total = store.count()
    offset = (page - 1) * PAGE  # a page past the last is empty, whatever its number
    found = store.rows(PAGE, offset) if offset < total else []
    rows: list[dict[str, Any]] = [
        {
            "id": r.id,
            "label": r.label,
            "guide_version": r.guide_version,
            "visit_date": r.visit_date,
            "phase": r.phase,
            "status": r.status,
            "next_dose_due": r.next_dose_due,
            "updated": r.updated.astimezone().isoformat(timespec="seconds"),
            "updated_by": r.updated_by,
            "revision": r.revision,
        }
        for r in found
    ]
    if json_out:
        ui.result(json.dumps(rows, ensure_ascii=False))
        return
    if not rows:
        ui.line(f"No sessions in {store.where}." if total == 0 else f"No page {page}.")
        return
    statuses = status_words(env, store, found)
    # At 80 columns every column counts: the guide's version only where the page holds
    # more than one (--json has it always); a heading, "treatment ended" and the time of
    # the last change may wrap between words, a value never.
    versions = len({r.guide_version for r in found}) > 1
    columns = ["label", "id", "visit date", *(["guide"] if versions else [])]
    columns += ["phase", "status", "next dose", "updated"]
    ui.table(
        columns,
        [
            [
                r.label,
                r.id,
                r.visit_date or "",
                *([r.guide_version] if versions else []),
                r.phase or "",
                statuses[r.id],
                r.next_dose_due or "",
                r.updated.astimezone().strftime("%Y-%m-%d %H:%M"),
            ]
            for r in found
        ],
        prose=("visit date", "status", "next dose", "updated"),
    )
    pages = (total + PAGE - 1) // PAGE
    more = f"; --page {page + 1} for more" if page < pages else ""
    visits = "1 visit" if total == 1 else f"{total} visits"
    ui.note(f"{visits}, page {page} of {pages}{more}. The store:")
    ui.note(store.where)  # on a line of its own: a path is never split
