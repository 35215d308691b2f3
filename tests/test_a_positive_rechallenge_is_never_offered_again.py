"""A positive rechallenge stands as the positive challenge does (clinical basis, safety
invariant 9: nothing is recorded over it). A walk resumed the next morning, inside the
window after the positive challenge, says that both stand and offers no further
rechallenge; it never tells the clinician that a rechallenge may still be done (one
would be refused)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from tests.helpers import TODAY, Run, answer_flags, json_answers, ready_patient, stored_sessions

LABEL = "RX-TWICE"
TOMORROW = TODAY + dt.timedelta(days=1)
LATER = TODAY + dt.timedelta(days=2)


def challenged_then_rechallenged(run: Run, rechallenge: str) -> str:
    answers = ready_patient(
        last_opioid_use=TODAY - dt.timedelta(days=10),
        naloxone_challenge="positive",
        naloxone_challenge_started="07:30",
    )
    answers.pop("injection_date", None)  # left to its default: the visit moves on resume
    first = run(
        "walk", "--no-input", "--json", "--label", LABEL, "--now", f"{TODAY}T08:00",
        *answer_flags(answers),
    )  # fmt: skip
    assert json.loads(first.stdout)["status"] == "blocked", first.output
    (session,) = stored_sessions(LABEL)
    session_id: str = json.loads(session.read_text())["id"]
    again = run(
        "walk", "--no-input", "--json", "--resume", "--session", session_id,
        "--now", f"{TODAY}T09:00", "-a", f"naloxone_rechallenge={rechallenge}",
        "-a", "naloxone_rechallenge_started=08:30",
    )  # fmt: skip
    assert again.exit_code in (0, 1, 4), again.output
    return session_id


def next_morning(run: Run, session_id: str) -> str:
    out = run(
        "walk", "--no-input", "--resume", "--session", session_id,
        "--now", f"{TOMORROW}T07:00", "--acknowledge", "all",
    )  # fmt: skip
    return " ".join(out.output.split())


def test_a_positive_rechallenge_stands_the_next_morning_and_none_is_offered(run: Run) -> None:
    said = next_morning(run, challenged_then_rechallenged(run, "positive"))
    assert "positive too and stands" in said, said
    assert "may be done" not in said, said


def test_the_control_without_a_rechallenge_the_next_morning_offers_one(run: Run) -> None:
    session_id = challenged_then_rechallenged(run, "not_done")
    said = next_morning(run, session_id)
    assert "may be done" in said, said
    # Said once: the move of the visit's day is taken once, not again by the run.
    assert said.count("was positive: it stands") == 1, said


# -- two days later, past the window ---------------------------------------------------


def two_days_later(run: Run, session_id: str, *extra: str) -> tuple[int, str]:
    out = run(
        "walk", "--no-input", "--resume", "--session", session_id,
        "--now", f"{LATER}T09:30", "--acknowledge", "all", *extra,
    )  # fmt: skip
    return out.exit_code, " ".join(out.output.split())


def test_two_days_after_a_positive_rechallenge_the_walk_names_the_new_days_challenge(
    run: Run,
) -> None:
    _, said = two_days_later(run, challenged_then_rechallenged(run, "positive"))
    assert "new challenge" in said, said


def test_the_control_after_a_positive_challenge_alone_it_names_the_new_days_challenge(
    run: Run,
) -> None:
    _, said = two_days_later(run, challenged_then_rechallenged(run, "not_done"))
    assert "new challenge" in said, said


def test_the_new_days_negative_challenge_counts_the_dose_after_a_positive_rechallenge(
    run: Run, tmp_path: Path
) -> None:
    """What the walk does, whatever it says: the new day's challenge is taken."""
    session_id = challenged_then_rechallenged(run, "positive")
    day = LATER.isoformat()
    given = json_answers(
        {
            k: v
            for k, v in ready_patient(
                injection_given=True,
                injection_side_used="left",
                needle_used="2-inch",
                observation_minutes=30,
                wallet_card_given=True,
            ).items()
            if k.startswith(("uds_", "pregnancy_test", "injection_", "needle_", "observation_"))
            or k == "wallet_card_given"
        }
    )
    given.pop("injection_date", None)
    given["cows_ratings"] = [{"at": f"{day}T08:00", "context": "before_challenge", "total": 1}]
    given["naloxone_challenges"] = [
        {"at": f"{day}T08:30", "started": f"{day}T08:05", "kind": "challenge", "result": "negative"}
    ]
    path = tmp_path / "later.json"
    path.write_text(json.dumps(given), encoding="utf-8")
    code, said = two_days_later(run, session_id, "--answers", str(path))
    assert code == 0, said
    history = json.loads(run("history", LABEL, "--json", "--today", day).stdout)
    assert [i["date"] for i in history["injections"]] == [day]
