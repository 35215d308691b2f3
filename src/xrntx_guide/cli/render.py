"""Screens built from engine results: gates, the summary, 'why', the check report."""

from __future__ import annotations

import datetime as dt

from ..engine.evaluate import GateResult, State
from ..expr import UNKNOWN
from ..output.card import card_offered
from ..output.check import (
    answers_table,
    injection_given,
    shown_after_injection,
    side_against_advice,
)
from ..pack import keys
from ..pack.guide import CStep, Guide
from ..pack.severity import ACKNOWLEDGEABLE, SEVERITIES
from ..visit.rapid import GATE, Progress
from ..visit.series import scale_top, series_lines
from ..visit.session import SessionRecord
from .ui import OUTCOME_STYLE, UI


def welcome(ui: UI, guide: Guide, lines: list[str]) -> None:
    m = guide.meta
    body = [
        f"Version {m.version} · {m.status} · reviewed {m.reviewed.isoformat()}",
        m.statement,
    ]
    if guide.site:
        body.append(f"Site settings: {guide.site}")
    ui.title(m.title, [*body, "", *lines])


def cite(guide: Guide, keys: tuple[str, ...] | list[str]) -> str:
    parts = []
    for key in keys:
        src = guide.sources.get(key)
        parts.append(f"{key} ({src.title})" if src else key)
    return "; ".join(parts)


def gate_lines(state: State, g: GateResult, full: bool = False) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = [("What", g.reason)]
    if full:
        checks = [
            f"{f.text}: {'yes' if f.value else 'no' if f.value is False else 'unknown'}"
            for f in g.findings
        ]
        if checks:
            lines.append(("Checked", "; ".join(checks)))
    lines.append(("Source", cite(state.guide, g.sources)))
    if g.earliest_date is not None:
        lines.append(("Earliest date", g.earliest_date.isoformat()))
    if g.instead:
        lines.append(("Instead", ""))
        lines.extend(("", f"- {text}") for text in g.instead)
    if g.override is not None:
        lines.append(("Override", f"{g.override.code}: {g.override.comment}"))
    if g.verify:
        lines.append(("Note", "part of this gate's basis is marked 'verify' in the guide"))
    return lines


def show_on_track(ui: UI, progress: Progress) -> None:
    """An on-track day of the rapid pathway (visit/rapid.py, :class:`Progress`): not a
    contraindication box, but the day reached, the injection day and what is due."""
    lines = [("Due today", progress.due), *(("Still to come", t) for t in progress.to_come)]
    lines.append(("Until then", "the injection is not given: it waits for its day"))
    ui.gate(progress.heading(), "info", lines)


def ends_visit(state: State, g: GateResult) -> str | None:
    """The pack's own heading of a gate that records where a visit ends, when it fails."""
    if g.outcome != "fail" or g.id not in {c.id for c in state.guide.gates}:
        return None
    return state.guide.gate(g.id).spec.heading


def show_gate(ui: UI, state: State, g: GateResult) -> None:
    own = ends_visit(state, g)
    heading = f"{own or SEVERITIES[g.severity].heading}: {g.title} [{g.id}]"
    if g.outcome == "unknown":
        heading = f"NOT DECIDED: {g.title} [{g.id}]"
    ui.gate(heading, g.severity if g.outcome != "unknown" else "info", gate_lines(state, g))


def show_why(ui: UI, state: State, step: CStep | None, rules: bool = False) -> None:
    """The gates that apply so far and how each is decided right now: the clinician's
    words first (the message, with the values and the source); the rule behind it, each
    comparison with what it saw, only with ``rules``."""
    guide = state.guide
    limit = step.index if step is not None else len(guide.steps)
    ui.blank()
    ui.line("Gates: how each is decided with the answers so far", style="bold")
    rows: list[tuple[str, str, str | None]] = []
    # What needs the clinician first: the gates that fail, then the cautions, then those
    # not decided yet, then the rest (a failing gate listed thirteenth scrolled away).
    ordered = sorted(
        (gate for gate in guide.gates if state.gates[gate.id].outcome != "not_applicable"),
        key=lambda gate: _why_rank(state.gates[gate.id]),
    )
    for gate in ordered:
        g = state.gates[gate.id]
        before = guide.step(gate.spec.before)
        # The step's title, as the screen shows it, not its id ('uds').
        when = "" if before.index <= limit else f" (checked before {before.spec.title!r})"
        head = f"{g.title} [{g.id}]: {_verdict_word(g)}{when}"
        # One comparison a line: wrapped into prose, 'days_opioid_free = 4 <' /
        # 'required_opioid_free_days = 7' was split in the middle.
        how = (
            []
            if g.outcome == "unknown" or not rules
            else [
                f"- {f.text}: {'yes' if f.value else 'no' if f.value is False else 'unknown'}"
                for f in g.findings
            ]
        )
        said = f"{g.reason} [{', '.join(g.sources)}]"
        detail = "\n".join([said, "How:", *how] if how else [said])
        rows.append((head, detail, OUTCOME_STYLE.get(g.outcome)))
    ui.items(rows)


