"""The chart note as Markdown, or as plain text (the same lines without the marks)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ...pack.severity import ACKNOWLEDGEABLE
from ...visit.clock import shown, to_the_second
from ...visit.history import due_words
from ...visit.series import CowsRating, series_lines
from ..text import markdown_text, visible
from . import NoteInput


def _minutes(at: str) -> str:
    """A time of the audit trail as the note shows it: to the minute, with its offset."""
    return dt.datetime.fromisoformat(at).astimezone().isoformat(timespec="minutes")


def _clock(at: str) -> str:
    """A result's time as the note shows it: local, to the second when it has seconds
    (a timer's start does), never its microseconds."""
    when = dt.datetime.fromisoformat(at)
    return shown(when, to_the_second(when.replace(microsecond=0)))


def _yn(value: Any) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return "not recorded" if value is None else str(value)


def note_markdown(data: Mapping[str, Any], plain: bool = False) -> str:
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
    if data.get("refused_by_the_record"):
        out.append(
            f"{li}The patient's record as it stands refuses this visit: "
            f"{said(data['refused_by_the_record'])}."
        )
    given = data["injection_given"]
    if given is True:
        out.append(
            f"{li}Given: {said(data['dose'])}, "
            + (f"{said(data['side'])} buttock" if data.get("side") else "side not recorded")
            + f", needle {said(data['needle'] or 'not recorded')}"
        )
        if data.get("side_against_advice"):
            out.append(f"{li}Warning: {said(data['side_against_advice'])}")
        out.append(f"{li}Next dose due: {said(data['next_dose_due'])}")
    else:
        out.append(f"{li}Injection: {'not given' if given is False else 'not recorded'}")
        if data.get("not_counted_because") == "record":
            out.append(
                f"{li}An answer says the injection was given, but the patient's record "
                "(another visit's dose, recorded while this walk ran) stood against it: "
                "it is not recorded as given, and no next dose is due. Resume the session "
                "to judge the visit again."
            )
        elif data.get("injection_given_not_counted"):
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
    out += [
        f"{li}{a['key']}: {said(a['shown'])} ({a['origin']})"
        + (
            "; earlier in this visit: "
            + ", ".join(f"{said(_yn(e['value']))} ({_minutes(e['at'])})" for e in a["earlier"])
            if a.get("earlier")
            else ""
        )
        for a in data["answers"]
    ]
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


def _series_note(data: Mapping[str, Any], h2: str, li: str, plain: bool) -> list[str]:
    """The COWS series (a table with a bar per rating) and the challenge results."""
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
            read=any(r.get("used") for r in ratings),
            marked=next((i for i, r in enumerate(ratings) if r.get("used")), None),
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
                f"; corrects the {c['kind']} of {_clock(c['corrects'])}: {c.get('reason')}"
                if c.get("corrects")
                else ""
            )
            given = f", naloxone given {_clock(c['started'])}" if c.get("started") else ""
            void = (
                f"; reads as positive, withdrawal during its observation: {c['not_counted']}"
                if c.get("reads_as") == "positive"
                else f"; does not count, done beside withdrawal: {c['not_counted']}"
                if c.get("not_counted")
                else ""
            )
            at = _clock(c["at"])
            out.append(f"{li}{c['kind']}: {c['result']} (recorded {at}{given}{after}{fix}{void})")
    return out


def write(note: NoteInput) -> str:
    return note_markdown(note.data)
