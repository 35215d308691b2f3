"""A result given on the command line of the run that moves a visit to the day of its
resume counts for that new day (the walkthrough's Sessions: results describe their day):
the naloxone challenge given with the resume is never recorded for the day the visit
left, which would leave the new day without it and ask for it again."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.helpers import EXE, TODAY, answer_flags, ready_patient

pytestmark = pytest.mark.skipif(not EXE.exists(), reason=f"{EXE} is not installed")

RESULTS = ("uds_", "cows_", "pregnancy_test", "naloxone_challenge", "abstinence_evidence")


def program(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(EXE), *args], env=env, capture_output=True, text=True, check=False, timeout=60
    )


def test_the_challenge_given_with_the_resume_that_moves_the_visit_is_not_asked_again(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "XRNTX_GUIDE_HOME": str(tmp_path / "home"), "NO_COLOR": "1"}
    env.pop("XRNTX_GUIDE_DEBUG", None)
    # Blocked on its day (withdrawal), the visit date left to its default.
    first = program(
        env, "walk", "--no-input", "--json", "--label", "MOVES", "--now",
        f"{TODAY.isoformat()}T10:00", "--acknowledge", "all",
        *answer_flags(ready_patient(injection_date=None, cows_total=12)),
    )  # fmt: skip
    assert json.loads(first.stdout)["status"] == "blocked", first.stdout
    session = json.loads(first.stdout)["session"]
    results = {k: v for k, v in ready_patient().items() if k.startswith(RESULTS)}
    tomorrow = TODAY + dt.timedelta(days=1)
    resumed = program(
        env, "walk", "--no-input", "--json", "--resume", "--session", session,
        "--now", f"{tomorrow.isoformat()}T10:00", "--acknowledge", "all",
        *answer_flags(results),
    )  # fmt: skip
    assert "moves from" in resumed.stderr, resumed.stderr  # the visit moved to the new day
    missing = json.loads(resumed.stdout)["missing"]
    assert not set(missing) & set(results), f"given in this run, asked again: {missing}"
