"""The calendar note (``note --format ics``) carries labels and ids a person or another
program wrote: whatever they hold, the note keeps its own lines, and no property can be
added through them (RFC 5545: TEXT holds no control character; CR and LF are escaped)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from tests.helpers import TODAY, Run, after_injection, stored_record, stored_sessions, walk
from xrntx_guide.errors import ExitCode, SessionError
from xrntx_guide.output.note.ics import note_ics

HOSTILE = [
    "AB\r\nATTENDEE:mailto:x@example.org",
    "AB\rATTENDEE:x",
    "AB\nATTENDEE:x",
    "AB\x07\x1b[31m",
    "AB\u2028ATTENDEE:x",
    "AB\x85NEL",
]


def _lines(ics: str) -> list[str]:
    """The content lines of a calendar, unfolded (RFC 5545 3.1)."""
    assert ics.endswith("\r\n")
    return ics.replace("\r\n ", "").split("\r\n")[:-1]


def _data(label: str, session: str = "0badc0de") -> dict[str, object]:
    return {
        "session": session,
        "label": label,
        "next_dose_due": (TODAY + dt.timedelta(days=1)).isoformat(),
        "dose": "dose",
        "date": TODAY.isoformat(),
        "side": "left",
    }


@pytest.mark.parametrize("text", HOSTILE)
def test_no_control_character_reaches_the_calendar(text: str) -> None:
    ics = note_ics(_data(text, session=text), dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC))
    assert ics is not None
    lines = _lines(ics)
    names = [re.match(r"[A-Z-]+", line)[0] for line in lines]  # type: ignore[index]
    assert "ATTENDEE" not in names, lines
    for line in lines:
        assert not re.search("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]", line), line


@pytest.mark.parametrize(("field", "text"), [("label", t) for t in HOSTILE] + [("id", "a\r\nb")])
def test_a_record_whose_label_or_id_holds_a_control_character_is_not_read(
    run: Run, field: str, text: str
) -> None:
    """A hand-edited or transferred record: refused when read, naming the field."""
    assert walk(run, after_injection()).exit_code == ExitCode.OK
    (path,) = stored_sessions()
    record = json.loads(path.read_text(encoding="utf-8"))
    record[field] = text
    path.write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(SessionError, match=field):
        stored_record(path)
    note = run("note", str(path), "--format", "ics")
    assert note.exit_code != ExitCode.OK, note.output
    assert "ATTENDEE" not in note.stdout
