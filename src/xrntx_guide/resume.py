"""What a resumed walk must re-establish before it goes on.

The readiness results (urine screen, COWS, naloxone challenge, pregnancy test) describe the
day they were taken, and count only for an injection on that day (clinical basis, safety
invariant 3). A walk whose visit date followed its default ("today") and is resumed on a
later day moves to that day, so those results are cleared and asked again; a finished walk
is never moved. Nothing here prints or prompts.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from .engine import evaluate, state_context, valid_default
from .expr import UNKNOWN
from .loader import Guide

if TYPE_CHECKING:
    from .session import SessionRecord


def move_visit_day(
    guide: Guide, record: SessionRecord, day: dt.date, now: dt.datetime
) -> list[str]:
    """Clear the point-in-time results when the visit date would follow its default to a
    new day; return a line for the clinician for each thing done."""
    from .answers import to_json

    key = guide.meta.date_key
    stored = record.answers.get(key)
    cq = guide.questions.get(key)
    if stored is None or stored.origin != "default" or cq is None or cq.default is None:
        return []
    state = evaluate(guide, record.inputs(guide, day))
    new = valid_default(cq, cq.default.evaluate(state_context(state)))
    if new is UNKNOWN or to_json(new) == stored.value:  # type: ignore[arg-type]
        return []

    return clear_results_of_another_day(guide, record, str(stored.value), str(to_json(new)), now)  # type: ignore[arg-type]


def clear_results_of_another_day(
    guide: Guide,
    record: SessionRecord,
    old: str,
    new: str,
    now: dt.datetime,
    keep: frozenset[str] = frozenset(),
) -> list[str]:
    """The visit date moved from ``old`` to ``new``, by whatever route (a default on resume,
    an edit, a flag, a file): the results taken for the old day (``point_in_time``) are
    cleared, with their timers, except those in ``keep`` (given for the new day in this
    same run). Returns a line for the clinician, or nothing when there was nothing to clear."""

    def taken_on_the_day(k: str) -> bool:
        return k in guide.questions and guide.questions[k].q.point_in_time and k not in keep

    stale = [k for k in record.answers if taken_on_the_day(k)]
    timers = [k for k in record.timers if taken_on_the_day(k)]
    if not stale and not timers:
        return []
    if stale:
        record.clear(stale, now, f"taken for {old}; the visit moved to {new}")
    for k in timers:
        record.timers.pop(k, None)
    what = ", ".join(stale) if stale else "the timers"
    return [
        f"The visit moves from {old} to {new}: results taken for {old} describe that day "
        f"only and are asked again ({what})."
    ]
