"""JSON Schemas: the check result (from pydantic models the tests validate against) and
answers files (built from the guide's questions)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from ..errors import Incomplete, Interrupted, InvalidAnswer, PackError, SessionError, UserError
from ..pack.guide import Guide
from ..pack.keys import COWS_TOTAL
from ..pack.severity import Severity
from ..visit.answers import MAX_TEXT, STARTED_SUFFIX, UnknownKey
from ..visit.presets import LABEL_KEY, OverrideRefused
from ..visit.rapid import ANSWERS_KEY, is_record_key
from ..visit.series import (
    CHALLENGE,
    CHALLENGES_KEY,
    CONTEXTS,
    PREFIX,
    RATINGS_KEY,
    RECHALLENGE,
    TOTAL,
    item_keys,
)
from .versions import USAGE_ERROR


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
    severity: Severity
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

    format_version: Literal[1]
    """This output's format version (output/versions.py)."""
    id: Any = None
    line: int | None = None
    """A ``--batch`` result only: the input's line number (blank lines count)."""
    status: Literal["ready", "blocked", "needs_override", "incomplete"]
    blocking: list[str]
    cautions: list[str]
    missing: list[str]
    gates: list[GateOut]
    derived: dict[str, Any]
    guide: GuideOut
    today: dt.date
    ignored: list[str] | None = None
    used: dict[str, Any] | None = None
    """With a series in the answers file: which COWS rating (``cows_rating``: its index,
    time, context and total) and which challenge result (``naloxone_challenge``: kind,
    time, result) the gates read; null for none of that day, ``"flag"`` when a flag gave it."""

    rapid: RapidOut | None = None
    """On the supervised rapid pathway: what its daily record says (``check`` only)."""
    observation: dict[str, ObservationOut] | None = None
    """For each result that waits for an observation (a negative naloxone challenge or
    rechallenge): whether the time the naloxone was given was recorded (``check`` keeps
    no record: a bare result is taken as reported)."""
    record: RecordOut | None = None
    """With ``check --label`` (a batch line's ``label``): what the patient's record gave."""


class ObservationOut(_Out):
    """The observation of one timed result (clinical basis, safety invariant 8)."""

    result: str
    started: str | None
    """When the naloxone was given (ISO, with its offset), or null: not recorded."""
    observation_recorded: bool
    minutes: float
    """The pack's minimum observation, in minutes."""


class RecordOut(_Out):
    """The patient's record as a labelled check read it (visit/history.py), as a walk
    reads it: the last injection filled in where the answers do not give it."""

    label: str
    last_injection_session: str | None
    """The session of the last finished injection, if any."""
    prefilled: dict[str, Any]
    """Answers filled in from that session (``last_injection_date``, its side)."""
    warnings: list[str]
    """Why nothing was filled in (an unfinished visit recording a later injection)."""


class RapidOut(_Out):
    """What the rapid pathway's daily record says (reference section 6)."""

    day_reached: int | None
    """The latest day of the protocol recorded; null when no day is."""
    date: dt.date | None
    """Its date."""
    injection_day: int | None
    """The protocol's injection day (the site's table, or the day confirmed)."""
    days_to_injection: int | None
    """The injection day less the day reached: 0 on the injection day."""
    site_table: bool
    """Whether the site file's protocol table was used."""
    naltrexone_days: int | None
    """Days, after day 1 and before the day reached, on which oral naltrexone was given
    and tolerated (the gate needs the pack's ``rapid_naltrexone_days_required``)."""
    missing: list[str]
    """What the record misses or gets wrong, in words; empty when it is complete."""


ErrorCode = Literal[
    "usage",
    "unknown_key",
    "invalid_answer",
    "override_refused",
    "session",
    "invalid_pack",
    "incomplete",
    "interrupted",
    "not_utf8",
    "too_long",
    "not_json",
    "not_object",
    "id_unwritable",
    "stopped",
]
"""What went wrong, for a script to act on; the message says it for a person."""


class ErrorOut(_Out):
    """An error as JSON: on stderr with ``--json`` (plus ``exit_code``), and as a
    ``--batch`` line (plus ``id`` and ``line``)."""

    format_version: Literal[1]
    status: Literal["error"]
    code: ErrorCode
    key: str | None
    """The answer key the error is about, when it is about one."""
    message: str
    hint: str | None = None


class UsageErrorOut(ErrorOut):
    """What a command writes on stderr, as one line of JSON, when it stops with an error
    in ``--json`` mode (``check --json``, ``check --batch``, ``questions --json``, ...)."""

    exit_code: int
    session: str | None = None
    """Present when a walk saved its answers before it stopped (the patient's record
    refused the visit or its dose): the session ``--resume --session`` takes."""


