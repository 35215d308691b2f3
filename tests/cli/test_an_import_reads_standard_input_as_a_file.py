"""``sessions import -`` reads the record from standard input exactly as ``sessions import
FILE`` reads it from a file: the same checks, the same messages naming where it came from,
exit 2 for input that is not a valid record, and never a question (the input is the data)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pexpect
import pytest

from tests.helpers import EXE, Run, stored_ids, stored_record
from xrntx_guide.errors import ExitCode


def _exported(run: Run, tmp_path: Path) -> tuple[str, str]:
    made = run("walk", "--no-input", "--json", "--label", "PAT-1", "-a", "age=34")
    visit = str(json.loads(made.stdout)["session"])
    out = tmp_path / "visit.json"
    assert run("sessions", "export", visit, "-o", str(out)).exit_code == 0
    return visit, out.read_text(encoding="utf-8")


def test_a_record_on_standard_input_is_imported(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    visit, text = _exported(run, tmp_path)
    monkeypatch.setenv("XRNTX_GUIDE_HOME", str(tmp_path / "other"))
    result = run("sessions", "import", "-", input=text)
    assert result.exit_code == 0, result.output
    said = result.stdout + result.stderr
    assert f"imported standard input: session {visit}" in said
    assert stored_record(visit).answers["age"].value == 34
    again = run("sessions", "import", "-", input=text)
    assert again.exit_code == 0, again.output
    assert f"standard input: session {visit} is already in the store" in again.stderr


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ('{"format": 1, "id": "x"}', "not a valid session"),
        ("not json", "not a valid session"),
        ("", "not a valid session"),
    ],
    ids=["not-a-record", "not-json", "empty"],
)
def test_bad_input_on_standard_input_is_refused_naming_it(run: Run, given: str, said: str) -> None:
    result = run("sessions", "import", "-", input=given)
    assert result.exit_code == 2, result.output
    assert said in result.stderr and "standard input" in result.stderr
    assert "Traceback" not in result.output
    assert stored_ids() == []


def test_standard_input_and_a_file_say_the_same_of_a_bad_record(run: Run, tmp_path: Path) -> None:
    text = '{"format": 1, "id": "x"}'
    bad = tmp_path / "bad.json"
    bad.write_text(text, encoding="utf-8")
    from_file = run("sessions", "import", str(bad))
    from_stdin = run("sessions", "import", "-", input=text)
    assert from_stdin.exit_code == from_file.exit_code == 2
    assert from_stdin.stderr.replace("sessions import -: standard input (stdin)", "WHERE") == (
        from_file.stderr.replace(str(bad), "WHERE")
    )


@pytest.mark.skipif(not EXE.exists(), reason=f"{EXE} is not installed")
def test_a_terminal_on_standard_input_is_refused_not_waited_on(tmp_path: Path) -> None:
    """Typed at a terminal, ``sessions import -`` would wait for a record nobody pipes in:
    it says how to give one instead, at once."""
    env = {**os.environ, "XRNTX_GUIDE_HOME": str(tmp_path / "home"), "NO_COLOR": "1"}
    child = pexpect.spawn(
        str(EXE), ["sessions", "import", "-"], env=env, encoding="utf-8", timeout=15
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == ExitCode.USAGE, child.before
    assert "standard input" in str(child.before) and "terminal" in str(child.before)
