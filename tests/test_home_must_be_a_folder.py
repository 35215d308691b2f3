"""``XRNTX_GUIDE_HOME`` names the folder that holds the sessions: when it names a file,
every command that reads or writes sessions says so, naming the variable (exit 2), rather
than reading an empty store ("No sessions") and carrying on as if the patient had none."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import TODAY, Run, ready_patient, walk
from xrntx_guide.errors import ExitCode


@pytest.fixture
def home_is_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    file = tmp_path / "home.txt"
    file.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("XRNTX_GUIDE_HOME", str(file))
    return file


@pytest.mark.parametrize(
    "args",
    [
        ["sessions"],
        ["sessions", "--json"],
        ["history", "pt-1", "--today", TODAY.isoformat()],
        ["note", "pt-1"],
    ],
)
def test_a_home_that_is_a_file_is_an_error_naming_the_variable(
    run: Run, home_is_a_file: Path, args: list[str]
) -> None:
    result = run(*args)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "XRNTX_GUIDE_HOME" in result.stderr and str(home_is_a_file) in result.stderr


def test_a_walk_cannot_start_in_a_home_that_is_a_file(run: Run, home_is_a_file: Path) -> None:
    result = walk(run, ready_patient())
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "XRNTX_GUIDE_HOME" in result.stderr
