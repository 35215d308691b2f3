"""`walk --resume` with no session or label continues the unfinished visit saved last, in
real time: the visit the clinician just left. A visit on a fixed clock (`--today`, a
trainer's scenario dated ahead) keeps that clock's time as its own, which says nothing of
when it was saved: ordered by it, the bare resume picked another patient's visit."""

from __future__ import annotations

import json

from tests.helpers import Run, answer_flags
from xrntx_guide.errors import ExitCode

OPENING = {"visit": "first_injection", "oud_diagnosis": True}


def opened(run: Run, label: str, *clock: str) -> str:
    out = run("walk", "--no-input", "--json", "--label", label, *clock, *answer_flags(OPENING))
    assert out.exit_code == ExitCode.INCOMPLETE, out.output
    return str(json.loads(out.stdout)["session"])


def resumed_bare(run: Run) -> str:
    out = run("walk", "--resume", "--no-input", "--json")
    assert out.exit_code == ExitCode.INCOMPLETE, out.output
    return str(json.loads(out.stdout)["session"])


def test_a_visit_saved_after_a_scenario_dated_ahead_is_the_one_resumed(run: Run) -> None:
    opened(run, "WORKSHOP-CASE", "--today", "2027-03-01")
    mine = opened(run, "CLINIC-PATIENT")
    assert resumed_bare(run) == mine


def test_the_scenario_saved_last_is_the_one_resumed(run: Run) -> None:
    """The control: the same two, the other way round."""
    opened(run, "CLINIC-PATIENT")
    workshop = opened(run, "WORKSHOP-CASE", "--today", "2027-03-01")
    assert resumed_bare(run) == workshop


def test_a_resumed_visit_saved_again_is_the_latest(run: Run) -> None:
    """Resuming the older of two visits and saving it makes it the one saved last."""
    first = opened(run, "FIRST-PATIENT", "--today", "2026-11-24")
    opened(run, "SECOND-PATIENT", "--today", "2026-11-25")
    again = run("walk", "--resume", "--session", first, "--no-input", "--json",
                "-a", "age=40")  # fmt: skip
    assert again.exit_code == ExitCode.INCOMPLETE, again.output
    assert resumed_bare(run) == first
