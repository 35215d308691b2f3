"""A visit deleted by another run while this walk holds it (``sessions --delete`` in the
next room) is never lost by this one: the save says the visit is gone and offers to store
it again as this walk holds it, every answer and the audit trail (Enter), or to go on
without saving. Every save failed and the retry prompt took any word for 'go'; at the end
the walk said "NOT saved", and every answer, the dose too, was gone."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
from pathlib import Path

import pexpect
import pytest

from tests.helpers import EXE, TODAY, after_injection, answer_flags, ready_patient, wrapping

pytestmark = pytest.mark.skipif(not EXE.exists(), reason=f"{EXE} is not installed")

LABEL = "GONE-1"
P_AGAIN = r"again/go\]: "
ANY_PROMPT = r"(?:: |\? )$"
PATIENT = ready_patient(last_opioid_use=TODAY - dt.timedelta(days=14), injection_date=TODAY)
AFTER = {k: v for k, v in after_injection().items() if k not in PATIENT and k != "injection_given"}


def deleted_at_the_last_question(tmp_path: Path, *replies: str) -> tuple[str, dict[str, str]]:
    """A walk to the last question before the injection step; the visit deleted by
    another run; the answer typed, then ``replies`` at the prompts that follow; quit.
    What the walk said, and its environment."""
    home = tmp_path / "home"
    env = {**os.environ, "XRNTX_GUIDE_HOME": str(home), "NO_COLOR": "1"}
    env.pop("XRNTX_GUIDE_DEBUG", None)
    before = {k: v for k, v in PATIENT.items() if k != "body_habitus"}
    room = pexpect.spawn(
        str(EXE),
        ["walk", "--plain", "--label", LABEL, "--today", TODAY.isoformat(),
         "--acknowledge", "all", *answer_flags(before), *answer_flags(AFTER)],
        env=env, encoding="utf-8", timeout=20, dimensions=(50, 100),
    )  # fmt: skip
    log = io.StringIO()
    room.logfile_read = log
    try:
        room.expect("Body habitus")
        room.expect(ANY_PROMPT)
        gone = subprocess.run(
            [str(EXE), "sessions", "--delete", LABEL, "--yes"],
            env=env, capture_output=True, text=True, check=False, timeout=60,
        )  # fmt: skip
        assert gone.returncode == 0, gone.stderr
        room.sendline("average")
        for reply in replies:
            room.expect(wrapping(P_AGAIN))
            room.sendline(reply)
        room.expect(ANY_PROMPT)
        room.sendline("quit")
        room.expect(pexpect.EOF)
    finally:
        room.close(force=True)
    return log.getvalue(), env


def stored(env: dict[str, str]) -> list[dict[str, object]]:
    out = subprocess.run(
        [str(EXE), "sessions", "--json"], env=env, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    return list(data["sessions"] if isinstance(data, dict) else data)


def test_enter_stores_the_visit_again_with_every_answer(tmp_path: Path) -> None:
    said, env = deleted_at_the_last_question(tmp_path, "clear", "")
    flat = " ".join(said.split())
    assert "no longer in the store (deleted meanwhile by another run)" in flat, flat
    assert "type one of: again, go" in flat, flat  # 'clear' is no answer here
    assert "storing it again" in flat and "NOT saved" not in flat, flat
    (visit,) = stored(env)
    assert visit["label"] == LABEL, visit
    shown = subprocess.run(
        [str(EXE), "sessions", "export", str(visit["id"])],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    answers = json.loads(shown.stdout)["answers"]
    assert answers["body_habitus"]["value"] == "average", answers
    assert answers["consent"]["value"] is True, answers


def test_go_says_plainly_that_nothing_is_saved(tmp_path: Path) -> None:
    said, env = deleted_at_the_last_question(tmp_path, "go")
    flat = " ".join(said.split())
    assert "going on WITHOUT saving" in flat and "NOT saved" in flat, flat
    assert stored(env) == []


def test_a_walk_stopped_by_another_runs_dose_stores_its_visit_again(tmp_path: Path) -> None:
    """The visit deleted, and another run records a dose for the patient, while this walk
    waits after its own dose: the walk stops (the record changed), and its visit is stored
    again, the dose not counted; it was lost ("could not be saved: deleted meanwhile")."""
    home = tmp_path / "home"
    env = {**os.environ, "XRNTX_GUIDE_HOME": str(home), "NO_COLOR": "1"}
    env.pop("XRNTX_GUIDE_DEBUG", None)
    mine = {**after_injection(last_opioid_use=TODAY - dt.timedelta(days=14))}
    mine.pop("wallet_card_given", None)
    room = pexpect.spawn(
        str(EXE),
        ["walk", "--plain", "--label", LABEL, "--today", TODAY.isoformat(),
         "--acknowledge", "all", *answer_flags(mine)],
        env=env, encoding="utf-8", timeout=20, dimensions=(50, 100),
    )  # fmt: skip
    log = io.StringIO()
    room.logfile_read = log
    try:
        for _ in range(10):  # Enter (the date: today) up to the wallet card's prompt
            if room.expect([r"[Ww]allet[^\n]*(?:: |\? )$", ANY_PROMPT]) == 0:
                break
            room.sendline("")
        for args in (
            ["sessions", "--delete", LABEL, "--yes"],
            ["walk", "--no-input", "--label", LABEL, "--today", TODAY.isoformat(),
             "--acknowledge", "all",
             *answer_flags(after_injection(last_opioid_use=TODAY - dt.timedelta(days=14)))],
        ):  # fmt: skip
            done = subprocess.run(
                [str(EXE), *args], env=env, capture_output=True, text=True, check=False
            )
            assert done.returncode == 0, done.stderr
        room.sendline("yes")
        for _ in range(6):
            if room.expect([pexpect.EOF, ANY_PROMPT]) == 0:
                break
            room.sendline("")
    finally:
        room.close(force=True)
    said = " ".join(log.getvalue().split())
    assert "could not be saved" not in said, said
    visits = stored(env)
    assert len(visits) == 2, visits  # the other run's, and this one's, stored again
    counted = [v for v in visits if v.get("status") == "complete"]
    assert len(counted) == 1, visits  # one dose counted, never two
