"""A repeat visit takes the last injection's date and side from the patient's record. When
the visit gives the last injection's date otherwise (a dose the record does not hold, as
one given elsewhere), the recorded dose's side is of another injection: it is asked, never
filled in. It was filled in, and the note recorded "last injection (flag), side left
(history)", a side no one knew for that dose (reference 4.4, item 12), from which the side
for this dose was suggested."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from pathlib import Path
from typing import Any

import pexpect
import pytest

from tests.helpers import EXE, TODAY, Run, after_injection, stored_sessions, walk_visit

LABEL = "SIDE-1"
FIRST = TODAY - dt.timedelta(days=34)
ELSEWHERE = TODAY - dt.timedelta(days=10)
PROMPT = r"(?:: |\? |\]: )$"


def repeat_visit(**changes: Any) -> dict[str, Any]:
    answers = after_injection(visit="repeat_injection", opioid_use_since_last_injection=False)
    for key in ("last_opioid_use", "last_opioid_kind", "uds_opiates", "last_injection_side"):
        answers.pop(key, None)
    answers.pop("last_injection_date", None)
    answers.update(changes)
    return {k: v for k, v in answers.items() if v is not None}


def first_dose(run: Run) -> str:
    done = walk_visit(
        run, LABEL, FIRST, after_injection(last_opioid_use=FIRST - dt.timedelta(days=14))
    )
    assert done.exit_code == 0, done.output
    (first,) = stored_sessions(LABEL)
    side = json.loads(first.read_text())["answers"]["injection_side_used"]["value"]
    assert side == "left"
    return str(side)


def check_json(run: Run, answers: dict[str, Any]) -> dict[str, Any]:
    flags = [x for k, v in answers.items() for x in ("-a", f"{k}={_flag(v)}")]
    out = run("check", "--json", "--today", TODAY.isoformat(), "--label", LABEL, *flags)
    return dict(json.loads(out.stdout or out.stderr))


def _flag(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def test_the_recorded_dose_fills_in_its_date_and_its_side(run: Run) -> None:
    side = first_dose(run)
    result = check_json(run, repeat_visit())
    assert result["record"]["prefilled"] == {
        "last_injection_date": FIRST.isoformat(),
        "last_injection_side": side,
    }, result["record"]


def test_another_doses_date_leaves_the_side_to_be_asked(run: Run) -> None:
    first_dose(run)
    result = check_json(run, repeat_visit(last_injection_date=ELSEWHERE))
    assert "last_injection_side" not in result["record"]["prefilled"], result["record"]
    assert "last_injection_side" in result["missing"], result
    assert result["status"] != "ready", result


def test_a_walk_given_another_doses_date_asks_the_side(run: Run) -> None:
    first_dose(run)
    answers = repeat_visit(last_injection_date=ELSEWHERE)
    walked = run(
        "walk", "--no-input", "--label", LABEL, "--today", TODAY.isoformat(),
        "--acknowledge", "all",
        *[x for k, v in answers.items() for x in ("-a", f"{k}={_flag(v)}")],
    )  # fmt: skip
    assert walked.exit_code == 4, walked.output  # the side is missing: asked
    sessions = [json.loads(p.read_text()) for p in stored_sessions(LABEL)]
    (visit,) = [s for s in sessions if s["answers"]["visit"]["value"] == "repeat_injection"]
    assert "last_injection_side" not in visit["answers"], visit["answers"]


@pytest.mark.skipif(not EXE.exists(), reason=f"{EXE} is not installed")
def test_editing_the_date_to_another_dose_clears_the_side_filled_in(
    run: Run, tmp_path: Path
) -> None:
    """At the prompt: the side filled in with the recorded dose's date; the date then
    edited to another dose's: the side is cleared and asked, never kept for that dose."""
    first_dose(run)
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("XRNTX_GUIDE_DEBUG", None)
    room = pexpect.spawn(
        str(EXE),
        ["walk", "--plain", "--label", LABEL, "--today", TODAY.isoformat(),
         "-a", "visit=repeat_injection"],
        env=env, encoding="utf-8", timeout=20, dimensions=(50, 100),
    )  # fmt: skip
    log = io.StringIO()
    room.logfile_read = log
    try:
        for _ in range(10):
            if room.expect([r"Any opioid use since the last injection\? \(yes/no\): ", PROMPT]):
                room.sendline("")
                continue
            break
        assert "Side of the last injection: left" in " ".join(log.getvalue().split())
        room.sendline("edit last_injection_date")
        room.expect(PROMPT)
        room.sendline(ELSEWHERE.isoformat())
        room.expect(r"cleared, filled in from another dose than the one now given:")
        room.expect(PROMPT)
        room.sendline("quit")
        room.expect(pexpect.EOF)
    finally:
        room.close(force=True)
    sessions = [json.loads(p.read_text()) for p in stored_sessions(LABEL)]
    (visit,) = [s for s in sessions if s["answers"]["visit"]["value"] == "repeat_injection"]
    assert "last_injection_side" not in visit["answers"], visit["answers"]
