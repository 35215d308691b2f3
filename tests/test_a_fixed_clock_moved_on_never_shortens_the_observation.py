"""The naloxone challenge's 20 minutes are real time in care (clinical basis, safety
invariant 5), also on a fixed clock (``--now``) that a resume moves on: the clock says
when things happened, never how long the patient was watched.

The naloxone is given at the prompt ('start') on a walk at 09:05; the walk is left and
resumed with ``--now 09:30`` a few real seconds later. Until now the resume read 25
minutes as passed and took a negative result: the visit went on to the injection."""

from __future__ import annotations

from typing import Any

from tests.helpers import Run, opened, ready_patient
from tests.helpers import at_today as at

LABEL = "MOVED-CLOCK"


def started_at_the_prompt(run: Run, *start: str) -> str:
    """A walk waiting at the challenge (an unknown last opioid: required), the naloxone
    given at 09:05 by typing ``start`` (with ``start``'s words): its session."""
    patient = ready_patient(cows_total=1, naloxone_challenge=None, last_opioid_kind="unknown")
    session = opened(run, LABEL, "09:00", patient)
    walked = run(
        "walk", "--plain", "--resume", "--session", session, "--now", at("09:05"),
        "--acknowledge", "all", input=" ".join(["start", *start]) + "\nquit\n",
    )  # fmt: skip
    assert "timer started" in walked.output.lower(), walked.output
    return session


def resumed(run: Run, session: str, *args: str, **kwargs: Any) -> Any:
    return run(
        "walk", "--resume", "--session", session, "--now", at("09:30"), "--acknowledge", "all",
        *args, **kwargs,
    )  # fmt: skip


def test_a_negative_by_flag_waits_for_the_real_minutes(run: Run, at_a_terminal: None) -> None:
    session = started_at_the_prompt(run)
    out = resumed(run, session, "--no-input", "-a", "naloxone_challenge=negative")
    assert out.exit_code == 2, out.output
    assert "cannot be recorded yet" in " ".join(out.output.split()), out.output


def test_a_negative_typed_waits_for_the_real_minutes(run: Run, at_a_terminal: None) -> None:
    session = started_at_the_prompt(run)
    out = resumed(run, session, "--plain", input="negative\nquit\n")
    said = " ".join(out.output.split())
    assert "left" in said and "Was the injection given" not in said, said


def test_a_naloxone_time_given_counts_from_then_in_real_time_too(
    run: Run, at_a_terminal: None
) -> None:
    """'start 09:00' typed at 09:05: the naloxone went in five minutes before, by the
    machine's clock too; 25 clock minutes later, a few real seconds on, 15 are left."""
    session = started_at_the_prompt(run, "09:00")
    out = resumed(run, session, "--no-input", "-a", "naloxone_challenge=negative")
    said = " ".join(out.output.split())
    assert out.exit_code == 2 and "cannot be recorded yet" in said, said
    assert "has 15:" in said or "has 14:" in said, said


def test_the_control_a_naloxone_given_long_enough_before(run: Run, at_a_terminal: None) -> None:
    """'start 08:40' typed at 09:05: 25 minutes have passed, in real time too."""
    session = started_at_the_prompt(run, "08:40")
    out = resumed(run, session, "--no-input", "-a", "naloxone_challenge=negative")
    assert "cannot be recorded yet" not in " ".join(out.output.split()), out.output


def test_a_time_given_never_shortens_a_start_typed_before(run: Run, at_a_terminal: None) -> None:
    """'start' typed at 09:05, then 'start 09:05' on a resume at 09:25 a few real seconds
    later: the observation still began a few real seconds ago."""
    session = started_at_the_prompt(run)
    moved = resumed(run, session, "--plain", input="start 09:05\nnegative\nquit\n")
    said = " ".join(moved.output.split())
    assert "left" in said and "Was the injection given" not in said, said
