"""Deleting a stored visit that recorded a dose takes that dose out of the patient's record
(docs/clinicians.md: a dose recorded in a session since deleted is not part of the
record): afterwards a new walk may call the patient's next visit a first injection, and
the timing of a repeat dose is no longer checked against it (a second dose too early).
So the delete says so, naming the dose and its date, before (on a terminal) and when it
deletes; "deleted session ID (LABEL)" alone reads like tidying up a draft."""

from __future__ import annotations

import datetime as dt

from tests.helpers import TODAY, Run, after_injection, stored_sessions, walk_visit

LABEL = "DEL-1"


def test_deleting_a_visit_with_a_dose_names_the_dose_it_takes_out_of_the_record(
    run: Run,
) -> None:
    given = walk_visit(
        run, LABEL, TODAY,
        after_injection(last_opioid_use=TODAY - dt.timedelta(days=14)),
    )  # fmt: skip
    assert given.exit_code == 0, given.output
    (session,) = stored_sessions(LABEL)

    deleted = run("sessions", "--delete", str(session), "--yes")
    assert deleted.exit_code == 0, deleted.output
    assert stored_sessions(LABEL) == []
    assert TODAY.isoformat() in deleted.output, deleted.output
    assert "dose" in deleted.output or "injection" in deleted.output, deleted.output
