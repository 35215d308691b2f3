"""The patient's timeline on screen: at the start of a walk, and ``xrntx-guide history``."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import SessionError
from ..expr import format_value
from ..output.versions import HISTORY
from ..pack.guide import Guide
from ..store import Store
from ..visit.clock import instant
from ..visit.history import (
    OUTSIDE_THE_RECORD,
    Timeline,
    VisitEntry,
    due_words,
    shown_timeline,
    timeline,
)
from .plain import Screen

if TYPE_CHECKING:
    from ..engine.drive import Prefill
    from ..engine.evaluate import State
    from ..engine.next_action import Ask
    from ..visit.session import SessionRecord
    from .ui import UI


def walk_timeline(
    ui: UI, guide: Guide, store: Store, record: SessionRecord, day: dt.date, now: dt.datetime
) -> Timeline:
    """The timeline of the walk's label, shown at its start when there is one; what a repeat
    visit fills in from it is returned with it."""
    found = store.history(record.label)
    tl = timeline(
        guide, found.records, record.label, day, exclude=record.id, unreadable=found.unreadable
    )
    record.read_beside(tl.elsewhere, now)  # the ratings of a visit day are one series
    if tl.visits:
        show_timeline(ui, tl, f"History of {record.label!r}")
        if tl.prefills:
            keys = ", ".join(k for k in tl.prefills if k not in tl.from_end)
            off = tl.off_treatment
            ended = ", ".join(k for k in tl.prefills if k in tl.from_end)
            also = (
                f", and {ended} from session {off.session}, which ended the treatment"
                if ended and off is not None
                else ""
            )
            ui.note(
                f"On a repeat visit, {keys} will be filled in from session "
                f"{tl.source.session if tl.source else '?'}{also} (origin 'history'); "
                "`edit KEY` changes one (an older date or another side than the record's "
                "is refused), and the gates judge the value in force."
            )
    elif tl.unreadable:
        for message in tl.warnings():
            ui.warning(message)
    read = sorted(record.beside_on(day), key=lambda pair: instant(pair[0].at))
    if read:
        listed = "; ".join(
            f"{r.total} at {r.at.astimezone().strftime('%H:%M')} ({r.origin})" for r, _ in read
        )
        ui.note(
            f"COWS ratings of {day.isoformat()} from the patient's other visits, read into "
            f"this visit's series (the ratings of a day are one series): {listed}"
        )
    return tl


def announcer(
    ui: UI, before: Callable[[State, Ask], None] | None = None
) -> Callable[[State, Ask, Prefill, str | None], None]:
    """What the screen says when the walk fills in a value from the history (or why not)."""

    def announce(state: State, action: Ask, fill: Prefill, problem: str | None) -> None:
        if before is not None:
            before(state, action)
        key = action.question.key
        if problem is not None:
            ui.warning(f"{key} is not filled in from the history ({fill.note}): {problem}")
            return
        shown = next(
            (c.label for c in action.question.spec.choices or () if c.value == fill.value),
            format_value(fill.value),
        )
        ui.note(
            f"{action.question.spec.prompt}: {shown} ({fill.note}); change it with `edit {key}`"
        )

    return announce


def _row(v: VisitEntry) -> list[str]:
    return [
        v.date or "",
        v.side or "",
        v.needle or "",
        v.kit_lot or "",
        v.next_dose_due or "",
        v.session,
    ]


def show_timeline(ui: Screen, tl: Timeline, heading: str) -> None:
    injections = tl.injections
    if injections:
        ui.table(
            ["date", "side", "needle", "kit lot", "next due", "session"],
            [_row(v) for v in injections],
            title=f"{heading}: injections given ({len(injections)})",
        )
    else:
        ui.note(f"{heading}: no finished visit with the injection given.")
    others = [v for v in tl.visits if not v.counts]
    if others:
        ui.table(
            ["date", "visit", "status", "session"],
            [
                [
                    v.date or "",
                    (v.visit or "").replace("_", " "),
                    "treatment ended, no injection"
                    if v.ended
                    else ("TRAINING, " if v.training else "")
                    + v.status.replace("_", " ")
                    + (", injection not given" if v.injection_given is False else ""),
                    v.session,
                ]
                for v in others
            ],
            title="Other visits (never used to fill in)",
        )
    off = tl.off_treatment
    due = due_words(tl.due)
    if off is not None:
        reason = (off.end_reason or "reason not recorded").replace("_", " ")
        ui.note(
            f"Off treatment: XR-naltrexone ended at the visit of {off.date} (session "
            f"{off.session}; {reason}); last injection {off.last_injection or '?'}."
        )
    elif due is not None:
        ui.note(f"Last injection {tl.source.date if tl.source else '?'}; {due}.")
    for message in tl.warnings():
        ui.warning(message)
    ui.note(OUTSIDE_THE_RECORD)


def show_record_fills(ui: Screen, tl: Timeline, filled: Mapping[str, Any]) -> None:
    """What ``check --label`` took from the patient's record (or that it holds nothing)."""
    if not tl.visits:
        ui.note(f"No saved visit has the label {tl.label!r}: nothing is taken from a record.")
        ui.note(OUTSIDE_THE_RECORD)
        return
    show_timeline(ui, tl, f"History of {tl.label!r}")
    dose = {k: v for k, v in filled.items() if k not in tl.from_end}
    if dose:
        words = ", ".join(f"{k} = {format_value(v)}" for k, v in dose.items())
        source = tl.source.session if tl.source is not None else "?"
        ui.note(f"From the record (session {source}): {words}.")
    if ended := {k: v for k, v in filled.items() if k in tl.from_end}:
        words = ", ".join(f"{k} = {format_value(v)}" for k, v in ended.items())
        off = tl.off_treatment
        where = off.session if off is not None else "?"
        ui.note(f"From the visit that ended the treatment (session {where}): {words}.")


def run_history(
    ui: Screen, guide: Guide, store: Store, label: str, day: dt.date, as_json: bool
) -> None:
    """``xrntx-guide history LABEL``: reads only the label's visits, and of each only what
    the timeline shows (its facts, visit/facts.py: no record is read whole where they are
    kept)."""
    found = store.history_facts(label)
    if not found.facts and not found.unreadable:
        # seam: store.refs (difflib, dataclasses), only for an unknown label
        from ..store.refs import nearest

        raise SessionError(
            f"no session has the label {label!r}{nearest(store, label)}",
            hint="`xrntx-guide sessions` lists the saved sessions and their labels.",
        )
    tl = shown_timeline(guide, found.facts, label, day, unreadable=found.unreadable)
    if as_json:
        data = {"format_version": HISTORY, **tl.to_json()}
        ui.result(json.dumps(data, ensure_ascii=False, indent=2))
        return
    show_timeline(ui, tl, f"History of {label!r}")
