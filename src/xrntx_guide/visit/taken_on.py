"""The day a result describes: the day it was taken (safety invariant 3).

A COWS rating or a naloxone challenge result typed at a prompt, or given by flag or as a
file's single answer, has no time of its own: it is taken at the clock, on the clock's
local day, so it describes that day and counts only for a visit of that day. The walk
refuses one for a visit of another day where the result is taken into the record
(visit/results.py). A series' entries carry their own times; a correction stands for the
result it corrects; "not done" and a positive never pass a gate. (A check, which keeps no
record, takes a result as reported, for the visit date it is given.)
"""

from __future__ import annotations

import datetime as dt

from ..pack import keys
from ..pack.guide import Guide
from .answers import CHALLENGES_KEY, RATINGS_KEY
from .clock import aware

Reason = tuple[str, str]
"""A refusal's message and hint."""

NEVER_A_PASS = (keys.NOT_DONE, "positive")
"""Results that never pass a gate, taken on whatever day: no test done, or a positive
(which stands on every later day)."""


def taken_on_another_day(
    guide: Guide, at: dt.datetime, day: dt.date, today: dt.date | None = None
) -> Reason | None:
    """Why a result taken at ``at`` by the clock cannot be filed for the visit of ``day``:
    it was taken on another day. Its time would be the typing time of another day, so no
    rule that reads the times of a visit's results (a rating of withdrawal during a
    challenge's observation) could hold for it. (message, hint), or None when the days
    agree. ``today``: the day the walk began on; a result taken after it (the walk
    crossed midnight) is of a day the visit cannot be moved to from within the walk,
    which a resume does."""
    taken = aware(at).astimezone().date()
    if taken == day:
        return None
    key = guide.meta.date_key
    refused = (
        f"taken now, on {taken.isoformat()}, it describes that day, not the visit of "
        f"{day.isoformat()}: a result counts only for the day it was taken"
    )
    if today is not None and taken > today:
        return (
            refused,
            f"The clock has passed midnight since this walk began on {today.isoformat()}: "
            f"to record it for {taken.isoformat()}, quit and resume the walk "
            f"(`xrntx-guide walk --resume`), which moves the visit to that day. To enter "
            f"the result of {day.isoformat()} late, give it with its time in an answers "
            f'file ({RATINGS_KEY}, {CHALLENGES_KEY}: each entry with its "at").',
        )
    return (
        refused,
        f"To record it for {taken.isoformat()}, move the visit there (edit {key} at a "
        f"prompt, or --answer {key}={taken.isoformat()}; a walk left open since the day "
        "before: quit and resume it, which moves the visit). To enter the result of "
        f"{day.isoformat()} late, give it with its time in an answers file "
        f'({RATINGS_KEY}, {CHALLENGES_KEY}: each entry with its "at").',
    )
