"""A command that reads a patient's record from a store that is not there (a mistyped
``XRNTX_GUIDE_HOME``) says so on stderr, so a patient with a dose on record is never
read, in silence, as one without visits (docs/storage.md). Before, ``check --label
--json`` and a batch line's ``label`` said ready, exit 0, with nothing on stderr, three
days after a dose recorded in the store the clinic meant."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.helpers import TODAY, Run, after_injection, answer_flags, flat, ready_patient
from xrntx_guide.errors import ExitCode

LABEL = "HOME-1"


@pytest.fixture
def elsewhere(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A dose recorded three days ago in the clinic's store; the commands then run with a
    home that is not it (one letter off). The home they run with."""
    day = TODAY - dt.timedelta(days=3)
    out = run(
        "walk", "--no-input", "--today", day.isoformat(), "--label", LABEL,
        "--acknowledge", "all",
        *answer_flags(after_injection(last_opioid_use=day - dt.timedelta(days=14))),
    )  # fmt: skip
    assert out.exit_code == ExitCode.OK, out.output
    mistyped = tmp_path / "homex"
    monkeypatch.setenv("XRNTX_GUIDE_HOME", str(mistyped))
    return mistyped


def test_a_check_of_a_label_says_where_no_store_was_found(run: Run, elsewhere: Path) -> None:
    """On stderr, and among the record's warnings of its JSON result (a script that keeps
    only stdout sees it too)."""
    out = run(
        "check", "--today", TODAY.isoformat(), "--json", "--label", LABEL,
        *answer_flags(ready_patient()),
    )  # fmt: skip
    said = flat(out.stderr)
    assert "there is no store at" in said and str(elsewhere) in said, out.output
    assert "XRNTX_GUIDE_HOME" in said
    warned = " ".join(json.loads(out.stdout)["record"]["warnings"])
    assert "there is no store at" in warned and str(elsewhere) in flat(warned), warned


def test_each_batch_line_with_a_label_says_it_in_its_result(run: Run, elsewhere: Path) -> None:
    line = json.dumps({**ready_patient(), "label": LABEL}, default=str)
    out = run("check", "--today", TODAY.isoformat(), "--batch", "-", input=f"{line}\n{line}\n")
    results = [json.loads(x) for x in out.stdout.splitlines()]
    assert len(results) == 2, out.output
    for result in results:
        warned = " ".join(result["record"]["warnings"])
        assert "there is no store at" in warned, result


def test_the_clinics_store_is_read_without_a_word(
    run: Run, elsewhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XRNTX_GUIDE_HOME", str(elsewhere.parent / "home"))
    out = run(
        "check", "--today", TODAY.isoformat(), "--json", "--label", LABEL,
        *answer_flags(ready_patient()),
    )  # fmt: skip
    assert out.exit_code == ExitCode.USAGE, "the dose on record refuses a first injection"
    assert "there is no store at" not in out.stderr
