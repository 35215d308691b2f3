"""The guide as a FHIR Questionnaire (``export --format fhir-questionnaire``): read by
the R4B models; every question asked is there with its type, choices and help; and each
``enableWhen`` means what the guide's condition means, on any answers, while a condition
that does not map is kept in words, never dropped silently."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from hypothesis import HealthCheck, given, settings

from tests.helpers import Run
from tests.strategies.patients import Options, Patient, patients, shipped_guide
from xrntx_guide import expr
from xrntx_guide.errors import ExitCode
from xrntx_guide.output.fhir import CONDITION, choice_system, questionnaire, step_link

GUIDE = shipped_guide()
TYPES = {"bool": "boolean", "date": "date", "text": "string", "number": "decimal"}


def items(found: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for item in found:
        yield item
        yield from items(item.get("item", []))


def test_the_questionnaire_is_valid_fhir_and_holds_every_question(run: Run) -> None:
    result = run("export", "--format", "fhir-questionnaire")
    assert result.exit_code == ExitCode.OK, result.output
    q = json.loads(result.stdout)
    get_fhir_model_class("Questionnaire").model_validate(q)
    found = {i["linkId"]: i for i in items(q["item"])}
    assert len(found) == len(list(items(q["item"]))), "linkIds are unique"
    for cq in GUIDE.questions.values():
        if not cq.spec.asked:
            assert cq.key not in found
            continue
        item = found[cq.key]
        assert item["text"] == cq.spec.prompt
        if cq.spec.choices:
            assert item["type"] == "choice"
            codes = [
                o.get("valueInteger", o.get("valueCoding", {}).get("code"))
                for o in item["answerOption"]
            ]
            assert codes == [c.value for c in cq.spec.choices]
        elif cq.spec.type in TYPES:
            assert item["type"] == TYPES[cq.spec.type]
        if cq.spec.help:
            assert [h["text"] for h in item["item"] if h["type"] == "display"] == [cq.spec.help]
        if cq.when is not None:  # mapped, or kept in words
            kept = [e["valueString"] for e in item.get("extension", []) if e["url"] == CONDITION]
            assert "enableWhen" in item or kept == [cq.when.source], cq.key


def _answer(cq: Any, value: Any) -> Any:
    """An answer as the enableWhen compares it."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def enabled(item: Mapping[str, Any], answers: Mapping[str, Any]) -> bool | None:
    """What a FHIR form does with ``enableWhen`` (None: a question it reads is
    unanswered, so the form and the guide may differ only by the guide's unknown)."""
    results = []
    for cond in item["enableWhen"]:
        key, op = cond["question"], cond["operator"]
        (field,) = [k for k in cond if k.startswith("answer")]
        want = cond[field]
        if op == "exists":
            results.append((key in answers) == want)
            continue
        if key not in answers:
            return None
        have = answers[key]
        if field == "answerCoding":
            want = want["code"]
        results.append(
            {
                "=": have == want,
                "!=": have != want,
                "<": have < want,
                "<=": have <= want,
                ">": have > want,
                ">=": have >= want,
            }[op]
        )
    return all(results) if item.get("enableBehavior", "all") == "all" else any(results)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(patients(GUIDE, Options(odd=False, override_faults=False)))
def test_each_enable_when_means_what_the_guides_condition_means(p: Patient) -> None:
    q = questionnaire(GUIDE)
    answers = {k: _answer(None, v) for k, v in p.answers.items() if k in GUIDE.questions}
    context = expr.MapContext(dict(p.answers), frozenset(p.answers))
    conditions = {step_link(s.id): s.when for s in GUIDE.steps} | {
        cq.key: cq.when for cq in GUIDE.questions.values()
    }
    for item in items(q["item"]):
        if "enableWhen" not in item:
            continue
        form = enabled(item, answers)
        if form is None:
            continue
        condition = conditions[item["linkId"]]
        assert condition is not None, item["linkId"]
        guide_says = expr.evaluate(condition.node, context)
        assert guide_says is expr.UNKNOWN or guide_says == form, (
            item["linkId"],
            item["enableWhen"],
        )


def test_a_choice_condition_names_the_choices_code_system() -> None:
    q = questionnaire(GUIDE)
    for item in items(q["item"]):
        for cond in item.get("enableWhen", []):
            if "answerCoding" in cond:
                assert cond["answerCoding"]["system"] == choice_system(GUIDE, cond["question"])
