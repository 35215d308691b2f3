"""Messages that must not mislead: a value beyond a bound never prints
as the bound, a value with none established says so, a folder is called a folder."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import TODAY, Result, ready_patient
from xrntx_guide.engine.evaluate import Inputs, evaluate
from xrntx_guide.engine.next_action import instructions
from xrntx_guide.expr import format_value
from xrntx_guide.pack.guide import Guide

Run = Callable[..., Result]


def test_a_value_just_above_a_maximum_does_not_print_as_the_maximum(run: Run) -> None:
    result = run(
        "check", "--today", TODAY.isoformat(), "-a", "visit=first_injection",
        "-a", "lft_multiple_uln=1000.0000000001",
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "1000.0000000001 is above the maximum of 1000" in result.stderr, result.output


def test_a_gate_message_shows_the_digits_that_put_a_value_past_its_limit(run: Run) -> None:
    result = run(
        "check", "--today", TODAY.isoformat(), "--json",
        "-a", "visit=first_injection", "-a", "acute_hepatitis=false",
        "-a", "lft_multiple_uln=5.000000000001",
    )  # fmt: skip
    (gate,) = [g for g in json.loads(result.stdout)["gates"] if "5.000000000001 x" in g["reason"]]
    assert gate["outcome"] == "fail", gate
    assert "stop above 5 x" in gate["reason"], gate


@pytest.mark.parametrize(
    ("value", "shown"),
    [(5.0, "5"), (1.5, "1.5"), (0.25, "0.25"), (5.000000000001, "5.000000000001"), (1e-9, "1e-09")],
)
def test_numbers_are_short_when_short_is_exact(value: float, shown: str) -> None:
    assert format_value(value) == shown


def test_a_minimum_that_is_not_established_says_so(guide: Guide) -> None:
    patient = ready_patient(
        last_opioid_kind="buprenorphine_extended_release",
        last_opioid_use=TODAY - dt.timedelta(days=40),
    )
    state = evaluate(guide, Inputs(patient, TODAY))
    text = instructions(state, guide.step("readiness_interval"))
    assert "Minimum for it: no interval is established" in text, text
    assert "not answered" not in text


def test_a_minimum_waiting_for_its_answer_still_says_not_answered(guide: Guide) -> None:
    state = evaluate(guide, Inputs(ready_patient(last_opioid_kind=None), TODAY))
    text = instructions(state, guide.step("readiness_interval"))
    assert "Minimum for it: not answered" in text, text


def test_a_new_walk_given_a_session_is_told_to_resume(run: Run, tmp_path: Path) -> None:
    result = run("walk", "--no-input", "--session", str(tmp_path), "-a", "visit=first_injection")
    assert result.exit_code == 2, result.output
    assert "--resume" in result.stderr and "saved in the store" in result.stderr, result.output
