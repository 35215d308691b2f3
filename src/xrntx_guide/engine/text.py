"""Values and messages as a clinician reads them: a value's display (a choice's label, a
unit) and a message's ``{name}`` placeholders filled in."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import Any

from ..expr import UNKNOWN, Value, format_value
from ..pack.guide import Guide
from ..pack.model import PLACEHOLDER


def display_value(guide: Guide, name: str, value: Value) -> str:
    """A value as a clinician reads it: a choice's label, yes/no, an ISO date, a unit."""
    labels, unit = guide.once("display_forms", lambda: _display_forms(guide)).get(name, _PLAIN)
    if value is UNKNOWN:
        return format_value(value)
    if labels:
        label = labels.get(value)
        if label is not None:
            return label
    text = format_value(value)
    if unit:
        return text + (singular(unit) if text == "1" else unit)
    return text


_PLAIN: tuple[Mapping[object, str] | None, str | None] = (None, None)


def _display_forms(guide: Guide) -> dict[str, tuple[Mapping[object, str] | None, str | None]]:
    """For each name a value is shown for, from the pack alone: its question's choice
    labels (a question's label wins, as :meth:`CQuestion.choice_label` reads it) and its
    derived value's unit (" days"); names with neither are left out."""
    forms: dict[str, tuple[Mapping[object, str] | None, str | None]] = {}
    for name in {*guide.questions, *guide.derived}:
        cq = guide.questions.get(name)
        derived = guide.derived.get(name)
        labels = cq.choice_labels if cq is not None and cq.choice_labels else None
        unit = f" {derived.spec.unit}" if derived is not None and derived.spec.unit else None
        if labels is not None or unit is not None:
            forms[name] = (labels, unit)
    return forms


def shown_value(
    guide: Guide, name: str, value_of: Callable[[str], Value], answered: Callable[[str], bool]
) -> str:
    """A value as every screen, note and gate reason shows it: :func:`display_value`, and a
    derived value that has none although all it reads is known, in its pack's words for
    having none (``no_value``). ``value_of`` and ``answered`` read the evaluation (the
    finished one, or the context a reason is filled in from: one rule for both)."""
    value = value_of(name)
    if value is UNKNOWN and _absent_by_nature(guide, name, value_of, answered):
        words = guide.derived[name].spec.no_value
        assert words is not None
        return words
    return display_value(guide, name, value)


def _absent_by_nature(
    guide: Guide, name: str, value_of: Callable[[str], Value], answered: Callable[[str], bool]
) -> bool:
    """A derived value with words for having none (``no_value``) that has none although
    every answer it reads is given: no minimum is established for that opioid, and so
    no challenge requirement either. A value never asked (``asked = false``) may be
    absent by nature, and so may a derived value read that is itself absent by nature:
    neither keeps the words from being shown."""
    derived = guide.derived.get(name)
    if derived is None or derived.spec.no_value is None:
        return False
    questions = guide.questions
    for r in derived.expr.reads:
        if r in questions and questions[r].spec.asked and not answered(r):
            return False
        if (
            r in guide.derived
            and value_of(r) is UNKNOWN
            and (r == name or not _absent_by_nature(guide, r, value_of, answered))
        ):
            return False
    return True


@functools.lru_cache(maxsize=4096)
def _template(text: str) -> tuple[tuple[bool, str], ...]:
    """A message split once into (is a placeholder, text) parts."""
    parts: list[tuple[bool, str]] = []
    at = 0
    for m in PLACEHOLDER.finditer(text):
        if m.start() > at:
            parts.append((False, text[at : m.start()]))
        parts.append((True, m.group(1)))
        at = m.end()
    if at < len(text):
        parts.append((False, text[at:]))
    return tuple(parts)


def render(text: str, lookup: Any, extra: Mapping[str, str] | None = None) -> str:
    """Fill ``{name}`` placeholders with display values; nothing else is interpreted."""
    parts = _template(text)
    if len(parts) == 1 and not parts[0][0]:
        return text  # no placeholder: most reasons a gate passes with
    out: list[str] = []
    for is_name, part in parts:
        if not is_name:
            # "1 days" reads "1 day": the step file writes the plural after a placeholder.
            out.append(singular(part) if out and out[-1] == "1" else part)
        elif extra and part in extra:
            out.append(extra[part])
        else:
            out.append(str(lookup(part)))
    return "".join(out)


_PLURAL_UNIT = re.compile(r"^( (?:COWS )?(?:day|hour|minute|week|month|year|point))s\b")


def singular(after_one: str) -> str:
    """The text after the number 1: its unit in the singular (" days ago" -> " day ago")."""
    return _PLURAL_UNIT.sub(r"\1", after_one, count=1)
