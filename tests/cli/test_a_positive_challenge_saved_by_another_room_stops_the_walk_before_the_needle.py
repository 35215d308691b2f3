"""A positive naloxone challenge that another room (another terminal, a script) saves in the
session while this walk has it open stops the walk before the injection step (README: the
injection step is never shown while a contraindication stands; clinical basis, safety
invariant 9: a positive challenge is lifted only by a negative rechallenge within the
window, never by a second "challenge"). The walk merges the other room's positive when it
saves the negative typed at its prompt, and decides what comes next on the record as
merged: it stops at the gate, never showing "Giving the injection" and leaving the
needle to the re-read at "yes".

Driven for real in a pseudo-terminal."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pexpect
import pytest

from tests.helpers import EXE, TODAY, days_ago, json_answers, ready_patient

pytestmark = pytest.mark.skipif(not EXE.exists(), reason=f"{EXE} is not installed")

LABEL = "ROOMS-2"
DAY = TODAY.isoformat()
P_DATE = r"Date of the injection [^\n]*: "
P_CHALLENGE = r"Naloxone challenge result \(number or value\): "
P_NEXT = (
    r"(?:Command \[back / edit / review / why / (?:rate again / )?quit\]"
    r"|Was the injection given\? \(yes/no\)): "
)


@pytest.mark.parametrize("saved", ["positive_challenge", "withdrawal_rating"])
def test_the_injection_step_is_not_shown_over_a_result_saved_meanwhile(
    tmp_path: Path, saved: str
) -> None:
    """The other room saves the challenge as positive, or a COWS rating of 8 taken at
    09:20, before the naloxone (the latest rating of the day: withdrawal)."""
    answers = json_answers(
        ready_patient(last_opioid_use=days_ago(10), cows_total=None, naloxone_challenge=None)
    )
    answers["cows_ratings"] = [{"at": f"{DAY}T09:00", "total": 1}]
    case = tmp_path / "case.json"
    case.write_text(json.dumps(answers))
    home = tmp_path / "home"
    env = {**os.environ, "XRNTX_GUIDE_HOME": str(home), "NO_COLOR": "1", "TERM": "xterm",
           "COLUMNS": "100"}  # fmt: skip
    env.pop("XRNTX_GUIDE_DEBUG", None)
    child = pexpect.spawn(
        str(EXE),
        ["--label", LABEL, "--answers", str(case), "--plain", "--now", f"{DAY}T10:00"],
        env=env, encoding="utf-8", timeout=15, dimensions=(50, 100),
    )  # fmt: skip
    log: list[str] = []
    try:
        child.expect(P_DATE)
        child.sendline("")
        child.expect(P_CHALLENGE)
        log.append(str(child.before))
        child.sendline("start 09:30")
        child.expect(P_CHALLENGE)
        log.append(str(child.before))

        # Meanwhile another room records this challenge as positive, or withdrawal.
        other = tmp_path / "other.json"
        results = (
            {"naloxone_challenges": [{"at": f"{DAY}T09:55", "started": f"{DAY}T09:30",
                                      "kind": "challenge", "result": "positive"}]}
            if saved == "positive_challenge"
            else {"cows_ratings": [{"at": f"{DAY}T09:20", "total": 8}]}
        )  # fmt: skip
        other.write_text(json.dumps(results))
        done = subprocess.run(
            [str(EXE), "walk", "--resume", "--label", LABEL, "--no-input", "--json",
             "--now", f"{DAY}T10:01", "--answers", str(other)],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 1, done.stdout + done.stderr

        child.sendline("negative")
        child.expect(P_NEXT)
        shown = str(child.before) + str(child.after)
        log.append(shown)
        assert "Giving the injection" not in shown, "".join(log)
        assert "Was the injection given" not in shown, "".join(log)
    finally:
        child.terminate(force=True)
