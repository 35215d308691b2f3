"""A file given on resume may correct an entry the session recorded (docs/scripting.md:
a correction names the entry's time; a resumed session's entries are read before the
file's). A challenge recorded negative and found positive on review must be correctable
so, as a rating is: refused as naming no recorded challenge, the positive never reaches
the record and the visit goes on as if the negative stood."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import TODAY, Run, json_answers, ready_patient

DAY = TODAY.isoformat()
LABEL = "FIX-CHALLENGE"


def test_a_negative_challenge_is_corrected_to_positive_by_a_file_on_resume(
    run: Run, tmp_path: Path
) -> None:
    first = json_answers(
        ready_patient(
            last_opioid_kind="fentanyl",
            fentanyl_used_30_days=True,
            cows_total=None,
            naloxone_challenge=None,
        )
    )
    first["cows_ratings"] = [{"at": f"{DAY}T08:00", "total": 2, "context": "before_challenge"}]
    first["naloxone_challenges"] = [
        {"at": f"{DAY}T09:45", "started": f"{DAY}T09:00", "kind": "challenge", "result": "negative"}
    ]
    path = tmp_path / "first.json"
    path.write_text(json.dumps(first), encoding="utf-8")
    walked = run(
        "walk", "--no-input", "--label", LABEL, "--now", f"{DAY}T09:50", "--acknowledge", "all",
        "--answers", str(path),
    )  # fmt: skip
    assert walked.exit_code == 4, walked.output  # waits for the injection
    session = json.loads(run("sessions", "--json").stdout)[0]["id"]
    fix = tmp_path / "fix.json"
    fix.write_text(
        json.dumps(
            {
                "naloxone_challenges": [
                    {
                        "at": f"{DAY}T10:00",
                        "kind": "challenge",
                        "result": "positive",
                        "corrects": f"{DAY}T09:45",
                        "reason": "piloerection and yawning seen on review",
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    resumed = run(
        "walk", "--no-input", "--resume", "--session", session, "--now", f"{DAY}T10:05",
        "--acknowledge", "all", "--answers", str(fix),
    )  # fmt: skip
    assert "no challenge is recorded" not in resumed.stderr, resumed.output
    assert resumed.exit_code == 1, resumed.output  # the positive challenge blocks
