"""Safety invariant 9: the gate reads the whole record's series for the visit day.

The COWS rating, the naloxone challenge and the rechallenge the gates read come from every
result recorded (the session's and any file's), read for the visit day in force: the
latest standing rating of that day, a standing positive challenge whatever its day, a
rechallenge only on the visit day, with its hours from the two times recorded. Never from
whatever was given last, a file's own series, or an answer stored without an entry (a
hand-edited session). A correction names one entry by one rule on every route.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

from tests.helpers import (
    TODAY,
    Run,
    answer_flags,
    json_answers,
    ready_patient,
    stored_sessions,
    the_store,
)
from xrntx_guide.errors import ExitCode
from xrntx_guide.pack.guide import Guide

DAY = TODAY.isoformat()
YESTERDAY = (TODAY - dt.timedelta(days=1)).isoformat()
TOMORROW = (TODAY + dt.timedelta(days=1)).isoformat()


def _walk(run: Run, path: Path, now: str, *args: str) -> Any:
    return run(
        "walk", "--no-input", "--now", now, "--label", "S", "--acknowledge", "all", *args,
    )  # fmt: skip


def _resume(run: Run, path: Path, now: str, *args: str) -> Any:
    return run(
        "walk", "--resume", "--session", str(stored_sessions()[-1]), "--no-input", "--now", now,
        "--acknowledge", "all", *args,
    )  # fmt: skip


def _file(tmp_path: Path, name: str, data: dict[str, Any]) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def _totals(path: Path) -> list[int]:
    return [
        r["total"]
        for r in json.loads(stored_sessions()[-1].read_text(encoding="utf-8"))["cows_ratings"]
    ]


def _stops_before_the_injection(r: Any) -> None:
    """The walk stops at a gate before the injection (never complete, never asking
    whether it was given)."""
    assert r.exit_code != 0, r.output
    data = json.loads(r.stdout)
    assert data["status"] != "complete" and "injection_given" not in data["missing"], data


def test_a_file_on_resume_never_takes_the_days_latest_rating_out_of_the_gate(
    run: Run, tmp_path: Path
) -> None:
    path = tmp_path / "S.json"
    first = _walk(
        run, path, f"{DAY}T09:30",
        # Not done: a negative challenge beside COWS 12 is refused (reference 5.2).
        *answer_flags(ready_patient(cows_total=12, naloxone_challenge="not_done")),
    )  # fmt: skip
    assert first.exit_code == 1, first.output  # COWS 12: withdrawal, blocked
    earlier = _file(tmp_path, "c.json", {"cows_ratings": [{"at": f"{DAY}T09:00", "total": 1}]})

    again = _resume(run, path, f"{DAY}T09:40", "--answers", earlier)

    assert again.exit_code == 1, again.output  # 12 at 09:30 is still the latest of the day
    assert sorted(_totals(path)) == [1, 12]  # the file's rating, and no rating nobody took


def test_a_visit_dated_yesterday_reads_the_files_series_for_yesterday_on_resume(
    run: Run, tmp_path: Path
) -> None:
    path = tmp_path / "S.json"
    answers = ready_patient(cows_total=None, naloxone_challenge=None, injection_date=YESTERDAY)
    first = _walk(run, path, f"{DAY}T09:00", *answer_flags(answers))
    assert first.exit_code == 4, first.output  # the COWS and the challenge are missing
    ratings = _file(
        tmp_path,
        "r.json",
        {"cows_ratings": [{"at": f"{YESTERDAY}T09:00", "total": 12},
                          {"at": f"{DAY}T08:00", "total": 1}]},
    )  # fmt: skip
    challenge = _file(
        tmp_path,
        "n.json",
        {"naloxone_challenges": [{"at": f"{DAY}T08:40", "started": f"{DAY}T08:05",
                                  "kind": "challenge", "result": "negative"}]},
    )  # fmt: skip

    _resume(run, path, f"{DAY}T09:10", "--answers", ratings)
    last = _resume(run, path, f"{DAY}T09:20", "--answers", challenge, "--json")

    _stops_before_the_injection(last)


def _positive_on(run: Run, path: Path, day: str) -> None:
    r = _walk(
        run, path, f"{day}T09:00",
        *answer_flags(ready_patient(naloxone_challenge="positive", injection_date=day)),
    )  # fmt: skip
    assert r.exit_code == 1, r.output


def test_a_rechallenge_on_the_day_after_the_visit_never_lifts_its_positive(
    run: Run, tmp_path: Path
) -> None:
    path = tmp_path / "S.json"
    _positive_on(run, path, DAY)
    # The rating below the threshold a rechallenge needs before its naloxone (5.2).
    rated = _file(tmp_path, "r.json", {"cows_ratings": [{"at": f"{TOMORROW}T06:30", "total": 1}]})

    r = _resume(
        run, path, f"{TOMORROW}T07:00", "--json", "--answers", rated,
        "-a", f"injection_date={DAY}", "-a", "naloxone_rechallenge=negative",
        "-a", "naloxone_rechallenge_started=25 minutes ago",
    )  # fmt: skip

    # Taken on the day after, it is refused for the visit's day (a result counts only for
    # the day it was taken): the positive stands.
    assert r.exit_code == ExitCode.USAGE, r.output
    error = json.loads(r.stderr.strip().splitlines()[-1])
    assert error["key"] == "naloxone_rechallenge", error
    assert f"not the visit of {DAY}" in error["message"], error


def _edit(change: Any) -> None:
    """Change the stored session's record by hand (as an editor or a SQL UPDATE would)."""
    session = stored_sessions()[-1]
    data = json.loads(session.read_text(encoding="utf-8"))
    change(data)
    session.write_text(json.dumps(data), encoding="utf-8")


