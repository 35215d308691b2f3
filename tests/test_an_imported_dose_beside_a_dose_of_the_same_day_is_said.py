"""A session imported beside a dose of the same day is said (safety invariants 11 and 12;
docs/storage.md): an imported record is stored as it stands (a dose given in another
clinic is never hidden), but one that counts a dose on a day the patient's record already
counts one is never stored beside it in silence: the import names the other visit and
says the record now holds two doses of that day."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.helpers import EXE, TODAY, after_injection, answer_flags

pytestmark = pytest.mark.skipif(not EXE.exists(), reason=f"{EXE} is not installed")

LABEL = "IMPORTED"


def program(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XRNTX_GUIDE_HOME": str(home), "NO_COLOR": "1"}
    env.pop("XRNTX_GUIDE_DEBUG", None)
    return subprocess.run(
        [str(EXE), *args],
        env=env, input=stdin, capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip


@pytest.mark.parametrize("route", ["sessions import FILE", "sessions import -", "walk --resume"])
def test_a_second_first_injection_of_the_day_is_never_imported_in_silence(
    tmp_path: Path, route: str
) -> None:
    """Every route that takes a record file in (one import function) says it."""
    here, there = tmp_path / "here", tmp_path / "there"
    for home in (here, there):  # the same patient given a first injection in two stores
        walked = program(
            home, "walk", "--no-input", "--label", LABEL, "--now",
            f"{TODAY.isoformat()}T10:00", "--acknowledge", "all",
            *answer_flags(after_injection()),
        )  # fmt: skip
        assert walked.returncode == 0, walked.stderr
    (theirs,) = json.loads(program(there, "sessions", "--json").stdout)
    record = program(there, "sessions", "export", str(theirs["id"])).stdout
    (tmp_path / "theirs.json").write_text(record, encoding="utf-8")
    if route == "sessions import FILE":
        imported = program(here, "sessions", "import", str(tmp_path / "theirs.json"))
    elif route == "sessions import -":
        imported = program(here, "sessions", "import", "-", stdin=record)
    else:
        imported = program(
            here, "walk", "--resume", "--session", str(tmp_path / "theirs.json"), "--no-input"
        )
        assert "imported into the store" in imported.stdout + imported.stderr, imported.stderr
    doses = json.loads(program(here, "history", LABEL, "--json").stdout)["injections"]
    said = " ".join((imported.stdout + imported.stderr).split())
    # Stored as it stands (a dose given elsewhere is never hidden), and said.
    assert len(doses) == 2, doses
    (mine,) = [d["session"] for d in doses if d["session"] != theirs["id"]]
    assert "two doses of that day" in said and mine in said, said
