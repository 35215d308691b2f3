"""A visit as HL7 FHIR R4: one Bundle of plain dictionaries (``note --format fhir``).

Built as the calendar note is, from data the program already holds (the chart note's data,
the session record and the guide): no FHIR library is imported on any command's path; the
tests validate the output with one. What each resource holds, the codes, and what is not
exported are in docs/storage.md ("Exchanging data").

Codes: only those the clinical basis confirms (RxNorm 637213 for the injection, SNOMED CT
206007 for the gluteus maximus muscle). Everything else (the COWS total, the urine screens,
the gates, a choice's answers, the route) is coded in the project's own code systems under
:data:`LOCAL`, named, never a guessed standard code.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .. import __version__, expr
from ..pack import keys
from ..pack.keys import COWS_THRESHOLD, COWS_TOTAL
from ..pack.severity import SEVERITIES
from ..visit.clock import instant as _instant
from ..visit.rapid import calm_strays

if TYPE_CHECKING:
    from ..pack.guide import Guide
    from ..visit.session import SessionRecord

LOCAL = "https://xrntx-guide.invalid/fhir"
"""The base of the project's own code systems and identifiers. ``.invalid`` never
resolves: these are local codes, which a receiving system maps to its own."""

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SNOMED = "http://snomed.info/sct"

INJECTION = {"system": RXNORM, "code": "637213"}
"""The injection (clinical basis: codes for data exchange). Its RxNorm name is not written
here (it holds the dose, and the dose lives in the step pack): the text beside the code is
the pack's own words for the dose."""
INJECTION_TEXT = "XR-naltrexone injection"
"""The text of the injection's code when the pack gives no words for the dose."""
GLUTEUS_MAXIMUS = {"system": SNOMED, "code": "206007", "display": "Gluteus maximus muscle"}
"""The injection site (clinical basis: codes for data exchange)."""

FORMAT_VERSION = 1
"""The version of this Bundle's layout (``meta.tag`` ``format``): raised when a resource,
a code or a field a receiving system may map changes its meaning or goes away."""

URINE_SCREENS = (
    "uds_opiates",
    "uds_fentanyl",
    "uds_buprenorphine",
    "uds_methadone",
    "uds_oxycodone",
)
"""The answers that are urine drug screens, exported as Observations when present."""
PREGNANCY_TEST = "pregnancy_test"
LIVER_VALUE = "lft_multiple_uln"


def issue_severity(name: str) -> str:
    """A gate's severity as DetectedIssue.severity (FHIR's own value set: high, moderate,
    low): high when nothing passes it, moderate when an override can, low otherwise."""
    kind = SEVERITIES.get(name)
    if kind is None or not kind.blocking:
        return "low"
    return "moderate" if kind.overridable else "high"


def local(name: str) -> str:
    """The URL of one of the project's code systems (``LOCAL/CodeSystem/NAME``)."""
    return f"{LOCAL}/CodeSystem/{name}"


def questionnaire_url(guide: Guide) -> str:
    """The canonical URL of the guide as a Questionnaire (``export --format
    fhir-questionnaire``), which a QuestionnaireResponse names."""
    return f"{LOCAL}/Questionnaire/{guide.meta.id}"


def step_link(step: str) -> str:
    """A step's group ``linkId``: ``step-ID`` (a step and a question may share a name)."""
    return f"step-{step}"


def choice_system(guide: Guide, key: str) -> str:
    """The code system of one question's choices (each question has its own: the same
    word, "negative", means another thing in another question)."""
    return local(f"{guide.meta.id}-{key}")


def instant(value: dt.datetime) -> str:
    """A FHIR dateTime/instant: ISO 8601 with its offset (a time without one is UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.isoformat()


def _coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    out = {"system": system, "code": code}
    if display:
        out["display"] = display
    return out


def _concept(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    return {"coding": [_coding(system, code, display)], "text": display or code}


class _Ids:
    """Stable ids for one visit's resources: the same session gives the same ids."""

    def __init__(self, session: str) -> None:
        self.base = uuid.uuid5(uuid.NAMESPACE_URL, f"{LOCAL}/session/{session}")

    def __call__(self, *parts: object) -> str:
        return str(uuid.uuid5(self.base, "/".join(map(str, parts))))


