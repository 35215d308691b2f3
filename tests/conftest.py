"""Shared fixtures: the shipped guide, a fixed date, a CLI runner bound to the app, and the
tables of the clinical basis (docs/clinical-basis.md) that the pack is checked against."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from xrntx_guide.cli.app import app
from xrntx_guide.pack.compile import load_guide
from xrntx_guide.pack.guide import Guide

# In CI (CI=true), Hypothesis draws the same examples on every run, so a run there is the
# run a developer can repeat with CI=true; locally it keeps exploring new examples.
if os.environ.get("CI"):
    settings.register_profile("ci", derandomize=True, database=None)
    settings.load_profile("ci")

TODAY = dt.date(2026, 11, 24)
REPO = Path(__file__).resolve().parent.parent
# The clinical basis lives in the repository so that a clone alone can run the tests.
CLINICAL_BASIS = REPO / "docs" / "clinical-basis.md"


def basis_table(heading: str) -> list[dict[str, str]]:
    """The rows of the first table under a heading of the clinical basis.

    Args:
        heading: the heading's text without its ``#`` marks (any level).

    Returns:
        One dict per row, keyed by the table's column headers.
    """
    lines = CLINICAL_BASIS.read_text(encoding="utf-8").splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("#")]
    found = [i for i in starts if lines[i].lstrip("#").strip() == heading]
    if not found:
        raise LookupError(f"{CLINICAL_BASIS.name} has no heading {heading!r}")
    header: list[str] | None = None
    rows: list[dict[str, str]] = []
    for line in lines[found[0] + 1 :]:
        if line.startswith("#") or (header is not None and not line.startswith("|")):
            break
        if not line.startswith("|"):
            continue
        # An escaped pipe (\|) belongs to the cell's text, not to the table.
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        if header is None:
            header = cells
        elif not re.fullmatch(r"[-: ]*", "".join(cells)):
            rows.append(dict(zip(header, cells, strict=True)))
    if not rows:
        raise LookupError(f"{CLINICAL_BASIS.name}: no table rows under {heading!r}")
    return rows


def backticked(cell: str) -> list[str]:
    """The `code` spans of a table cell, in order: keys, ids, setting names."""
    return re.findall(r"`([^`]+)`", cell)


def basis_gate_rows() -> dict[str, dict[str, str]]:
    """Gate id -> its row in the Gates table of the clinical basis."""
    return {backticked(row["gate"])[0]: row for row in basis_table("Gates")}


def basis_severities(row: dict[str, str]) -> set[str]:
    """The severities a Gates row names (its comma-separated "severities" cell)."""
    return {word.strip() for word in row["severities"].split(",")}


BASIS_GATES = list(basis_gate_rows())


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def ready_patient(**changes: Any) -> dict[str, Any]:
    """A patient 14 days after short-acting use with nothing standing in the way of a first
    injection on TODAY; ``changes`` vary it (a value of None leaves that answer out)."""
    answers: dict[str, Any] = {
        "visit": "first_injection",
        "oud_diagnosis": True,
        "last_opioid_kind": "short_acting",
        "last_opioid_use": TODAY - dt.timedelta(days=14),
        "fentanyl_used_30_days": False,
        "opioid_analgesics": False,
        "hypersensitivity": False,
        "age": 34,
        "pregnancy_test": "not_applicable",
        "breastfeeding": False,
        "acute_hepatitis": False,
        "lft_multiple_uln": 1.0,
        "bleeding_risk": False,
        "mood_concern": False,
        "renal_or_severe_hepatic_impairment": False,
        "medication_guide_given": True,
        "consent": True,
        "abstinence_evidence": "supervised",
        "uds_opiates": "negative",
        "uds_fentanyl": "negative",
        "uds_buprenorphine": "negative",
        "uds_methadone": "negative",
        "uds_oxycodone": "negative",
        "cows_total": 2,
        "naloxone_challenge": "not_done",
        "kit_storage_ok": True,
        "body_habitus": "average",
    }
    answers.update(changes)
    return {k: v for k, v in answers.items() if v is not None}


def after_injection(**changes: Any) -> dict[str, Any]:
    """The ready patient plus the answers recorded once the injection is given."""
    return ready_patient(
        injection_given=True,
        injection_side_used="left",
        needle_used="2-inch",
        observation_minutes=30,
        overdose_counselled=True,
        reversal_agent_offered=True,
        wallet_card_given=True,
        **changes,
    )


@pytest.fixture(scope="session")
def guide() -> Guide:
    return load_guide(REPO / "steps")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Sessions go to a temporary folder; colour and the user's settings stay out."""
    home = tmp_path / "home"
    monkeypatch.setenv("XRNTX_GUIDE_HOME", str(home))
    monkeypatch.delenv("XRNTX_GUIDE_DEBUG", raising=False)
    yield home


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return f"--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


@pytest.fixture
def run() -> Callable[..., Result]:
    """``run("check", "--answer", "x=1")`` with stdout and stderr kept apart."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        r = runner.invoke(app, list(args), input=input, env={"NO_COLOR": "1", "COLUMNS": "100"})
        if r.exception is not None and not isinstance(r.exception, SystemExit):
            raise r.exception
        return Result(r.exit_code, r.stdout, r.stderr)

    return invoke
