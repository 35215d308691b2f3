"""Reachability: a step, question or gate that no answers reach is a warning naming it; no
step after the injection can be reached without passing the readiness gates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.helpers import PACK_FILE, make_pack
from xrntx_guide.engine.evaluate import Inputs, evaluate
from xrntx_guide.engine.next_action import Ask, Confirm, GateStop, next_action
from xrntx_guide.errors import Problem
from xrntx_guide.expr.values import Scalar
from xrntx_guide.pack.checks import readiness_is_guarded
from xrntx_guide.pack.guide import Guide
from xrntx_guide.pack.load import load_guide, validate_pack

INJECT = '[[step]]\nid = "inject"'
ROUTE = """
[[step.question]]
key = "route"
type = "choice"
prompt = "Route"
choices = [{ value = "iv", label = "IV" }, { value = "sc", label = "SC" }]

[[step.question]]
key = "score"
type = "int"
prompt = "Score"
choices = [{ value = 0, label = "0" }, { value = 1, label = "1" }, { value = 2, label = "2" }]

[[step.question]]
key = "weight"
type = "number"
prompt = "Weight"
optional = true
"""


def extra_step(when: str, key: str = "extra", step: str = "later") -> str:
    """A step before the injection, shown only ``when``."""
    return (
        f'[[step]]\nid = "{step}"\nphase = "intake"\ntitle = "Later"\nwhen = "{when}"\n\n'
        f'[[step.question]]\nkey = "{key}"\ntype = "bool"\nprompt = "Extra?"\noptional = true\n\n'
    )


def warnings(tmp_path: Path, *steps: str, append: str = "") -> list[Problem]:
    folder = make_pack(
        tmp_path, replace={INJECT: ROUTE + "\n" + "".join(steps) + INJECT}, append=append
    )
    result = validate_pack(folder)
    assert result.errors == [], [str(p) for p in result.errors]
    return result.warnings


@pytest.mark.parametrize(
    "when",
    [
        "route == 'iv' and route == 'sc'",
        "route == 'iv' and route != 'iv'",
        "score > 2",
        "allergic and not allergic",
        "route in ['iv'] and not (route in ['iv', 'sc'])",
        "coalesce(score, 0) >= 3",
        "answered(route) and not answered(route)",
    ],
    ids=["two-values", "contradiction", "beyond-choices", "bool", "lists", "coalesce", "answered"],
)
def test_a_step_no_answers_can_show_is_a_warning_naming_it(tmp_path: Path, when: str) -> None:
    (problem,) = warnings(tmp_path, extra_step(when))
    assert problem.severity == "warning"
    assert problem.path == "step[1].when"
    assert problem.file.endswith(PACK_FILE) and problem.line is not None
    assert "step 'later' is never shown" in problem.message
    assert when in problem.message


@pytest.mark.parametrize(
    "when",
    [
        "route == 'iv' or route == 'sc'",
        "score >= 2",
        "not answered(route)",
        "weight > 80 and weight < 60",  # numbers are not searched: never a false warning
        "visit_date > today",
        "coalesce(route, 'iv') == 'iv'",
        "allergic or route == 'sc'",
    ],
)
def test_a_step_some_answers_show_is_no_warning(tmp_path: Path, when: str) -> None:
    assert warnings(tmp_path, extra_step(when)) == []


def test_a_step_that_reads_only_a_question_no_one_is_asked_is_a_warning(tmp_path: Path) -> None:
    never = extra_step("route == 'iv' and route == 'sc'", key="hidden_answer", step="never")
    after = extra_step("coalesce(hidden_answer, false)", key="after_answer", step="after")
    found = warnings(tmp_path, never, after)
    assert [p.path for p in found] == ["step[1].when", "step[2].when"]
    assert "step 'after' is never shown" in found[1].message


def test_a_question_no_answers_reach_is_a_warning(tmp_path: Path) -> None:
    question = (
        '\n[[step.question]]\nkey = "odd"\ntype = "bool"\nprompt = "Odd?"\n'
        'when = "score == 0 and score == 1"\n'
    )
    (problem,) = warnings(tmp_path, question)
    assert problem.path == "step[0].question[5].when"
    assert "question 'odd' is never asked" in problem.message


def test_a_gate_that_never_applies_is_a_warning(tmp_path: Path) -> None:
    gate = (
        '\n[[gate]]\nid = "never"\ntitle = "Never"\nbefore = "inject"\nsources = ["ref"]\n'
        "applies_when = \"route == 'iv' and route == 'sc'\"\n\n[[gate.rule]]\n"
        'severity = "contraindication"\nfails_when = "allergic"\nmessage = "No."\n'
    )
    (problem,) = warnings(tmp_path, append=gate)
    assert problem.path == "gate[1].applies_when"
    assert "gate 'never' never applies" in problem.message


def test_the_shipped_pack_has_no_unreachable_step(guide: Guide) -> None:
    found = [p for p in validate_pack().warnings if "never" in p.message]
    assert found == []


# ---------------------------------------------------------------------------------------
# After the injection: only past the readiness gates

AFTER = """
[[step]]
id = "after"
phase = "intake"
title = "After the injection"

[[step.question]]
key = "observed"
type = "bool"
prompt = "Observed?"
"""


def test_readiness_is_guarded_holds_for_a_pack_with_steps_after_the_injection(
    tmp_path: Path,
) -> None:
    guide = load_guide(make_pack(tmp_path, append=AFTER))
    assert readiness_is_guarded(guide) == []
    after = guide.step("after")
    assert {g.id for g in guide.guarding[after.index]} >= set(guide.readiness_gate_ids)


def test_readiness_is_guarded_names_a_step_after_the_injection_that_skips_a_gate(
    tmp_path: Path,
) -> None:
    """The check looks at what the walk uses: were ``guarding`` ever built so that a later
    step skipped a readiness gate, the check says so."""
    guide = load_guide(make_pack(tmp_path, append=AFTER))
    broken = (*guide.guarding[:-1], ())  # the last step guarded by nothing
    object.__setattr__(guide, "guarding", broken)  # a cached property, set by hand
    (issue,) = readiness_is_guarded(guide)
    assert "step 'after' comes after the injection" in issue.message
    assert issue.path == ("step", 2)


def test_a_blocked_patient_never_reaches_a_step_after_the_injection(tmp_path: Path) -> None:
    """The walk stops at the blocking gate: the step after the injection is neither asked
    nor confirmed, whatever was answered for it."""
    guide = load_guide(make_pack(tmp_path, append=AFTER))
    answers: dict[str, Scalar] = {"visit_date": dt.date(2026, 1, 1), "allergic": True}
    state = evaluate(guide, Inputs(answers=answers, today=dt.date(2026, 1, 1)))
    action = next_action(state, confirmed=frozenset({"inject"}))
    assert isinstance(action, GateStop), action
    assert action.gate.id == "allergy"
    assert not isinstance(action, Ask | Confirm)
