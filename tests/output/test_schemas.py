"""The JSON Schemas and JSON shapes scripts rely on (output/schemas.py)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from tests.helpers import TODAY, SchemaError, conform, json_answers, ready_patient
from tests.oracle import COWS_ITEMS
from xrntx_guide.engine.evaluate import Inputs, evaluate
from xrntx_guide.errors import InvalidAnswer, UsageError
from xrntx_guide.output.check import check_result
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


# -- the series keys and the rapid pathway's record -----------------------------


NO_ITEMS = dict.fromkeys(COWS_ITEMS, 0)


def _as_json(value: Any) -> Any:
    """A TOML value as JSON writes it: dates and times as ISO text."""
    import datetime as dt

    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


def test_every_shipped_scenarios_answers_fit_the_answers_schema(schema: dict[str, Any]) -> None:
    """The scenarios are example answers files: the series (cows_ratings,
    naloxone_challenges) and the rapid pathway's daily record (rapid_days) included."""
    from tests.helpers import REPO
    from xrntx_guide import scenarios as sc

    seen: set[str] = set()
    for case in sc.read_all(REPO / "scenarios"):
        answers = _as_json(dict(case.answers))
        conform(answers, schema, schema, case.id)
        seen |= set(answers)
    assert {"cows_ratings", "naloxone_challenges", "rapid_days"} <= seen


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"cows_ratings": [{"at": "2026-11-24T08:00", "total": 49}]}, "above"),
        ({"cows_ratings": [{"at": "2026-11-24T08:00"}]}, "fits no option"),
        ({"cows_ratings": [{"at": "2026-11-24", "total": 1}]}, "does not match"),
        (
            {"cows_ratings": [{"at": "2026-11-24T08:00", "items": {**NO_ITEMS, "pulse": 3}}]},
            "not in",
        ),
        ({"naloxone_challenges": []}, "fewer than 1"),
        (
            {"naloxone_challenges": [{"at": "2026-11-24T08:00", "result": "maybe"}]},
            "not in",
        ),
        (
            {
                "naloxone_challenges": [
                    {"at": "2026-11-24T08:00", "result": "positive", "corrects": "earlier"}
                ]
            },
            "does not match",
        ),
        (
            {
                "rapid_days": [
                    {"day": 1, "date": "2026-11-22", "given": "x", "cows": [{"time": "09:00"}]}
                ]
            },
            "fits no option",
        ),
    ],
    ids=[
        "total-too-high",
        "rating-without-scores",
        "rating-without-time",
        "item-score-not-on-the-scale",
        "no-challenge",
        "unknown-result",
        "correction-naming-no-time",
        "pathway-rating-without-scores",
    ],
)
def test_the_answers_schema_describes_the_series_and_the_pathway_record(
    schema: dict[str, Any], change: dict[str, Any], says: str
) -> None:
    answers = json_answers(ready_patient(cows_total=None, naloxone_challenge=None))
    with pytest.raises(SchemaError, match=says):
        conform({**answers, **change}, schema, schema)
