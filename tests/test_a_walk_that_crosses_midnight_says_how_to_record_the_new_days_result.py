"""A walk open across midnight: a COWS total typed after it was taken on the new day, and
is refused for the visit of the day before (safety invariant 3). The refusal's way out
must be one the clinician can take: the walk's own "today" stays the day it began on,
so `edit injection_date` to the new day is refused as after today; quitting and
resuming moves the visit. Before, the refusal sent the clinician to the edit, which
could not succeed, and the walk was stuck until they guessed to quit."""

from __future__ import annotations

import dataclasses
import sys
import time
from collections.abc import Iterator
from typing import TextIO, cast

import pytest

from tests.helpers import TODAY, Run, answer_flags, flat, only_session, ready_patient
from tests.test_a_challenge_begun_before_midnight_can_be_read_after_it import BASE, TypedAt
from xrntx_guide.env import Clock, Environment


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC0")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_a_rating_typed_after_midnight_names_the_resume(
    run: Run, monkeypatch: pytest.MonkeyPatch, utc: None
) -> None:
    import xrntx_guide.cli.commands.common as common

    first = run(
        "walk", "--no-input", "--label", "MIDNIGHT-COWS", "--now", f"{TODAY}T23:50",
        "--acknowledge", "all",
        *answer_flags(ready_patient(cows_total=None, naloxone_challenge=None)),
    )  # fmt: skip
    assert first.exit_code == 4, first.output
    clock = [BASE]
    typed = TypedAt([(12, "1"), (12.5, "quit")], clock)  # typed at 00:02

    def make() -> Environment:
        env = Environment.of(cast(TextIO, typed), sys.stdout, sys.stderr)
        return dataclasses.replace(env, clock=Clock(source=lambda: clock[0]), stdin_tty=True)

    monkeypatch.setattr(common, "process_environment", make)
    out = run("walk", "--resume", "--session", only_session(), "--plain")
    said = flat(out.stdout + out.stderr)
    assert "the clock has passed midnight" in said.lower(), said
    assert "quit and resume the walk" in said, said
    assert "edit injection_date" not in said, said