def test_a_rechallenge_answer_without_an_entry_in_a_hand_edited_session_never_lifts_a_positive(
    run: Run, tmp_path: Path
) -> None:
    path = tmp_path / "S.json"
    _positive_on(run, path, DAY)
    at = f"{DAY}T10:00:00+00:00"

    def hand_edit(data: dict[str, Any]) -> None:
        data["answers"]["naloxone_rechallenge"] = {"value": "negative", "origin": "typed", "at": at}
        data["answers"]["naloxone_rechallenge_hours"] = {"value": 0.5, "origin": "typed", "at": at}

    _edit(hand_edit)

    r = _resume(run, path, f"{DAY}T11:00", "--json")

    _stops_before_the_injection(r)


def test_a_hand_edited_correction_of_a_positive_challenge_never_lifts_it(
    run: Run, tmp_path: Path
) -> None:
    path = tmp_path / "S.json"
    _positive_on(run, path, DAY)

    def hand_edit(data: dict[str, Any]) -> None:
        positive = data["naloxone_challenges"][0]
        data["naloxone_challenges"].append(
            {**positive, "at": f"{DAY}T10:00:00+00:00", "result": "negative",
             "corrects": positive["at"], "reason": "typed by mistake"}
        )  # fmt: skip
        data["answers"]["naloxone_challenge"]["value"] = "negative"

    _edit(hand_edit)

    r = _resume(run, path, f"{DAY}T11:00", "--json")

    # The correction has no event in the session's audit trail: the file is refused on
    # load (visit/integrity.py), naming the entry, before any gate is read.
    assert r.exit_code == 2, r.output
    assert "audit trail" in r.stderr and f"{DAY}T10:00:00+00:00" in r.stderr, r.stderr
    assert not r.stdout.strip(), r.stdout


def _check(run: Run, tmp_path: Path, data: dict[str, Any], *args: str) -> Any:
    answers = _file(tmp_path, "a.json", data)
    return run("check", "--json", "--now", f"{DAY}T11:00", "--answers", answers, *args)


def test_a_cows_correction_named_to_the_minute_stands_in_for_the_rating_it_names(
    run: Run, tmp_path: Path
) -> None:
    data = json_answers(ready_patient(cows_total=None)) | {
        "cows_ratings": [
            {"at": f"{DAY}T08:00:10", "total": 1},
            {"at": f"{DAY}T08:20", "total": 12},
            {"at": f"{DAY}T08:30", "total": 2, "corrects": f"{DAY}T08:00",
             "reason": "pulse misread"},
        ]
    }  # fmt: skip

    r = _check(run, tmp_path, data)

    assert r.exit_code == 1, r.output  # the 08:20 rating of 12 is the latest
    assert json.loads(r.stdout)["used"]["cows_rating"]["total"] == 12


def test_a_correction_naming_a_minute_with_two_ratings_is_refused_naming_both(
    run: Run, tmp_path: Path
) -> None:
    data = json_answers(ready_patient(cows_total=None)) | {
        "cows_ratings": [
            {"at": f"{DAY}T08:00:10", "total": 1},
            {"at": f"{DAY}T08:00:40", "total": 3},
            {"at": f"{DAY}T08:30", "total": 2, "corrects": f"{DAY}T08:00",
             "reason": "pulse misread"},
        ]
    }  # fmt: skip

    r = _check(run, tmp_path, data)

    assert r.exit_code == 2, r.output
    assert "08:00:10" in r.output and "08:00:40" in r.output


def test_a_single_rechallenge_answer_beside_a_files_challenge_series_is_refused(
    run: Run, tmp_path: Path
) -> None:
    data = json_answers(ready_patient(naloxone_challenge=None, cows_total=1)) | {
        "naloxone_challenges": [
            {"at": f"{YESTERDAY}T08:00", "kind": "challenge", "result": "positive"}
        ]
    }
    for flags in (
        ["-a", "naloxone_rechallenge=negative", "-a", "naloxone_rechallenge_hours=0.5"],
        ["-a", "naloxone_rechallenge_hours=0.5"],
    ):
        r = _check(run, tmp_path, data, *flags)

        assert r.exit_code == 2, r.output
        assert "naloxone_challenges" in r.output