class BatchError(ErrorOut):
    """A ``--batch`` line that could not be checked. ``line`` is its number in the input
    (blank lines count); with code ``stopped`` it is the first line not checked."""

    id: Any = None
    line: int


# -- the other JSON outputs ------------------------------------------------------------------


class WalkOut(_Out):
    """``walk --no-input --json``: where the walk ended."""

    format_version: Literal[1]
    status: Literal["complete", "blocked", "needs_override", "needs_acknowledgement", "incomplete"]
    session: str | None
    label: str
    today: dt.date
    stopped_at: str | None
    blocking: list[str]
    missing: list[str]
    missing_until: str | None = None
    """With ``incomplete``: the gate ``missing`` ends at, which stops the walk whatever
    those answers are (a caution without ``--acknowledge``, a stop without
    ``--override``, a contraindication already decided); None when the list ends at the
    end of the walk."""
    next_dose_due: dt.date | None
    side_against_advice: str | None = None
    """The dose recorded in another buttock than the guide advised, in words (the note's
    ``side_against_advice``); None when it agrees."""
    exit_code: int


class VisitOut(_Out):
    """One visit of a patient's timeline."""

    session: str
    date: dt.date | None
    visit: str | None
    status: str
    training: bool
    injection_given: bool | None
    side: str | None
    needle: str | None
    kit_lot: str | None
    next_dose_due: dt.date | None
    counts: bool
    """Whether the visit counts as a dose given (a finished care visit)."""
    end_of_treatment: bool
    """Whether this visit recorded the end of treatment."""
    end_reason: str | None


class InjectionOut(_Out):
    session: str
    date: dt.date | None
    visit: str | None
    side: str | None
    needle: str | None
    kit_lot: str | None
    next_dose_due: dt.date | None


class OffTreatmentOut(_Out):
    """The visit that ended the treatment, when the latest visit did."""

    session: str
    date: dt.date | None
    reason: str | None
    last_injection: str | None
    """The last injection's date as the ending visit recorded it."""


class TimelineOut(_Out):
    """A patient's timeline (``history --json``; the note's ``history``)."""

    label: str
    today: dt.date
    injections: list[InjectionOut]
    visits: list[VisitOut]
    off_treatment: OffTreatmentOut | None
    last_injection_session: str | None
    due: dict[str, Any] | None
    warnings: list[str]


class HistoryOut(TimelineOut):
    """``history LABEL --json``."""

    format_version: Literal[1]


class EarlierValueOut(_Out):
    value: Any
    at: dt.datetime


class AnswerRowOut(_Out):
    key: str
    question: str
    value: Any
    shown: str
    origin: str
    step: str
    earlier: list[EarlierValueOut] = []
    """In a note: the other values the answer held earlier in the visit (the audit
    trail), oldest first; absent when it never changed."""


class NoteOverrideOut(_Out):
    gate: str
    code: str
    comment: str
    at: dt.datetime


class SourceOut(_Out):
    key: str
    citation: str
    locator: str


class EndLineOut(_Out):
    label: str
    value: Any
    shown: str


class NoteOut(_Out):
    """``note SESSION --format json``: everything the chart note says, as data."""

    format_version: Literal[1]
    training: bool
    fixed_clock: str | None
    label: str
    session: str
    date: Any
    visit: str | None
    status: str
    readiness: Literal["ready", "blocked", "needs_override", "incomplete"]
    injection_given: bool | None
    injection_given_not_counted: bool
    not_counted_because: Literal["gates", "record"] | None = None
    """Why an answer's "given" is not counted: the gates did not allow the dose, or the
    patient's record (another visit's dose, recorded meanwhile) stood against it."""
    side_against_advice: str | None = None
    """The dose recorded on another side than the guide advised (``[guide.report]
    side_advised``), in words; None when it agrees, or no side was advised."""
    refused_by_the_record: str | None = None
    """Why the patient's record as it stands refuses this unfinished visit (a dose
    another visit gave since, a first injection beside it...): readiness is then
    ``blocked``, whatever the visit's answers alone give. None when nothing refuses it."""
    answers: list[AnswerRowOut]
    gates: list[GateOut]
    cautions_acknowledged: list[str]
    overrides: list[NoteOverrideOut]
    dose: Any
    side: Any
    needle: Any
    counselling: dict[str, Any]
    next_dose_due: dt.date | None
    derived: dict[str, Any]
    guide: GuideOut
    settings: dict[str, Any]
    sources: list[SourceOut]
    statement: str
    history: TimelineOut | None
    cows_ratings: list[dict[str, Any]]
    cows_threshold: Any
    cows_scale_top: Any
    naloxone_challenges: list[dict[str, Any]]
    rapid_pathway: dict[str, Any] | None
    recorded_by: list[str]
    """Who made the visit's changes (``--clinician``, XRNTX_GUIDE_CLINICIAN, else the login
    name), in the order they first did."""
    end_of_treatment: list[EndLineOut] | None
    """The end of treatment's lines (reason, blockade end, agonist start), when this visit
    ended the treatment."""
    emergency_card: bool
    """Whether the visit leaves a blockade to put on the emergency card (``xrntx-guide
    card``): the injection given, or a repeat visit before its last injection's blockade
    ended."""