def fhir_bundle(
    guide: Guide, record: SessionRecord, data: Mapping[str, Any], now: dt.datetime
) -> dict[str, Any]:
    """One FHIR R4 Bundle (type ``collection``) for the visit of ``record``.

    Args:
        guide: the guide the visit ran on (question types, choices, override reasons).
        record: the session record (when each answer was given; the series; overrides).
        data: the chart note's data (:func:`xrntx_guide.output.note.data.note_data`).
        now: when the Bundle is made (the run's clock).
    """
    ids = _Ids(record.id)
    patient_id = ids("Patient")
    subject = {"reference": f"urn:uuid:{patient_id}"}
    entries: list[dict[str, Any]] = []

    def add(resource: dict[str, Any], *key: object) -> str:
        rid = ids(resource["resourceType"], *key)
        entries.append({"fullUrl": f"urn:uuid:{rid}", "resource": {**resource}})
        return f"urn:uuid:{rid}"

    def at(key: str) -> str:
        answer = record.answers.get(key)
        return instant(answer.at if answer is not None else record.updated)

    add(
        {
            "resourceType": "Patient",
            "identifier": [{"system": f"{LOCAL}/patient-label", "value": record.label}],
        }
    )
    add(_questionnaire_response(guide, record, data, subject), "answers")
    answers = {row["key"]: row for row in data["answers"]}
    if data.get("injection_given") is True:
        add(_administration(guide, record, data, subject, at), "injection")
    for resource, key in _observations(guide, record, answers, subject, at):
        add(resource, *key)
    for resource, key in _challenges(record, data, subject):
        add(resource, *key)
    for resource, key in _issues(guide, data, subject, instant(record.updated)):
        add(resource, *key)
    if data.get("next_dose_due") and data.get("injection_given") is True:
        add(_care_plan(data, subject, instant(record.updated)), "next-dose")
    targets = [{"reference": e["fullUrl"]} for e in entries]
    add(_provenance(guide, record, targets), "provenance")
    tags = [_coding(local("bundle-format"), f"xrntx-guide-visit-{FORMAT_VERSION}")]
    if data.get("training"):
        tags.append(_coding(local("record-kind"), "training", "TRAINING: not a care record"))
    bundle: dict[str, Any] = fhir_strings(
        {
            "resourceType": "Bundle",
            "meta": {"tag": tags},
            "identifier": {"system": f"{LOCAL}/session", "value": record.id},
            "type": "collection",
            "timestamp": instant(now),
            "entry": entries,
        }
    )
    return bundle


_NOT_FHIR = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
"""What a FHIR string may not hold: the control characters below U+0020 but tab, CR, LF."""


