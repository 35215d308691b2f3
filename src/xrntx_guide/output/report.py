"""Results, summaries and chart notes as data, Markdown, text and calendar files.

Everything here is a pure function of an evaluated :class:`~xrntx_guide.engine.State`
(and, for notes, the session record), so the walkthrough, ``check`` and ``note`` agree.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..engine.evaluate import GateResult, State
from ..expr import UNKNOWN, Value
from ..pack.severity import ACKNOWLEDGEABLE
from ..visit.answers import to_json
from .card import card_offered

if TYPE_CHECKING:
    from ..visit.session import SessionRecord


_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def visible(text: str, newlines: bool = False) -> str:
    """``text`` with every control character shown as an escape (``\\x1b``, ``\\n``).

    Answers, labels and comments can come from a hand-edited session file: printed raw, an
    ESC or BEL would drive the terminal, and a newline would start a line that looks like
    the program's own. Bidirectional overrides are shown too, since they
    reorder what is seen; so are the Unicode line and paragraph separators. ``newlines``
    keeps line breaks, for messages the program composes. Screens and notes both use it.
    """
    unsafe = _UNSAFE_KEEP_NEWLINES if newlines else _UNSAFE
    return unsafe.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


# Control characters (Unicode category Cc: C0, DEL, C1), the line and paragraph
# separators (Zl, Zp), and the explicit bidirectional embeddings, overrides and isolates
# (a soft hyphen or a joiner is harmless). A class, not unicodedata: no import at start-up.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{_BIDI}]")
_UNSAFE_KEEP_NEWLINES = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029{_BIDI}]")


_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>#|~!&])")


def markdown_text(text: str) -> str:
    """User-supplied text (a label, an answer, a comment, a site's name) made inert in
    Markdown: no control character, so no new line and no forged heading or list item;
    every character that could start a link, an emphasis, HTML or a table cell escaped."""
    return _MARKDOWN.sub(r"\\\1", visible(text))


def injection_possible(state: State) -> bool:
    """The patient is ready, or the injection was given: a next dose date means something."""
    return state.status == "ready" or injection_given(state) is True


def injection_given(state: State) -> Value:
    """Whether the dose was given (:attr:`State.injection_given`: only when the gates
    allowed it)."""
    return state.injection_given


def _answered_given_not_allowed(state: State) -> bool:
    """An answer says the dose was given, but the gates did not allow it: the note says
    so instead of recording a dose."""
    key = state.guide.meta.report.injection_given
    return key is not None and state.value(key) is True and state.injection_given is not True


def shown_after_injection(state: State, name: str) -> bool:
    """Whether ``name`` means something for this patient (a next dose date only once the
    injection can be, or was, given)."""
    return name not in state.guide.meta.report.after_injection or injection_possible(state)


def _json_value(value: Value) -> Any:
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
            out[name] = _json_value(state.value(name))
    earliest = state.earliest_injection_date
    if earliest is not None:
        out["earliest_injection_date"] = earliest.isoformat()
    return out


def _fixed_clock(record: SessionRecord) -> str | None:
    """When the walk ran on a fixed clock (``--today``, ``--now``): the instant it started
    at (invariant 8: the record says so); None on the real clock."""
    clock = record.clock
    if clock is not None:
        return clock.start.isoformat() if clock.fixed and clock.start is not None else None
    return record.today.isoformat() if record.today is not None else None


def check_result(
    state: State, explain: bool = False, starts: Mapping[str, dt.datetime] | None = None
) -> dict[str, Any]:
    """The object ``check --json`` prints (its JSON Schema: ``schema check-result``).
    ``starts``: when the naloxone of each timed result was given, where the run said so;
    a result without is said to be taken as reported (``observation``)."""
    meta = state.guide.meta
    from .versions import CHECK_RESULT

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
    from ..visit.presets import observation_json, observed_results

    observed = observed_results(state, None, starts or {})
    if observed:
        result["observation"] = observation_json(observed)
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
                    "question": cq.spec.prompt,
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


# ---------------------------------------------------------------------------------------
# Chart notes


def note_data(
    state: State, record: SessionRecord, history: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Everything the chart note says, as data (the JSON note format).

    ``history`` is the patient's timeline before this visit (``Timeline.to_json`` of
    visit/history.py), shown in the note as it is given."""
    meta = state.guide.meta
    gates = [gate_json(g, True) for g in state.gates.values() if g.outcome != "not_applicable"]
    counselling = {
        k: _json_value(state.value(k))
        for k in (
            "medication_guide_given",
            "overdose_counselled",
            "reversal_agent_offered",
            "wallet_card_given",
        )
        if k in state.guide.questions
    }
    report = meta.report

    def value(name: str | None) -> Value:
        return UNKNOWN if name is None else state.value(name)

    needle = next((v for v in map(value, report.needle) if v is not UNKNOWN), UNKNOWN)
    ended = report.history.end_of_treatment
    end_lines = (
        [
            {"label": line.label, "value": _json_value(v), "shown": state.display(line.value)}
            for line in report.end_of_treatment
            if (v := state.value(line.value)) is not UNKNOWN
        ]
        if ended is not None and state.value(ended) is True
        else None
    )
    return {
        "training": record.demo_clock is not None,
        "fixed_clock": _fixed_clock(record),
        "label": record.label,
        "session": record.id,
        "recorded_by": list(dict.fromkeys(e.by for e in record.events if e.by)),
        "date": _json_value(state.value(meta.date_key)),
        "visit": state.display(report.visit) if report.visit else None,
        "status": record.status,
        "readiness": state.status,
        "injection_given": _json_value(injection_given(state)),
        "injection_given_not_counted": _answered_given_not_allowed(state),
        "answers": answers_table(state, record),
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
        "dose": _json_value(value(report.dose_setting and f"settings.{report.dose_setting}"))
        if injection_given(state) is True
        else None,
        "side": _json_value(value(report.side_given)),
        "needle": _json_value(needle),
        "counselling": counselling,
        "end_of_treatment": end_lines,
        "emergency_card": card_offered(state),
        "next_dose_due": record.next_dose_due,
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
    from ..visit.rapid import day_rows, entries_in_order, is_pathway_key

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


def _series_data(state: State, record: SessionRecord) -> dict[str, Any]:
    """The COWS series and the challenge results with their times."""
    from ..visit.series import scale_top, series_data

    day = state.value(state.guide.meta.date_key)
    # The results as recorded, each with its time: never an answer without its entry
    # (the gate never reads one: visit/entries.py visit_results).
    challenges = _challenge_series(record) if record.naloxone_challenges else []
    threshold = state.guide.setting_values.get("cows_threshold")
    return {
        "cows_ratings": series_data(record.cows_ratings, day if isinstance(day, dt.date) else None),
        "cows_threshold": threshold,
        "cows_scale_top": scale_top(state.guide),
        "naloxone_challenges": challenges,
    }


def _challenge_series(record: SessionRecord) -> list[dict[str, Any]]:
    """The challenge results as the series keeps them: each with its own time (a file's
    time as the file gave it), across the days of the walk."""
    from ..visit.series import aware, rechallenge_hours

    out: list[dict[str, Any]] = []
    positive: dt.datetime | None = None
    for c in record.naloxone_challenges:
        entry: dict[str, Any] = {"kind": c.kind, "result": c.result, "at": c.at.isoformat()}
        if c.started is not None:
            entry["started"] = c.started.isoformat()
        if c.corrects is not None:  # a correction: both entries stay (safety invariant 9)
            entry["corrects"] = c.corrects.isoformat()
            entry["reason"] = c.reason
        if c.kind == "challenge" and c.result == "positive":
            positive = c.at
        elif c.kind == "rechallenge" and positive is not None and c.result != "not_done":
            entry["hours_after_positive"] = rechallenge_hours(aware(positive), aware(c.at))
        out.append(entry)
    return out


def _yn(value: Any) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return "not recorded" if value is None else str(value)


def note_markdown(data: dict[str, Any], plain: bool = False) -> str:
    h1, h2, li = ("", "", "- ") if plain else ("# ", "## ", "- ")
    # What a person typed or a file held is never written raw: a newline or a Markdown
    # mark in a label, a lot number or a comment could forge a line of the note.
    t = visible if plain else markdown_text

    def said(value: Any) -> str:
        return t(str(value))

    out = [f"{h1}XR-naltrexone visit note: {said(data['label'])}", ""]
    if data.get("training"):
        out[0] = f"{h1}TRAINING (demo clock; not a care record): visit note: {said(data['label'])}"
    out.append(f"{li}Date: {said(data['date'] or 'not recorded')}")
    if data.get("fixed_clock"):
        out.append(
            f"{li}Clock: fixed (--today/--now), started at {said(data['fixed_clock'])}; "
            "not the real time"
        )
    out.append(f"{li}Visit: {said(data['visit'])}")
    if data.get("recorded_by"):
        out.append(f"{li}Recorded by: {said(', '.join(data['recorded_by']))}")
    out.append(f"{li}Readiness: {data['readiness']}; walkthrough: {data['status']}")
    given = data["injection_given"]
    if given is True:
        out.append(
            f"{li}Given: {said(data['dose'])}, {said(data['side'])} buttock, "
            f"needle {said(data['needle'])}"
        )
        out.append(f"{li}Next dose due: {said(data['next_dose_due'])}")
    else:
        out.append(f"{li}Injection: {'not given' if given is False else 'not recorded'}")
        if data.get("injection_given_not_counted"):
            out.append(
                f"{li}An answer says the injection was given, but the gates did not allow "
                "it (readiness above): it is not recorded as given, and no next dose is due."
            )
    ended = data.get("end_of_treatment")
    if ended is not None:
        out += ["", f"{h2}End of treatment", ""]
        out += [f"{li}{said(e['label'])}: {said(e['shown'])}" for e in ended]
        if data.get("emergency_card"):
            out.append(f"{li}Emergency card: xrntx-guide card {said(data['session'])}")
    out += _history_lines(data.get("history"), h2, li)
    out += ["", f"{h2}Readiness findings and gates", ""]
    for g in data["gates"]:
        outcome = g["outcome"]
        if outcome == "fail" and g["severity"] in ACKNOWLEDGEABLE:
            outcome = "acknowledged" if g.get("acknowledged") else "not acknowledged"
        line = f"{li}{g['id']} ({g['severity']}): {outcome} - {said(g['reason'])}"
        if g.get("earliest_date"):
            line += f" Earliest date: {g['earliest_date']}."
        out.append(line + f" [{', '.join(g['sources'])}]")
    out += _rapid_note(data.get("rapid_pathway"), h2, li, said)
    out += _series_note(data, h2, li, plain)
    if data["cautions_acknowledged"]:
        out += ["", f"{h2}Cautions acknowledged", ""]
        out += [f"{li}{c}" for c in data["cautions_acknowledged"]]
    if data["overrides"]:
        out += ["", f"{h2}Overrides", ""]
        out += [
            f"{li}{o['gate']}: {said(o['code'])}: {said(o['comment'])} ({o['at']})"
            for o in data["overrides"]
        ]
    out += ["", f"{h2}Counselling", ""]
    out += [f"{li}{k.replace('_', ' ')}: {said(_yn(v))}" for k, v in data["counselling"].items()]
    out += ["", f"{h2}Answers", ""]
    out += [f"{li}{a['key']}: {said(a['shown'])} ({a['origin']})" for a in data["answers"]]
    out += ["", f"{h2}Sources", ""]
    out += [f"{li}{s['key']}: {said(s['citation'])}" for s in data["sources"]]
    guide = data["guide"]
    out += [
        "",
        f"Guide {guide['id']} {guide['version']}"
        + (f", site settings {said(guide['site'])}" if guide["site"] else "")
        + f". {data['statement']}",
        "",
    ]
    return "\n".join(out)


def _rapid_note(rapid: dict[str, Any] | None, h2: str, li: str, said: Any) -> list[str]:
    """The rapid pathway's record, day by day (date, day, given, tolerated, COWS with its
    times, injection day, note), and whether the site's protocol table was used."""
    if not rapid:
        return []
    out = ["", f"{h2}Supervised rapid pathway", ""]
    if rapid["site_table"]:
        out.append(f"{li}Tracked against the site's protocol table.")
    else:
        out.append(
            f"{li}No site protocol table was used: what was given is as recorded, and the "
            "injection day is the one the clinician confirmed."
        )
    if rapid.get("injection_day") is not None:
        out.append(f"{li}Injection day: day {rapid['injection_day']}.")
    if not rapid["days"]:
        out.append(f"{li}No day recorded.")
    for d in rapid["days"]:
        entry = d.get("entry") or ""
        what = (
            f" ({said(entry)})" if entry.startswith("correction") else " (added)" if entry else ""
        )
        line = (
            f"{li}{d['date']}, day {d['day']}{what}: given: {said(d['given'])}; oral "
            f"naltrexone given: {d.get('naltrexone', 'not recorded')}; tolerated: "
            f"{d['tolerated']}; COWS: {d['cows']}"
        )
        if d["injection"]:
            line += f"; {d['injection']}"
        if d["note"]:
            line += f"; note: {said(d['note'])}"
        out.append(line + ".")
    out += [f"{li}Record incomplete: {said(m)}" for m in rapid["missing"]]
    return out


def _history_lines(history: dict[str, Any] | None, h2: str, li: str) -> list[str]:
    """The injections before this visit, and how early or late it is against them."""
    if not history or not history.get("visits"):
        return []
    from ..visit.history import due_words

    out = ["", f"{h2}Earlier injections", ""]
    injections = history["injections"]
    if not injections:
        out.append(f"{li}none recorded in a finished visit")
    for i in injections:
        lot = f", kit lot {i['kit_lot']}" if i.get("kit_lot") else ""
        out.append(
            f"{li}{i['date']}: {i['side'] or 'side not recorded'} buttock, "
            f"needle {i['needle'] or 'not recorded'}{lot}; next due {i['next_dose_due']} "
            f"(session {i['session']})"
        )
    due = due_words(history.get("due"))
    if due is not None:
        out.append(f"{li}Against the last of them: {due}")
    out += [f"{li}Warning: {w}" for w in history.get("warnings", [])]
    return out


def _ics_escape(text: str) -> str:
    """``text`` as an RFC 5545 TEXT value: every line break (CR, LF, CRLF) as the escape
    ``\\n``, every other control character shown as :func:`visible` shows it, and
    backslash, ``;`` and ``,`` escaped, so no text can end a content line or add a
    property to the calendar."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\\n".join(
        visible(line).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
        for line in lines
    )


def note_ics(data: dict[str, Any], now: dt.datetime) -> str | None:
    """The next dose as an all-day calendar event; None when no dose is due."""
    due = data.get("next_dose_due")
    if not due:
        return None
    day = dt.date.fromisoformat(due)
    stamp = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    # An all-day event ends the next day. The calendar's last day has no next day: there
    # DTEND is left out, which RFC 5545 (3.6.1) reads as the same one-day event.
    end = [] if day == dt.date.max else [f"DTEND;VALUE=DATE:{_ics_date(day + dt.timedelta(1))}"]
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//xrntx-guide//next dose//EN",
        "BEGIN:VEVENT",
        "UID:" + _ics_escape(f"{data['session']}-next-dose@xrntx-guide"),
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{_ics_date(day)}",
        *end,
        "SUMMARY:"
        + _ics_escape(
            ("TRAINING: " if data.get("training") else "")
            + "XR-naltrexone next dose due: "
            + data["label"]
        ),
        "DESCRIPTION:"
        + _ics_escape(
            f"{data['dose']}. Last injection {data['date']} ({data['side']} buttock): "
            "alternate the buttock and reassess habitus."
        ),
        *_ics_alarm(data),
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(_ics_fold(line) for line in lines)


def _ics_alarm(data: dict[str, Any]) -> list[str]:
    """A reminder the pack's setting days before the due date (its start, at midnight);
    none for a session that recorded no such setting (saved before there was one)."""
    days = (data.get("settings") or {}).get("reminder_days_before_due")
    if not isinstance(days, int) or isinstance(days, bool) or days < 0:
        return []
    return [
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        "DESCRIPTION:" + _ics_escape("XR-naltrexone next dose due: " + data["label"]),
        f"TRIGGER:-P{days}D" if days else "TRIGGER:PT0S",
        "END:VALARM",
    ]


def _ics_date(day: dt.date) -> str:
    """A DATE value: always four digits of year (strftime's %Y drops leading zeros)."""
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def _ics_fold(line: str) -> str:
    """One content line, folded at 75 octets as RFC 5545 section 3.1 requires."""
    out: list[bytes] = []
    current = b""
    for ch in line:
        b = ch.encode("utf-8")
        if len(current) + len(b) > (75 if not out else 74):
            out.append(current)
            current = b""
        current += b
    out.append(current)
    return "\r\n ".join(part.decode("utf-8") for part in out) + "\r\n"


def _series_note(data: dict[str, Any], h2: str, li: str, plain: bool) -> list[str]:
    """The COWS series (a table with a bar per rating) and the challenge results."""
    from ..visit.series import CowsRating, series_lines

    out: list[str] = []
    ratings = data.get("cows_ratings") or []
    if ratings:
        parsed = [
            CowsRating.model_validate({k: v for k, v in r.items() if k != "used"}) for r in ratings
        ]
        date = data.get("date")
        day = dt.date.fromisoformat(date) if isinstance(date, str) else None
        threshold = data.get("cows_threshold")
        top = data.get("cows_scale_top")
        lines = series_lines(
            parsed,
            threshold if isinstance(threshold, int) else None,
            day,
            top if isinstance(top, int) else max(r.total for r in parsed),
        )
        out += ["", f"{h2}COWS ratings", ""]
        out += ["    " + line for line in lines] if plain else ["```text", *lines, "```"]
    challenges = data.get("naloxone_challenges") or []
    if challenges:
        out += ["", f"{h2}Naloxone challenge", ""]
        for c in challenges:
            hours = c.get("hours_after_positive")
            after = f", {hours:g} hours after the positive challenge" if hours is not None else ""
            fix = (
                f"; corrects the {c['kind']} of {c['corrects']}: {c.get('reason')}"
                if c.get("corrects")
                else ""
            )
            given = f", naloxone given {c['started']}" if c.get("started") else ""
            out.append(f"{li}{c['kind']}: {c['result']} (recorded {c['at']}{given}{after}{fix})")
    return out
