"""A COWS rating recorded in the supervised rapid pathway's day record is a rating of the
visit day like any other (reference 5.1, 5.2; docs/scripting.md: the challenge rule holds
"by whatever route they were recorded"). The ratings of the visit day, given in the
series ``cows_ratings`` or in the day record ``rapid_days``, are one series: the
withdrawal gate reads its latest, a negative naloxone challenge done beside withdrawal
in it (before the naloxone, or during the observation) is refused, and the walk's note
charts it. The pathway's record kept as history after leaving it counts alike."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REPO, Run, json_file

SITE = str(REPO / "scenarios" / "_site-rapid-protocol.toml")
SCENARIO = REPO / "scenarios" / "20-rapid-pathway-injection-day.toml"
NOW = "2026-11-28T11:00"
"""Late on the scenario's day 7, the injection day."""
AFTER_GIVEN = (
    "injection_given", "injection_side_used", "needle_used", "observation_minutes",
    "wallet_card_given",
)  # fmt: skip


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.time):
        return value.isoformat(timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def injection_day(
    day_ratings: list[dict[str, Any]], started: str, result: str, cows_total: int | None = 1
) -> dict[str, Any]:
    """The shipped scenario's day 7 after fentanyl (the challenge is required), its COWS
    ratings in the day record, a negative challenge (naloxone at ``started``, read at
    ``result``), and the scenario's single answer ``cows_total`` (None: left out)."""
    answers: dict[str, Any] = _plain(tomllib.loads(SCENARIO.read_text(encoding="utf-8"))["answers"])
    answers["last_opioid_kind"] = "fentanyl"
    for key in ("fentanyl_used_30_days", "naloxone_challenge", "cows_total"):
        answers.pop(key, None)
    if cows_total is not None:
        answers["cows_total"] = cows_total
    answers["rapid_days"][-1]["cows"] = day_ratings
    answers["naloxone_challenges"] = [
        {"at": f"2026-11-28T{result}", "started": f"2026-11-28T{started}", "result": "negative"}
    ]
    return answers


def check(run: Run, tmp_path: Path, answers: dict[str, Any], *site: str) -> Any:
    return run(
        "check", "--json", *site, "--now", NOW, "--answers", json_file(tmp_path, "a.json", answers)
    )


def test_a_rating_of_withdrawal_during_the_observation_in_the_day_record_refuses_a_negative(
    run: Run, tmp_path: Path
) -> None:
    """COWS 9 at 09:20 in day 7's record, between the naloxone (09:10) and the negative
    result (09:35): any sign of withdrawal after the naloxone is a positive result. The
    check refuses the negative naming the rating, exactly as it does for the same rating
    given in ``cows_ratings``; it never says ready."""
    ratings = [
        {"time": "08:30", "total": 1},
        {"time": "09:20", "total": 9},
        {"time": "10:00", "total": 2},
    ]
    result = check(run, tmp_path, injection_day(ratings, "09:10", "09:35"), "--site", SITE)
    assert result.exit_code == 2, result.output
    assert "withdrawal during the observation" in result.output
    assert "09:20" in result.output


def test_a_rating_of_withdrawal_before_the_naloxone_in_the_day_record_refuses_a_negative(
    run: Run, tmp_path: Path
) -> None:
    """COWS 9 at 09:00 in day 7's record, ten minutes before the naloxone: the challenge
    was done during withdrawal, so its negative does not count (refused, exit 2)."""
    ratings = [{"time": "09:00", "total": 9}, {"time": "10:00", "total": 2}]
    result = check(run, tmp_path, injection_day(ratings, "09:10", "09:35"), "--site", SITE)
    assert result.exit_code == 2, result.output
    assert "09:00" in result.output
    assert "withdrawal" in result.output


def test_the_day_record_alone_below_the_threshold_is_still_ready(run: Run, tmp_path: Path) -> None:
    """The same day without withdrawal: the challenge counts and the check reads the
    latest rating of the day record (10:00) as the rating the gates read."""
    ratings = [{"time": "08:30", "total": 1}, {"time": "10:00", "total": 2}]
    answers = injection_day(ratings, "09:10", "09:35", cows_total=None)
    result = check(run, tmp_path, answers, "--site", SITE)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["status"] == "ready", result.output
    assert out["used"]["cows_rating"]["total"] == 2, result.output


def test_the_walk_refuses_the_negative_and_gives_no_dose(run: Run, tmp_path: Path) -> None:
    """`walk --no-input` with the day record's COWS 9 during the observation: the file is
    refused (exit 2) before anything is counted; no dose is recorded."""
    ratings = [
        {"time": "08:30", "total": 1},
        {"time": "09:20", "total": 9},
        {"time": "10:00", "total": 2},
    ]
    answers = injection_day(ratings, "09:10", "09:35") | {"injection_date": "2026-11-28"}
    path = json_file(tmp_path, "w.json", answers)
    result = run("walk", "--no-input", "--acknowledge", "fentanyl", "--site", SITE,
                 "--now", NOW, "--label", "RAPID-W", "--answers", path)  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "withdrawal during the observation" in result.output


def test_the_walks_note_charts_the_day_records_ratings(run: Run, tmp_path: Path) -> None:
    """A walk on day 7 keeps the day record's ratings in the visit's COWS series: the
    note's chart shows each with its time, and the gate reads the latest of them."""
    ratings = [{"time": "08:30", "total": 1}, {"time": "10:00", "total": 3}]
    answers = injection_day(ratings, "09:10", "09:35", cows_total=None)
    answers["injection_date"] = "2026-11-28"
    path = json_file(tmp_path, "w.json", answers)
    walked = run("walk", "--no-input", "--acknowledge", "all", "--site", SITE, "--json",
                 "--now", NOW, "--label", "RAPID-N", "--answers", path)  # fmt: skip
    assert walked.exit_code == 0, walked.output
    session = json.loads(walked.stdout)["session"]
    note = run("note", session, "--format", "json")
    assert note.exit_code == 0, note.output
    charted = json.loads(note.stdout)["cows_ratings"]
    series = [r for r in charted if r["at"].startswith("2026-11-28")]
    assert [(r["at"][11:16], r["total"], r["used"]) for r in series] == [
        ("08:30", 1, False),
        ("10:00", 3, True),
    ], note.output
    # The record's earlier days are charted on their dates, never read for this one.
    assert all(not r["used"] for r in charted if r not in series), note.output
    chart = run("note", session)
    assert chart.exit_code == 0, chart.output
    used = next(line for line in chart.stdout.splitlines() if " 10:00 " in line)
    assert used.startswith(">"), chart.stdout


def test_the_record_kept_after_leaving_the_pathway_counts_for_the_withdrawal_gate(
    run: Run, tmp_path: Path
) -> None:
    """The pathway left (``pathway=standard``), its days kept as history: a COWS 9 at
    10:30 in the record of the injection day is the latest rating of the day, after the
    series' 1 at 10:00. The withdrawal gate reads the 9: the check is not ready."""
    answers = injection_day([{"time": "10:30", "total": 9}], "09:10", "09:35", cows_total=None)
    answers["pathway"] = "standard"
    answers["last_opioid_kind"] = "short_acting"
    answers["fentanyl_used_30_days"] = False
    answers["uds_buprenorphine"] = "negative"
    for key in ("rapid_supervised_setting", "rapid_protocol_on_file", "naloxone_challenges"):
        answers.pop(key, None)
    answers["naloxone_challenge"] = "not_done"
    answers["cows_ratings"] = [{"at": "2026-11-28T10:00", "total": 1}]
    result = check(run, tmp_path, answers)
    out = json.loads(result.stdout)
    assert out["status"] != "ready", result.output
    assert out["used"]["cows_rating"]["total"] == 9, result.output


@pytest.mark.usefixtures("at_a_terminal")
def test_a_day_typed_at_the_prompt_counts_its_ratings_against_the_challenge(
    run: Run, tmp_path: Path
) -> None:
    """Days 1-6 and the negative challenge (naloxone 09:10, read 09:35) from the file;
    day 7 typed in the day dialog with COWS 1 at 08:30, 9 at 09:20 and 2 at 10:00. The
    9 during the observation makes the challenge read positive: its gate fails, and the
    note's COWS chart shows the 9."""
    answers = injection_day([], "09:10", "09:35", cows_total=None)
    answers["rapid_days"] = answers["rapid_days"][:-1]
    answers["injection_date"] = "2026-11-28"
    for key in AFTER_GIVEN:
        answers.pop(key, None)
    typed = [
        "day", "", "", "", "no", "yes",  # day 7, its date, what was given, no NTX, tolerated
        "1", "08:30", "9", "09:20", "2", "10:00", "",  # its COWS ratings, then no other
        "", "quit", "quit",  # no note; leave
    ]  # fmt: skip
    walked = run(
        "walk", "--site", SITE, "--now", NOW, "--label", "RAPID-T", "--plain",
        "--acknowledge", "all", "--answers", json_file(tmp_path, "a.json", answers),
        input="\n".join(typed) + "\n",
    )  # fmt: skip
    assert "Day 7 recorded" in walked.output, walked.output
    assert "gate naloxone_challenge: passes -> fails" in walked.output, walked.output
    note = run("note", "RAPID-T", "--format", "json")
    assert note.exit_code == 0, note.output
    series = json.loads(note.stdout)["cows_ratings"]
    assert ("09:20", 9) in [(r["at"][11:16], r["total"]) for r in series], note.output


def single_challenge(answers: dict[str, Any]) -> dict[str, Any]:
    """``answers`` with the challenge given singly: negative, naloxone at 09:10."""
    out = {k: v for k, v in answers.items() if k != "naloxone_challenges"}
    return out | {
        "naloxone_challenge": "negative",
        "naloxone_challenge_started": "2026-11-28T09:10",
    }


def test_a_single_challenge_with_its_naloxone_time_is_judged_against_the_day_record(
    run: Run, tmp_path: Path
) -> None:
    """The challenge given as a single answer with the time its naloxone was given, beside
    day 7's record with COWS 9 at 09:20: the check refuses it as the walk does (exit 2);
    a batch line alike is an error line."""
    ratings = [
        {"time": "08:30", "total": 1},
        {"time": "09:20", "total": 9},
        {"time": "10:00", "total": 2},
    ]
    answers = single_challenge(injection_day(ratings, "09:10", "09:35", cows_total=None))
    result = check(run, tmp_path, answers, "--site", SITE)
    assert result.exit_code == 2, result.output
    assert "withdrawal during the observation" in result.output
    line = json.dumps({"id": 1, **answers})
    batch = run("check", "--batch", "-", "--site", SITE, "--now", NOW, input=line + "\n")
    out = json.loads(batch.stdout.splitlines()[0])
    assert out["status"] == "error", batch.output
    assert "withdrawal during the observation" in out["message"], batch.output


def test_a_single_challenge_with_its_naloxone_time_is_judged_against_the_series(
    run: Run, tmp_path: Path
) -> None:
    """The same off the pathway, the ratings in ``cows_ratings``: a check refuses the
    negative whose observation saw a COWS 9, as a walk does."""
    answers = single_challenge(injection_day([], "09:10", "09:35", cows_total=None))
    answers.pop("rapid_days")
    for key in ("rapid_supervised_setting", "rapid_protocol_on_file"):
        answers.pop(key)
    answers |= {"pathway": "standard", "last_opioid_use": "2026-11-10"}
    answers |= {"uds_buprenorphine": "negative", "injection_date": "2026-11-28"}
    answers["cows_ratings"] = [
        {"at": "2026-11-28T08:30", "total": 1},
        {"at": "2026-11-28T09:20", "total": 9},
        {"at": "2026-11-28T10:00", "total": 2},
    ]
    result = check(run, tmp_path, answers)
    assert result.exit_code == 2, result.output
    assert "withdrawal during the observation" in result.output


def test_a_batch_lines_single_challenge_is_judged_against_the_shared_files_record(
    run: Run, tmp_path: Path
) -> None:
    """The day record in the shared ``--answers FILE``, the line giving the challenge
    singly with its naloxone time: the line is an error line naming the rating, as a
    single check given the same by flags refuses it."""
    ratings = [
        {"time": "08:30", "total": 1},
        {"time": "09:20", "total": 9},
        {"time": "10:00", "total": 2},
    ]
    answers = single_challenge(injection_day(ratings, "09:10", "09:35", cows_total=None))
    shared = json_file(tmp_path, "shared.json", {"rapid_days": answers.pop("rapid_days")})
    batch = run("check", "--batch", "-", "--answers", shared, "--site", SITE, "--now", NOW,
                input=json.dumps({"id": 1, **answers}) + "\n")  # fmt: skip
    out = json.loads(batch.stdout.splitlines()[0])
    assert out["status"] == "error", batch.output
    assert "withdrawal during the observation" in out["message"], batch.output


def test_a_day_recorded_while_the_visit_had_another_date_counts_once_it_moves_there(
    run: Run, tmp_path: Path
) -> None:
    """Days 1-7 recorded in a visit first dated day 6 (entered late); resumed, the visit
    moves to day 7 and a negative challenge (naloxone 09:10) is given by flag: day 7's
    COWS 9 at 09:20 in the record is a rating of the visit day now, and the challenge
    reads positive: its gate blocks."""
    ratings = [
        {"time": "08:30", "total": 1},
        {"time": "09:20", "total": 9},
        {"time": "10:00", "total": 2},
    ]
    answers = injection_day(ratings, "09:10", "09:35", cows_total=None)
    answers.pop("naloxone_challenges")
    for key in AFTER_GIVEN:
        answers.pop(key, None)
    answers["injection_date"] = "2026-11-27"
    path = json_file(tmp_path, "late.json", answers)
    first = run("walk", "--no-input", "--acknowledge", "all", "--site", SITE, "--now", NOW,
                "--label", "RAPID-L", "--answers", path)  # fmt: skip
    assert first.exit_code in (1, 4), first.output
    moved = run("walk", "--resume", "--label", "RAPID-L", "--no-input", "--acknowledge", "all",
                "--site", SITE, "--now", "2026-11-28T11:05", "--json",
                "-a", "injection_date=2026-11-28", "-a", "naloxone_challenge=negative",
                "-a", "naloxone_challenge_started=09:10")  # fmt: skip
    out = json.loads(moved.stdout)
    assert out["status"] != "ready", moved.output
    assert "naloxone_challenge" in out["blocking"], moved.output
