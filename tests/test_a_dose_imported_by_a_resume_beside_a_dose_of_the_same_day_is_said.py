"""Every route that imports a record says a dose of the same day (safety invariants 11 and
12; docs/storage.md): `walk --resume --session FILE.json` imports the record file into the
store first, as `sessions import` does, and a record that counts a dose on a day the
patient's record already counts one is never stored beside it in silence there either."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.helpers import EXE, TODAY, after_injection, answer_flags

pytestmark = pytest.mark.skipif(not EXE.exists(), reason=f"{EXE} is not installed")

LABEL = "RESUMED-IMPORT"


def program(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XRNTX_GUIDE_HOME": str(home), "NO_COLOR": "1"}
    env.pop("XRNTX_GUIDE_DEBUG", None)
    return subprocess.run(
        [str(EXE), *args], env=env, capture_output=True, text=True, check=False, timeout=60
    )


@pytest.mark.xfail(
    strict=True,
    reason="cli/commands/walk.py: the import of a record file named by --resume --session "
    "never calls store/refs.py doses_of_the_same_day (only cli/commands/sessions.py _move "
    "does): the second dose of the day is stored in silence",
)
def test_a_second_dose_of_the_day_imported_by_a_resume_is_never_stored_in_silence(
    tmp_path: Path,
) -> None:
    here, there = tmp_path / "here", tmp_path / "there"
    for home in (here, there):  # the same patient given a first injection in two stores
        walked = program(
            home, "walk", "--no-input", "--label", LABEL, "--now",
            f"{TODAY.isoformat()}T10:00", "--acknowledge", "all",
            *answer_flags(after_injection()),
        )  # fmt: skip
        assert walked.returncode == 0, walked.stderr
    (theirs,) = json.loads(program(there, "sessions", "--json").stdout)
    (tmp_path / "theirs.json").write_text(
        program(there, "sessions", "export", str(theirs["id"])).stdout, encoding="utf-8"
    )
    resumed = program(
        here, "walk", "--resume", "--session", str(tmp_path / "theirs.json"), "--no-input"
    )
    doses = json.loads(program(here, "history", LABEL, "--json").stdout)["injections"]
    said = " ".join((resumed.stdout + resumed.stderr).split())
    assert "imported into the store" in said, said  # the route under test was taken
    assert len(doses) == 2, doses  # stored as it stands
    (mine,) = [d["session"] for d in doses if d["session"] != theirs["id"]]
    assert "two doses of that day" in said and mine in said, said