def fhir_strings(value: Any) -> Any:  # a dict in, the same shape out
    """``value`` (FHIR JSON) with every control character a FHIR string may not hold
    shown as an escape (``\\x1b``), as the chart note shows it: a kit lot, a comment or a
    label read from a file or a hand-edited session never makes the resource invalid."""
    if isinstance(value, str):
        return _NOT_FHIR.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    if isinstance(value, dict):
        return {k: fhir_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [fhir_strings(v) for v in value]
    return value


def _answer_value(guide: Guide, key: str, value: Any, shown: str) -> dict[str, Any] | None:
    """One QuestionnaireResponse answer (``value[x]`` by the question's type)."""
    cq = guide.questions.get(key)
    kind = cq.spec.type if cq is not None else None
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if kind == "choice" and isinstance(value, str):
        return {"valueCoding": _coding(choice_system(guide, key), value, shown)}
    if isinstance(value, int):
        return {"valueInteger": value}
    if isinstance(value, float):
        return {"valueDecimal": value}
    if kind == "date" and isinstance(value, str):
        return {"valueDate": value}
    if isinstance(value, str) and value:
        return {"valueString": value}
    return None


def _questionnaire_response(
    guide: Guide, record: SessionRecord, data: Mapping[str, Any], subject: dict[str, Any]
) -> dict[str, Any]:
    """The answers that apply, grouped by step as the Questionnaire is."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in data["answers"]:
        cq = guide.questions.get(row["key"])
        if cq is not None and not cq.spec.asked:
            continue  # never asked (a record supplies it): not an item of the Questionnaire
        answer = _answer_value(guide, row["key"], row["value"], row["shown"])
        if answer is None:
            continue
        groups.setdefault(row["step"], []).append(
            {"linkId": row["key"], "text": row["question"], "answer": [answer]}
        )
    steps = {s.id: s for s in guide.steps}
    items = [
        {
            "linkId": step_link(step),
            "text": steps[step].spec.title if step in steps else step,
            "item": rows,
        }
        for step, rows in groups.items()
    ]
    out: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{questionnaire_url(guide)}|{guide.meta.version}",
        "status": "completed" if record.status == "complete" else "in-progress",
        "subject": subject,
        "authored": instant(record.updated),
    }
    if items:
        out["item"] = items
    return out


def _administration(
    guide: Guide,
    record: SessionRecord,
    data: Mapping[str, Any],
    subject: dict[str, Any],
    at: Any,
) -> dict[str, Any]:
    """The injection: the drug (with its lot), the route, the site and side, the needle."""
    medication: dict[str, Any] = {
        "resourceType": "Medication",
        "id": "xrntx",
        "code": {"coding": [INJECTION], "text": str(data.get("dose") or INJECTION_TEXT)},
    }
    lot = record.answers.get("kit_lot")
    if lot is not None and isinstance(lot.value, str) and lot.value:
        medication["batch"] = {"lotNumber": lot.value}
    contained: list[dict[str, Any]] = [medication]
    side = data.get("side")
    site = {"coding": [GLUTEUS_MAXIMUS], "text": f"{side} gluteus maximus" if side else None}
    if not side:
        site["text"] = GLUTEUS_MAXIMUS["display"]
    dosage: dict[str, Any] = {
        "site": site,
        "route": _concept(local("route"), "intramuscular", "Intramuscular"),
    }
    if data.get("dose"):
        dosage["text"] = str(data["dose"])
    out: dict[str, Any] = {
        "resourceType": "MedicationAdministration",
        "contained": contained,
        "status": "completed",
        "medicationReference": {"reference": "#xrntx"},
        "subject": subject,
        "effectiveDateTime": at("injection_given"),
        "dosage": dosage,
    }
    if data.get("needle"):
        contained.append(
            {
                "resourceType": "Device",
                "id": "needle",
                "type": _concept(local("needle"), str(data["needle"]), f"{data['needle']} needle"),
            }
        )
        out["device"] = [{"reference": "#needle"}]
    if side:
        out["note"] = [{"text": f"Given in the {side} buttock."}]
    return out


def _observations(
    guide: Guide,
    record: SessionRecord,
    answers: Mapping[str, Mapping[str, Any]],
    subject: dict[str, Any],
    at: Any,
) -> Iterable[tuple[dict[str, Any], tuple[object, ...]]]:
    """The COWS ratings with their times, the urine screens, the pregnancy test and the
    liver value."""
    ratings = list(record.cows_ratings)
    corrected = {r.corrects for r in ratings if r.corrects is not None}
    # A calm rating whose pathway day a correction moved to another date: its date is not
    # known, and no day reads it (visit/rapid.py calm_strays); never a final observation.
    doubt = calm_strays(record.rapid_days, record.settings.get(COWS_THRESHOLD))
    for i, rating in enumerate(ratings):
        in_doubt = (_instant(rating.at), rating.total) in doubt
        obs: dict[str, Any] = {
            "resourceType": "Observation",
            "status": "entered-in-error"
            if rating.at in corrected
            else "unknown"
            if in_doubt
            else ("corrected" if rating.corrects is not None else "final"),
            "code": _concept(local("observation"), "cows-total", "COWS total score"),
            "subject": subject,
            "effectiveDateTime": instant(rating.at),
            "valueInteger": rating.total,
            "note": [
                {
                    "text": f"COWS rating ({rating.context})"
                    + (
                        "; its pathway day was corrected to another date: the date of this "
                        "rating is not known, and no day's reading counts it"
                        if in_doubt
                        else ""
                    )
                }
            ],
        }
        if rating.items:
            obs["component"] = [
                {
                    "code": _concept(local("observation"), f"cows-{item}", f"COWS item: {item}"),
                    "valueInteger": score,
                }
                for item, score in rating.items.items()
            ]
        yield obs, ("cows", i)
    if not ratings and COWS_TOTAL in answers:
        value = answers[COWS_TOTAL]["value"]
        if isinstance(value, int) and not isinstance(value, bool):
            yield (
                {
                    "resourceType": "Observation",
                    "status": "final",
                    "code": _concept(local("observation"), "cows-total", "COWS total score"),
                    "subject": subject,
                    "effectiveDateTime": at(COWS_TOTAL),
                    "valueInteger": value,
                },
                ("cows", "answer"),
            )
    for key in (*URINE_SCREENS, PREGNANCY_TEST):
        row = answers.get(key)
        if row is None or not isinstance(row["value"], str) or row["value"] == "not_applicable":
            continue
        obs = {
            "resourceType": "Observation",
            "status": "cancelled" if row["value"] == keys.NOT_DONE else "final",
            "code": _concept(local("observation"), key.replace("_", "-"), row["question"]),
            "subject": subject,
            "effectiveDateTime": at(key),
        }
        if row["value"] != keys.NOT_DONE:
            obs["valueCodeableConcept"] = _concept(
                choice_system(guide, key), row["value"], row["shown"]
            )
        yield obs, ("answer", key)
    row = answers.get(LIVER_VALUE)
    if row is not None and isinstance(row["value"], int | float):
        yield (
            {
                "resourceType": "Observation",
                "status": "final",
                "code": _concept(local("observation"), "lft-multiple-uln", row["question"]),
                "subject": subject,
                "effectiveDateTime": at(LIVER_VALUE),
                "valueQuantity": {"value": row["value"], "unit": "x upper limit of normal"},
            },
            ("answer", LIVER_VALUE),
        )


def _challenges(
    record: SessionRecord, data: Mapping[str, Any], subject: dict[str, Any]
) -> Iterable[tuple[dict[str, Any], tuple[object, ...]]]:
    """Each naloxone challenge and rechallenge with its result: as the chart note reads
    it (``data``), so a negative with withdrawal rated during its observation is exported
    as the positive it reads as (reference 5.2), its recorded result and why in a note."""
    results = list(record.naloxone_challenges)
    read: list[Mapping[str, Any]] = list(data.get("naloxone_challenges") or [])
    corrected = {c.corrects for c in results if c.corrects is not None}
    for i, c in enumerate(results):
        said = read[i] if i < len(read) else {}
        done = c.result != keys.NOT_DONE
        status = "completed" if done else "not-done"
        if c.at in corrected:
            status = "entered-in-error"
        name = "Naloxone challenge" if c.kind == "challenge" else "Naloxone rechallenge"
        proc: dict[str, Any] = {
            "resourceType": "Procedure",
            "status": status,
            "code": _concept(local("procedure"), f"naloxone-{c.kind}", name),
            "subject": subject,
        }
        if c.started is not None and done:
            proc["performedPeriod"] = {"start": instant(c.started), "end": instant(c.at)}
        else:
            proc["performedDateTime"] = instant(c.at)
        if done:
            result = "positive" if said.get("reads_as") == "positive" else c.result
            proc["outcome"] = _concept(local("naloxone-challenge-result"), result, result)
        if said.get("not_counted"):
            proc["note"] = [{"text": f"recorded {c.result}: {said['not_counted']}"}]
        yield proc, ("challenge", i)


def _issues(
    guide: Guide, data: Mapping[str, Any], subject: dict[str, Any], when: str
) -> Iterable[tuple[dict[str, Any], tuple[object, ...]]]:
    """A DetectedIssue for each gate that failed, was overridden, or was acknowledged."""
    reasons = {c.code: c.label for c in guide.meta.override_codes}
    overrides = {o["gate"]: o for o in data.get("overrides", [])}
    for gate in data["gates"]:
        if gate["outcome"] not in ("fail", "overridden"):
            continue
        issue: dict[str, Any] = {
            "resourceType": "DetectedIssue",
            "status": "final",
            "code": _concept(local(f"{guide.meta.id}-gate"), gate["id"], gate["title"]),
            "severity": issue_severity(gate["severity"]),
            "patient": subject,
            "identifiedDateTime": when,
            "detail": gate["reason"],
        }
        override = overrides.get(gate["id"])
        if gate["outcome"] == "overridden" and override is not None:
            issue["mitigation"] = [
                {
                    "action": {
                        "coding": [
                            _coding(
                                local(f"{guide.meta.id}-override-reason"),
                                override["code"],
                                reasons.get(override["code"]),
                            )
                        ],
                        "text": override["comment"],
                    },
                    "date": override["at"],
                }
            ]
        elif gate.get("acknowledged"):
            issue["mitigation"] = [
                {
                    "action": _concept(
                        local("gate-action"), "acknowledged", "Caution acknowledged"
                    ),
                }
            ]
        yield issue, ("gate", gate["id"])


def _care_plan(data: Mapping[str, Any], subject: dict[str, Any], when: str) -> dict[str, Any]:
    """The next dose as a planned activity, due on its date."""
    due = str(data["next_dose_due"])
    return {
        "resourceType": "CarePlan",
        "status": "active",
        "intent": "plan",
        "subject": subject,
        "created": when,
        "activity": [
            {
                "detail": {
                    "kind": "MedicationRequest",
                    "code": {
                        "coding": [INJECTION],
                        "text": str(data.get("dose") or INJECTION_TEXT),
                    },
                    "status": "scheduled",
                    "scheduledPeriod": {"start": due},
                    "description": f"Next dose due {due}",
                }
            }
        ],
    }


def _provenance(
    guide: Guide, record: SessionRecord, targets: list[dict[str, str]]
) -> dict[str, Any]:
    """Who recorded the visit (this program, on the guide in force) and when."""
    return {
        "resourceType": "Provenance",
        "contained": [
            {
                "resourceType": "Device",
                "id": "program",
                "deviceName": [{"name": "xrntx-guide", "type": "manufacturer-name"}],
                "version": [{"value": __version__}],
                "note": [
                    {
                        "text": f"guide {guide.meta.id} {guide.meta.version}"
                        + (f", site {guide.site}" if guide.site else "")
                    }
                ],
            }
        ],
        "target": targets,
        "occurredPeriod": {"start": instant(record.created), "end": instant(record.updated)},
        "recorded": instant(record.updated),
        "agent": [{"who": {"reference": "#program", "display": "xrntx-guide"}}],
    }


# -- the guide as a Questionnaire ----------------------------------------------------------

ITEM_TYPE = {
    "bool": "boolean",
    "int": "integer",
    "number": "decimal",
    "date": "date",
    "text": "string",
    "choice": "choice",
}
"""A question's type as a Questionnaire item's type."""
ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
CONDITION = f"{LOCAL}/StructureDefinition/condition"
"""An extension holding a condition that maps to no ``enableWhen``, in the guide's words."""
_OPERATORS = {"==": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}


def questionnaire(guide: Guide) -> dict[str, Any]:
    """The guide as a FHIR R4 Questionnaire (SDC): a group per step, each question with
    its type, choices and help, and ``enableWhen`` where its condition (or its step's)
    maps to one. A condition that does not map (one reading a computed value, a setting
    or a date sum) is left out of ``enableWhen`` and kept, in the guide's words, in the
    extension :data:`CONDITION`: FHIRPath is not generated (docs/storage.md: Exchanging data)."""
    asked = {cq.key: cq for cq in guide.questions.values() if cq.spec.asked}
    items = []
    for step in guide.steps:
        questions = [_question_item(guide, cq, asked) for cq in step.questions if cq.spec.asked]
        if not questions:
            continue
        group: dict[str, Any] = {
            "linkId": step_link(step.id),
            "text": step.spec.title,
            "type": "group",
            "item": questions,
        }
        _condition(group, step.when, asked, guide)
        items.append(group)
    meta = guide.meta
    out: dict[str, Any] = fhir_strings(
        {
            "resourceType": "Questionnaire",
            "meta": {
                "tag": [
                    _coding(local("questionnaire-format"), f"xrntx-guide-guide-{FORMAT_VERSION}")
                ]
            },
            "url": questionnaire_url(guide),
            "version": meta.version,
            "name": "".join(ch for ch in meta.id.title() if ch.isalnum()) or "Guide",
            "title": meta.title,
            "status": "active" if meta.status in ("active", "released") else "draft",
            "date": meta.reviewed.isoformat(),
            "description": meta.statement,
            "subjectType": ["Patient"],
            "item": items,
        }
    )
    return out


def _question_item(guide: Guide, cq: Any, asked: Mapping[str, Any]) -> dict[str, Any]:
    q = cq.spec
    kind = ITEM_TYPE.get(q.type, "string")
    if q.choices and q.type == "int":
        kind = "choice"
    item: dict[str, Any] = {"linkId": cq.key, "text": q.prompt, "type": kind}
    if cq.computed is not None:
        item["readOnly"] = True  # filled in by the program, from other answers
    elif not q.optional:
        item["required"] = True
    if q.choices:
        item["answerOption"] = [
            {"valueInteger": c.value}
            if isinstance(c.value, int)
            else {"valueCoding": _coding(choice_system(guide, cq.key), c.value, c.label)}
            for c in q.choices
        ]
    if q.help:
        item["item"] = [
            {
                "linkId": f"{cq.key}.help",
                "text": q.help,
                "type": "display",
                "extension": [
                    {
                        "url": ITEM_CONTROL,
                        "valueCodeableConcept": {
                            "coding": [
                                {
                                    "system": "http://hl7.org/fhir/questionnaire-item-control",
                                    "code": "help",
                                }
                            ]
                        },
                    }
                ],
            }
        ]
    _condition(item, cq.when, asked, guide)
    return item


def _condition(item: dict[str, Any], when: Any, asked: Mapping[str, Any], guide: Guide) -> None:
    """``enableWhen`` (and ``enableBehavior``) on ``item`` from a condition, or the
    condition as text in the :data:`CONDITION` extension when it does not map."""
    if when is None:
        return
    mapped = _enable_when(when.node, asked, guide)
    if mapped is None:
        item.setdefault("extension", []).append({"url": CONDITION, "valueString": when.source})
        return
    conditions, behavior = mapped
    item["enableWhen"] = conditions
    if len(conditions) > 1:
        item["enableBehavior"] = behavior


def _enable_when(
    node: Any, asked: Mapping[str, Any], guide: Guide
) -> tuple[list[dict[str, Any]], str] | None:
    if isinstance(node, expr.BoolOp):
        parts = [_atom(n, asked, guide) for n in node.operands]
        if any(p is None for p in parts):
            return None
        return [p for p in parts if p is not None], "all" if node.op == "and" else "any"
    if (
        isinstance(node, expr.Compare)
        and node.op == "in"
        and isinstance(node.right, expr.ListLit)
        and isinstance(node.left, expr.Name)
    ):
        parts = [
            _atom(expr.Compare(node.pos, "==", node.left, item), asked, guide)
            for item in node.right.items
        ]
        if not parts or any(p is None for p in parts):
            return None
        return [p for p in parts if p is not None], "any"
    atom = _atom(node, asked, guide)
    return None if atom is None else ([atom], "all")


def _atom(node: Any, asked: Mapping[str, Any], guide: Guide) -> dict[str, Any] | None:
    """One ``enableWhen`` from a comparison of an asked question with a literal, a yes/no
    question alone or negated, or ``answered(KEY)``; None for anything else."""
    if isinstance(node, expr.Name) and node.name in asked and asked[node.name].spec.type == "bool":
        return {"question": node.name, "operator": "=", "answerBoolean": True}
    if isinstance(node, expr.Unary) and node.op == "not":
        inner = _atom(node.operand, asked, guide)
        # not KEY (a yes/no question): = false; not answered(KEY): exists false.
        if inner is not None and inner.get("answerBoolean") is True:
            return {**inner, "answerBoolean": False}
        return None
    if (
        isinstance(node, expr.Call)
        and node.func == "answered"
        and len(node.args) == 1
        and isinstance(node.args[0], expr.Name)
        and node.args[0].name in asked
    ):
        return {"question": node.args[0].name, "operator": "exists", "answerBoolean": True}
    if isinstance(node, expr.Compare) and node.op in _OPERATORS:
        left, right, op = node.left, node.right, node.op
        if isinstance(left, expr.Literal) and isinstance(right, expr.Name):
            left, right, op = right, left, _FLIPPED.get(op, op)
        if not (isinstance(left, expr.Name) and isinstance(right, expr.Literal)):
            return None
        cq = asked.get(left.name)
        if cq is None:
            return None
        answer = _literal_answer(guide, cq, right.value)
        if answer is None:
            return None
        return {"question": left.name, "operator": _OPERATORS[op], **answer}
    return None


def _literal_answer(guide: Guide, cq: Any, value: object) -> dict[str, Any] | None:
    """A literal as the ``answer[x]`` of an ``enableWhen`` on question ``cq``."""
    kind = cq.spec.type
    if kind == "bool" and isinstance(value, bool):
        return {"answerBoolean": value}
    if kind == "choice" and isinstance(value, str):
        return {"answerCoding": {"system": choice_system(guide, cq.key), "code": value}}
    if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
        return {"answerInteger": value}
    if kind == "number" and isinstance(value, int | float) and not isinstance(value, bool):
        return {"answerDecimal": float(value)}
    if kind == "text" and isinstance(value, str):
        return {"answerString": value}
    return None