class ScenarioOutcomeOut(_Out):
    status: str
    blocking: list[str]
    cautions: list[str]
    earliest_injection_date: dt.date | None
    next_dose_due: dt.date | None
    prefilled: dict[str, Any]


class ScenarioTestOut(_Out):
    """One item of ``scenarios test --json``: a scenario compared (``differences``, empty
    when as expected, and what the guide gave), or refused (``refused``, ``hint``)."""

    format_version: Literal[1]
    id: str
    differences: list[str] | None = None
    got: ScenarioOutcomeOut | None = None
    refused: str | None = None
    hint: str | None = None


SCHEMAS: dict[str, tuple[str, type[BaseModel]]] = {
    "check-result": ("check --json, and each check --batch result line", CheckResult),
    "batch-error": ("an error line of check --batch", BatchError),
    "usage-error": ("the JSON error on stderr of a command in --json mode", UsageErrorOut),
    "walk": ("walk --no-input --json", WalkOut),
    "history": ("history LABEL --json", HistoryOut),
    "note": ("note SESSION --format json", NoteOut),
    "scenarios-test": ("each item of scenarios test --json (a list)", ScenarioTestOut),
}
"""The JSON outputs ``schema`` exports, by name, with what each describes."""


def output_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of one output of :data:`SCHEMAS`."""
    what, model = SCHEMAS[name]
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"xrntx-guide {name}: {what}"
    return schema


def error_fields(exc: UserError) -> dict[str, Any]:
    """``code``, ``key``, ``message`` and ``hint`` of a user error, as :class:`ErrorOut`
    has them."""
    codes: tuple[tuple[type[UserError], ErrorCode], ...] = (
        (UnknownKey, "unknown_key"),
        (InvalidAnswer, "invalid_answer"),
        (OverrideRefused, "override_refused"),
        (SessionError, "session"),
        (PackError, "invalid_pack"),
        (Incomplete, "incomplete"),
        (Interrupted, "interrupted"),
    )
    return {
        "code": next((code for kind, code in codes if isinstance(exc, kind)), "usage"),
        "key": getattr(exc, "key", None),
        "message": exc.message,
        "hint": exc.hint,
    }


def usage_error_json(exc: UserError) -> dict[str, Any]:
    """The one JSON object a command in ``--json`` mode writes on stderr for ``exc``."""
    out = {
        "format_version": USAGE_ERROR,
        "status": "error",
        **error_fields(exc),
        "exit_code": int(exc.exit_code),
    }
    if exc.session is not None:
        out["session"] = exc.session
    return out


def check_result_schema() -> dict[str, Any]:
    return output_schema("check-result")


def answers_schema(guide: Guide) -> dict[str, Any]:
    """A JSON Schema for ``--answers`` files, built from the guide's questions."""
    props: dict[str, Any] = {}
    for cq in guide.questions.values():
        q = cq.spec
        prop: dict[str, Any] = {"description": q.prompt}
        if q.type == "bool":
            prop["type"] = "boolean"
        elif q.type == "date":
            prop.update(type="string", format="date")
        elif q.type == "text":
            # As the program reads it: some text besides spaces, at most MAX_TEXT long.
            prop.update(type="string", pattern=r"\S", maxLength=MAX_TEXT)
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

    defs = _series_defs(guide, props)
    props = {k: v for k, v in props.items() if not is_record_key(guide, k)}
    props.update(_series_props(guide, props))

    for cq in guide.questions.values():
        if cq.wait_minutes is not None:  # when its naloxone was given (visit/clock.py)
            props[cq.key + STARTED_SUFFIX] = {
                "description": f"When the naloxone for {cq.key} was given: HH:MM (the "
                "visit day), YYYY-MM-DDTHH:MM (an offset optional) or 'N minutes ago'",
                "type": "string",
            }
    if any(is_record_key(guide, k) for k in guide.questions):
        props[ANSWERS_KEY] = {
            "description": "The supervised rapid pathway's daily record: one object per day",
            "type": "array",
            "items": {
                "type": "object",
                "required": ["day", "date", "given"],
                "additionalProperties": False,
                "properties": {
                    "day": {"type": "integer", "minimum": 1},
                    "date": {"type": "string", "format": "date"},
                    "given": {"type": "string"},
                    "tolerated": {"type": "boolean"},
                    "naltrexone_given": {"type": "boolean"},
                    "injection_day": {"type": "boolean"},
                    "note": {"type": "string"},
                    "corrects": {
                        "type": "integer",
                        "minimum": 1,
                        "description": "A correction: the day number it corrects (with reason)",
                    },
                    "reason": {"type": "string"},
                    "cows": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["time"],
                            "additionalProperties": False,
                            "properties": {
                                "time": {
                                    "type": "string",
                                    "pattern": r"^\d{2}:\d{2}",
                                    "description": "HH:MM, an offset optional "
                                    "(09:30+01:00); without one the local time",
                                },
                                "total": {"$ref": f"#/$defs/{COWS_TOTAL}"}
                                if COWS_TOTAL in defs
                                else {"type": "integer"},
                                "items": {"$ref": "#/$defs/cows_items"}
                                if "cows_items" in defs
                                else {"type": "object"},
                            },
                            "anyOf": [{"required": ["total"]}, {"required": ["items"]}],
                        },
                    },
                },
            },
        }
    out: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"xrntx-guide answers for {guide.meta.id} {guide.meta.version}",
        "type": "object",
        "properties": {
            "id": {"description": "Your identifier, echoed in batch results"},
            LABEL_KEY: {
                "description": "A batch line only: the patient's label; the check reads their "
                "record as a walk does (a single check takes --label)",
                "type": "string",
            },
            **props,
        },
        "additionalProperties": False,
    }
    if defs:
        out["$defs"] = defs
    return out


