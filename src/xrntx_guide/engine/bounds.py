"""Whether a value is inside its question's bounds and choices (the engine and the input layer)."""

from __future__ import annotations

from typing import Any

from ..expr import UNKNOWN, Context, format_value
from ..pack.guide import CQuestion


def bound_problem(cq: CQuestion, value: Any, ctx: Context) -> str | None:
    """Why ``value`` is outside the question's ``min``/``max`` in ``ctx``, or None.

    A bound that reads another answer names it, so a contradiction names both answers
    (``2026-11-25 is after injection_date (2026-11-24)``). A bound that cannot be decided
    yet (the other answer is missing) does not refuse anything.
    """
    for bound, low in ((cq.min, True), (cq.max, False)):
        if bound is None:
            continue
        limit: Any = bound.function(ctx)
        if limit is UNKNOWN:
            continue
        try:
            outside = (value < limit) if low else (value > limit)
        except TypeError:  # pragma: no cover - the loader types bounds like the question
            return f"{format_value(value)} cannot be compared with {bound.source}"
        if outside:
            if cq.spec.type == "date":
                word = "before" if low else "after"
                return f"{format_value(value)} is {word} {bound.source} ({format_value(limit)})"
            word = "below the minimum" if low else "above the maximum"
            return f"{format_value(value)} is {word} of {format_value(limit)}"
    return None
