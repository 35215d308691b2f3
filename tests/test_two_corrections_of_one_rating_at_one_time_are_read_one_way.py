"""A rating corrected twice stands as one correction, read one way everywhere (safety
invariant 9): the withdrawal gate and the rule that judges a challenge by the rating
before its naloxone read the same one. Two corrections of one rating given the same
time (one from the walk's file, one from a file on resume: the file's own check refuses
two ratings at one time, a resume's file is read after the session's entries) must
not be read as the withdrawal by the gate and as the calm rating by the challenge."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import TODAY, Run, json_answers, ready_patient

DAY = TODAY.isoformat()
LABEL = "TIE-1"


def walk(run: Run, at: str, *flags: str) -> int:
    done = run(
        "walk", "--no-input", "--label", LABEL, "--now", f"{DAY}T{at}", "--acknowledge", "all",
        *flags,
    )  # fmt: skip
    assert done.exit_code in (0, 1, 4), done.output
    return done.exit_code


def resume(run: Run, session: str, at: str, *flags: str) -> int:
    done = run(
        "walk", "--no-input", "--resume", "--session", session, "--now", f"{DAY}T{at}",
        "--acknowledge", "all", *flags,
    )  # fmt: skip
    assert done.exit_code in (0, 1, 4), done.output
    return done.exit_code


def correction(total: int, minute: str, reason: str) -> dict[str, object]:
    return {
        "at": f"{DAY}T08:{minute}",
        "total": total,
        "corrects": f"{DAY}T08:00",
        "reason": reason,
    }


@pytest.mark.parametrize(
    "second_at",
    [
        pytest.param("50", id="later-control"),
        pytest.param("40", id="same-time"),
    ],
)
def test_a_challenge_after_a_rating_corrected_to_withdrawal_gives_no_dose(
    run: Run, tmp_path: Path, second_at: str
) -> None:
    """Fentanyl (the challenge is required): COWS 2 at 08:00, corrected at 08:40 to 3
    (misadded); naloxone 09:00, negative 09:45. Resumed at 10:10 with a file correcting
    the 08:00 rating again, to 9 (pulse misread): the challenge was done beside
    withdrawal. At 10:30 a calm rating and the injection: never recorded as given."""
    first = json_answers(
        ready_patient(
            last_opioid_kind="fentanyl",
            fentanyl_used_30_days=True,
            cows_total=None,
            naloxone_challenge=None,
        )
    )
    first["cows_ratings"] = [
        {"at": f"{DAY}T08:00", "total": 2, "context": "before_challenge"},
        correction(3, "40", "misadded"),
    ]
    first["naloxone_challenges"] = [
        {"at": f"{DAY}T09:45", "started": f"{DAY}T09:00", "kind": "challenge", "result": "negative"}
    ]
    path = tmp_path / "first.json"
    path.write_text(json.dumps(first), encoding="utf-8")
    assert walk(run, "09:50", "--answers", str(path)) == 4  # waits for the injection
    session = json.loads(run("sessions", "--json").stdout)[0]["id"]
    again = tmp_path / "again.json"
    again.write_text(
        json.dumps({"cows_ratings": [correction(9, second_at, "pulse misread")]}),
        encoding="utf-8",
    )
    resume(run, session, "10:10", "--answers", str(again))
    resume(
        run, session, "10:30", "-a", "cows_total=1", "-a", "injection_given=yes",
        "-a", "injection_side_used=left", "-a", "needle_used=2-inch",
        "-a", "observation_minutes=30", "-a", "wallet_card_given=yes",
    )  # fmt: skip
    history = json.loads(run("history", LABEL, "--today", DAY, "--json").stdout)
    assert history["injections"] == [], history["injections"]
