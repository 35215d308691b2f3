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


@pytest.mark.parametrize("source", ["file", "stdin"])
def test_a_second_first_injection_of_the_day_is_never_imported_in_silence(
    tmp_path: Path, source: str
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
    record = program(there, "sessions", "export", str(theirs["id"])).stdout
    if source == "file":
        (tmp_path / "theirs.json").write_text(record, encoding="utf-8")
        imported = program(here, "sessions", "import", str(tmp_path / "theirs.json"))
    else:
        imported = program(here, "sessions", "import", "-", stdin=record)
    doses = json.loads(program(here, "history", LABEL, "--json").stdout)["injections"]
    said = " ".join(imported.stderr.split())
    # Stored as it stands (a dose given elsewhere is never hidden), and said.
    assert imported.returncode == 0, imported.stderr
    assert len(doses) == 2, doses
    (mine,) = [d["session"] for d in doses if d["session"] != theirs["id"]]
    assert "two doses of that day" in said and mine in said, said
