"""The next dose as an all-day calendar event (RFC 5545)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ...errors import UsageError
from ..text import visible
from . import NoteInput


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


def note_ics(data: Mapping[str, Any], now: dt.datetime) -> str | None:
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
            f"{data['dose']}. Last injection {data['date']} "
            f"({data['side'] + ' buttock' if data.get('side') else 'side not recorded'}): "
            "alternate the buttock and reassess habitus."
        ),
        *_ics_alarm(data),
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(_ics_fold(line) for line in lines)


def _ics_alarm(data: Mapping[str, Any]) -> list[str]:
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


def write(note: NoteInput) -> str:
    """The calendar file; a usage error when no next dose is due (nothing to put in it)."""
    data = note.data
    ics = note_ics(data, note.now)
    if ics is None:
        why = (
            "its date would be after the calendar's last day, 9999-12-31"
            if data["injection_given"] is True
            else "this visit ended the treatment, with no injection"
            if data.get("end_of_treatment")
            else "the injection was not recorded as given"
        )
        raise UsageError(f"{note.record.label}: no next dose is due ({why})")
    return ics
