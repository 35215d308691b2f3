"""Before an interactive walk records a dose, it sees a dose another run recorded for the
same patient meanwhile (clinical basis, safety invariant 11: every route sees the
patient's record). Two clinicians, or two terminals, may walk one patient at once: the
walk that started first judged the visit before the other dose existed."""

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

LABEL = "TWO-ROOMS"
P_GIVEN = r"Was the injection given\? \(yes/no\): "
ANY_PROMPT = r"(?:: |\? )$"


def test_a_first_injection_recorded_meanwhile_stops_the_second_dose(tmp_path: Path) -> None:
    """Room 1 walks a first injection up to "Was the injection given?". Meanwhile room 2
    records a first injection for the same label (a finished walk). Room 1 answers yes:
    the patient's record now holds a dose of today, so the second dose is not recorded
    (the walk refuses it or stops to judge the visit again)."""
    home = tmp_path / "home"
    env = {**os.environ, "XRNTX_GUIDE_HOME": str(home), "NO_COLOR": "1", "COLUMNS": "100"}
    env.pop("XRNTX_GUIDE_DEBUG", None)
    patient = ready_patient(last_opioid_use=TODAY - dt.timedelta(days=14), injection_date=TODAY)
    after = {
        k: v
        for k, v in after_injection().items()
        if k not in patient and k not in ("injection_given",)
    }
    room1 = pexpect.spawn(
        str(EXE),
        ["walk", "--plain", "--label", LABEL, "--today", TODAY.isoformat(),
         "--acknowledge", "all", *answer_flags(patient), *answer_flags(after)],
        env=env, encoding="utf-8", timeout=20, dimensions=(50, 100),
    )  # fmt: skip
    try:
        room1.expect(wrapping(P_GIVEN))
        room2 = subprocess.run(
            [str(EXE), "walk", "--no-input", "--json", "--label", LABEL,
             "--today", TODAY.isoformat(), "--acknowledge", "all",
             *answer_flags({**patient, **after, "injection_given": True})],
            env=env, capture_output=True, text=True, check=False, timeout=60,
        )  # fmt: skip
        assert json.loads(room2.stdout)["status"] == "complete", room2.stderr
        room1.sendline("yes")
        for _ in range(20):
            if room1.expect([pexpect.EOF, ANY_PROMPT]) == 0:
                break
            room1.sendline("quit" if "Command [" in str(room1.before) else "")
    finally:
        room1.terminate(force=True)

    history = subprocess.run(
        [str(EXE), "history", LABEL, "--json", "--today", TODAY.isoformat()],
        env=env, capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    doses = json.loads(history.stdout)["injections"]
    assert len(doses) == 1, doses
