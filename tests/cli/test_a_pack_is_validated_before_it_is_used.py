"""The shipped step pack validates, and a pack that does not load is refused (exit 3)
naming its file, by `validate` and by every command that reads it, never with a traceback."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

from tests.helpers import STEPS, Run, copy_steps, no_traceback
from xrntx_guide.errors import ExitCode


def broken_pack(tmp_path: Path) -> tuple[Path, Path]:
    folder = copy_steps(tmp_path)
    bad = folder / "30-medical.toml"
    with bad.open("a", encoding="utf-8") as handle:
        handle.write("\nthis is [not toml\n")
    return folder, bad


@pytest.mark.parametrize("command", [["validate"], ["check", "--json"], ["questions"]])
def test_broken_toml_in_steps(run: Run, tmp_path: Path, command: Iterable[str]) -> None:
    folder, bad = broken_pack(tmp_path)
    result = run(*command, "--steps", str(folder))

    assert result.exit_code == ExitCode.INVALID_PACK, result.output
    assert bad.name in result.stderr
    no_traceback(result)


def test_validate_shipped_pack(run: Run) -> None:
    result = run("validate")

    assert result.exit_code == ExitCode.OK, result.output
    assert "OK" in result.stdout
    no_traceback(result)


def test_validate_shipped_pack_explicitly(run: Run) -> None:
    result = run("validate", "--steps", str(STEPS))

    assert result.exit_code == ExitCode.OK, result.output
