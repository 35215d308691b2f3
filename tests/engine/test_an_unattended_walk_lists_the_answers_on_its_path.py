"""An unattended walk that stops for answers lists the answers its path needs: every
required question it would still ask, in walk order, up to a gate that will end the walk
whatever those answers are, and none beyond it (an end-of-treatment visit is never asked
for the medical evaluation of an injection it will not give). It never leaves out an
answer the walk goes on to need: given the listed answers, the walk never stops for one
the list left out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, reject, settings
from hypothesis import strategies as st

from tests.engine.test_drive import NOW, session_with
from tests.helpers import MINIMAL, TODAY, Run, answer_flags, make_pack, ready_patient
from tests.strategies.patients import DrawChooser, Options, random_answers
from xrntx_guide.engine.drive import Outcome, walk_unattended
from xrntx_guide.errors import ExitCode, UserError
from xrntx_guide.pack.guide import Guide
from xrntx_guide.pack.load import load_guide

LAST_INJECTION = TODAY - dt.timedelta(days=20)


def end_of_treatment() -> dict[str, Any]:
    """A repeat visit that ends the treatment, counselled, with nothing else answered."""
    return {
        "visit": "repeat_injection",
        "injection_date": TODAY,
        "last_injection_date": LAST_INJECTION,
        "last_injection_side": "left",
        "end_of_treatment": True,
        "end_of_treatment_reason": "patient_choice",
        "end_overdose_counselled": True,
        "end_reversal_agent_prescribed": True,
    }


def contraindicated_without_age() -> dict[str, Any]:
    """A first injection three days after use (a contraindication), its age not given."""
    answers = ready_patient(last_opioid_use=TODAY - dt.timedelta(days=3), age=None)
    return {k: v for k, v in answers.items() if not k.startswith(("uds_", "cows_", "kit_"))}


STARTS: dict[str, Callable[[], dict[str, Any]]] = {
    "end-of-treatment": end_of_treatment,
    "contraindicated-without-age": contraindicated_without_age,
    "ready-without-age-and-cows": lambda: ready_patient(age=None, cows_total=None),
    "repeat-visit-half-answered": lambda: {
        "visit": "repeat_injection",
        "injection_date": TODAY,
        "last_injection_date": LAST_INJECTION,
        "last_injection_side": "left",
        "end_of_treatment": False,
    },
}


def unattended(guide: Guide, answers: dict[str, Any]) -> Outcome:
    return walk_unattended(guide, session_with(guide, answers), TODAY, {}, (), NOW)


def step_index(guide: Guide, key: str) -> int:
    return guide.step(guide.questions[key].step_id).index


def test_an_end_of_treatment_visit_lists_only_what_leads_to_its_end(guide: Guide) -> None:
    outcome = unattended(guide, end_of_treatment())

    assert outcome.kind == "missing" and outcome.filled is not None
    assert outcome.missing[0] == "opioid_use_since_last_injection", outcome.missing
    end = guide.step(guide.gate("end_of_treatment").spec.before).index
    assert all(step_index(guide, k) < end for k in outcome.missing), outcome.missing
    assert len(outcome.missing) < len(outcome.filled.missing())


def test_a_decided_contraindication_ends_the_list_at_its_gate(guide: Guide) -> None:
    outcome = unattended(guide, contraindicated_without_age())

    assert outcome.kind == "missing" and outcome.filled is not None
    assert "age" in outcome.missing
    assert outcome.filled.gates["opioid_free_interval"].outcome == "fail"
    stop = guide.step(guide.gate("opioid_free_interval").spec.before).index
    assert all(step_index(guide, k) < stop for k in outcome.missing), outcome.missing


# A gate that fails while the dose is unknown (coalesce reads "not answered" as 0) and
# passes once a dose is given: a gate decided now, but by an answer still to come.
UNTIL_THE_DOSE = {
    """[[step]]
id = "inject"
""": """[[step]]
id = "dosing"
phase = "intake"
title = "Dosing"

[[step.question]]
key = "dose"
type = "int"
prompt = "Dose"

[[step]]
id = "sizing"
phase = "intake"
title = "Sizing"

[[step.question]]
key = "size"
type = "int"
prompt = "Size"

[[gate]]
id = "no_dose"
title = "No dose"
before = "sizing"
sources = ["ref"]

[[gate.rule]]
severity = "contraindication"
fails_when = "coalesce(dose, 0) < 1"
message = "No dose."

[[step]]
id = "inject"
""",
}


def test_a_gate_an_answer_still_to_come_may_pass_never_ends_the_list(tmp_path: Path) -> None:
    guide = load_guide(make_pack(tmp_path, base=MINIMAL, replace=UNTIL_THE_DOSE))
    outcome = unattended(guide, {})
    assert outcome.kind == "missing" and outcome.filled is not None
    assert outcome.filled.gates["no_dose"].outcome == "fail"  # decided while dose is unknown
    assert outcome.missing == ["allergic", "dose", "size"], outcome.missing
    dosed = unattended(guide, {"allergic": False, "dose": 5})
    assert dosed.kind == "missing" and dosed.missing == ["size", "given"], "the list named it"


# A gate checked before the sizing step that reads its size, itself or through an answer
# computed from it at intake: the size's default is recorded only when the walk reaches
# it, after the width, so the gate passes before the step and the walk asks the width
# before the gate stops it.
SIZING = """[[step]]
id = "sizing"
phase = "intake"
title = "Sizing"

[[step.question]]
key = "width"
type = "int"
prompt = "Width"

