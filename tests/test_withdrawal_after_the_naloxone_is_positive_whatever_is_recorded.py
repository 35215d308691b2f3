"""Any sign of withdrawal after the naloxone is a positive result (clinical basis: the
naloxone challenge; safety invariant 9): once the naloxone is given, neither a result
recorded as "not done" nor an observation started over passes the withdrawal rated in
between.

The naloxone at 09:05, COWS 9 at 09:10 (withdrawal), COWS 2 at 09:40. Until now a
challenge recorded "not done" with its naloxone time, or a rechallenge so recorded
before a later negative one, read as no challenge at all (READY); and at the prompt,
'start again' dropped the naloxone given at 09:05, so a negative after the new
observation counted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import Run, json_file, opened, ready_patient
from tests.helpers import at_today as at
from tests.helpers import cows_threshold as threshold
from xrntx_guide.pack.guide import Guide


def answers(ratings: list[dict[str, Any]], challenges: list[dict[str, Any]]) -> dict[str, Any]:
    """A patient for whom the challenge is optional, with these series."""
    given = {
        k: (v.isoformat() if hasattr(v, "isoformat") else v)
        for k, v in ready_patient(cows_total=None, naloxone_challenge=None).items()
    }
    return {**given, "cows_ratings": ratings, "naloxone_challenges": challenges}


def series(guide: Guide, high: int | None) -> list[dict[str, Any]]:
    """1 at 09:00, ``high`` at 09:10 (none: left out), 2 at 09:40."""
    out = [{"at": at("09:00"), "total": 1}, {"at": at("09:40"), "total": 2}]
    if high is not None:
        out.insert(1, {"at": at("09:10"), "total": high})
    return out


NOT_DONE = {"at": at("09:30"), "started": at("09:05"), "kind": "challenge", "result": "not_done"}


def at_the_challenge(run: Run, label: str, hh_mm: str) -> str:
    """A visit waiting at the naloxone challenge (an unknown last opioid: it is
    required), walked at ``hh_mm``: its session."""
    patient = ready_patient(cows_total=1, naloxone_challenge=None, last_opioid_kind="unknown")
    return opened(run, label, hh_mm, patient)


def typed(run: Run, session: str, hh_mm: str, text: str) -> Any:
    """``session`` resumed at a terminal at ``hh_mm``, ``text`` typed at its prompts."""
    return run(
        "walk", "--plain", "--resume", "--session", session, "--now", at(hh_mm),
        "--acknowledge", "all", input=text,
    )  # fmt: skip


def check(run: Run, tmp_path: Path, given: dict[str, Any]) -> Any:
    return run(
        "check", "--json", "--now", at("10:00"), "--answers",
        json_file(tmp_path, "answers.json", given),
    )  # fmt: skip


def test_a_challenge_recorded_not_done_after_its_naloxone_is_read_with_the_withdrawal(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    out = check(run, tmp_path, answers(series(guide, threshold(guide) + 4), [NOT_DONE]))
    assert out.exit_code == 2, out.output
    assert "positive" in json.loads(out.stderr)["message"], out.output


def test_the_control_not_done_without_withdrawal_after_the_naloxone(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    out = check(run, tmp_path, answers(series(guide, None), [NOT_DONE]))
    assert out.exit_code == 0 and json.loads(out.stdout)["status"] == "ready", out.output


def test_a_rechallenge_recorded_not_done_after_its_naloxone_never_escapes_it(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    ratings = [
        {"at": at("09:00"), "total": 1},
        {"at": at("09:15"), "total": 2},
        {"at": at("09:25"), "total": threshold(guide) + 4},
        {"at": at("09:45"), "total": 2},
    ]
    challenges = [
        {"at": at("09:10"), "started": at("09:02"), "kind": "challenge", "result": "positive"},
        {"at": at("09:40"), "started": at("09:20"), "kind": "rechallenge", "result": "not_done"},
        {"at": at("10:15"), "started": at("09:50"), "kind": "rechallenge", "result": "negative"},
    ]
    out = run(
        "check", "--json", "--now", at("10:20"), "--answers",
        json_file(tmp_path, "answers.json", answers(ratings, challenges)),
    )  # fmt: skip
    assert out.exit_code == 2, out.output
    assert "positive" in json.loads(out.stderr)["message"], out.output


def test_the_observation_is_never_started_over_after_withdrawal_at_the_prompt(
    run: Run, guide: Guide, at_a_terminal: None
) -> None:
    session = at_the_challenge(run, "RESTARTED", "09:00")
    high = threshold(guide) + 4
    walked = typed(
        run, session, "09:05", f"start\nrate again\n{high}\nrate again\n2\nstart again\nquit\n"
    )
    said = " ".join(walked.output.split())
    assert "timer started" in said.lower(), said
    assert "not started over" in said, said
    assert "timer started again" not in said.lower(), said


def test_a_positive_typed_says_until_when_a_rechallenge_may_be_done(
    run: Run, at_a_terminal: None
) -> None:
    session = at_the_challenge(run, "POSITIVE", "09:00")
    walked = typed(run, session, "09:05", "start\npositive\n\nquit\n")
    said = " ".join(walked.output.split())
    assert "may be done until" in said and "edit naloxone_rechallenge" in said, said


def test_a_file_never_moves_the_naloxone_past_withdrawal_after_the_walks_timer(
    run: Run, guide: Guide, tmp_path: Path, at_a_terminal: None
) -> None:
    """The naloxone given at 08:35 (the walk's timer: 'start 08:35', long enough ago in
    real time too), withdrawal rated at 09:05: a file's challenge with its naloxone at
    09:10 and a negative at 09:31 never stands in its place."""
    session = at_the_challenge(run, "MOVED-PAST", "08:55")
    started = typed(run, session, "09:00", "start 08:35\nquit\n")
    assert "timer started" in started.output.lower(), started.output
    high = threshold(guide) + 3
    rated = run(
        "walk", "--no-input", "--resume", "--session", session, "--now", at("09:05"),
        "--acknowledge", "all", "-a", f"cows_total={high}",
    )  # fmt: skip
    assert rated.exit_code in (1, 4), rated.output
    later = {
        "cows_ratings": [{"at": at("09:09"), "total": 2}, {"at": at("09:32"), "total": 1}],
        "naloxone_challenges": [
            {"at": at("09:31"), "started": at("09:10"), "kind": "challenge", "result": "negative"}
        ],
    }
    out = run(
        "walk", "--no-input", "--resume", "--session", session, "--now", at("09:33"),
        "--acknowledge", "all", "--answers", json_file(tmp_path, "later.json", later),
    )  # fmt: skip
    assert out.exit_code == 2, out.output
    assert "the walk's timer" in " ".join(out.output.split()), out.output


def test_a_naloxone_time_moved_by_flag_past_withdrawal_reads_positive(
    run: Run, guide: Guide
) -> None:
    """The timer's naloxone at 08:35, withdrawal rated at 09:05, then the naloxone time
    moved by flag to 09:10 and a negative at 09:31: every naloxone time the timer held is
    kept (SessionRecord.naloxone_given), and withdrawal after the first is a positive."""
    session = at_the_challenge(run, "FLAG-MOVED", "08:55")

    def resumed(hh_mm: str, *args: str) -> Any:
        return run(
            "walk", "--no-input", "--resume", "--session", session, "--now", at(hh_mm),
            "--acknowledge", "all", *args,
        )  # fmt: skip

    resumed("09:00", "-a", "naloxone_challenge_started=08:35")
    resumed("09:05", "-a", f"cows_total={threshold(guide) + 3}")
    resumed("09:09", "-a", "cows_total=2")
    resumed("09:10", "-a", "naloxone_challenge_started=09:10")
    given = [
        "-a", "naloxone_challenge=negative", "-a", "injection_given=yes",
        "-a", "injection_side_used=left", "-a", "needle_used=2-inch",
        "-a", "observation_minutes=30", "-a", "wallet_card_given=yes",
    ]  # fmt: skip
    out = resumed("09:31", "--json", *given)
    assert out.exit_code != 0, out.output
    history = json.loads(run("history", "FLAG-MOVED", "--json").stdout)
    assert history["injections"] == [], history
