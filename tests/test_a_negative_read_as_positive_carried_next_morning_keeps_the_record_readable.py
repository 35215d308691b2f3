"""A negative challenge with withdrawal rated during its observation reads as positive
(reference 5.2), and the next morning the walk carries that positive as the challenge's
answer (logged in the audit trail as ``naloxone_challenge = positive``). The record holds
no entry recorded as positive: the stored entry stays "negative". The record must still
load: the patient's history, a further resume and the note read it, and the positive still
holds the dose back. Refusing it as tampered loses the visit's work."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from tests.helpers import TODAY, Run, answer_flags, ready_patient, stored_sessions
from tests.helpers import cows_threshold as threshold
from xrntx_guide.pack.guide import Guide

LABEL = "CARRIED-READ"
DAY1 = (TODAY - dt.timedelta(days=1)).isoformat()
DAY2 = TODAY.isoformat()


def visit(run: Run, tmp_path: Path, during: int) -> tuple[str, Any]:
    """Day 1: 08:00 calm, a negative challenge read 09:00 (naloxone 08:30), at 09:30 the
    rating of 08:40 (``during``) entered with a calm one of 09:20. Day 2 08:00: resumed.
    Returns the session id and the next morning's run."""
    answers = ready_patient(
        cows_total=2, naloxone_challenge=None, last_opioid_use=TODAY - dt.timedelta(days=15)
    )
    first = run(
        "walk", "--no-input", "--label", LABEL, "--now", f"{DAY1}T08:00", "--acknowledge",
        "all", *answer_flags(answers),
    )  # fmt: skip
    assert first.exit_code in (0, 1, 4), first.output
    (stored,) = stored_sessions(LABEL)
    session = str(json.loads(stored.read_text())["id"])

    def resume(now: str, *args: str) -> Any:
        return run(
            "walk", "--no-input", "--resume", "--session", session, "--now", now,
            "--acknowledge", "all", *args,
        )  # fmt: skip

    neg = resume(
        f"{DAY1}T09:00", "-a", "naloxone_challenge=negative",
        "-a", "naloxone_challenge_started=08:30",
    )  # fmt: skip
    assert neg.exit_code in (0, 1, 4), neg.output
    ratings = {
        "cows_ratings": [
            {"at": f"{DAY1}T08:40", "context": "after_challenge", "total": during},
            {"at": f"{DAY1}T09:20", "context": "repeat", "total": 1},
        ]
    }
    path = tmp_path / "ratings.json"
    path.write_text(json.dumps(ratings), encoding="utf-8")
    late = resume(f"{DAY1}T09:30", "--answers", str(path))
    assert late.exit_code in (0, 1, 4), late.output
    morning = resume(f"{DAY2}T08:00")
    return session, morning


def test_the_record_still_loads_after_the_read_positive_is_carried(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    session, morning = visit(run, tmp_path, during=threshold(guide) + 3)
    assert morning.exit_code in (0, 1, 4), morning.output
    history = run("history", LABEL, "--json", "--today", DAY2)
    assert history.exit_code == 0, history.output
    warnings = json.loads(history.stdout)["warnings"]
    assert not any("cannot be read" in w for w in warnings), warnings
    again = run(
        "walk", "--no-input", "--resume", "--session", session, "--now", f"{DAY2}T08:10",
        "--acknowledge", "all",
    )  # fmt: skip
    assert again.exit_code in (1, 4), again.output


def test_the_control_a_calm_observation_loads_next_morning(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    _session, morning = visit(run, tmp_path, during=threshold(guide) - 3)
    assert morning.exit_code in (0, 1, 4), morning.output
    history = run("history", LABEL, "--json", "--today", DAY2)
    assert history.exit_code == 0, history.output
    warnings = json.loads(history.stdout)["warnings"]
    assert not any("cannot be read" in w for w in warnings), warnings
