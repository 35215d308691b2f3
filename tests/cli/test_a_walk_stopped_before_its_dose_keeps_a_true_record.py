"""A walk that another room's record stops before its dose counts keeps a true record
(clinical basis, safety invariants 9 and 12; the walkthrough's Sessions): the answers
typed are saved as they stand, and the visit's note, calendar event and health record
never say a dose counted that the patient's record does not count.

Room 1 walks a first injection up to "Was the injection given?"; meanwhile room 2 walks
the same patient; then room 1 answers yes."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pexpect
import pytest

from tests.helpers import EXE, TODAY, after_injection, answer_flags, ready_patient, wrapping

pytestmark = pytest.mark.skipif(not EXE.exists(), reason=f"{EXE} is not installed")

LABEL = "TWO-ROOMS"
P_GIVEN = r"Was the injection given\? \(yes/no\): "
ANY_PROMPT = r"(?:: |\? )$"
PATIENT = ready_patient(last_opioid_use=TODAY - dt.timedelta(days=14), injection_date=TODAY)
AFTER = {k: v for k, v in after_injection().items() if k not in PATIENT and k != "injection_given"}


def program(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(EXE), *args], env=env, capture_output=True, text=True, check=False, timeout=60
    )


def two_rooms(
    tmp_path: Path, other: dict[str, Any], ends: tuple[int, ...] = (0, 1)
) -> tuple[dict[str, str], str]:
    """Room 1 reaches the dose question on a clock from 10:00; room 2 walks ``other``
    (unattended, at 09:00, before room 1's yes whatever hour the test runs: with room 1
    on the real time of day, before 09:00 room 2's results were after it, and room 1
    rightly did not read them), ending with one of the exit codes ``ends``;
    room 1 answers yes and leaves at the next prompt. The environment and room 1's session id."""
    env = {**os.environ, "XRNTX_GUIDE_HOME": str(tmp_path / "home"), "NO_COLOR": "1"}
    env.pop("XRNTX_GUIDE_DEBUG", None)
    room1 = pexpect.spawn(
        str(EXE),
        ["walk", "--plain", "--label", LABEL, "--now", f"{TODAY.isoformat()}T10:00",
         "--acknowledge", "all", *answer_flags(PATIENT), *answer_flags(AFTER)],
        env=env, encoding="utf-8", timeout=20, dimensions=(50, 100),
    )  # fmt: skip
    try:
        room1.expect(wrapping(P_GIVEN))
        (first,) = json.loads(program(env, "sessions", "--json").stdout)
        room2 = program(
            env, "walk", "--no-input", "--json", "--label", LABEL,
            "--now", f"{TODAY.isoformat()}T09:00", "--acknowledge", "all", *answer_flags(other),
        )  # fmt: skip
        assert room2.returncode in ends, room2.stderr
        room1.sendline("yes")
        for _ in range(20):
            if room1.expect([pexpect.EOF, ANY_PROMPT]) == 0:
                break
            room1.sendline("quit" if "Command [" in str(room1.before) else "")
    finally:
        room1.terminate(force=True)
    return env, str(first["id"])


def test_a_first_injection_recorded_meanwhile_stops_the_second_dose(tmp_path: Path) -> None:
    """Room 2 records a first injection for the patient while room 1 waits at "Was the
    injection given?"; room 1 answers yes: the patient's record holds one dose, and room
    1's walk stops before counting its own (every route sees the patient's record)."""
    env, session = two_rooms(tmp_path, {**PATIENT, **AFTER, "injection_given": True})
    doses = json.loads(program(env, "history", LABEL, "--json").stdout)["injections"]
    assert len(doses) == 1 and doses[0]["session"] != session, doses


def test_the_note_of_a_walk_stopped_before_its_dose_never_counts_the_dose(
    tmp_path: Path,
) -> None:
    """Room 2 gives the patient a first injection meanwhile: room 1's dose is not counted
    (the walk stops, its answers saved). Its note then never presents that dose as
    counted: no next dose due from it, and never 'ready' beside a dose on record today."""
    env, session = two_rooms(tmp_path, {**PATIENT, **AFTER, "injection_given": True})
    history = json.loads(program(env, "history", LABEL, "--json").stdout)
    mine = [v for v in history["visits"] if v["session"] == session]
    assert mine and mine[0]["counts"] is False and len(history["injections"]) == 1, history

    note = program(env, "note", session, "--format", "json")
    data = json.loads(note.stdout)
    counted = data["injection_given"] is True and not data["injection_given_not_counted"]
    assert not counted, note.stdout
    assert data["next_dose_due"] is None, note.stdout
    assert data["readiness"] != "ready", note.stdout


def test_an_answer_typed_before_the_record_stops_the_walk_is_saved(tmp_path: Path) -> None:
    """Room 2 records a positive naloxone challenge for the patient meanwhile: room 1's
    dose cannot count (the challenge stands), and the walk stops. The clinician's answer
    that the injection was given is saved as typed (every answer is saved), never lost:
    the session's record still says what was typed."""
    positive = {
        **PATIENT,
        "naloxone_challenge": "positive",
        "naloxone_challenge_started": f"{TODAY.isoformat()}T08:00",
    }
    env, session = two_rooms(tmp_path, positive)
    exported = program(env, "sessions", "export", session)
    record = json.loads(exported.stdout)
    assert record["answers"].get("injection_given", {}).get("value") is True, exported.stdout


def before_the_injection_step(tmp_path: Path, back: bool) -> tuple[dict[str, str], str, int]:
    """Room 1 waits at the last question before the injection step (``back``: after it
    reached the step once and went back to that question); room 2 records a first
    injection for the patient meanwhile; room 1 answers. The environment, what room 1
    said, and whether it stopped (0) or showed the injection step (1)."""
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
        if back:
            room1.sendline("average")
            room1.expect(wrapping(P_GIVEN))  # the step, shown once (nothing recorded)
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
    assert seen != 0 or room1.exitstatus == 2, said
    return env, said, seen


@pytest.mark.parametrize("back", [False, True], ids=["first_arrival", "after_back"])
def test_a_dose_recorded_meanwhile_stops_the_walk_before_the_injection_step(
    tmp_path: Path, back: bool
) -> None:
    """The walk reads the patient's record again each time it is about to show the
    injection step (after 'back' too): it stops there, and the clinician is told not to
    give the injection, before the needle rather than after."""
    env, said, seen = before_the_injection_step(tmp_path, back)
    assert seen == 0, f"the injection step was shown beside a dose on record: {said}"
    assert "do not give the injection" in said, said
    doses = json.loads(program(env, "history", LABEL, "--json").stdout)["injections"]
    assert len(doses) == 1, doses


def test_withdrawal_rated_meanwhile_in_another_visit_stops_the_dose(tmp_path: Path) -> None:
    """Room 2 walks the same patient and rates withdrawal while room 1 waits at "Was the
    injection given?": the ratings of a visit day are one series, so room 1's dose is
    not counted on the series it read before; the walk stops, to be resumed and judged
    with every rating of the day."""
    from xrntx_guide.pack.load import load_guide

    withdrawal = int(load_guide(None, None).setting_values["cows_threshold"]) + 4
    # Room 2 reads room 1's rating too: which is the later depends on the time of day
    # room 1 runs at (its clock is the real one), so room 2 may end blocked or waiting.
    env, session = two_rooms(tmp_path, {**PATIENT, "cows_total": withdrawal}, (1, 4))
    history = json.loads(program(env, "history", LABEL, "--json").stdout)
    assert history["injections"] == [], history
    mine = [v for v in history["visits"] if v["session"] == session]
    assert mine and mine[0]["counts"] is False, history
