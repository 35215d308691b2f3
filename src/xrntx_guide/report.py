"""Results, summaries and chart notes as data, Markdown, text and calendar files.

Everything here is a pure function of an evaluated :class:`~xrntx_guide.engine.State`
(and, for notes, the session record), so the walkthrough, ``check`` and ``note`` agree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .answers import to_json
from .engine import GateResult, State
from .expr import UNKNOWN, Value
from .session import SessionRecord

DERIVED_IN_RESULT = (
    "days_opioid_free",
    "required_opioid_free_days",
    "naloxone_challenge_required",
    "cows_total",
    "cows_band",
    "needle",
    "injection_side",
    "next_dose_due",
)


def _json_value(value: Value) -> Any:
    if value is UNKNOWN:
        return None
    if isinstance(value, bool | int | float | str | dt.date):
        return to_json(value)
    return str(value)


def gate_json(g: GateResult) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": g.id,
        "title": g.title,
        "severity": g.severity,
        "outcome": g.outcome,
        "reason": g.reason,
        "sources": list(g.sources),
        "findings": [
            {"check": f.text, "result": None if f.value is None else f.value} for f in g.findings
        ],
    }
    if g.instead:
        out["instead"] = list(g.instead)
    if g.earliest_date is not None:
        out["earliest_date"] = g.earliest_date.isoformat()
    if g.missing:
        out["missing"] = list(g.missing)
    if g.override is not None:
        out["override"] = {"code": g.override.code, "comment": g.override.comment}
    if g.outcome == "fail" and g.severity in ("caution", "info"):
        out["acknowledged"] = g.acknowledged
    if g.verify:
        out["verify"] = True
    return out


def derived_json(state: State) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in DERIVED_IN_RESULT:
        if name in state.guide.derived or name in state.guide.questions:
            out[name] = _json_value(state.value(name))
    earliest = state.earliest_injection_date
    if earliest is not None:
        out["earliest_injection_date"] = earliest.isoformat()
    return out


def check_result(state: State) -> dict[str, Any]:
    """The object ``check --json`` prints (its JSON Schema: ``schema check-result``)."""
    meta = state.guide.meta
    result: dict[str, Any] = {
        "status": state.status,
        "blocking": state.blocking,
        "cautions": state.cautions,
        "missing": state.missing(state.readiness_limit),
        "gates": [gate_json(g) for g in state.gates.values() if g.outcome != "not_applicable"],
        "derived": derived_json(state),
        "guide": {"id": meta.id, "version": meta.version, "site": state.guide.site},
        "today": state.inputs.today.isoformat(),
    }
    if state.not_applicable_answers:
        result["ignored"] = list(state.not_applicable_answers)
    return result


def answers_table(state: State, record: SessionRecord | None = None) -> list[dict[str, Any]]:
    """Every answer that applies, in walk order, with its label and origin."""
    rows = []
    for step in state.guide.steps:
        for cq in step.questions:
            if state.question_visible.get(cq.key) is False:
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
                    "question": cq.q.prompt,
                    "value": _json_value(value),
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
