"""The entries of a series of point-in-time results (reference 5.1, 5.2): a COWS rating
and a naloxone challenge or rechallenge result, each with its time, and how the series is
read: the entries that stand (a correction stands in the place of the entry it corrects)
and the latest rating of a day.

New entries are taken in by one rule (visit/results.py); the series as answers, on screen
and in the note is visit/series.py. Nothing here prints or prompts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from ..pack.guide import Guide
from .clock import instant

TOTAL = "cows_total"
PREFIX = "cows_"
CHALLENGE = "naloxone_challenge"
RECHALLENGE = "naloxone_rechallenge"
RECHALLENGE_HOURS = "naloxone_rechallenge_hours"
WINDOW = "naloxone_rechallenge_window_hours"
OBSERVATION = "naloxone_observation_minutes"

Context = Literal["baseline", "before_challenge", "after_challenge", "pathway_day", "repeat"]
CONTEXTS: tuple[str, ...] = (
    "baseline",
    "before_challenge",
    "after_challenge",
    "pathway_day",
    "repeat",
)
"""Why a rating was taken. ``pathway_day``: a day of the supervised rapid pathway."""


class CowsRating(BaseModel):
    """One COWS rating: when, on which visit day, why, and its scores."""

    model_config = ConfigDict(extra="forbid")

    at: dt.datetime
    day: dt.date
    """The visit day it was taken on: the only day it counts for."""
    context: Context
    total: int
    items: dict[str, int] | None = None
    """Item scores by item name (``pulse``...), when the items were rated."""
    origin: str = "typed"
    corrects: dt.datetime | None = None
    """The time of the rating this one corrects (visit/results.py); it stands in its place."""
    reason: str | None = None
    """Why the correction was made (required with ``corrects``)."""


class ChallengeResult(BaseModel):
    """One naloxone challenge or rechallenge result: when, for which visit day, what."""

    model_config = ConfigDict(extra="forbid")

    at: dt.datetime
    """When the result was recorded (typed in the walk), or the time a file gave."""
    day: dt.date
    """The visit day it was recorded for (a file's result: the day of its time)."""
    kind: Literal["challenge", "rechallenge"]
    result: str
    started: dt.datetime | None = None
    """When the naloxone was given (the observation timer), when known."""
    origin: str = "typed"
    corrects: dt.datetime | None = None
    """The time of the result of the same kind this one corrects (visit/results.py)."""
    reason: str | None = None
    """Why the correction was made (required with ``corrects``)."""


KINDS: tuple[tuple[Literal["challenge", "rechallenge"], str], ...] = (
    ("challenge", CHALLENGE),
    ("rechallenge", RECHALLENGE),
)


def item_keys(guide: Guide) -> list[str]:
    """The COWS item questions, in the pack's order."""
    return [k for k in guide.questions if k.startswith(PREFIX) and k != TOTAL]


def live(entries: list[Any]) -> list[Any]:
    """The entries of a series that no later entry corrects (a correction stands in the
    place of the entry it corrects), in their order. Entries are ratings, or challenge
    results, whose corrections name an entry of the same kind."""
    corrected = {(getattr(e, "kind", None), instant(e.corrects)) for e in entries if e.corrects}
    return [e for e in entries if (getattr(e, "kind", None), instant(e.at)) not in corrected]


def _placed(ratings: list[CowsRating], rating: CowsRating) -> float:
    """When a rating counts in the day's order: a correction at the time of the rating it
    corrects (following a chain of corrections back to the first)."""
    seen = 0
    while rating.corrects is not None and seen < len(ratings):
        wanted = instant(rating.corrects)
        earlier = next((r for r in ratings if instant(r.at) == wanted), None)
        if earlier is None:
            break
        rating, seen = earlier, seen + 1
    return instant(rating.at)


def latest_on(ratings: list[CowsRating], day: dt.date | None) -> int | None:
    """The index of the latest rating taken on ``day`` that stands (a corrected rating is
    read as its correction, at its own time; the last listed, among equal times), or None
    when there is none."""
    standing = {id(r) for r in live(ratings)}
    best: int | None = None
    best_at = 0.0
    for i, r in enumerate(ratings):
        if r.day != day or id(r) not in standing:
            continue
        placed = _placed(ratings, r)
        if best is None or placed >= best_at:
            best, best_at = i, placed
    return best


def rating_answers(rating: CowsRating) -> dict[str, int]:
    """The answers a rating stands for: its items when it has them, else its total."""
    if rating.items:
        return {f"{PREFIX}{k}": v for k, v in rating.items.items()}
    return {TOTAL: rating.total}


def standing_positive(entries: list[ChallengeResult], kind: str) -> ChallengeResult | None:
    """The latest positive result of ``kind`` that stands (no later entry corrects it)."""
    found = [c for c in live(entries) if c.kind == kind and c.result == "positive"]
    return max(found, key=lambda c: instant(c.at)) if found else None