[[step.question]]
key = "size"
type = "int"
prompt = "Size"
default = "5"

[[gate]]
id = "too_big"
title = "Too big"
before = "sizing"
sources = ["ref"]

[[gate.rule]]
severity = "contraindication"
fails_when = "{reads} > 3"
message = "Too big."

[[step]]
id = "inject"
"""
INJECT = """[[step]]
id = "inject"
"""
ALLERGIC = """key = "allergic"
type = "bool"
prompt = "Allergic to the drug?"
"""
READS = {
    "the size": {INJECT: SIZING.format(reads="coalesce(size, 0)")},
    "an answer computed from it": {
        INJECT: SIZING.format(reads="measure"),
        ALLERGIC: ALLERGIC
        + """
[[step.question]]
key = "measure"
type = "int"
prompt = "Measure"
computed = "coalesce(size, 0)"
""",
    },
}


@pytest.mark.parametrize("reads", READS)
def test_a_default_the_walk_records_later_never_ends_the_list_early(
    tmp_path: Path, reads: str
) -> None:
    guide = load_guide(make_pack(tmp_path, base=MINIMAL, replace=READS[reads]))
    outcome = unattended(guide, {})
    assert outcome.kind == "missing" and outcome.filled is not None
    assert outcome.filled.gates["too_big"].outcome == "fail"  # with the size's default
    assert outcome.missing == ["allergic", "width"], outcome.missing
    answered = unattended(guide, {"allergic": False})
    assert answered.kind == "missing" and answered.missing == ["width"], "the list named it"


def _choices(guide: Guide, key: str, typical: dict[str, Any]) -> list[Any]:
    """Values to give a listed question: each choice, yes and no, or a typical value."""
    q = guide.questions[key].spec
    if q.type == "bool":
        return [True, False]
    if q.choices:
        return [c.value for c in q.choices]
    if key in typical:
        return [typical[key]]
    return [{"int": 1, "number": 1.0, "date": TODAY, "text": "x"}[q.type]]


@pytest.mark.parametrize("start", list(STARTS), ids=list(STARTS))
def test_the_listed_answers_never_lead_to_one_left_out(guide: Guide, start: str) -> None:
    answers = STARTS[start]()
    outcome = unattended(guide, answers)
    assert outcome.kind == "missing" and outcome.filled is not None
    left_out = set(outcome.filled.missing()) - set(outcome.missing)
    typical = ready_patient(visit="repeat_injection")
    options = {k: _choices(guide, k, typical) for k in outcome.missing}
    first = {k: v[0] for k, v in options.items()}
    for key, values in options.items():
        for value in values:
            given = {**answers, **first, key: value}
            again = unattended(guide, given)
            if again.kind == "missing":
                assert not left_out & set(again.missing), (key, value, again.missing)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_no_answer_the_walk_goes_on_to_need_is_ever_left_out(guide: Guide, data: Any) -> None:
    """A patient with answers left out, walked again and again with each list answered:
    no list ever names an answer that an earlier list left out."""
    c = DrawChooser(data.draw)
    full = random_answers(c, guide, TODAY, Options(odd=False, drops=False))
    answers = {k: v for k, v in full.items() if not c.chance(30)}
    acknowledge: tuple[str, ...] = c.pick([(), ("all",)])
    never_needed: set[str] = set()
    for _ in range(8):
        try:
            outcome = walk_unattended(
                guide, session_with(guide, answers), TODAY, {}, acknowledge, NOW
            )
        except UserError:
            reject()  # answers a route refuses: not a walk
        if outcome.kind != "missing":
            return
        assert outcome.filled is not None
        event("the list ends at a gate" if outcome.until is not None else "no gate ends it")
        assert not never_needed & set(outcome.missing), (never_needed, outcome.missing)
        never_needed |= set(outcome.filled.missing()) - set(outcome.missing)
        for key in outcome.missing:
            values = [full[key]] if key in full else _choices(guide, key, full)
            answers[key] = c.pick(values)


def test_walk_no_input_names_only_the_answers_on_the_path(run: Run, guide: Guide) -> None:
    result = run(
        "walk", "--no-input", "--today", TODAY.isoformat(), "--label", "pt-end",
        *answer_flags(end_of_treatment()),
    )  # fmt: skip

    assert result.exit_code == ExitCode.INCOMPLETE, result.output
    listed = [line.split()[1].split("=")[0] for line in result.stderr.splitlines()
              if line.strip().startswith("--answer ")]  # fmt: skip
    assert listed[0] == "opioid_use_since_last_injection", result.stderr
    end = guide.step(guide.gate("end_of_treatment").spec.before).index
    assert all(step_index(guide, k) < end for k in listed), result.stderr
    assert f"answers are missing ({len(listed)})" in result.stderr
    assert "stops at gate end_of_treatment" in " ".join(result.stderr.split())


def test_a_caution_the_flags_pass_does_not_end_the_list(guide: Guide) -> None:
    answers = STARTS["repeat-visit-half-answered"]()
    held = unattended(guide, answers)
    assert held.kind == "missing" and held.until is not None, held
    assert held.until.kind == "acknowledge"
    gate_id = held.until.gate.id
    passed = walk_unattended(guide, session_with(guide, answers), TODAY, {}, (gate_id,), NOW)
    assert passed.kind == "missing"
    assert passed.missing[: len(held.missing)] == held.missing
    assert len(passed.missing) > len(held.missing), passed.missing
    assert passed.until is None or passed.until.gate.id != gate_id
