"""JSON Schemas: the check result (from pydantic models the tests validate against) and
answers files (built from the guide's questions)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from .loader import Guide


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FindingOut(_Out):
    check: str
    result: bool | None


class OverrideOut(_Out):
    code: str
    comment: str


class GateOut(_Out):
    id: str
    title: str
    severity: Literal["contraindication", "stop", "caution", "info"]
    outcome: Literal["pass", "fail", "unknown", "overridden"]
    reason: str
    sources: list[str]
    findings: list[FindingOut] | None = None
    instead: list[str] | None = None
    earliest_date: dt.date | None = None
    missing: list[str] | None = None
    override: OverrideOut | None = None
    acknowledged: bool | None = None
    verify: bool | None = None


class GuideOut(_Out):
    id: str
    version: str
    site: str | None


class CheckResult(_Out):
    """The result of ``check``: one per patient (per line with ``--batch``)."""

    id: Any = None
    status: Literal["ready", "blocked", "needs_override", "incomplete"]
    blocking: list[str]
    cautions: list[str]
    missing: list[str]
    gates: list[GateOut]
    derived: dict[str, Any]
    guide: GuideOut
    today: dt.date
    ignored: list[str] | None = None


class BatchError(_Out):
    """A ``--batch`` line that could not be checked."""

    id: Any = None
    status: Literal["error"]
    error: str
    line: int


def check_result_schema() -> dict[str, Any]:
    schema = CheckResult.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "xrntx-guide check result"
    return schema


def answers_schema(guide: Guide) -> dict[str, Any]:
    """A JSON Schema for ``--answers`` files, built from the guide's questions."""
    props: dict[str, Any] = {}
    for cq in guide.questions.values():
        q = cq.q
        prop: dict[str, Any] = {"description": q.prompt}
        if q.type == "bool":
            prop["type"] = "boolean"
        elif q.type == "date":
            prop.update(type="string", format="date")
        elif q.type == "text":
            prop["type"] = "string"
        elif q.type == "choice":
            prop.update(type="string", enum=[c.value for c in q.choices or ()])
        elif q.type == "int":
            prop["type"] = "integer"
            if q.choices:
                prop["enum"] = [c.value for c in q.choices]
        else:
            prop["type"] = "number"
        for bound, word in ((q.min, "minimum"), (q.max, "maximum")):
            if isinstance(bound, int | float) and not isinstance(bound, bool):
                prop[word] = bound
        props[q.key] = prop
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"xrntx-guide answers for {guide.meta.id} {guide.meta.version}",
        "type": "object",
        "properties": {"id": {"description": "Your identifier, echoed in batch results"}, **props},
        "additionalProperties": False,
    }
