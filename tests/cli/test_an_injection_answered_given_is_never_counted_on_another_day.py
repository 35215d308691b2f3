"""An injection answered given is counted for the day it was answered for, never for
another (clinical basis, safety invariants 9 and 12): a visit whose dose the patient's
record stopped (another room's dose recorded meanwhile) keeps "the injection was given"
as typed; resumed on a later day, once that other visit is gone, the visit moves to the
new day and asks its results again, but the injection given, the side and the needle
typed on the first day are never taken for a dose on the new one.

Room 1 walks a first injection to "Was the injection given?"; room 2 records one for the
same patient meanwhile; room 1 answers yes and is stopped, the dose not counted. Room 2's
visit is deleted (entered for the wrong patient); room 1's visit is resumed the next day
with that day's results."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path

import pexpect
import pytest

from tests.helpers import EXE, TODAY, after_injection, answer_flags, ready_patient, wrapping

pytestmark = pytest.mark.skipif(not EXE.exists(), reason=f"{EXE} is not installed")

LABEL = "NEXT-DAY"
P_DATE = "Date of the injection"
P_GIVEN = r"Was the injection given\? \(yes/no\): "
ANY_PROMPT = r"(?:: |\? )$"
PATIENT = ready_patient(injection_date=None)  # the visit date follows its default
AFTER = {k: v for k, v in after_injection().items() if k not in PATIENT and k != "injection_given"}
RESULTS = ("uds_", "cows_", "pregnancy_test", "naloxone_challenge", "abstinence_evidence")
TOMORROW = TODAY + dt.timedelta(days=1)


def program(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(EXE), *args], env=env, capture_output=True, text=True, check=False, timeout=60
    )


def test_a_dose_stopped_on_its_day_is_never_counted_on_the_day_of_its_resume(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "XRNTX_GUIDE_HOME": str(tmp_path / "home"), "NO_COLOR": "1"}
    env.pop("XRNTX_GUIDE_DEBUG", None)
    room1 = pexpect.spawn(
        str(EXE),
        ["walk", "--plain", "--label", LABEL, "--now", f"{TODAY.isoformat()}T10:00",
         "--acknowledge", "all", *answer_flags(PATIENT), *answer_flags(AFTER)],
        env=env, encoding="utf-8", timeout=20, dimensions=(50, 100),
    )  # fmt: skip
    try:
        room1.expect(P_DATE)
        room1.expect(ANY_PROMPT)
        room1.sendline("")  # today
        room1.expect(wrapping(P_GIVEN))
        (first,) = json.loads(program(env, "sessions", "--json").stdout)
        room2 = program(
            env, "walk", "--no-input", "--json", "--label", LABEL,
            "--now", f"{TODAY.isoformat()}T09:00", "--acknowledge", "all",
            *answer_flags({**PATIENT, **AFTER, "injection_given": True}),
        )  # fmt: skip
        assert room2.returncode == 0, room2.stderr
        room1.sendline("yes")
        room1.expect(pexpect.EOF)
        said = " ".join(str(room1.before).split())
    finally:
        room1.close(force=True)
    assert "the dose is not counted" in said, said
    mine = str(first["id"])
    gone = program(env, "sessions", "--delete", json.loads(room2.stdout)["session"], "--yes")
    assert gone.returncode == 0, gone.stderr

    results = {k: v for k, v in PATIENT.items() if k.startswith(RESULTS)}
    for minute in ("10:00", "10:05"):  # the day's results, given again until the walk ends
        program(
            env, "walk", "--no-input", "--resume", "--session", mine,
            "--now", f"{TOMORROW.isoformat()}T{minute}", "--acknowledge", "all",
            *answer_flags(results),
        )  # fmt: skip
    doses = json.loads(program(env, "history", LABEL, "--json").stdout)["injections"]
    assert all(d["date"] != TOMORROW.isoformat() for d in doses), (
        f"a dose answered given on {TODAY} counted on {TOMORROW}, never asked that day: {doses}"
    )
