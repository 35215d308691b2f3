"""The injection step, shown again after the clinician went back from it, is shown only
beside the patient's record read again (clinical basis, safety invariants 9 and 12): a
dose another room recorded while the clinician was back at an earlier question stops the
walk before the needle, as it does the first time the step is shown.

Room 1 reaches "Was the injection given?", goes back to the question before it; room 2
records a first injection for the same patient meanwhile; room 1 answers that question
again, which leads to the injection step once more."""

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

LABEL = "BACK-AND-FORTH"
P_GIVEN = r"Was the injection given\? \(yes/no\): "
ANY_PROMPT = r"(?:: |\? )$"
PATIENT = ready_patient(last_opioid_use=TODAY - dt.timedelta(days=14), injection_date=TODAY)
AFTER = {k: v for k, v in after_injection().items() if k not in PATIENT and k != "injection_given"}


def program(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(EXE), *args], env=env, capture_output=True, text=True, check=False, timeout=60
    )


def test_a_dose_recorded_while_the_clinician_went_back_stops_the_walk_before_the_step(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "XRNTX_GUIDE_HOME": str(tmp_path / "home"), "NO_COLOR": "1"}
    env.pop("XRNTX_GUIDE_DEBUG", None)
    before = {k: v for k, v in PATIENT.items() if k != "body_habitus"}
    room1 = pexpect.spawn(
        str(EXE),
        ["walk", "--plain", "--label", LABEL, "--today", TODAY.isoformat(),
         "--acknowledge", "all", *answer_flags(before), *answer_flags(AFTER)],
        env=env, encoding="utf-8", timeout=20, dimensions=(50, 100),
    )  # fmt: skip
    try:
        room1.expect("Body habitus")
        room1.expect(ANY_PROMPT)
        room1.sendline("average")
        room1.expect(wrapping(P_GIVEN))  # the injection step, shown once (nothing recorded)
        room1.sendline("back")
        room1.expect("Body habitus")
        room1.expect(ANY_PROMPT)
        room2 = program(
            env, "walk", "--no-input", "--label", LABEL, "--today", TODAY.isoformat(),
            "--acknowledge", "all", *answer_flags({**PATIENT, **AFTER, "injection_given": True}),
        )  # fmt: skip
        assert room2.returncode == 0, room2.stderr
        room1.sendline("average")
        seen = room1.expect([pexpect.EOF, wrapping(P_GIVEN)])
        said = " ".join(str(room1.before).split())
    finally:
        room1.close(force=True)
    assert seen == 0, f"the injection step was shown again beside a dose on record: {said}"
    assert "do not give the injection" in said, said
    doses = json.loads(program(env, "history", LABEL, "--json").stdout)["injections"]
    assert len(doses) == 1, doses
