"""A naloxone challenge's result is read at the end of its observation: a challenge whose
naloxone is given at 23:59 is read after midnight (safety invariant 3: the result belongs
to the challenge, on the visit day its naloxone was given). At a terminal, the
clinician types 'start' when the naloxone is given and the result when it is read; a
positive read four minutes later (withdrawal, a contraindication) must be recorded,
never refused with "give the time the naloxone was given that day", a time that does
not exist: the visit would go on with no result for the challenge, and the positive
never stands in the record."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
import time
from collections.abc import Callable, Iterator
from typing import TextIO, cast

import pytest

from tests.helpers import TODAY, Run, answer_flags, only_session, ready_patient, stored_record
from xrntx_guide.env import Clock, Environment

SAVED_AT = dt.time(23, 50)  # the visit walked to its challenge, left at 23:50
BASE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # the real clock's reading at the resume


class TypedAt:
    """A terminal's typing, each line at its own time: reading a line moves the clock to
    the minutes after the save the line was typed at."""

    def __init__(self, lines: list[tuple[float, str]], clock: list[dt.datetime]) -> None:
        self.lines, self.clock = list(lines), clock

    def isatty(self) -> bool:
        return True

    def readline(self) -> str:
        if not self.lines:
            return ""
        minutes, text = self.lines.pop(0)
        self.clock[0] = BASE + dt.timedelta(minutes=minutes)
        return text + "\n"


@pytest.fixture
def resumed_at_a_terminal(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[list[tuple[float, str]]], str]]:
    """The visit (calm, no challenge yet) walked on a machine in UTC at 23:50 of TODAY and
    resumed at a terminal, typing each line at its minutes after 23:50; its session."""
    import xrntx_guide.cli.commands.common as common

    monkeypatch.setenv("TZ", "UTC0")
    time.tzset()

    def resume(lines: list[tuple[float, str]]) -> str:
        first = run(
            "walk", "--no-input", "--label", "MIDNIGHT", "--now", f"{TODAY}T{SAVED_AT}",
            "--acknowledge", "all", *answer_flags(ready_patient(naloxone_challenge=None)),
        )  # fmt: skip
        assert first.exit_code == 4, first.output
        session = only_session()
        clock = [BASE]
        typed = TypedAt(lines, clock)

        def make() -> Environment:
            env = Environment.of(cast(TextIO, typed), sys.stdout, sys.stderr)
            return dataclasses.replace(env, clock=Clock(source=lambda: clock[0]), stdin_tty=True)

        monkeypatch.setattr(common, "process_environment", make)
        out = run("walk", "--resume", "--session", session, "--plain")
        assert out.exit_code in (0, 1, 4), out.output
        return session

    yield resume
    monkeypatch.undo()
    time.tzset()


def challenge_results(session: str) -> list[str]:
    return [c.result for c in stored_record(session).naloxone_challenges if c.kind == "challenge"]


def test_the_control_a_positive_read_before_midnight_is_recorded(
    resumed_at_a_terminal: Callable[[list[tuple[float, str]]], str],
) -> None:
    session = resumed_at_a_terminal([(5, "start"), (9, "positive"), (9.5, "quit")])
    assert challenge_results(session) == ["positive"]


def test_a_positive_read_after_midnight_of_a_challenge_begun_before_it_is_recorded(
    resumed_at_a_terminal: Callable[[list[tuple[float, str]]], str],
) -> None:
    session = resumed_at_a_terminal([(9, "start"), (13, "positive"), (13.5, "quit")])
    assert challenge_results(session) == ["positive"]
