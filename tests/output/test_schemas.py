"""The JSON Schemas and JSON shapes scripts rely on (output/schemas.py)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from tests.helpers import TODAY, SchemaError, conform, json_answers, ready_patient
from xrntx_guide.engine.evaluate import Inputs, evaluate
from xrntx_guide.errors import InvalidAnswer, UsageError
from xrntx_guide.output.report import check_result
from xrntx_guide.output.schemas import (
    CheckResult,
    answers_schema,
    check_result_schema,
    error_fields,
)
from xrntx_guide.pack.guide import Guide
from xrntx_guide.visit.rapid import is_record_key


@pytest.fixture(scope="module")
def schema(guide: Guide) -> dict[str, Any]:
    return answers_schema(guide)


def test_the_ready_patient_as_an_answers_file_fits_the_answers_schema(
    schema: dict[str, Any],
) -> None:
    answers = json_answers(ready_patient())
    conform({"id": "p-1", **answers}, schema, schema)


@pytest.mark.parametrize(
    ("change", "says"),
    [({"consnet": True}, "unexpected key"), ({"consent": "yes"}, "not boolean")],
    ids=["misspelt-key", "wrong-type"],
)
def test_the_answers_schema_refuses_what_an_editor_should_flag(
    schema: dict[str, Any], change: dict[str, Any], says: str
) -> None:
    with pytest.raises(SchemaError, match=says):
        conform({**json_answers(ready_patient()), **change}, schema, schema)


def test_every_answer_in_the_schema_carries_its_question_as_description(
    guide: Guide, schema: dict[str, Any]
) -> None:
    for key, cq in guide.questions.items():
        if is_record_key(guide, key):  # from the pathway record (rapid_days), never given
            assert key not in schema["properties"]
            continue
        assert schema["properties"][key]["description"] == cq.spec.prompt


def test_every_check_result_fits_its_published_model(guide: Guide) -> None:
    for changes in ({}, {"consent": False}, {"age": None}):
        CheckResult.model_validate(
            check_result(evaluate(guide, Inputs(ready_patient(**changes), TODAY)))
        )
    schema = check_result_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(schema["required"]) >= {"status", "gates", "guide", "today"}


def test_a_result_with_an_unknown_field_is_refused_by_the_model(guide: Guide) -> None:
    result = check_result(evaluate(guide, Inputs(ready_patient(), TODAY)))
    with pytest.raises(ValidationError):
        CheckResult.model_validate({**result, "extra": 1})


def test_an_error_says_its_code_and_the_key_it_is_about() -> None:
    assert error_fields(InvalidAnswer("age", "too young")) == {
        "code": "invalid_answer",
        "key": "age",
        "message": "age: too young",
        "hint": None,
    }
    assert error_fields(UsageError("bad flag"))["code"] == "usage"