DATE_TIME = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}"
"""A date and time as the series take it (ISO 8601, minutes at least)."""


def _series_defs(guide: Guide, props: dict[str, Any]) -> dict[str, Any]:
    """The COWS total and the eleven item scores, as the questions define them."""
    defs: dict[str, Any] = {}
    if TOTAL in props:
        defs[TOTAL] = {k: v for k, v in props[TOTAL].items() if k != "description"}
    items = item_keys(guide)
    if items:
        defs["cows_items"] = {
            "description": "All eleven item scores, by item name",
            "type": "object",
            "required": [k.removeprefix(PREFIX) for k in items],
            "additionalProperties": False,
            "properties": {
                k.removeprefix(PREFIX): {x: y for x, y in props[k].items() if x != "description"}
                for k in items
            },
        }
    return defs


CORRECTION: dict[str, Any] = {
    "corrects": {
        "type": "string",
        "pattern": DATE_TIME,
        "description": "The time (at) of the entry this one corrects; both stay in the record",
    },
    "reason": {
        "type": "string",
        "description": "Why the correction was made (required with corrects)",
    },
}
"""The fields of a correction (visit/results.py: results are added, never replaced)."""


def _series_props(guide: Guide, props: dict[str, Any]) -> dict[str, Any]:
    """``cows_ratings`` and ``naloxone_challenges`` (visit/series.py), given instead of
    the single answers they stand for."""
    out: dict[str, Any] = {}
    if TOTAL in props:
        out[RATINGS_KEY] = {
            "description": "Every COWS rating of the visit with its time (instead of the "
            "single cows_* answers); the gate reads the latest of the injection date",
            "type": "array",
            "items": {
                "type": "object",
                "required": ["at"],
                "additionalProperties": False,
                "properties": {
                    "at": {"type": "string", "pattern": DATE_TIME},
                    "context": {"type": "string", "enum": list(CONTEXTS)},
                    "total": {"$ref": "#/$defs/cows_total"},
                    "items": {"$ref": "#/$defs/cows_items"},
                    **CORRECTION,
                },
                "anyOf": [{"required": ["total"]}, {"required": ["items"]}],
            },
        }
    if CHALLENGE in props and RECHALLENGE in props:
        results = props[CHALLENGE].get("enum", [])
        out[CHALLENGES_KEY] = {
            "description": "The naloxone challenge and rechallenge results, with their times "
            "(instead of the naloxone_challenge and naloxone_rechallenge answers); a "
            "correction is an entry of its own naming the one it corrects",
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["at", "result"],
                "additionalProperties": False,
                "properties": {
                    "at": {"type": "string", "pattern": DATE_TIME},
                    "started": {"type": "string", "pattern": DATE_TIME},
                    "kind": {"type": "string", "enum": ["challenge", "rechallenge"]},
                    "result": {"type": "string", "enum": results},
                    **CORRECTION,
                },
            },
        }
    return out