def _why_rank(g: GateResult) -> int:
    """Failing (contraindication, stop) 0, caution or note 1, not decided 2, the rest 3."""
    if g.outcome == "fail":
        return 1 if g.severity in ACKNOWLEDGEABLE else 0
    return 2 if g.outcome == "unknown" else 3


def _verdict_word(g: GateResult) -> str:
    if g.outcome == "fail":
        if g.severity in ACKNOWLEDGEABLE:
            return f"{g.severity}, " + ("acknowledged" if g.acknowledged else "to acknowledge")
        return f"FAILS ({g.severity})"
    return {"pass": "passes", "unknown": "not decided yet", "overridden": "overridden"}.get(
        g.outcome, g.outcome
    )


def show_summary(ui: UI, state: State, record: SessionRecord | None, brief: bool = False) -> None:
    rows = answers_table(state, record)
    if not brief:
        label = record.label if record is not None else ""
        if record is not None and record.demo_clock:
            # As the note and its calendar event say it: a summary is shown, photographed.
            label += " · TRAINING (demo clock; not a care record)"
        ui.step_header("Summary", label)
    ui.table(
        ["answer", "value", "from"],
        [[r["key"], r["shown"], r["origin"]] for r in rows],
        title="Answers",
        prose=("value",),
    )
    if brief:
        return
    guide = state.guide
    gate_rows, styles = [], []
    for g in state.gates.values():
        if g.outcome == "not_applicable":
            continue
        outcome = g.outcome
        if g.outcome == "fail" and g.severity in ACKNOWLEDGEABLE:
            outcome = "acknowledged" if g.acknowledged else "caution"
        # A passed gate's severity is only what it could have been: leave it out.
        kind = "" if g.outcome in ("pass", "not_applicable") else g.severity
        gate_rows.append([g.id, kind, outcome, g.reason])
        styles.append(OUTCOME_STYLE.get(g.outcome))
    ui.table(
        ["gate", "severity", "outcome", "reason"],
        gate_rows,
        title="Gates",
        styles=styles,
        prose=("reason",),
    )
    overrides = [g for g in state.gates.values() if g.override is not None]
    if overrides:
        ui.table(
            ["gate", "code", "comment"],
            [
                [g.id, g.override.code, g.override.comment]
                for g in overrides
                if g.override is not None
            ],
            title="Overrides",
            prose=("comment",),
        )
    report = guide.meta.report
    given = injection_given(state)
    lines = [*report.dose_planned, *(report.dose_given if given is True else ())]
    facts = [
        (line.label, state.display(line.value))
        for line in lines
        if line.value in guide.questions or line.value in guide.derived
    ]
    if given is False:
        facts.append(("Injection", "not given"))
    ui.table(["fact", "value"], facts, title="Dose", header=False, prose=("value",))
    against = side_against_advice(state)
    if against is not None:  # a habit or a slip at the side prompt: said, never filed silently
        ui.warning(f"{against[0].upper()}{against[1:]}: check the side, and say why in the note.")
    if record is not None:
        show_cows_series(ui, state, record)
    ui.note(f"{guide.meta.title} {guide.meta.version}. {guide.meta.statement}")


def show_cows_series(ui: UI, state: State, record: SessionRecord, least: int = 2) -> None:
    """The COWS ratings of the visit's day, a table with a bar each, when there are at
    least ``least`` (a note shows a series, not one rating; the walk shows each rating as
    it is taken)."""
    threshold = state.guide.setting_values.get(keys.COWS_THRESHOLD)
    day = state.value(state.guide.meta.date_key)
    ratings = record.charted_ratings(day) if isinstance(day, dt.date) else record.cows_ratings
    if len(ratings) < least:
        return
    lines = series_lines(
        ratings,
        threshold if isinstance(threshold, int) else None,
        day if isinstance(day, dt.date) else None,
        scale_top(state.guide),
        record.recorded_at,
        until=record.counted_at(),
    )
    if not lines:
        return
    ui.line("COWS ratings", style="bold")
    for line in lines:
        ui.line(line)


