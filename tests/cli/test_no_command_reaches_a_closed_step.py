"""The interactive walk (cli/walkthrough.py): the injection step must never be
shown while a contraindication fails, whatever command is typed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pexpect
import pytest

from tests.helpers import EXE, TODAY, after_injection, days_ago, json_answers

pytestmark = pytest.mark.skipif(not EXE.exists(), reason=f"{EXE} is not installed")

INJECTION_STEP = "Giving the injection"
P_PATHWAY = r"Which pathway\?\s+\(number or value\)\s+\[standard[^\]]*\]:"
P_DATE = r"Date of the injection [^\n]*\[" + TODAY.isoformat() + r"\]: "
P_ANY = r"(?:\]|\?|\)): $"


def spawn(home: Path, *args: str) -> pexpect.spawn[str]:
    env = {
        **os.environ,
        "XRNTX_GUIDE_HOME": str(home),
        "NO_COLOR": "1",
        "TERM": "xterm",
        "COLUMNS": "100",
    }
    env.pop("XRNTX_GUIDE_DEBUG", None)
    return pexpect.spawn(
        str(EXE), list(args), env=env, encoding="utf-8", timeout=10, dimensions=(40, 100)
    )


@pytest.mark.parametrize("key", ["injection_given", "needle_used", "observation_minutes"])
def test_edit_of_a_preset_answer_shows_the_injection_steps_while_blocked(
    tmp_path: Path, _isolated_home: Path, key: str
) -> None:
    """`walk --answers case.json` with the whole case (answers of the injection and the
    after-injection steps included) for a patient 4 days after short-acting use: the
    opioid_free_interval contraindication fails. At the first prompt after the date,
    `edit injection_given` (or any key of a step after the injection) jumps the walk into
    that step: 'Giving the injection' is shown with its instructions and the question is
    asked and recorded as typed, while the contraindication stands."""
    case = tmp_path / "case.json"
    case.write_text(json.dumps(json_answers(after_injection(last_opioid_use=days_ago(4)))))
    child = spawn(
        _isolated_home,
        "--plain",
        "--label",
        "RTW",
        "--answers",
        str(case),
        "--today",
        TODAY.isoformat(),
    )
    child.expect(P_DATE)
    child.sendline("")
    child.expect(P_PATHWAY)
    before = str(child.before)
    assert INJECTION_STEP not in before
    child.sendline(f"edit {key}")
    child.expect(P_ANY)
    screen = str(child.before)
    child.sendline("quit")
    child.expect(pexpect.EOF)
    for title in (INJECTION_STEP, "After the injection"):
        assert f": {title} ---" not in screen, (
            f"'edit {key}' showed the step {title!r} while opioid_free_interval fails:\n"
            + screen[-1500:]
        )
