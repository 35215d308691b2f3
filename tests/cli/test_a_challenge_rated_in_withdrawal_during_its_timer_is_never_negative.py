"""The naloxone challenge as a clinician times it in a real terminal: `start` when the
naloxone is given, `rate again after_challenge` during the observation showing
withdrawal (reference 5.2: any sign of withdrawal after the naloxone is a positive
challenge), the patient treated and rated again below the threshold, then "negative"
typed at the result prompt. The walk never goes on to "Was the injection given?" on that
negative (safety invariants 1 and 4).

The installed ``xrntx-guide`` runs in a pseudo-terminal (:mod:`pexpect`); the 20-minute
observation is a real minimum in care, so the walk is a training run (``--demo-clock``),
as the other terminal tests time the challenge. The threshold and the observation are
read from the shipped pack, never restated here.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pexpect
import pytest

from tests.helpers import EXE, TODAY, answer_flags, ready_patient, wrapping
from xrntx_guide.pack.load import load_guide

pytestmark = pytest.mark.skipif(not EXE.exists(), reason=f"{EXE} is not installed")

SPEED = 600
PROMPT = r"(?:: |\? )$"
P_COWS = r"COWS total \(0-48\)[^\n]*: $"
P_RESULT = r"Naloxone challenge result[^\n]*: $"
P_GIVEN = r"Was the injection given\? \(yes/no\): "
P_COMMAND = r"Command \[[^\]\n]*\]: $"


def settings() -> tuple[int, float]:
    values = load_guide().setting_values
    threshold, minutes = values["cows_threshold"], values["naloxone_observation_minutes"]
    assert isinstance(threshold, int) and isinstance(minutes, int | float)
    return threshold, float(minutes)


def walk(home: Path, during: int) -> tuple[bool, str]:
    """The challenge timed at the prompt with ``during`` rated during its observation;
    whether the walk went on to the injection, and what it printed."""
    _, minutes = settings()
    env = {**os.environ, "XRNTX_GUIDE_HOME": str(home), "NO_COLOR": "1", "COLUMNS": "100"}
    env.pop("XRNTX_GUIDE_DEBUG", None)
    answers = ready_patient(injection_date=TODAY, cows_total=None, naloxone_challenge=None)
    child = pexpect.spawn(
        str(EXE),
        ["walk", "--plain", "--label", "TIMER-1", "--now", f"{TODAY.isoformat()}T09:00",
         "--demo-clock", str(SPEED), "--acknowledge", "all", *answer_flags(answers)],
        env=env, encoding="utf-8", timeout=20, dimensions=(50, 100),
    )  # fmt: skip
    child.logfile_read = log = _Log()
    try:
        child.expect(wrapping(P_COWS))
        child.sendline("1")
        child.expect(wrapping(P_RESULT))
        child.sendline("start")
        child.expect(PROMPT)
        child.sendline("rate again after_challenge")
        child.expect(wrapping(P_COWS))
        child.sendline(str(during))
        child.expect(PROMPT)
        child.sendline("rate again repeat")
        child.expect(wrapping(P_COWS))
        child.sendline("1")
        child.expect(wrapping(P_RESULT))
        time.sleep(minutes * 60 / SPEED + 1)  # the observation, on the training clock
        child.sendline("negative")
        # Refused, the result is asked again; blocked, the walk waits at its command prompt.
        shown: list[Any] = [wrapping(P_GIVEN), wrapping(P_COMMAND), wrapping(P_RESULT)]
        shown.append(pexpect.EOF)
        went_on = child.expect(shown) == 0
        return went_on, log.text
    finally:
        child.close(force=True)


class _Log:
    def __init__(self) -> None:
        self.text = ""

    def write(self, data: str) -> None:
        self.text += data

    def flush(self) -> None:
        pass


def test_a_negative_typed_after_withdrawal_during_the_timer_never_reaches_the_injection(
    tmp_path: Path,
) -> None:
    threshold, _ = settings()
    went_on, said = walk(tmp_path / "home", during=threshold + 7)
    assert not went_on, f"the walk went on to the injection:\n{said[-1500:]}"


def test_a_calm_timer_goes_on_to_the_injection(tmp_path: Path) -> None:
    """The control: the observation rated below the threshold."""
    threshold, _ = settings()
    went_on, said = walk(tmp_path / "home", during=threshold - 3)
    assert went_on, said[-1500:]
