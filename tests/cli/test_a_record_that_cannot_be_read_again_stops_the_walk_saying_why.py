"""A walk whose patient's record cannot be read again as it is about to show the injection
step (the store gone, broken, or unreachable meanwhile) stops there, and says why in the
words of a dose it cannot rule out: the record could not be read again, so the injection
step is not shown and the injection is not to be given. Never a bare store failure that a
clinician, every gate passed, could take for a glitch of the saving alone: with
--no-save, or after choosing to go on without saving, the walk promised nothing was
needed of the store."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
from pathlib import Path

import pexpect
import pytest

from tests.helpers import EXE, TODAY, after_injection, answer_flags, ready_patient, wrapping

pytestmark = pytest.mark.skipif(not EXE.exists(), reason=f"{EXE} is not installed")

LABEL = "UNREADABLE"
P_GIVEN = r"Was the injection given\? \(yes/no\): "
P_RETRY = r"retry/go\]: "
ANY_PROMPT = r"(?:: |\? )$"
PATIENT = ready_patient(last_opioid_use=TODAY - dt.timedelta(days=14), injection_date=TODAY)
AFTER = {k: v for k, v in after_injection().items() if k not in PATIENT and k != "injection_given"}


def walk_with_the_store_broken_before_the_injection(tmp_path: Path, *flags: str) -> str:
    """Walks to the last question before the injection step, breaks the store (its
    visits table gone), answers; 'go' on without saving if asked. What the walk said."""
    home = tmp_path / "home"
    env = {**os.environ, "XRNTX_GUIDE_HOME": str(home), "NO_COLOR": "1"}
    env.pop("XRNTX_GUIDE_DEBUG", None)
    other = subprocess.run(  # the store made, with another patient's visit in it
        [str(EXE), "walk", "--no-input", "--label", "SOMEONE-ELSE", "--today",
         TODAY.isoformat(), "--acknowledge", "all", *answer_flags(PATIENT)],
        env=env, capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert other.returncode in (0, 1, 4), other.stderr  # done, blocked or incomplete
    before = {k: v for k, v in PATIENT.items() if k != "body_habitus"}
    room = pexpect.spawn(
        str(EXE),
        ["walk", "--plain", "--label", LABEL, "--today", TODAY.isoformat(),
         "--acknowledge", "all", *flags, *answer_flags(before), *answer_flags(AFTER)],
        env=env, encoding="utf-8", timeout=20, dimensions=(50, 100),
    )  # fmt: skip
    said = ""
    try:
        room.expect("Body habitus")
        room.expect(ANY_PROMPT)
        (store,) = home.glob("*.sqlite3")
        with sqlite3.connect(store) as db:
            db.execute("ALTER TABLE visits RENAME TO visits_gone")
        room.sendline("average")
        for _ in range(3):
            seen = room.expect([pexpect.EOF, wrapping(P_GIVEN), P_RETRY])
            said += str(room.before)
            if seen == 2:
                room.sendline("go")
                continue
            assert seen == 0, f"the injection step was shown: {said}"
            break
    finally:
        room.close(force=True)
    return " ".join(said.split())


def test_with_no_save_the_walk_stops_saying_not_to_give_the_injection(tmp_path: Path) -> None:
    said = walk_with_the_store_broken_before_the_injection(tmp_path, "--no-save")
    assert "do not give the injection" in said, said


def test_going_on_unsaved_the_walk_stops_saying_not_to_give_the_injection(
    tmp_path: Path,
) -> None:
    said = walk_with_the_store_broken_before_the_injection(tmp_path)
    assert "going on WITHOUT saving" in said, said  # the clinician chose to go on unsaved
    assert "do not give the injection" in said, said
