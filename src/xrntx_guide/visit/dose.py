"""The next dose a visit gives, worked out from its answers in one place: what a record
keeps, and what a note, a calendar event and a health record say."""

from __future__ import annotations

import datetime as dt

from ..engine.state import State


def next_dose_due(state: State) -> str | None:
    """The next dose's due date (ISO) for a dose the gates allowed; None otherwise. Always
    worked out from the visit's answers, never read back from a stored field (a record's
    ``next_dose_due`` is not in its audit trail)."""
    key = state.guide.meta.report.next_dose_due
    due = state.value(key) if key else None
    given = state.injection_given is True
    return due.isoformat() if isinstance(due, dt.date) and given else None
