"""A naloxone challenge counts only after a COWS rating below the threshold taken before its
naloxone (reference 5.2: the challenge is done only when the patient shows no withdrawal;
clinical basis, safety invariants 1 and 9: a correction obeys every rule a new entry
obeys, and the gate reads the correction in the place of the rating it corrects). When
that rating is later corrected to withdrawal, the challenge read against it no longer
counts, as it never counts when the whole series is given at once: a required challenge
is then missing, and the visit is not ready, whatever a later rating says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import (
    TODAY,
    Result,
    Run,
    days_ago,
    json_answers,
    ready_patient,
    stored_sessions,
)

LABEL = "CORR-CH"
DAY = TODAY.isoformat()


def resume(run: Run, at: str, *extra: str) -> Result:
    return run(
        "walk", "--resume", "--label", LABEL, "--no-input", "--json",
        "--now", f"{DAY}T{at}", "--acknowledge", "all", *extra,
    )  # fmt: skip


@pytest.mark.parametrize("how", ["corrected", "entered_later", "rechallenge_corrected"])
def test_withdrawal_recorded_before_the_naloxone_voids_the_challenge(
    run: Run, tmp_path: Path, how: str
) -> None:
    """Last use 10 days ago: the challenge is required. 09:00 COWS 2, naloxone at 09:10,
    negative at 09:40 (in the third case a rechallenge lifting a positive challenge of
    08:40). At 10:00 the record learns that the patient was in withdrawal when
    the naloxone was given: the 09:00 rating is corrected to 8 (the pulse was misread), or
    a rating of 8 taken at 09:05 is entered. At 10:30 a new rating of 1. The same series
    given at once is refused; recorded in this order, the visit must not be ready and no
    dose is counted."""
    answers = json_answers(
        ready_patient(last_opioid_use=days_ago(10), cows_total=None, naloxone_challenge=None)
    )
    answers["cows_ratings"] = [{"at": f"{DAY}T09:00", "total": 2}]
    answers["naloxone_challenges"] = [
        {"at": f"{DAY}T09:40", "started": f"{DAY}T09:10", "kind": "challenge",
         "result": "negative"}
    ]  # fmt: skip
    if how == "rechallenge_corrected":
        # A positive challenge at 08:40, lifted by the negative at 09:40 as a rechallenge.
        answers["cows_ratings"].insert(0, {"at": f"{DAY}T08:00", "total": 1})
        answers["naloxone_challenges"] = [
            {"at": f"{DAY}T08:40", "started": f"{DAY}T08:10", "kind": "challenge",
             "result": "positive"},
            {**answers["naloxone_challenges"][0], "kind": "rechallenge"},
        ]  # fmt: skip
    start = tmp_path / "start.json"
    start.write_text(json.dumps(answers))
    walked = run(
        "walk", "--no-input", "--json", "--label", LABEL, "--now", f"{DAY}T09:45",
        "--acknowledge", "all", "--answers", str(start),
    )  # fmt: skip
    assert walked.exit_code == 4, walked.output  # only the injection's answers missing

    if how != "entered_later":
        learnt = resume(
            run, "10:00", "-a", "cows_total=8", "--correct", f"cows_total@{DAY}T09:00=pulse misread"
        )
        assert learnt.exit_code == 1, learnt.output
    else:
        before = tmp_path / "before.json"
        before.write_text(json.dumps({"cows_ratings": [{"at": f"{DAY}T09:05", "total": 8}]}))
        learnt = resume(run, "10:00", "--answers", str(before))
        assert learnt.exit_code == 1, learnt.output  # withdrawal now: taken, not refused

    later = tmp_path / "later.json"
    later.write_text(json.dumps({"cows_ratings": [{"at": f"{DAY}T10:30", "total": 1}]}))
    resume(run, "10:35", "--answers", str(later))

    dose = tmp_path / "dose.json"
    dose.write_text(
        json.dumps(
            {
                "injection_given": True,
                "injection_side_used": "left",
                "needle_used": "2-inch",
                "observation_minutes": 30,
                "wallet_card_given": True,
            }
        )
    )
    given = resume(run, "10:45", "--answers", str(dose))
    assert given.exit_code != 0, given.output
    doses = [
        s for s in stored_sessions(LABEL)
        if json.loads(s.read_text()).get("injection_given") is True
    ]  # fmt: skip
    assert doses == [], given.output


def test_the_clinician_is_told_which_challenge_stopped_counting_and_why(
    run: Run, tmp_path: Path
) -> None:
    """The correction that puts withdrawal before the naloxone is taken, and the walk
    says which result no longer counts and which rating it was done beside; the note
    keeps the challenge, marked as not counting, with both entries of the rating."""
    answers = json_answers(
        ready_patient(last_opioid_use=days_ago(10), cows_total=None, naloxone_challenge=None)
    )
    answers["cows_ratings"] = [{"at": f"{DAY}T09:00", "total": 2}]
    answers["naloxone_challenges"] = [
        {"at": f"{DAY}T09:40", "started": f"{DAY}T09:10", "kind": "challenge",
         "result": "negative"}
    ]  # fmt: skip
    start = tmp_path / "start.json"
    start.write_text(json.dumps(answers))
    walked = run(
        "walk", "--no-input", "--json", "--label", LABEL, "--now", f"{DAY}T09:45",
        "--acknowledge", "all", "--answers", str(start),
    )  # fmt: skip
    assert walked.exit_code == 4, walked.output
    quiet = resume(run, "09:50", "-a", "cows_total=2")
    assert "no longer counts" not in quiet.output  # a rating after the naloxone: it counts

    learnt = resume(
        run, "10:00", "-a", "cows_total=8", "--correct", f"cows_total@{DAY}T09:00=pulse misread"
    )
    # The latest rating (09:50) shows no withdrawal: the challenge is asked again.
    assert learnt.exit_code == 4, learnt.output
    assert "naloxone_challenge" in json.loads(learnt.stdout)["missing"], learnt.output
    said = " ".join(learnt.stderr.split())
    assert "challenge of 2026" in said and "09:40 (negative) no longer counts" in said, said
    assert "the one of 2026" in said and "09:00" in said and "has total 8" in said, said

    note = run("note", LABEL, "--format", "json")
    assert note.exit_code == 0, note.output
    challenges = json.loads(note.stdout)["naloxone_challenges"]
    assert [c["result"] for c in challenges] == ["negative"]
    assert "09:00" in challenges[0]["not_counted"], challenges
