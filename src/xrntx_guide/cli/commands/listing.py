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
    from ..history import run_history
    from .basics import guide_of, pack_paths, parse_today, patient_label

    ui = screen_for(env, plain)
    guide = guide_of(*pack_paths(env, steps, site))
    label = patient_label(label, "history")
    day = parse_today(today, env, now_at)
    run_history(ui, guide, the_store(env, database, ui.warning), label, day, json_out)


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
    store = the_store(env, database, ui.warning, by)
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


def status_words(env: Environment, store: Any, rows: list[Any]) -> dict[str, str]:
    """Each visit's status in words, as every listing of visits says it (`sessions`, the
    visits a label names, a new visit's earlier ones). A training run says so. A visit that
    ended the treatment stops at the gate that says so, which the store keeps as
    'blocked': it is 'treatment ended' (read as the patient's record reads it,
    visit/history.py), since it ended where it should. The pack is read only when a
    blocked visit is listed; one that cannot be read leaves the stored status."""
    out = {
        r.id: r.status.replace("_", " ") + (" (training run)" if r.training else "") for r in rows
    }
    blocked = [r for r in rows if r.status == "blocked" and not r.training]
    if not blocked:
        return out
    from ...errors import PackError, SessionError, UsageError
    from ...visit.history import entry
    from .basics import guide_of, pack_paths

    try:
        guide = guide_of(*pack_paths(env, None, None, site_var=False))
    except (PackError, UsageError):  # the listing never fails for want of a pack
        return out
    for r in blocked:
        if r.guide_id != guide.meta.id:
            continue
        try:
            record, _ = store.load(r.id)
        except SessionError:  # an unreadable record is listed as stored
            continue
        if entry(guide, record).ended:
            out[r.id] = "treatment ended"
    return out
