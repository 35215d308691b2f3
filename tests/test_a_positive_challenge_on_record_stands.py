"""A positive naloxone challenge recorded in a walk that did not finish stands for every
visit of the patient within its window (clinical basis, safety invariant 9: only a
negative rechallenge within the window lifts it, never a second "challenge"), whatever
the stored record says of its own status, which its audit trail does not log."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from tests.helpers import TODAY, Run, answer_flags, ready_patient, stored_sessions

LABEL = "NX-1"


def challenged(result: str, started: str) -> dict[str, Any]:
    """A first injection 10 days after short-acting use (the challenge is required), the
    challenge answered with ``result`` after naloxone given at ``started``."""
    return ready_patient(
        last_opioid_use=TODAY - dt.timedelta(days=10),
        injection_date=TODAY,
        naloxone_challenge=result,
        naloxone_challenge_started=started,
    )


def test_a_positive_challenge_stands_when_its_walk_is_marked_complete_by_hand(run: Run) -> None:
    """At 22:00 a walk records a positive challenge and stops at the gate (blocked). Its
    stored record is marked complete by hand. At 23:30 the same patient is checked with a
    second challenge read negative: the positive still stands, so this is never ready."""
    first = run(
        "walk", "--no-input", "--json", "--label", LABEL, "--now", f"{TODAY}T22:00",
        *answer_flags(challenged("positive", "21:30")),
    )  # fmt: skip
    assert json.loads(first.stdout)["status"] == "blocked", first.output
    again = ("check", "--json", "--label", LABEL, "--now", f"{TODAY}T23:30")
    second = answer_flags(challenged("negative", "22:50"))
    assert run(*again, *second).exit_code == 2  # refused: the positive stands

    (session,) = stored_sessions(LABEL)
    record = json.loads(session.read_text())
    record["status"] = "complete"
    session.write_text(json.dumps(record))

    result = run(*again, *second)
    assert json.loads(result.stdout or "{}").get("status") != "ready", result.stdout


def test_a_positive_lifted_by_a_negative_rechallenge_no_longer_stands(run: Run) -> None:
    """At 22:00 a walk records a positive challenge; at 23:00 it records a negative
    rechallenge (naloxone at 22:30) inside the window, and stops before the injection.
    The positive is lifted (reference 5.2): a check of the patient at 23:30 is judged on
    its own answers, not refused beside that walk."""
    first = run(
        "walk", "--no-input", "--json", "--label", LABEL, "--now", f"{TODAY}T22:00",
        *answer_flags(challenged("positive", "21:30")),
    )  # fmt: skip
    assert json.loads(first.stdout)["status"] == "blocked", first.output
    (session,) = stored_sessions(LABEL)
    session_id = json.loads(session.read_text())["id"]
    lifted = run(
        "walk", "--no-input", "--json", "--resume", "--session", session_id,
        "--now", f"{TODAY}T23:00", "-a", "naloxone_rechallenge=negative",
        "-a", "naloxone_rechallenge_started=22:30",
    )  # fmt: skip
    assert json.loads(lifted.stdout)["status"] != "blocked", lifted.output

    result = run(
        "check", "--json", "--label", LABEL, "--now", f"{TODAY}T23:30",
        *answer_flags(challenged("negative", "22:50")),
    )  # fmt: skip
    assert result.exit_code != 2, result.output
    assert "stands" not in result.output
