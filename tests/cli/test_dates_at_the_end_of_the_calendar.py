"""Dates near the calendar's end: a visit dated past the years the program computes with is
refused as usage (exit 2), and a next dose on the calendar's last day still makes a
calendar event."""

from __future__ import annotations

import datetime as dt

from tests.helpers import Run, after_injection, answer_flags, no_traceback
from xrntx_guide.errors import ExitCode


def test_the_ics_of_a_next_dose_on_the_calendar_s_last_day() -> None:
    """A record dated at the calendar's end (imported from elsewhere: --today holds a run
    to the years the program computes with) still writes a next dose on 9999-12-31 as a
    one-day event with no end after the calendar's last day."""
    from xrntx_guide.output.note.ics import note_ics

    data = {
        "session": "0badc0de", "label": "y9999", "next_dose_due": "9999-12-31",
        "dose": "dose", "date": "9999-12-03", "side": "left", "injection_given": True,
    }  # fmt: skip
    ics = note_ics(data, dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC))
    assert ics is not None
    assert "DTSTART;VALUE=DATE:99991231" in ics and "DTEND" not in ics


def test_inv8_a_visit_date_past_the_years_the_program_computes_with_is_refused_as_usage(
    run: Run,
) -> None:
    later = dt.date(9999, 12, 4)  # its next dose would fall after the calendar ends
    flags = answer_flags(after_injection(last_opioid_use=later - dt.timedelta(days=30)))
    done = run("walk", "--no-input", "--label", "y10000", "--today", later.isoformat(), *flags)
    assert done.exit_code == ExitCode.USAGE, done.output
    assert "out of range" in done.stderr and "9998" in done.stderr
    no_traceback(done)
