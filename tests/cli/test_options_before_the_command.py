"""Shared options before the command are the command's, `--version` names the program, the
guide and a fingerprint of the pack, and `-h` is `--help` before or after a command."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.helpers import TODAY, answer_flags, main_run, ready_patient
from xrntx_guide.errors import ExitCode


def test_version_names_the_program_the_guide_and_a_fingerprint_of_the_pack(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = main_run(capsys, "--version")
    assert code == ExitCode.OK, err
    lines = out.splitlines()
    assert lines[0].startswith("xrntx-guide ") and "xrntx_induction 1.0.0" in lines[1]
    fingerprint = re.search(r"sha256:([0-9a-f]{16})", lines[2])
    assert fingerprint, out

    site = tmp_path / "site.toml"
    site.write_text('site = "Clinic"\n[settings]\ncows_threshold = 4\n', encoding="utf-8")
    code, out, err = main_run(capsys, "--site", str(site), "--version")
    assert code == ExitCode.OK, err
    other = re.search(r"sha256:([0-9a-f]{16})", out)
    assert other and other.group(1) != fingerprint.group(1), out
    assert str(site) in out


@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_help_before_any_command_lists_the_commands(
    capsys: pytest.CaptureFixture[str], flag: str
) -> None:
    code, out, err = main_run(capsys, flag)
    assert code == ExitCode.OK, err
    assert "check" in out and "sessions" in out and "walk" in out


def test_h_is_help_after_a_command_too(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = main_run(capsys, "check", "-h")
    assert code == ExitCode.OK
    assert "--batch" in out


def test_shared_options_before_the_command_are_the_command_s(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    site = tmp_path / "site.toml"
    site.write_text('site = "Clinic"\n[settings]\ncows_threshold = 4\n', encoding="utf-8")
    code, out, err = main_run(
        capsys,
        "--site",
        str(site),
        "--today",
        TODAY.isoformat(),
        "check",
        "--json",
        *answer_flags(ready_patient()),
    )
    assert code == ExitCode.OK, err
    data = json.loads(out)
    assert data["guide"]["site"] == "Clinic" and data["today"] == TODAY.isoformat()


def test_a_shared_option_a_command_does_not_take_is_refused_by_name(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = main_run(capsys, "--today", TODAY.isoformat(), "gates")
    assert code == ExitCode.USAGE
    assert "--today" in err and "gates" in err and out == ""


def test_options_alone_still_start_the_walkthrough(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = main_run(
        capsys, "--plain", "--no-input", "--label", "x", "--today", TODAY.isoformat()
    )
    assert code == ExitCode.INCOMPLETE, err
    assert "answers are missing" in err
