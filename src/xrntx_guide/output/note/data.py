"""The chart note as data: everything the note says, which every note format writes.

:func:`note_data` is the one place the note's content is decided; the formats
(markdown, text, json, ics, fhir: see :data:`xrntx_guide.output.note.FORMATS`) only
write it out.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, TypedDict

from ...expr import UNKNOWN, Value
from ...pack import keys
from ...visit.dose import next_dose_due
from ...visit.entries import placed, visit_results
from ...visit.rapid import day_rows, entries_in_order, is_pathway_key
from ...visit.results import withdrawal_found
from ...visit.series import aware, rechallenge_hours, scale_top, series_data
from ..card import card_offered
from ..check import (
    answers_table,
    derived_json,
    gate_json,
    given_not_allowed,
    injection_given,
    json_value,
    side_against_advice,
    source_list,
)

if TYPE_CHECKING:
    from ...engine.evaluate import State
    from ...visit.session import SessionRecord


class NoteSeries(TypedDict):
    """The COWS series and the naloxone challenge results, each with its time."""

    cows_ratings: list[dict[str, Any]]
    cows_threshold: int | float | None
    """The pack's threshold setting the series is drawn against."""
    cows_scale_top: int | None
    naloxone_challenges: list[dict[str, Any]]


class NoteData(NoteSeries):
    """Everything the chart note says: what every format writes, and the JSON note format
    itself (its JSON Schema: ``schema note``). Values are as JSON has them (a date as its
    ISO text); the nested tables are those of the check result (output/check.py)."""

    training: bool
    """Made on a demo clock: not a care record."""
    fixed_clock: str | None
    label: str
    session: str
    recorded_by: list[str]
    date: Any
    visit: str | None
    status: str
    """The record's status (open, finished...)."""
    readiness: str
    """The verdict of the gates (ready, not ready...)."""
    injection_given: Any
    injection_given_not_counted: bool
    not_counted_because: str | None
    """Why: "gates" (they did not allow it) or "record" (another visit's dose)."""
    refused_by_the_record: str | None
    """Why the patient's record as it stands refuses this unfinished visit, or None."""
    side_against_advice: str | None
    """The dose recorded on another side than the guide advised, in words, or None."""
    answers: list[dict[str, Any]]
    gates: list[dict[str, Any]]
    cautions_acknowledged: list[str]
    overrides: list[dict[str, str]]
    dose: Any
    side: Any
    needle: Any
    counselling: dict[str, Any]
    end_of_treatment: list[dict[str, Any]] | None
    emergency_card: bool
    next_dose_due: str | None
    derived: dict[str, Any]
    guide: dict[str, Any]
    settings: dict[str, Any]
    sources: list[dict[str, str]]
    statement: str
    history: dict[str, Any] | None
    rapid_pathway: dict[str, Any] | None


def _fixed_clock(record: SessionRecord) -> str | None:
    """When the walk ran on a fixed clock (``--today``, ``--now``): the instant it started
    at (invariant 8: the record says so); None on the real clock."""
    clock = record.clock
    if clock is not None:
        return clock.start.isoformat() if clock.fixed and clock.start is not None else None
    return record.today.isoformat() if record.today is not None else None


def _with_earlier_values(rows: list[dict[str, Any]], record: SessionRecord) -> list[dict[str, Any]]:
    """Each answer with the other values it held earlier in this visit, from the audit
    trail (``earlier``: value and when it was given, oldest first): a positive urine
    screen later answered negative, or a yes to a known hypersensitivity changed to no,
    is never hidden by the value that replaced it. Only rows whose answer changed get it."""
    given: dict[str, list[tuple[Any, str]]] = {}
    for e in record.events:
        if e.key is not None and e.kind in ("answer", "change", "carry"):
            given.setdefault(e.key, []).append((e.value, e.at.isoformat()))
    out = []
    for row in rows:
        earlier: list[dict[str, Any]] = []
        for value, at in given.get(row["key"], [])[:-1]:
            if value != row["value"] and (not earlier or earlier[-1]["value"] != value):
                earlier.append({"value": value, "at": at})
        out.append({**row, "earlier": earlier} if earlier else row)
    return out


