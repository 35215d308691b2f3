"""``schema answers`` describes the strict form of an answers file (docs/scripting.md):
every answer written in it is accepted, as the program reads it. The program accepts more
(``"yes"``, ``1``, ``"today"``, ``"3 days ago"``...), which docs/scripting.md lists; those looser
forms are not in the schema, so a file that fits it is written one way."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from jsonschema import Draft202012Validator

from tests.helpers import TODAY
from tests.strategies.answers import strict_answers
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


@settings(max_examples=1200, deadline=None)
@given(strict_answers(SCALARS, TODAY))
def test_every_answer_in_the_strict_form_is_accepted(answer: tuple[str, Any]) -> None:
    key, value = answer
    Draft202012Validator(SCHEMA).validate({key: value})
    parsed = parse_answers(GUIDE, {key: value}, "file", TODAY, "answers.json")
    assert key in parsed
