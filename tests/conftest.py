"""Shared fixtures: the shipped guide, a fixed date, and a CLI runner bound to the app."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from xrntx_guide.cli.app import app
from xrntx_guide.loader import Guide, load_guide

TODAY = dt.date(2026, 11, 24)
REPO = Path(__file__).resolve().parent.parent
REFERENCE = REPO.parent / "shared" / "clinical" / "xrntx-reference.md"


def reference_gate_rows() -> dict[str, str]:
    """Gate id -> its row in the clinical reference's section 4.2 table."""
    import re

    text = REFERENCE.read_text(encoding="utf-8")
    table = text.split("### 4.2", 1)[1].split("### 4.3", 1)[0]
    return {m.group(1): m.group(0) for m in re.finditer(r"^\| `([a-z_]+)` \|.*$", table, re.M)}


GATES_4_2 = list(reference_gate_rows())


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
