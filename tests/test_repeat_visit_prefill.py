"""Routes around the history pre-fill of repeat visits (visit/history.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import (
    TODAY,
    after_injection,
    answer_flags,
    days_ago,
    stored_record,
    stored_sessions,
    walk_visit,
)
from xrntx_guide.errors import ExitCode

Run = Callable[..., Any]
LABEL = "RT1"
INJECTION_STEP = (
    "injection_given",
    "injection_side_used",
    "needle_used",
    "observation_minutes",
    "overdose_counselled",
    "reversal_agent_offered",
    "wallet_card_given",
)


def repeat_visit(**changes: Any) -> dict[str, Any]:
    answers = after_injection(visit="repeat_injection", opioid_use_since_last_injection=False)
    for key in ("last_opioid_use", "last_opioid_kind", "uds_opiates"):
        answers.pop(key, None)
    answers.update(changes)
    return {k: v for k, v in answers.items() if v is not None}


def walk(run: Run, day: dt.date, answers: dict[str, Any], *extra: str) -> Any:
    return walk_visit(run, LABEL, day, answers, *extra)


@pytest.fixture
def folder(_isolated_home: Path) -> Path:
    return _isolated_home / "sessions"


def test_resumed_visit_keeps_a_stale_history_value_and_an_early_repeat_is_ready(
    run: Run, folder: Path
) -> None:
    """A repeat visit started before another visit of the same patient gave an injection
    keeps, on resume, the last_injection_date it was filled in with from the history then.
    The history now shows an injection 3 days before this visit (dose_timing: a STOP under
    7 days), yet the resumed walk finishes with the injection given and dose_timing 'pass'
    (32 days, from the stale history value), exit 0."""
    first = after_injection(last_opioid_use=days_ago(42))
    assert walk(run, days_ago(28), first).exit_code == ExitCode.OK
    # Visit B starts on TODAY, is filled in from the first visit, stops before the kit step.
    partial = repeat_visit(kit_storage_ok=None, **dict.fromkeys(INJECTION_STEP))
    r = walk(run, TODAY, partial)
    assert r.exit_code == ExitCode.INCOMPLETE, r.output
    b_path = stored_sessions()[-1]
    assert stored_record(b_path).answers["last_injection_date"].origin == "history"
    # Meanwhile visit C (another walk for the same label) gives the injection the next day.
    c_day = TODAY + dt.timedelta(days=1)
    # C comes a day after the due date: a late visit, which asks for the urine screen.
    assert walk(run, c_day, repeat_visit(uds_opiates="negative")).exit_code == ExitCode.OK
    # B is resumed 3 days after C's injection.
    b_day = TODAY + dt.timedelta(days=4)
    r = run(
        "walk",
        "--no-input",
        "--resume",
        "--session",
        str(b_path),
        "--today",
        b_day.isoformat(),
        "--acknowledge",
        "all",
        *answer_flags(repeat_visit()),
    )
    b = stored_record(b_path)
    # The real last injection (C) was 3 days before: never a ready, dose-given visit
    # without an override of dose_timing.
    assert not (r.exit_code == ExitCode.OK and b.gates.get("dose_timing") == "pass"), (
        f"wrong ready: last_injection_date={b.answers['last_injection_date'].value} "
        f"({b.answers['last_injection_date'].origin}), history's last injection {c_day}"
    )


def test_a_first_injection_visit_3_days_after_a_recorded_injection_is_ready(
    run: Run, folder: Path
) -> None:
    """The history holds a finished care visit with the injection given 3 days ago. A new
    walk for the same label answered visit=first_injection is judged as an induction only:
    dose_timing does not apply, nothing warns, and the walk finishes with a second dose 3
    days after the first (on the same side). The history contradicts the answer 'first
    injection'; an injection fewer than 7 days after the last one is a stop."""
    first = after_injection(last_opioid_use=days_ago(20))
    assert walk(run, days_ago(3), first).exit_code == ExitCode.OK
    r = walk(run, TODAY, after_injection(last_opioid_use=days_ago(20)))
    assert r.exit_code != ExitCode.OK, (
        "a second dose 3 days after a recorded injection finished as ready:\n" + r.stdout[-800:]
    )
