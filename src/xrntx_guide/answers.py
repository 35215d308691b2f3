"""Turning what a person or a script gives into typed answer values.

The interactive prompt, ``--answer`` flags, answers files and saved sessions all go through
:func:`parse_value`, so a value is validated the same way wherever it comes from.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Iterable
from typing import Any

from .errors import InvalidAnswer, UsageError
from .expr import UNKNOWN, Context, format_value
from .loader import CQuestion, Guide

Scalar = bool | int | float | str | dt.date

MAX_TEXT = 500
_TRUE = frozenset({"yes", "y", "true", "1"})
_FALSE = frozenset({"no", "n", "false", "0"})
_YES_NO = _TRUE | _FALSE
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DAYS_AGO = re.compile(r"^([0-9]{1,5})\s+days?\s+ago$")
_INT = re.compile(r"\s*-?[0-9]{1,9}\s*")
_NUMBER = re.compile(r"\s*-?[0-9]{1,12}(\.[0-9]{1,12})?\s*")
"""Plain ASCII digits only: Python's int() and float() also take '1_0' and other scripts'
digits, which no clinician means."""


def parse_date(text: str, today: dt.date) -> dt.date:
    """ISO ``YYYY-MM-DD``, ``today``, ``yesterday`` or ``N days ago``.

    Raises:
        ValueError: with a message a clinician can act on.
    """
    t = text.strip().lower()
    if t == "today":
        return today
    if t == "yesterday":
        return today - dt.timedelta(days=1)
    m = _DAYS_AGO.match(t)
    if m:
        try:
            return today - dt.timedelta(days=int(m.group(1)))
        except OverflowError:
            raise ValueError(f"{text!r} is further back than the calendar goes") from None
    if not _ISO_DATE.fullmatch(t):
        raise ValueError(
            f"{text!r} is not a date: use YYYY-MM-DD (e.g. {today.isoformat()}), "
            "'today', 'yesterday' or 'N days ago'"
        )
    try:
        return dt.date.fromisoformat(t)
    except ValueError:
        raise ValueError(f"{text!r} is not a real calendar date") from None


def _parse_scalar(cq: CQuestion, raw: object, today: dt.date, interactive: bool) -> Scalar:
    q = cq.q
    if q.type == "bool":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and (word := raw.strip().lower()) in _YES_NO:
            return word in _TRUE
        raise ValueError(f"{raw!r} is not yes or no")
    if q.type == "date":
        if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
            return raw
        if isinstance(raw, str):
            return parse_date(raw, today)
        raise ValueError(f"{raw!r} is not a date (YYYY-MM-DD)")
    if q.type == "text":
        if isinstance(raw, str) and raw.strip():
            if len(raw) > MAX_TEXT:
                raise ValueError(f"is longer than {MAX_TEXT} characters")
            return raw.strip()
        raise ValueError("needs some text")
    if q.type == "choice":
        return _parse_choice(cq, raw, interactive)
    if q.type == "int":
        value: int
        if isinstance(raw, bool):
            raise ValueError(f"{raw!r} is not a whole number")
        if isinstance(raw, int):
            value = raw
        elif (isinstance(raw, float) and raw.is_integer()) or (
            isinstance(raw, str) and _INT.fullmatch(raw)
        ):
            value = int(raw)
        elif isinstance(raw, str) and re.fullmatch(r"\s*-?[0-9]+\s*", raw):
            raise ValueError(f"{raw.strip()} is too large")
        else:
            raise ValueError(f"{raw!r} is not a whole number")
        if q.choices and value not in [c.value for c in q.choices]:
            allowed = ", ".join(str(c.value) for c in q.choices)
            raise ValueError(f"{value} is not an allowed score (allowed: {allowed})")
        return value
    # number
    number: float
    if isinstance(raw, bool):
        raise ValueError(f"{raw!r} is not a number")
    if isinstance(raw, int | float):
        number = float(raw)
    elif isinstance(raw, str):
        try:
            if not _NUMBER.fullmatch(raw):
                raise ValueError
            number = float(raw.strip())
        except ValueError:
            raise ValueError(f"{raw!r} is not a number") from None
    else:
        raise ValueError(f"{raw!r} is not a number")
    if not math.isfinite(number):
        raise ValueError(f"{raw!r} is not a finite number")
    return number


def _parse_choice(cq: CQuestion, raw: object, interactive: bool) -> str:
    if isinstance(raw, str) and raw in cq.choice_values:
        return raw
    choices = cq.q.choices or []
    values = [str(c.value) for c in choices]
    if not isinstance(raw, str):
        raise ValueError(f"{raw!r} is not one of: {', '.join(values)}")
    text = raw.strip()
    if text in values:
        return text
    lowered = text.lower().replace(" ", "_").replace("-", "_")
    for v in values:
        if v.lower() == lowered:
            return v
    if interactive:
        if text.isdigit() and 1 <= int(text) <= len(values):
            return values[int(text) - 1]
        prefixed = [v for v in values if v.lower().startswith(lowered)] if lowered else []
        if len(prefixed) == 1:
            return prefixed[0]
    close = difflib.get_close_matches(text, values, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise ValueError(f"{text!r} is not one of: {', '.join(values)}{hint}")


def parse_value(
    cq: CQuestion,
    raw: object,
    *,
    today: dt.date,
    ctx: Context | None = None,
    interactive: bool = False,
) -> Scalar:
    """Validate ``raw`` for the question and return the typed value.

    Args:
        cq: the question.
        raw: text typed or given on the command line, or a value from a JSON/TOML file.
        today: what ``today`` means for date phrases.
        ctx: where the question's ``min``/``max`` expressions are evaluated; without it,
            bounds that need other answers are not checked.
        interactive: also accept a choice's number or an unambiguous prefix.

    Raises:
        InvalidAnswer: naming the key, the reason and what is allowed.
    """
    try:
        value = _parse_scalar(cq, raw, today, interactive)
    except ValueError as exc:
        raise InvalidAnswer(cq.key, str(exc)) from None
    if ctx is not None:
        problem = bound_problem(cq, value, ctx)
        if problem is not None:
            raise InvalidAnswer(cq.key, problem)
    return value


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
            if cq.q.type == "date":
                word = "before" if low else "after"
                return f"{format_value(value)} is {word} {bound.source} ({format_value(limit)})"
            word = "below the minimum" if low else "above the maximum"
            return f"{format_value(value)} is {word} of {format_value(limit)}"
    return None


def to_json(value: Scalar) -> bool | int | float | str:
    """An answer as it is stored in session files and JSON output."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def suggest_key(guide: Guide, key: str) -> str | None:
    close = difflib.get_close_matches(key, list(guide.questions), n=1, cutoff=0.6)
    return close[0] if close else None


def unknown_key(guide: Guide, key: str) -> UsageError:
    hint = suggest_key(guide, key)
    extra = f" (did you mean {hint!r}?)" if hint else ""
    return UsageError(
        f"unknown answer key {key!r}{extra}",
        hint="`xrntx-guide questions` lists every key.",
    )


def parse_pairs(pairs: Iterable[str]) -> list[tuple[str, str]]:
    """Split ``KEY=VALUE`` flags; the value may itself contain '='."""
    out = []
    for item in pairs:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--answer {item!r}: expected KEY=VALUE, e.g. --answer age=34")
        out.append((key.strip(), value.strip()))
    return out
