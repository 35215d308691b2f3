"""A visit that was not ready on its day (an answer still missing, or a gate blocking) has
given no dose that day, even when "the injection was given" was typed in advance with the
other answers: resumed on a later day, its point-in-time results (urine screen, COWS,
naloxone challenge) describe the first day and never make it ready on the second, and the
dose is never counted on the first day, when it was not given (clinical basis, safety
invariants 9 and 12)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.helpers import EXE, TODAY, after_injection, answer_flags

pytestmark = pytest.mark.skipif(not EXE.exists(), reason=f"{EXE} is not installed")

TOMORROW = TODAY + dt.timedelta(days=1)


def program(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(EXE), *args], env=env, capture_output=True, text=True, check=False, timeout=60
    )


def test_a_visit_not_ready_on_its_day_is_not_ready_the_next_day_on_that_days_results(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "XRNTX_GUIDE_HOME": str(tmp_path / "home"), "NO_COLOR": "1"}
    env.pop("XRNTX_GUIDE_DEBUG", None)
    patient = after_injection(injection_date=None, consent=None)  # date left to its default
    first = program(
        env, "walk", "--no-input", "--json", "--label", "NOT-YET",
        "--now", f"{TODAY.isoformat()}T10:00", "--acknowledge", "all", *answer_flags(patient),
    )  # fmt: skip
    day1 = json.loads(first.stdout)
    assert day1["status"] == "incomplete" and day1["missing"] == ["consent"], first.stdout
    second = program(
        env, "walk", "--no-input", "--json", "--resume", "--session", day1["session"],
        "--now", f"{TOMORROW.isoformat()}T10:00", "--acknowledge", "all", "-a", "consent=yes",
    )  # fmt: skip
    day2 = json.loads(second.stdout)
    doses = json.loads(program(env, "history", "NOT-YET", "--json").stdout)["injections"]
    assert all(d["date"] != TODAY.isoformat() for d in doses), (
        f"a dose counted on {TODAY}, when the visit was not ready: {doses}"
    )
    assert day2["status"] != "complete", (
        f"ready on {TOMORROW} on the urine screen and COWS of {TODAY}: {second.stdout}"
    )
