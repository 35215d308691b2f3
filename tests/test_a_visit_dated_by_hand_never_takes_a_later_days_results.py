"""A visit whose injection date was given as an answer (the date of the day it was
walked: ``injection_date=TODAY`` in a flag or a file, as a script gives it) and left
blocked, then resumed days later, never counts a dose for its first day on results taken
on the day of the resume.

The readiness checks speak for the day of the injection only (clinical basis, safety
invariant 3): a urine screen positive for opiates on the first day stands for that day.
Results typed on the resume, timed by the resume's clock, describe the resume's day: the
dose they allow is dated that day, never the first one.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from tests.helpers import DOSE_GIVEN as GIVEN
from tests.helpers import TODAY, Run, answer_flags, ready_patient
from xrntx_guide.errors import ExitCode

LABEL = "DATED-1"
LATER = TODAY + dt.timedelta(days=3)
RESULTS = ("uds_", "cows_", "pregnancy_test", "naloxone_challenge")


def first_day(run: Run, **changes: Any) -> str:
    """The visit walked on TODAY with its date given as an answer, blocked; its session."""
    answers = ready_patient(injection_date=TODAY, **changes)
    out = run(
        "walk", "--no-input", "--json", "--label", LABEL, "--now", f"{TODAY.isoformat()}T10:00",
        "--acknowledge", "all", *answer_flags(answers),
    )  # fmt: skip
    assert out.exit_code == ExitCode.BLOCKED, out.output
    return str(json.loads(out.stdout)["session"])


def resumed_later(run: Run, session: str, extra: dict[str, Any]) -> Any:
    """The visit resumed on LATER with that day's clean results and the dose given."""
    results = {k: v for k, v in ready_patient().items() if k.startswith(RESULTS)}
    return run(
        "walk", "--no-input", "--json", "--resume", "--session", session,
        "--now", f"{LATER.isoformat()}T10:00", "--acknowledge", "all",
        *answer_flags(results | extra),
    )  # fmt: skip


def doses_dated(run: Run) -> list[str]:
    history = run("history", LABEL, "--json", "--today", LATER.isoformat())
    assert history.exit_code == ExitCode.OK, history.output
    return [i["date"] for i in json.loads(history.stdout)["injections"]]


def test_a_dose_is_never_counted_for_the_day_its_urine_screen_was_positive(run: Run) -> None:
    session = first_day(run, uds_opiates="positive")
    resumed_later(run, session, GIVEN)
    assert TODAY.isoformat() not in doses_dated(run), (
        f"a dose is counted for {TODAY}, the day the urine screen was positive for opiates, "
        f"on results typed on {LATER}"
    )


def test_a_rating_taken_on_the_resume_day_never_clears_withdrawal_of_the_first_day(
    run: Run,
) -> None:
    session = first_day(run, cows_total=12)
    resumed_later(run, session, GIVEN)
    assert TODAY.isoformat() not in doses_dated(run), (
        f"a dose is counted for {TODAY}, a day of COWS 12, on a rating taken on {LATER}"
    )


def test_a_visit_left_to_its_default_date_moves_and_counts_the_dose_on_the_resume_day(
    run: Run,
) -> None:
    """The control: the same visit with its date left to the default moves to LATER."""
    out = run(
        "walk", "--no-input", "--json", "--label", LABEL, "--now", f"{TODAY.isoformat()}T10:00",
        "--acknowledge", "all", *answer_flags(ready_patient(uds_opiates="positive")),
    )  # fmt: skip
    assert out.exit_code == ExitCode.BLOCKED, out.output
    done = resumed_later(run, str(json.loads(out.stdout)["session"]), GIVEN)
    assert done.exit_code == ExitCode.OK, done.output
    assert doses_dated(run) == [LATER.isoformat()]
