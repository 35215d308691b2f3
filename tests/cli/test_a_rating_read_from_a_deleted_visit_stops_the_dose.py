"""A walk that read another visit's rating of its day stops before the dose when that
visit is deleted meanwhile (docs/storage.md: a deleted session is not part of the
record): its reading rested on a rating the record no longer holds.

Visit B rates 2 at 10:10; visit A walks at 10:15 with its own 8 of 10:00 and reads B's 2
as the latest; B is deleted while A waits at "Was the injection given?". Until now A's
dose counted on the 2."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pexpect
import pytest

from tests.helpers import EXE, TODAY, answer_flags, ready_patient, wrapping

pytestmark = pytest.mark.skipif(not EXE.exists(), reason=f"{EXE} is not installed")

LABEL = "DELETED-MEANWHILE"
P_GIVEN = r"Was the injection given\? \(yes/no\): "


def program(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(EXE), *args], env=env, capture_output=True, text=True, check=False, timeout=60
    )


def test_the_dose_stops_when_a_rating_it_read_is_deleted(tmp_path: Path) -> None:
    env = {**os.environ, "XRNTX_GUIDE_HOME": str(tmp_path / "home"), "NO_COLOR": "1"}
    env.pop("XRNTX_GUIDE_DEBUG", None)
    day = TODAY.isoformat()
    other = program(
        env, "walk", "--no-input", "--label", LABEL, "--now", f"{day}T10:10",
        "--acknowledge", "all", *answer_flags(ready_patient(cows_total=2)),
    )  # fmt: skip
    assert other.returncode in (0, 4), other.stderr
    (row,) = json.loads(program(env, "sessions", "--json").stdout)
    own = {**ready_patient(cows_total=None, injection_date=TODAY)}
    rating = tmp_path / "own.json"
    rating.write_text(json.dumps({"cows_ratings": [{"at": f"{day}T10:00", "total": 8}]}))
    walk = pexpect.spawn(
        str(EXE),
        ["walk", "--plain", "--label", LABEL, "--now", f"{day}T10:15", "--acknowledge", "all",
         "--answers", str(rating), *answer_flags(own)],
        env=env, encoding="utf-8", timeout=20, dimensions=(50, 100),
    )  # fmt: skip
    try:
        walk.expect(wrapping(P_GIVEN))
        deleted = program(env, "sessions", "--delete", str(row["id"]), "--yes")
        assert deleted.returncode == 0, deleted.stderr
        walk.sendline("yes")
        walk.expect([pexpect.EOF, r"(?:: |\? )$"])
        said = " ".join(str(walk.before).split())
    finally:
        walk.close(force=True)
    assert "no longer in the patient's record" in said, said
    history = json.loads(program(env, "history", LABEL, "--json").stdout)
    assert history["injections"] == [], history
