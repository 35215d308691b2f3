"""A negative naloxone challenge counts only if the COWS rating that stands before its
naloxone shows no withdrawal (reference 5.2; clinical basis, invariant 9), and what stands
is read one way everywhere: the withdrawal gate and the rule that judges the challenge
read the same rating. A rating corrected twice stands as its latest correction (the
gate reads it so); the challenge must be judged by that one too, never by the earlier
correction it replaced. So with a challenge result corrected twice: its latest
correction is what the gate reads."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from tests.helpers import NOW, TODAY, Run, json_answers, ready_patient

DAY = TODAY.isoformat()


def series(*corrections: int) -> dict[str, object]:
    """The 08:00 rating (2) corrected at 08:40, 08:50... to each total in turn; naloxone
    at 09:00, negative; a calm rating at 10:30 (the day's latest, read by the gate)."""
    ratings: list[dict[str, object]] = [{"at": f"{DAY}T08:00", "total": 2}]
    for minute, total in zip((40, 50), corrections, strict=False):
        ratings.append(
            {
                "at": f"{DAY}T08:{minute}",
                "total": total,
                "corrects": f"{DAY}T08:00",
                "reason": "pulse misread",
            }
        )
    ratings.append({"at": f"{DAY}T10:30", "total": 1})
    answers = json_answers(ready_patient(cows_total=None, naloxone_challenge=None))
    answers["cows_ratings"] = ratings
    answers["naloxone_challenges"] = [
        {"at": f"{DAY}T09:45", "started": f"{DAY}T09:00", "kind": "challenge", "result": "negative"}
    ]
    return answers


def checked(run: Run, tmp_path: Path, answers: dict[str, object]) -> tuple[int, str]:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    result = run("check", "--json", "--now", NOW, "--answers", str(path))
    status = json.loads(result.stdout or result.stderr or "{}").get("status", "")
    return result.exit_code, status


def test_one_correction_to_withdrawal_stops_the_challenge(run: Run, tmp_path: Path) -> None:
    """The control: the rating before the naloxone corrected to 9, the challenge does not
    count, and the visit is not ready."""
    code, status = checked(run, tmp_path, series(9))
    assert status != "ready", (code, status)


def test_a_second_correction_to_withdrawal_stops_the_challenge(run: Run, tmp_path: Path) -> None:
    """The same rating corrected to 2, then again to 9: it stands as 9 (the gate reads
    it so without the later calm rating), so the challenge does not count either."""
    code, status = checked(run, tmp_path, series(2, 9))
    assert status != "ready", (code, status)


def fentanyl_challenge(*corrections: Mapping[str, object]) -> dict[str, object]:
    """Fentanyl ten days ago (the challenge is required), a calm rating at 08:00, a
    negative challenge (naloxone 09:00, read 09:45), then each correction of it in turn."""
    answers = json_answers(
        ready_patient(
            last_opioid_kind="fentanyl",
            fentanyl_used_30_days=True,
            cows_total=None,
            naloxone_challenge=None,
        )
    )
    answers["cows_ratings"] = [{"at": f"{DAY}T08:00", "total": 2}]
    first = {"at": f"{DAY}T09:45", "started": f"{DAY}T09:00", "kind": "challenge"}
    answers["naloxone_challenges"] = [
        {**first, "result": "negative"},
        *({"kind": "challenge", "corrects": f"{DAY}T09:45", **c} for c in corrections),
    ]
    return answers


NOT_DONE = {"at": f"{DAY}T10:10", "result": "not_done", "reason": "no naloxone was given"}
AGAIN = {
    "at": f"{DAY}T10:00",
    "started": f"{DAY}T09:00",
    "result": "negative",
    "reason": "read again",
}


def test_a_challenge_corrected_to_not_done_is_required_again(run: Run, tmp_path: Path) -> None:
    """The control: the challenge corrected to not done, the required challenge is
    missing and the visit is not ready."""
    code, status = checked(run, tmp_path, fentanyl_challenge(NOT_DONE))
    assert status != "ready", (code, status)


def test_a_second_correction_to_not_done_is_required_again(run: Run, tmp_path: Path) -> None:
    """The same challenge corrected first (negative, read again), then to not done: the
    latest word is not done, so the required challenge is missing all the same."""
    code, status = checked(run, tmp_path, fentanyl_challenge(AGAIN, NOT_DONE))
    assert status != "ready", (code, status)


def test_a_challenge_without_its_naloxone_time_after_withdrawal_does_not_count(
    run: Run, tmp_path: Path
) -> None:
    """Fentanyl (the challenge is required); the day's only rating before the result, at
    08:00, is 9 (withdrawal); the negative challenge is read at 09:45, its naloxone time
    not given: whenever the naloxone was given, it was before 09:45 and after no calmer
    rating, so the challenge was done beside withdrawal and does not count."""
    answers = fentanyl_challenge()
    answers["cows_ratings"] = [
        {"at": f"{DAY}T08:00", "total": 9},
        {"at": f"{DAY}T10:30", "total": 1},
    ]
    answers["naloxone_challenges"] = [
        {"at": f"{DAY}T09:45", "kind": "challenge", "result": "negative"}
    ]
    code, status = checked(run, tmp_path, answers)
    assert status != "ready", (code, status)


def test_a_rechallenge_without_its_naloxone_time_after_withdrawal_does_not_lift_a_positive(
    run: Run, tmp_path: Path
) -> None:
    """A positive challenge at 08:00 (naloxone 07:30); at 08:30 COWS 9 (withdrawal, the
    positive's own); a negative rechallenge read at 09:45, its naloxone time not given;
    a calm rating at 10:30. Given with its time (09:00) the rechallenge is refused; its
    naloxone was given before 09:45 all the same, after no calmer rating, so without the
    time it does not lift the positive either."""
    answers = json_answers(ready_patient(cows_total=None, naloxone_challenge=None))
    answers["cows_ratings"] = [
        {"at": f"{DAY}T07:00", "total": 2},
        {"at": f"{DAY}T08:30", "total": 9},
        {"at": f"{DAY}T10:30", "total": 1},
    ]
    answers["naloxone_challenges"] = [
        {
            "at": f"{DAY}T08:00",
            "started": f"{DAY}T07:30",
            "kind": "challenge",
            "result": "positive",
        },
        {"at": f"{DAY}T09:45", "kind": "rechallenge", "result": "negative"},
    ]
    code, status = checked(run, tmp_path, answers)
    assert status != "ready", (code, status)


def test_a_walk_gives_no_dose_after_the_rating_before_the_naloxone_is_corrected_twice(
    run: Run, tmp_path: Path
) -> None:
    """A walk: fentanyl (the challenge is required), COWS 3 at 08:00, naloxone 08:30,
    negative at 09:15. Resumed at 09:25 the 08:00 rating is corrected to 4 (misadded),
    at 09:35 again to 9 (pulse misread): the challenge was done beside withdrawal. At
    10:30 a calm rating and the injection: never recorded as given."""
    answers = fentanyl_challenge()
    answers["cows_ratings"] = [{"at": f"{DAY}T08:00", "total": 3, "context": "before_challenge"}]
    answers["naloxone_challenges"] = [
        {"at": f"{DAY}T09:15", "started": f"{DAY}T08:30", "kind": "challenge", "result": "negative"}
    ]
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    first = run(
        "walk", "--no-input", "--label", "TWICE", "--now", f"{DAY}T09:20", "--acknowledge",
        "all", "--answers", str(path),
    )  # fmt: skip
    assert first.exit_code == 4, first.output  # waits for the injection
    session = json.loads(run("sessions", "--json").stdout)[0]["id"]

    def resume(at: str, *flags: str) -> None:
        done = run(
            "walk", "--no-input", "--resume", "--session", session, "--now", f"{DAY}T{at}",
            "--acknowledge", "all", *flags,
        )  # fmt: skip
        assert done.exit_code in (0, 1, 4), done.output

    resume("09:25", "-a", "cows_total=4", "--correct", f"cows_total@{DAY}T08:00=misadded")
    resume("09:35", "-a", "cows_total=9", "--correct", f"cows_total@{DAY}T08:00=pulse misread")
    resume(
        "10:30", "-a", "cows_total=1", "-a", "injection_given=yes",
        "-a", "injection_side_used=left", "-a", "needle_used=2-inch",
        "-a", "observation_minutes=30", "-a", "wallet_card_given=yes",
    )  # fmt: skip
    history = json.loads(run("history", "TWICE", "--today", DAY, "--json").stdout)
    assert history["injections"] == [], history["injections"]