def show_check(ui: UI, state: State, on_track: Progress | None = None) -> None:
    """The short human report of ``check``; an on-track day of the rapid pathway
    (``on_track``) reads as such, not as a contraindication (it is still not ready)."""
    status = state.status
    words = {
        "ready": "READY: no gate blocks the injection.",
        "blocked": "BLOCKED: the injection cannot be given.",
        "needs_override": "NEEDS OVERRIDE: a stop blocks until an override is recorded.",
        "incomplete": "INCOMPLETE: answers are missing.",
    }
    ui.line(words[status], style="bold")
    for gid in state.blocking:
        g = state.gates[gid]
        if on_track is not None and gid == GATE:
            ui.bullet(f"{g.id}: {on_track.heading()}. Due today: {on_track.due}.")
            for text in on_track.to_come:
                ui.line(f"      Still to come: {text}", hang=8)
            continue
        ui.bullet(f"{g.severity} {g.id}: {g.reason} [{', '.join(g.sources)}]")
        for text in g.instead:
            ui.line(f"      {text}", hang=8)  # wrapped under its own text
    earliest = state.earliest_injection_date
    if earliest is not None:
        ui.line(f"Earliest injection date: {earliest.isoformat()}")
    for gid in state.cautions:
        g = state.gates[gid]
        ui.bullet(f"caution {g.id}: {g.reason}")
    missing = state.missing(state.readiness_limit)
    if missing:
        ui.line("Missing: " + ", ".join(missing), hang=2)
    for g in state.readiness_gates():
        # Undecided although no answer it needs is missing (a site "not examined"), or
        # although no answer would decide it (no requirement established): said, never
        # left for the clinician to wonder at.
        if g.outcome == "unknown" and not set(g.missing) & set(missing):
            ui.bullet(f"not decided {g.id}: {g.reason}")
    for name in state.guide.meta.report.summary:
        if name in state.guide.derived and shown_after_injection(state, name):
            ui.line(f"{state.guide.derived[name].spec.label}: {state.display(name)}")
    if state.not_applicable_answers:
        # What --json lists as "ignored": never silent on the screen either (an answer
        # such as oud_diagnosis=no on a repeat visit that is no new induction).
        ui.line(
            "Not used (their questions do not apply to this visit as answered): "
            + ", ".join(state.not_applicable_answers),
            hang=2,
        )


def show_what_if(ui: UI, scenario: State, other: State, change: str) -> None:
    """A what-if beside the scenario's path: status, earliest date, and each gate that moved."""
    ui.line(f"What if {change}?", style="bold")
    rows = [
        ["status", scenario.status, other.status],
        [
            "earliest injection date",
            _date(scenario.earliest_injection_date),
            _date(other.earliest_injection_date),
        ],
    ]
    for gid, g in other.gates.items():
        was = scenario.gates[gid]
        if (was.outcome, was.severity) != (g.outcome, g.severity):
            rows.append([f"gate {gid}", _moved(was), _moved(g)])
    ui.table(["", "the scenario", "what if"], rows, prose=("the scenario", "what if"))


def _date(day: object) -> str:
    return day.isoformat() if hasattr(day, "isoformat") else "none"


def _moved(g: GateResult) -> str:
    if g.outcome == "fail":
        return f"fails ({g.severity})"
    return g.outcome.replace("_", " ")


def show_decided(
    ui: UI, state: State, results: list[GateResult], where: str, heading: bool = True
) -> None:
    """How each gate on the way to ``where`` was decided (a presenter run): the
    verdict, the clinician's words with the values, the answers it read and its source.
    ``heading`` False: one more gate of the list begun above (the room's reveal)."""
    guide = state.guide
    if heading:
        ui.blank()
        ui.line(f"Gates on the way to {where!r}: how each decided", style="bold")
    rows: list[tuple[str, str, str | None]] = []
    for g in results:
        inputs = guide.gate(g.id).inputs
        read = [
            f"{k} = {state.display(k)}"
            for k in guide.questions
            if k in inputs and state.value(k) is not UNKNOWN
        ]
        detail = g.reason.rstrip(".") + "."
        if read:
            detail += " Read: " + "; ".join(read) + "."
        detail += f" Source: {', '.join(g.sources)}."
        rows.append(
            (f"{_verdict_word(g)}: {g.title} [{g.id}]", detail, OUTCOME_STYLE.get(g.outcome))
        )
    ui.items(rows)


def show_card_hint(
    ui: UI, state: State, record: SessionRecord, program: str = "xrntx-guide"
) -> None:
    """At the end of a saved visit: how to print the patient's emergency card, started as
    this program was (``program``)."""
    if not card_offered(state):
        return
    # The command on a line of its own: filled into the prose it was broken at 80
    # columns, and a command is copied whole.
    ui.note("Emergency card (last injection, end of the blockade, pain relief):")
    ui.note(f"  {program} card {record.id} --format html -o card.html")
    ui.note("  (add --name NAME to print a name)")