def test_a_batch_line_with_a_rechallenge_beside_the_shared_challenge_series_is_refused(
    run: Run, tmp_path: Path
) -> None:
    shared = _file(
        tmp_path,
        "shared.json",
        {"naloxone_challenges": [{"at": f"{YESTERDAY}T08:00", "kind": "challenge",
                                  "result": "positive"}]},
    )  # fmt: skip
    line = json_answers(ready_patient(naloxone_challenge=None, cows_total=1)) | {
        "naloxone_rechallenge": "negative",
        "naloxone_rechallenge_hours": 0.5,
    }
    lines = tmp_path / "lines.jsonl"
    lines.write_text(json.dumps(line) + "\n", encoding="utf-8")

    r = run("check", "--now", f"{DAY}T11:00", "--batch", str(lines), "--answers", shared)

    out = json.loads(r.stdout.splitlines()[0])
    assert out["status"] == "error", out


def test_a_batch_line_with_its_own_injection_date_reads_the_shared_series_for_that_day(
    run: Run, tmp_path: Path
) -> None:
    shared = _file(
        tmp_path,
        "shared.json",
        {"cows_ratings": [{"at": f"{YESTERDAY}T09:00", "total": 12},
                          {"at": f"{DAY}T08:00", "total": 1}]},
    )  # fmt: skip
    answers = ready_patient(cows_total=None, injection_date=YESTERDAY)
    single = run(
        "check", "--json", "--now", f"{DAY}T11:00", "--answers", shared, *answer_flags(answers)
    )
    assert single.exit_code == 1, single.output  # yesterday's latest rating is 12
    lines = tmp_path / "lines.jsonl"
    lines.write_text(json.dumps(json_answers(answers)) + "\n", encoding="utf-8")

    r = run("check", "--now", f"{DAY}T11:00", "--batch", str(lines), "--answers", shared)

    out = json.loads(r.stdout.splitlines()[0])
    assert out["status"] == json.loads(single.stdout)["status"], out


def test_used_names_a_flags_challenge_result_in_its_documented_shape(
    run: Run, tmp_path: Path
) -> None:
    data = json_answers(ready_patient(cows_total=None, naloxone_challenge=None)) | {
        "cows_ratings": [{"at": f"{DAY}T08:00", "total": 1}]
    }

    r = _check(run, tmp_path, data, "-a", "naloxone_challenge=not_done")

    assert r.exit_code == 0, r.output
    used = json.loads(r.stdout)["used"]["naloxone_challenge"]
    assert used["kind"] == "challenge" and used["result"] == "not_done", used


def test_a_files_correction_of_a_sessions_rating_on_resume_names_the_sessions_entry(
    run: Run, tmp_path: Path
) -> None:
    path = tmp_path / "S.json"
    first = _walk(run, path, f"{DAY}T09:30", *answer_flags(ready_patient(cows_total=12)))
    assert first.exit_code == 1, first.output
    stamped = json.loads(stored_sessions()[-1].read_text(encoding="utf-8"))["cows_ratings"][0]["at"]
    fix = _file(
        tmp_path,
        "fix.json",
        {"cows_ratings": [{"at": f"{DAY}T09:45", "total": 2, "corrects": stamped,
                           "reason": "pulse misread"}]},
    )  # fmt: skip

    r = _resume(run, path, f"{DAY}T09:50", "--answers", fix)

    assert "no COWS rating is recorded then" not in r.output, r.output
    assert sorted(_totals(path)) == [2, 12]


def test_a_rating_typed_at_the_prompt_stays_the_latest_when_the_same_file_is_given_again(
    run: Run, tmp_path: Path, guide: Guide
) -> None:
    from xrntx_guide.cli.ui import UI
    from xrntx_guide.cli.walkthrough import Walkthrough
    from xrntx_guide.env import Clock

    path = tmp_path / "S.json"
    data = json_answers(ready_patient(cows_total=None, naloxone_challenge=None)) | {
        "cows_ratings": [{"at": f"{DAY}T07:50", "total": 1}]
    }
    given = _file(tmp_path, "b.json", data)
    first = _walk(run, path, f"{DAY}T08:00", "--answers", given)
    assert first.exit_code == 4, first.output  # the challenge is missing
    from xrntx_guide.store.saver import Saver

    the = the_store()
    record, revision = the.load(str(stored_sessions()[-1]))
    now = dt.datetime.fromisoformat(f"{DAY}T08:10").astimezone()
    out = io.StringIO()
    ui = UI(plain=True, out=out, err=out, stdin=io.StringIO("rate again\n12\nquit\n"))
    saver = Saver.loaded(the, "test", record, revision)
    Walkthrough(ui, guide, record, saver, TODAY, Clock(source=lambda: now)).run()
    assert sorted(_totals(path)) == [1, 12], out.getvalue()

    again = _resume(run, path, f"{DAY}T08:20", "--answers", given, "--json",
                    "-a", "naloxone_challenge=not_done")  # fmt: skip

    _stops_before_the_injection(again)
    assert sorted(_totals(path)) == [1, 12]
