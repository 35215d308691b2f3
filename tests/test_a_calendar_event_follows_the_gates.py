"""The next dose's calendar event (``note --format ics``) is written only for a dose the
gates allowed, on the date the visit's own answers give (clinical basis, safety invariant
12): never from a record's stored ``next_dose_due`` field alone. The field is logged in
the audit trail as it is saved, so a record whose field was changed by hand is refused
before any event is written."""

from __future__ import annotations

import datetime as dt
import json

from tests.helpers import Run, after_injection, days_ago, stored_sessions, walk_visit

LABEL = "ICS-1"


def test_no_calendar_event_for_a_dose_the_gates_refused(run: Run) -> None:
    """A first injection 3 days ago blocked by a positive opiate screen, the injection
    answered 'given' (kept as typed, not counted). Its stored record is given a
    next_dose_due by hand: the calendar still has no next dose for it."""
    day = days_ago(3)
    answers = after_injection(last_opioid_use=day - dt.timedelta(days=14), uds_opiates="positive")
    assert walk_visit(run, LABEL, day, answers).exit_code == 1
    before = run("note", LABEL, "--format", "ics")
    assert before.exit_code == 2 and "VEVENT" not in before.stdout, before.output

    (session,) = stored_sessions(LABEL)
    record = json.loads(session.read_text())
    record["next_dose_due"] = (day + dt.timedelta(days=28)).isoformat()
    session.write_text(json.dumps(record))

    after = run("note", LABEL, "--format", "ics")
    assert "VEVENT" not in after.stdout, after.stdout


def test_the_calendar_event_is_on_the_due_date_the_answers_give(run: Run) -> None:
    """A first injection 3 days ago, given: the event is on the due date worked out from
    the injection date, as the visit's JSON note says it. Its stored next_dose_due moved
    two weeks later by hand (the reminder would come two weeks late) is refused, naming
    the field: no event is written from it."""
    day = days_ago(3)
    answers = after_injection(last_opioid_use=day - dt.timedelta(days=14))
    assert walk_visit(run, LABEL, day, answers).exit_code == 0
    due = json.loads(run("note", LABEL, "--format", "json").stdout)["derived"]["next_dose_due"]

    event = run("note", LABEL, "--format", "ics")
    assert event.exit_code == 0, event.output
    assert f"DTSTART;VALUE=DATE:{due.replace('-', '')}" in event.stdout, event.stdout

    (session,) = stored_sessions(LABEL)
    record = json.loads(session.read_text())
    moved = dt.date.fromisoformat(due) + dt.timedelta(days=14)
    record["next_dose_due"] = moved.isoformat()
    session.write_text(json.dumps(record))

    edited = run("note", LABEL, "--format", "ics")
    assert edited.exit_code == 2 and "VEVENT" not in edited.stdout, edited.output
    assert "next_dose_due" in edited.stderr and "audit trail" in edited.stderr, edited.output
