"""A command that only reads sessions never creates a store where there was none.

``XRNTX_GUIDE_HOME`` with a typo in it (a clinic's shared folder mistyped in a shell
profile) names a folder that does not exist. ``sessions`` then creates that folder and an
empty database in it, and says "No sessions in .../visits.sqlite3": the clinician reads
that every saved visit is gone, and the next walk saves into the stray store, where the
patient's record is not. The scripting guide says a variable naming a folder that is not
there is an error naming the variable; whatever the message, a listing must leave the
disk as it found it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import Run

READERS = {
    "sessions": ("sessions",),
    "sessions --json": ("sessions", "--json"),
    "history": ("history", "AB-12"),
}


@pytest.mark.parametrize("name", sorted(READERS))
def test_a_reader_under_a_missing_home_creates_nothing(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    typo = tmp_path / "clinic-shraed"  # the folder that was meant is 'clinic-shared'
    monkeypatch.setenv("XRNTX_GUIDE_HOME", str(typo / "xrntx"))

    read = run(*READERS[name])

    assert read.exit_code in (0, 2), read.output
    assert not typo.exists(), (sorted(p.name for p in typo.rglob("*")), read.output)