def note_data(
    state: State,
    record: SessionRecord,
    history: dict[str, Any] | None = None,
    refused_by: str | None = None,
) -> NoteData:
    """Everything the chart note says, as data (the JSON note format).

    ``history`` is the patient's timeline before this visit (``Timeline.to_json`` of
    visit/history.py), shown in the note as it is given; ``refused_by``: why the patient's
    record as it stands refuses this unfinished visit (visit/contradiction.py
    ``refused_by_the_record``): it is then blocked, whatever its answers alone give."""
    meta = state.guide.meta
    gates = [gate_json(g, True) for g in state.gates.values() if g.outcome != "not_applicable"]
    counselling = {
        k: json_value(state.value(k))
        for k in (
            "medication_guide_given",
            "overdose_counselled",
            "reversal_agent_offered",
            "wallet_card_given",
        )
        if k in state.guide.questions
    }
    report = meta.report
    # A dose the record counted stays counted when a result taken after it now blocks the
    # gates (visit/session.py summarise): the note says it was given, as recorded, with
    # what the injection step recorded of it (which the blocked gates would hide).
    kept = (
        record.logged_dose()
        and record.injection_given is True
        and injection_given(state) is not True
    )

    def value(name: str | None) -> Value:
        if name is None:
            return UNKNOWN
        found = state.value(name)
        if found is UNKNOWN and kept and name in record.answers:
            return record.answers[name].value
        return found

    needle = next((v for v in map(value, report.needle) if v is not UNKNOWN), UNKNOWN)
    ended = report.history.end_of_treatment
    end_lines = (
        [
            {"label": line.label, "value": json_value(v), "shown": state.display(line.value)}
            for line in report.end_of_treatment
            if (v := state.value(line.value)) is not UNKNOWN
        ]
        if ended is not None and state.value(ended) is True
        else None
    )
    # The dose as the record counts it: a walk the patient's record stopped before its dose
    # counted (another room recorded a dose meanwhile) keeps the answer "given" but never
    # counted it, and its note says so, whatever this session's answers alone would give.
    stopped = (
        injection_given(state) is True and record.logged_dose() and record.injection_given is False
    )
    given = False if stopped else True if kept else injection_given(state)
    refused = not kept and given_not_allowed(state)
    return {
        "training": record.demo_clock is not None,
        "fixed_clock": _fixed_clock(record),
        "label": record.label,
        "session": record.id,
        "recorded_by": list(dict.fromkeys(e.by for e in record.events if e.by)),
        "date": json_value(state.value(meta.date_key)),
        "visit": state.display(report.visit) if report.visit else None,
        "status": record.status,
        "readiness": "blocked" if stopped or refused_by else state.status,
        "refused_by_the_record": refused_by,
        "injection_given": json_value(given),
        "injection_given_not_counted": stopped or refused,
        "not_counted_because": "record" if stopped else "gates" if refused else None,
        "answers": _with_earlier_values(answers_table(state, record), record),
        "gates": gates,
        "cautions_acknowledged": [
            g.id
            for g in state.gates.values()
            if g.outcome == "fail" and g.severity == "caution" and g.acknowledged
        ],
        "overrides": [
            {"gate": g, "code": o.code, "comment": o.comment, "at": o.at.isoformat()}
            for g, o in record.overrides.items()
            if state.gates.get(g) is not None and state.gates[g].outcome == "overridden"
        ],
        "dose": json_value(value(report.dose_setting and f"settings.{report.dose_setting}"))
        if given is True
        else None,
        "side": json_value(value(report.side_given)),
        "side_against_advice": side_against_advice(state),
        "needle": json_value(needle),
        "counselling": counselling,
        "end_of_treatment": end_lines,
        "emergency_card": card_offered(state),
        "next_dose_due": None
        if stopped
        else record.next_dose_due
        if kept
        else next_dose_due(state),
        "derived": derived_json(state),
        "guide": {"id": meta.id, "version": meta.version, "site": state.guide.site},
        "settings": record.settings,
        "sources": source_list(state),
        "statement": meta.statement,
        "history": history,
        **_series_data(state, record),
        "rapid_pathway": _rapid_data(state, record),
    }


