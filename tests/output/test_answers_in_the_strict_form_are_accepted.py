"""``schema answers`` describes the strict form of an answers file (README, For scripts):
every answer written in it is accepted, as the program reads it. The program accepts more
(``"yes"``, ``1``, ``"today"``, ``"3 days ago"``...), which the README lists; those looser
forms are not in the schema, so a file that fits it is written one way."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from tests.helpers import TODAY
from tests.strategies.patients import shipped_guide
from xrntx_guide.output.schemas import answers_schema
from xrntx_guide.visit.presets import parse_answers

GUIDE = shipped_guide()
SCHEMA = answers_schema(GUIDE)
SCALARS = {
    key: prop
    for key, prop in SCHEMA["properties"].items()
    if key in GUIDE.questions and prop.get("type") in ("boolean", "string", "integer", "number")
}
"""The answers that are single values (the series and the pathway's days have their own
tests)."""


def values(prop: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values the schema allows for one answer (dates within the two years before the
    visit: a date after it is refused by a bound the schema cannot state)."""
    if "enum" in prop:
        return st.sampled_from(prop["enum"])
    kind = prop["type"]
    if kind == "boolean":
        return st.booleans()
    if kind == "string" and prop.get("format") == "date":
        days = st.integers(min_value=0, max_value=730)
        return days.map(lambda n: (TODAY - dt.timedelta(days=n)).isoformat())
    if kind == "string":
        return st.text(st.characters(codec="utf-8", categories=("L", "N", "Zs")), min_size=1)
    low, high = prop.get("minimum"), prop.get("maximum")
    if kind == "integer":
        return st.integers(min_value=low, max_value=high)
    return st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False)


@st.composite
def strict_answers(draw: st.DrawFn) -> tuple[str, Any]:
    key = draw(st.sampled_from(sorted(SCALARS)))
    return key, draw(values(SCALARS[key]))


@settings(max_examples=1200, deadline=None)
@given(strict_answers())
def test_every_answer_in_the_strict_form_is_accepted(answer: tuple[str, Any]) -> None:
    key, value = answer
    Draft202012Validator(SCHEMA).validate({key: value})
    parsed = parse_answers(GUIDE, {key: value}, "file", TODAY, "answers.json")
    assert key in parsed
