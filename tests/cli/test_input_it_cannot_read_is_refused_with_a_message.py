"""Input the program cannot read (a number of hundreds of digits, JSON or TOML that Python
cannot parse, a FIFO or a device given as a file) is refused at once as a usage error
naming where it came from: never waited on for ever, never an internal error."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.helpers import (
    BIG,
    TODAY,
    Run,
    check,
    json_answers,
    no_traceback,
    program,
    ready_patient,
    stored_sessions,
    walk,
)
from xrntx_guide.errors import ExitCode


@pytest.mark.parametrize(("key", "value"), [("lft_multiple_uln", BIG), ("age", BIG)])
def test_a_number_of_400_digits_is_refused_everywhere(
    run: Run, tmp_path: Path, key: str, value: str
) -> None:
    flag = check(run, ready_patient(**{key: None}), "--answer", f"{key}={value}")
    path = tmp_path / "answers.json"
    others = json_answers({k: v for k, v in ready_patient().items() if k != key})  # a key once
    path.write_text(json.dumps(others)[:-1] + f', "{key}": {value}}}', encoding="utf-8")
    file = run("check", "--json", "--today", TODAY.isoformat(), "--answers", str(path))
    toml = tmp_path / "answers.toml"
    toml.write_text(f"{key} = {value}\n", encoding="utf-8")
    file_toml = run("check", "--json", "--today", TODAY.isoformat(), "--answers", str(toml))
    for result in (flag, file, file_toml):
        assert result.exit_code == ExitCode.USAGE, result.output
        assert key in result.stderr and "too" in result.stderr
        no_traceback(result)


def test_a_number_of_400_digits_in_a_session_file_is_a_clear_error(run: Run) -> None:
    assert walk(run, ready_patient(), label="big").exit_code == ExitCode.INCOMPLETE
    (path,) = stored_sessions("big")
    data = json.loads(path.read_text(encoding="utf-8"))
    data["answers"]["lft_multiple_uln"]["value"] = int(BIG)
    path.write_text(json.dumps(data), encoding="utf-8")
    for result in (
        run("walk", "--resume", "--label", "big", "--no-input"),
        run("note", "big"),
    ):
        assert result.exit_code == ExitCode.USAGE, result.output
        assert "lft_multiple_uln" in result.stderr
        no_traceback(result)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("digits.json", '{"age": ' + "9" * 5000 + "}"),
        ("digits.toml", "age = " + "9" * 5000 + "\n"),
        ("deep.json", '{"age": ' + "[" * 1000 + "]" * 1000 + "}"),
        ("deeper.json", "[" * 100_000 + "]" * 100_000),
        ("deep.toml", "age = " + "[" * 1000 + "]" * 1000 + "\n"),
        ("binary.json", "\udcff"),
    ],
)
def test_an_answers_file_python_cannot_read_is_a_clear_error(
    run: Run, tmp_path: Path, name: str, text: str
) -> None:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    result = run("check", "--json", "--answers", str(path))
    assert result.exit_code == ExitCode.USAGE, result.output
    assert f"--answers {path}" in result.stderr
    no_traceback(result)


def _fifo(tmp_path: Path) -> Path:

    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    path = tmp_path / "pipe.toml"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("option", ["--site", "--answers", "--batch"])
@pytest.mark.parametrize("kind", ["fifo", "dev_zero"])
def test_a_fifo_or_a_device_given_as_a_file_is_refused_at_once(
    tmp_path: Path, option: str, kind: str
) -> None:
    path = _fifo(tmp_path) if kind == "fifo" else Path("/dev/zero")
    if not path.exists():
        pytest.skip("no /dev/zero here")
    done = program("check", "--json", option, str(path), timeout=30)
    assert done.returncode == ExitCode.USAGE, done.stderr
    assert "not a regular file" in done.stderr, done.stderr
    assert "internal error" not in done.stderr