def _rapid_data(state: State, record: SessionRecord) -> dict[str, Any] | None:
    """The supervised rapid pathway's daily record, every day with every field, and what
    it says (reference section 6); None for a patient not on the pathway with no days."""
    guide = state.guide
    applies = any(
        is_pathway_key(guide, k) and state.question_visible.get(k) is True for k in guide.questions
    )
    if not applies and not record.rapid_days:
        return None
    reading = record.rapid_reading(state.inputs.today)
    return {
        **reading.to_json(),
        "days": [
            {
                **row,
                "ratings": [
                    {"time": r.time.strftime("%H:%M"), "total": r.total}
                    for r in sorted(d.cows, key=lambda r: r.time)
                ],
            }
            for row, d in zip(
                day_rows(record.rapid_days, record.rapid_protocol),
                entries_in_order(record.rapid_days),
                strict=True,
            )
        ],
    }


def _series_data(state: State, record: SessionRecord) -> NoteSeries:
    """The COWS series and the challenge results with their times."""
    day = state.value(state.guide.meta.date_key)
    # The results as recorded, each with its time: never an answer without its entry
    # (the gate never reads one: visit/entries.py visit_results).
    challenges = _challenge_series(state, record) if record.naloxone_challenges else []
    threshold = state.guide.setting_values.get(keys.COWS_THRESHOLD)
    return {
        "cows_ratings": series_data(
            record.charted_ratings(day) if isinstance(day, dt.date) else record.cows_ratings,
            day if isinstance(day, dt.date) else None,
            record.recorded_at,
            record.counted_at(),
        ),
        "cows_threshold": threshold,
        "cows_scale_top": scale_top(state.guide),
        "naloxone_challenges": challenges,
    }


def _challenge_series(state: State, record: SessionRecord) -> list[dict[str, Any]]:
    """The challenge results as the series keeps them: each with its own time (a file's
    time as the file gave it), across the days of the walk; one done beside withdrawal
    (the series as it stands shows it) says why it does not count, and one with withdrawal
    rated during its observation that it reads as positive."""
    day = state.value(state.guide.meta.date_key)
    # The series as the visit reads it (SessionRecord.visit_ratings: the day record's
    # ratings, the other visits' of the day; none whose date is in doubt), as the gates do.
    reading = visit_results(
        state.guide,
        record.visit_ratings(day) if isinstance(day, dt.date) else record.cows_ratings,
        record.naloxone_challenges,
        day if isinstance(day, dt.date) else None,
    )
    void = {id(c): w for c, w in reading.uncounted}
    out: list[dict[str, Any]] = []
    positive: dt.datetime | None = None
    for c in record.naloxone_challenges:
        entry: dict[str, Any] = {"kind": c.kind, "result": c.result, "at": c.at.isoformat()}
        # Any sign of withdrawal after the naloxone is a positive result (reference 5.2).
        reads_positive = c.result == "positive" or (id(c) in void and void[id(c)].during)
        if id(c) in void:
            entry["not_counted"] = withdrawal_found(void[id(c)], c.started)
            if reads_positive:
                entry["reads_as"] = "positive"
        if c.started is not None:
            entry["started"] = c.started.isoformat()
        if c.corrects is not None:  # a correction: both entries stay (safety invariant 9)
            entry["corrects"] = c.corrects.isoformat()
            entry["reason"] = c.reason
        if c.kind == "challenge" and reads_positive:
            # A correction counts from the result it corrects (visit/entries.py placed).
            positive = placed(record.naloxone_challenges, c).at
        elif c.kind == "rechallenge" and positive is not None and c.result != keys.NOT_DONE:
            entry["hours_after_positive"] = rechallenge_hours(aware(positive), aware(c.at))
        out.append(entry)
    return out
