"""The check result: what ``check --json`` prints, and the tables it shares with notes.

Everything here is a pure function of an evaluated :class:`~xrntx_guide.engine.State`
(and, for the answers table, the session record), so the walkthrough, ``check`` and
``note`` agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..engine.evaluate import GateResult, State
from ..expr import UNKNOWN, Value
from ..pack.severity import ACKNOWLEDGEABLE
from ..visit.answers import to_json
from ..visit.presets import observation_json, observed_results
from .versions import CHECK_RESULT

if TYPE_CHECKING:
    from ..visit.session import SessionRecord


def injection_possible(state: State) -> bool:
    """The patient is ready, or the injection was given: a next dose date means something."""
    return state.status == "ready" or injection_given(state) is True


def injection_given(state: State) -> Value:
    """Whether the dose was given (:attr:`State.injection_given`: only when the gates
    allowed it)."""
    return state.injection_given


def given_not_allowed(state: State) -> bool:
    """An answer says the dose was given, but the gates did not allow it: the note says
    so instead of recording a dose. The answer as it was given: a gate that blocks hides
    the injection step, and with it the answer's value, but the answer stays typed."""
    key = state.guide.meta.report.injection_given
    return (
        key is not None
        and state.inputs.answers.get(key) is True
        and state.injection_given is not True
    )


def side_against_advice(state: State) -> str | None:
    """The dose, recorded as given, on another side than the guide advised (``[guide.
    report] side_advised``: the other buttock), in words; None when it was not given, the
    advice names no side the answer can take ("either"), or they agree."""
    report = state.guide.meta.report
    given_key, advised_key = report.side_given, report.side_advised
    if given_key is None or advised_key is None or injection_given(state) is not True:
        return None
    given, advised = state.value(given_key), state.value(advised_key)
    cq = state.guide.questions.get(given_key)
    sides = {c.value for c in (cq.spec.choices or ())} if cq is not None else set()
    if given is UNKNOWN or advised not in sides or given == advised:
        return None
    derived = state.guide.derived.get(advised_key)
    label = derived.spec.label if derived is not None and derived.spec.label else advised_key
    return (
        f"the dose is recorded in the {given} buttock, not the side the guide advised "
        f"({label}: {advised})"
    )


def shown_after_injection(state: State, name: str) -> bool:
    """Whether ``name`` means something for this patient (a next dose date only once the
    injection can be, or was, given)."""
    return name not in state.guide.meta.report.after_injection or injection_possible(state)


def json_value(value: Value) -> Any:
    if value is UNKNOWN:
        return None
    if isinstance(value, bool | int | float | str | dt.date):
        return to_json(value)
    return str(value)


def gate_json(g: GateResult, explain: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": g.id,
        "title": g.title,
        "severity": g.severity,
        "outcome": g.outcome,
        "reason": g.reason,
        "sources": list(g.sources),
    }
    if explain:
        out["findings"] = [{"check": f.text, "result": f.value} for f in g.findings]
    if g.instead:
        out["instead"] = list(g.instead)
    if g.earliest_date is not None:
        out["earliest_date"] = g.earliest_date.isoformat()
    if g.missing:
        out["missing"] = list(g.missing)
    if g.override is not None:
        out["override"] = {"code": g.override.code, "comment": g.override.comment}
    if g.outcome == "fail" and g.severity in ACKNOWLEDGEABLE:
        out["acknowledged"] = g.acknowledged
    if g.verify:
        out["verify"] = True
    return out


def derived_json(state: State) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in state.guide.meta.report.result:
        if name in state.guide.derived or name in state.guide.questions:
            if not shown_after_injection(state, name):
                out[name] = None
                continue
            out[name] = json_value(state.value(name))
    earliest = state.earliest_injection_date
    if earliest is not None:
        out["earliest_injection_date"] = earliest.isoformat()
    return out


def check_result(
    state: State, explain: bool = False, starts: Mapping[str, dt.datetime] | None = None
) -> dict[str, Any]:
    """The object ``check --json`` prints (its JSON Schema: ``schema check-result``).
    ``starts``: when the naloxone of each timed result was given, where the run said so;
    a result without is said to be taken as reported (``observation``)."""
    meta = state.guide.meta

    result: dict[str, Any] = {
        "format_version": CHECK_RESULT,
        "status": state.status,
        "blocking": state.blocking,
        "cautions": state.cautions,
        "missing": state.missing_before_injection,
        "gates": [
            gate_json(g, explain) for g in state.gates.values() if g.outcome != "not_applicable"
        ],
        "derived": derived_json(state),
        "guide": {"id": meta.id, "version": meta.version, "site": state.guide.site},
        "today": state.inputs.today.isoformat(),
    }
    if state.not_applicable_answers:
        result["ignored"] = list(state.not_applicable_answers)

    observed = observed_results(state, None, starts or {})
    if observed:
        result["observation"] = observation_json(observed)
    return result


def answers_table(state: State, record: SessionRecord | None = None) -> list[dict[str, Any]]:
    """Every answer that applies, in walk order, with its label and origin."""
    rows = []
    unused = frozenset(state.not_applicable_answers)
    for step in state.guide.steps:
        for cq in step.questions:
            if state.question_visible.get(cq.key) is False or cq.key in unused:
                continue
            value = state.value(cq.key)
            if value is UNKNOWN:
                continue
            origin: str
            if record is not None and cq.key in record.answers:
                origin = record.answers[cq.key].origin
            elif cq.key in state.answered:
                origin = "given"
            elif cq.computed is not None:
                origin = "derived"
            else:
                origin = "default"
            rows.append(
                {
                    "key": cq.key,
                    "question": cq.spec.prompt,
                    "value": json_value(value),
                    "shown": state.display(cq.key),
                    "origin": origin,
                    "step": step.id,
                }
            )
    return rows


def source_list(state: State, keys: list[str] | None = None) -> list[dict[str, str]]:
    used: list[str] = []
    if keys is None:
        for g in state.gates.values():
            if g.outcome != "not_applicable":
                used.extend(g.sources)
    else:
        used = keys
    out = []
    for key in dict.fromkeys(used):
        src = state.guide.sources.get(key)
        if src is not None:
            out.append({"key": key, "citation": src.citation, "locator": src.locator or ""})
    return out
