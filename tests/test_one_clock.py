"""Safety invariant 8 (clinical basis): one clock per visit.

Every time a visit compares or stamps reads the visit's one clock (the real time, or a
fixed start from ``--today``/``--now`` that runs on in real time); times carry their
offsets and durations are absolute; a result timed after now is refused on every route;
and in a visit record a negative naloxone challenge needs the time the naloxone was given,
the observation's minutes before it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import TODAY, Run, json_answers, ready_patient, stored_sessions
from xrntx_guide.errors import ExitCode
from xrntx_guide.pack.load import load_guide

DAY = TODAY.isoformat()
MORNING = f"{DAY}T09:30"
"""The visit's clock in these tests: 09:30 local time on TODAY."""


def write(tmp_path: Path, answers: dict[str, Any], name: str = "a.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(answers))
    return path


def series_patient(**extra: Any) -> dict[str, Any]:
    return json_answers(ready_patient(cows_total=None, naloxone_challenge=None)) | extra


def patient_flags(**changes: Any) -> list[str]:
    """The ready patient as ``-a`` flags; without a challenge result unless given."""
    answers = json_answers(ready_patient(**{"naloxone_challenge": None, **changes}))
    return [x for k, v in answers.items() for x in ("-a", f"{k}={v}")]


def session_of(home: Path) -> dict[str, Any]:
    files = list(stored_sessions())
    assert len(files) == 1, files
    return dict(json.loads(files[0].read_text()))


# --- the clock itself ------------------------------------------------------------------------


def test_now_fixes_the_visits_clock_and_the_record_says_so(run: Run, _isolated_home: Path) -> None:
    r = run("walk", "--no-input", "--label", "clk", "--now", MORNING, *patient_flags())
    assert r.exit_code == ExitCode.INCOMPLETE, r.output
    record = session_of(_isolated_home)
    assert record["clock"]["fixed"] is True, record["clock"]
    start = dt.datetime.fromisoformat(record["clock"]["start"])
    assert start.tzinfo is not None  # stored with its offset
    assert abs(start - dt.datetime.fromisoformat(MORNING).astimezone()) < dt.timedelta(minutes=1)
    # The rating and the audit trail are stamped by that clock, not the real one.
    rating = dt.datetime.fromisoformat(record["cows_ratings"][0]["at"]).astimezone()
    assert rating.date() == TODAY and (rating - start) < dt.timedelta(minutes=5), rating
    assert all(e["at"].startswith(DAY) for e in record["events"]), record["events"]


def test_today_fixes_the_date_and_the_ratings_and_audit_follow_it(
    run: Run, _isolated_home: Path
) -> None:
    r = run("walk", "--no-input", "--label", "clk", "--today", DAY, *patient_flags())
    assert r.exit_code == ExitCode.INCOMPLETE, r.output
    record = session_of(_isolated_home)
    rating = dt.datetime.fromisoformat(record["cows_ratings"][0]["at"]).astimezone()
    assert rating.date() == TODAY, rating  # was the real date
    assert record["clock"]["fixed"] is True


def test_today_and_now_together_are_refused(run: Run) -> None:
    r = run("check", "--json", "--today", DAY, "--now", MORNING)
    assert r.exit_code == ExitCode.USAGE, r.output
    assert "--now" in r.stderr


def test_now_that_is_not_a_date_and_time_is_refused(run: Run) -> None:
    r = run("check", "--json", "--now", "9:30")
    assert r.exit_code == ExitCode.USAGE, r.output
    assert "--now" in r.stderr and "YYYY-MM-DDTHH:MM" in r.stderr


def test_a_care_session_is_never_continued_on_a_fixed_clock(run: Run, _isolated_home: Path) -> None:
    r = run("walk", "--no-input", "--label", "care", *patient_flags(injection_date=None))
    assert r.exit_code == ExitCode.INCOMPLETE, r.output
    path = stored_sessions()[0]
    again = run("walk", "--resume", "--session", str(path), "--no-input", "--now", MORNING)
    assert again.exit_code == ExitCode.USAGE, again.output
    assert "care session" in again.stderr and "real clock" in again.stderr


def test_a_fixed_clock_never_goes_back_on_a_resume(run: Run, _isolated_home: Path) -> None:
    r = run("walk", "--no-input", "--label", "fx", "--now", MORNING, *patient_flags())
    assert r.exit_code == ExitCode.INCOMPLETE, r.output
    path = stored_sessions()[0]
    earlier = f"{DAY}T08:00"
    again = run("walk", "--resume", "--session", str(path), "--no-input", "--now", earlier)
    assert again.exit_code == ExitCode.INCOMPLETE, again.output
    assert "would go back" in again.stderr, again.stderr
    record = json.loads(path.read_text())
    updated = dt.datetime.fromisoformat(record["updated"])
    assert updated >= dt.datetime.fromisoformat(MORNING).astimezone(), updated


# --- route 4: results timed after now are refused on every route ---------------------------

LATER = f"{DAY}T23:30"
"""Later today than the visit's clock (MORNING)."""


def _refused_after_now(stderr: str) -> None:
    assert "after now" in stderr and "09:3" in stderr, stderr


def test_a_cows_rating_after_now_in_an_answers_file_is_refused(run: Run, tmp_path: Path) -> None:
    answers = series_patient(
        naloxone_challenge="negative",
        cows_ratings=[{"at": f"{DAY}T00:01", "total": 12}, {"at": LATER, "total": 0}],
    )
    r = run("check", "--json", "--now", MORNING, "--answers", str(write(tmp_path, answers)))
    assert r.exit_code == ExitCode.USAGE, r.output
    assert "rating 1" in r.stderr
    _refused_after_now(r.stderr)


def test_a_challenge_after_now_on_standard_input_is_refused(run: Run) -> None:
    answers = series_patient(
        cows_total=2,
        naloxone_challenges=[{"at": LATER, "kind": "challenge", "result": "negative"}],
    )
    r = run("check", "--json", "--now", MORNING, "--answers", "-", input=json.dumps(answers))
    assert r.exit_code == ExitCode.USAGE, r.output
    assert "entry 0" in r.stderr
    _refused_after_now(r.stderr)


def test_a_rechallenge_after_now_on_a_batch_line_is_an_error_line(run: Run, tmp_path: Path) -> None:
    line = series_patient(
        cows_total=2,
        naloxone_challenges=[
            {"at": f"{DAY}T08:00", "kind": "challenge", "result": "positive"},
            {"at": LATER, "kind": "rechallenge", "result": "negative"},
        ],
    )
    path = tmp_path / "b.jsonl"
    path.write_text(json.dumps(line) + "\n")
    r = run("check", "--batch", str(path), "--now", MORNING)
    assert r.exit_code == ExitCode.USAGE, r.output
    (result,) = [json.loads(x) for x in r.stdout.splitlines()]
    assert result["status"] == "error" and "entry 1" in result["message"], result
    _refused_after_now(result["message"])


def test_a_rapid_days_cows_after_now_is_refused(run: Run, tmp_path: Path) -> None:
    answers = json_answers(ready_patient(pathway="supervised_rapid")) | {
        "rapid_days": [
            {
                "day": 1,
                "date": DAY,
                "given": "naltrexone 1 mg",
                "tolerated": True,
                "cows": [{"time": "23:30", "total": 0}],
            }
        ]
    }
    r = run("check", "--json", "--now", MORNING, "--answers", str(write(tmp_path, answers)))
    assert r.exit_code == ExitCode.USAGE, r.output
    assert "COWS rating 1 of day 1" in r.stderr
    _refused_after_now(r.stderr)


def test_a_result_after_now_in_a_walks_answers_file_is_refused(
    run: Run, tmp_path: Path, _isolated_home: Path
) -> None:
    answers = series_patient(
        naloxone_challenge="negative",
        naloxone_challenge_started=f"{DAY}T08:00",
        cows_ratings=[{"at": f"{DAY}T00:01", "total": 12}, {"at": LATER, "total": 0}],
    )
    path = write(tmp_path, answers)
    r = run("walk", "--no-input", "--label", "w", "--now", MORNING, "--answers", str(path))
    assert r.exit_code == ExitCode.USAGE, r.output
    _refused_after_now(r.stderr)
    assert not list(stored_sessions())  # nothing recorded


def test_a_file_time_with_an_offset_is_read_as_that_instant(
    run: Run, tmp_path: Path, zone: Any
) -> None:
    """An offset is accepted and the instant compared with now: on a machine in UTC,
    08:00 five hours east of it (03:00 UTC, the same date) is earlier than 09:30 local,
    so it is no result after now."""
    zone("UTC0")
    answers = series_patient(
        naloxone_challenge="negative",
        cows_ratings=[{"at": f"{DAY}T08:00+05:00", "total": 3}],
    )
    r = run("check", "--json", "--now", MORNING, "--answers", str(write(tmp_path, answers)))
    assert r.exit_code not in (ExitCode.USAGE, 70), r.output  # was refused: "no offset"


@pytest.mark.parametrize("where", ["file", "now", "flag"])
def test_an_offset_in_seconds_is_refused(run: Run, tmp_path: Path, where: str) -> None:
    """A time at +00:00:30 was read 30 seconds from where the record kept it (a record
    keeps hours and minutes): a 9 given for 10:00 at that offset lay outside the minute
    of a 2 stamped at 10:00:06, passed the rule of one minute, and was stored in it.
    Refused wherever a time is given, naming the offset."""
    odd = f"{DAY}T10:00+00:00:30"
    answers = series_patient(naloxone_challenge="not_done", cows_ratings=[
        {"at": odd if where == "file" else f"{DAY}T08:00", "total": 9}])  # fmt: skip
    now = odd if where == "now" else f"{DAY}T11:00+00:00"
    extra = ["-a", f"naloxone_challenge_started={odd}"] if where == "flag" else []
    r = run("check", "--json", "--now", now, "--answers", str(write(tmp_path, answers)), *extra)
    assert r.exit_code == ExitCode.USAGE, r.output
    assert "offset in seconds" in r.stderr, r.output


# --- route 12: durations in absolute time across a daylight-saving change -------------------


def _check_in_new_york(tmp_path: Path, first: str, again: str, now: str, **extra: Any) -> Any:
    # A calm rating before the repeat's naloxone (reference 5.2: a challenge or
    # rechallenge is done only without withdrawal). Its naloxone time not given, it went
    # in no later than the result less the observation: the rating comes before that.
    observed = load_guide(None, None).setting_values["naloxone_observation_minutes"]
    calm = dt.datetime.fromisoformat(again) - dt.timedelta(minutes=observed + 5)
    answers = series_patient(
        **extra,
        cows_ratings=[{"at": calm.isoformat(), "total": 2}, {"at": again, "total": 2}],
        naloxone_challenges=[
            {"at": first, "kind": "challenge", "result": "positive"},
            {"at": again, "kind": "rechallenge", "result": "negative"},
        ],
    )
    path = write(tmp_path, answers)
    env = {
        **os.environ,
        "TZ": "America/New_York",
        "XRNTX_GUIDE_HOME": str(tmp_path / "home"),
        "NO_COLOR": "1",
    }
    return subprocess.run(
        [sys.executable, "-m", "xrntx_guide", "check", "--json", "--now", now,
         "--answers", str(path)],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_a_repeat_24h45_of_real_time_across_the_november_change_is_no_rechallenge(
    tmp_path: Path,
) -> None:
    """00:30 EDT to 00:15 EST the next day: 23 h 45 on the wall clock, 24 h 45 of real time.
    Past the 24-hour window it is not a rechallenge but the new day's challenge (reference
    5.2): read as the challenge, never as a rechallenge within the window."""
    r = _check_in_new_york(
        tmp_path, "2026-11-01T00:30", "2026-11-02T00:15", "2026-11-02T09:00",
        last_opioid_use="2026-10-15",
    )  # fmt: skip
    assert r.returncode == ExitCode.OK, r.stdout + r.stderr
    used = json.loads(r.stdout)["used"]["naloxone_challenge"]
    assert (used["kind"], used["result"]) == ("challenge", "negative"), used


def test_a_rechallenge_23h30_of_real_time_across_the_spring_change_is_accepted(
    tmp_path: Path,
) -> None:
    """23:30 EST to 00:00 EDT a day later: 24 h 30 on the wall clock, 23 h 30 of real time."""
    r = _check_in_new_york(tmp_path, "2027-03-13T23:30", "2027-03-15T00:00", "2027-03-15T09:00")
    assert r.returncode == ExitCode.OK, r.stdout + r.stderr
    data = json.loads(r.stdout)
    assert data["status"] == "ready", data
    assert data["used"]["naloxone_challenge"]["kind"] == "rechallenge"


def test_rechallenge_hours_are_absolute_time_in_a_zone_with_daylight_saving() -> None:
    from zoneinfo import ZoneInfo

    from xrntx_guide.visit.series import rechallenge_hours

    ny = ZoneInfo("America/New_York")
    fall = rechallenge_hours(
        dt.datetime(2026, 11, 1, 0, 30, tzinfo=ny), dt.datetime(2026, 11, 2, 0, 15, tzinfo=ny)
    )
    spring = rechallenge_hours(
        dt.datetime(2027, 3, 13, 23, 30, tzinfo=ny), dt.datetime(2027, 3, 15, 0, 0, tzinfo=ny)
    )
    assert (fall, spring) == (24.75, 23.5)


# --- the 20-minute minimum in a visit record -------------------------------------------------


def _walk_negative(run: Run, *extra: str) -> Any:
    flags = [f"{k}={v}" for k, v in json_answers(ready_patient(naloxone_challenge=None)).items()]
    args = [x for f in flags for x in ("-a", f)]
    return run(
        "walk", "--no-input", "--label", "obs", "--now", MORNING, *args,
        "-a", "naloxone_challenge=negative", *extra,
    )  # fmt: skip


def test_a_negative_challenge_by_flag_without_its_start_is_refused_in_a_walk(run: Run) -> None:
    r = _walk_negative(run)
    assert r.exit_code == ExitCode.USAGE, r.output
    assert "naloxone_challenge_started" in r.stderr, r.stderr


def test_a_negative_challenge_given_too_soon_after_the_naloxone_is_refused(run: Run) -> None:
    r = _walk_negative(run, "-a", "naloxone_challenge_started=09:20")
    assert r.exit_code == ExitCode.USAGE, r.output
    assert "less than 20 minutes" in r.stderr, r.stderr


def test_a_negative_challenge_with_its_observation_is_recorded_with_its_start(
    run: Run, _isolated_home: Path
) -> None:
    r = _walk_negative(run, "-a", "naloxone_challenge_started=09:05")
    assert r.exit_code in (ExitCode.OK, ExitCode.INCOMPLETE), r.output
    record = session_of(_isolated_home)
    (challenge,) = record["naloxone_challenges"]
    started = dt.datetime.fromisoformat(challenge["started"])
    assert started == dt.datetime.fromisoformat(f"{DAY}T09:05").astimezone()


def test_a_negative_challenge_flagged_on_resume_without_a_timer_is_refused(
    run: Run, _isolated_home: Path
) -> None:
    """The flag on resume skipped the minimum when the timer was never started."""
    flags = [f"{k}={v}" for k, v in json_answers(ready_patient(naloxone_challenge=None)).items()]
    args = [x for f in flags for x in ("-a", f)]
    first = run("walk", "--no-input", "--label", "res", "--now", MORNING, *args)
    assert first.exit_code == ExitCode.INCOMPLETE, first.output
    path = stored_sessions()[0]
    again = run(
        "walk", "--resume", "--session", str(path), "--no-input",
        "-a", "naloxone_challenge=negative",
    )  # fmt: skip
    assert again.exit_code == ExitCode.USAGE, again.output
    assert "naloxone_challenge_started" in again.stderr
    assert "naloxone_challenge" not in json.loads(path.read_text())["answers"]


def test_a_files_negative_challenge_without_started_is_refused_in_a_walk(
    run: Run, tmp_path: Path
) -> None:
    answers = series_patient(
        cows_total=2,
        naloxone_challenges=[{"at": f"{DAY}T09:00", "kind": "challenge", "result": "negative"}],
    )
    path = write(tmp_path, answers)
    r = run("walk", "--no-input", "--label", "f", "--now", MORNING, "--answers", str(path))
    assert r.exit_code == ExitCode.USAGE, r.output
    assert "naloxone_challenge_started" in r.stderr


def test_check_takes_a_bare_negative_as_reported_and_says_no_observation_was_recorded(
    run: Run,
) -> None:
    flags = [f"{k}={v}" for k, v in json_answers(ready_patient(naloxone_challenge=None)).items()]
    args = [x for f in flags for x in ("-a", f)]
    r = run("check", "--json", "--now", MORNING, *args, "-a", "naloxone_challenge=negative")
    assert r.exit_code == ExitCode.OK, r.output
    seen = json.loads(r.stdout)["observation"]["naloxone_challenge"]
    assert seen["observation_recorded"] is False and seen["started"] is None, seen
    text = run("check", "--now", MORNING, *args, "-a", "naloxone_challenge=negative")
    assert "no observation time was recorded" in text.stdout + text.stderr


def test_check_refuses_a_start_too_close_to_the_result(run: Run) -> None:
    flags = [f"{k}={v}" for k, v in json_answers(ready_patient(naloxone_challenge=None)).items()]
    args = [x for f in flags for x in ("-a", f)]
    r = run(
        "check", "--json", "--now", MORNING, *args, "-a", "naloxone_challenge=negative",
        "-a", "naloxone_challenge_started=5 minutes ago",
    )  # fmt: skip
    assert r.exit_code == ExitCode.USAGE, r.output
    assert "less than 20 minutes" in r.stderr


# --- the flows: a --today visit shows its own times ------------------------------------------


def test_a_positive_challenge_on_a_fixed_date_is_shown_with_that_dates_times(
    run: Run, _isolated_home: Path
) -> None:
    """'of 2026-12-06 00:11' and a window ending 2026-12-07 on a 2026-11-24 visit."""
    flags = [f"{k}={v}" for k, v in json_answers(ready_patient(naloxone_challenge=None)).items()]
    args = [x for f in flags for x in ("-a", f) if not f.startswith("injection_date=")]
    first = run(
        "walk", "--no-input", "--label", "pos", "--today", DAY, *args,
        "-a", "naloxone_challenge=positive",
    )  # fmt: skip
    assert first.exit_code == ExitCode.BLOCKED, first.output
    path = stored_sessions()[0]
    nxt = (TODAY + dt.timedelta(days=1)).isoformat()
    again = run("walk", "--resume", "--session", str(path), "--no-input", "--today", nxt)
    said = again.stdout + again.stderr
    # The challenge's own time on the visit's clock, and the window's end a day later.
    assert f"The naloxone challenge of {DAY} " in said, said
    assert f" {nxt} " in said.split(f"The naloxone challenge of {DAY} ")[1], said


def test_a_positive_challenges_window_end_is_absolute_time_after_it() -> None:
    from xrntx_guide.pack.load import load_guide
    from xrntx_guide.visit.series import ChallengeResult, window_end

    guide = load_guide(None, None)
    at = dt.datetime.fromisoformat(MORNING).astimezone()
    positive = ChallengeResult(at=at, day=TODAY, kind="challenge", result="positive")
    end = window_end(guide, positive)
    hours = guide.setting_values["naloxone_rechallenge_window_hours"]
    assert end is not None and end - at == dt.timedelta(hours=hours)


# --- 'rate again' after a file's series (exit 70: a naive and an aware time) -----------------


@pytest.mark.usefixtures("at_a_terminal")
def test_rate_again_after_an_answers_files_series_keeps_both_ratings(
    run: Run, tmp_path: Path, _isolated_home: Path
) -> None:
    answers = json_answers(
        ready_patient(cows_total=None, naloxone_challenge=None, kit_storage_ok=None)
    ) | {"injection_date": DAY}
    answers["cows_ratings"] = [{"at": f"{TODAY - dt.timedelta(days=1)}T08:00", "total": 2}]
    path = write(tmp_path, answers)
    r = run(
        "walk", "--label", "ra", "--today", DAY, "--answers", str(path), "--plain",
        input="rate again\n3\nquit\n",
    )  # fmt: skip
    assert r.exit_code not in (70, ExitCode.USAGE), r.output
    kept = session_of(_isolated_home)["cows_ratings"]
    assert [(x["total"], x["origin"]) for x in kept] == [(2, "file"), (3, "typed")], kept


@pytest.mark.usefixtures("at_a_terminal")
def test_start_with_a_time_at_the_prompt_records_when_the_naloxone_was_given(
    run: Run, tmp_path: Path, _isolated_home: Path
) -> None:
    answers = json_answers(ready_patient(naloxone_challenge=None, kit_storage_ok=None))
    path = write(tmp_path, answers | {"injection_date": DAY})
    r = run(
        "walk", "--label", "st", "--now", MORNING, "--answers", str(path), "--plain",
        input="start 23:00\nnegative\nstart 09:05\nnegative\nquit\n",
    )  # fmt: skip
    assert r.exit_code not in (70, ExitCode.USAGE), r.output
    assert "after now" in r.stdout + r.stderr  # 23:00 is refused: not given yet
    record = session_of(_isolated_home)
    (challenge,) = record["naloxone_challenges"]
    assert challenge["result"] == "negative", challenge
    started = dt.datetime.fromisoformat(challenge["started"])
    assert started == dt.datetime.fromisoformat(f"{DAY}T09:05").astimezone()


@pytest.mark.usefixtures("at_a_terminal")
def test_a_pathway_days_cows_typed_after_now_is_refused_at_the_prompt(
    run: Run, tmp_path: Path, _isolated_home: Path
) -> None:
    """The day dialog reads the visit's clock: on a fixed date, 23:00 is still ahead at
    09:30 (it compared with the real date and let it through)."""
    from tests.helpers import REPO

    site = REPO / "scenarios" / "_site-rapid-protocol.toml"
    answers = ready_patient(
        last_opioid_use=TODAY,
        pathway="supervised_rapid",
        rapid_supervised_setting=True,
        rapid_protocol_on_file=True,
        uds_opiates=None, uds_fentanyl=None, uds_buprenorphine=None, uds_methadone=None,
        uds_oxycodone=None, cows_total=None, naloxone_challenge=None, kit_storage_ok=None,
        body_habitus=None,
    )  # fmt: skip
    path = write(tmp_path, json_answers(answers))
    # date, day, its date, given, oral naltrexone, tolerated, COWS, a time ahead, ...
    typed = ["", "", "", "", "no", "yes", "3", "23:00", "09:00", "", "", "quit", "quit"]
    r = run(
        "walk", "--label", "rd", "--now", MORNING, "--answers", str(path), "--site", str(site),
        "--plain", input="\n".join(typed) + "\n",
    )  # fmt: skip
    said = r.stdout + r.stderr
    assert r.exit_code != 70, said
    assert "after now" in said, said
    (day,) = session_of(_isolated_home)["rapid_days"]
    (rating,) = day["cows"]
    assert dt.time.fromisoformat(rating["time"]).replace(tzinfo=None) == dt.time(9, 0), rating


def test_a_batch_line_says_whether_its_observation_was_recorded(run: Run, tmp_path: Path) -> None:
    bare = json_answers(ready_patient(naloxone_challenge="negative"))
    timed = bare | {"naloxone_challenge_started": f"{DAY}T09:00"}
    soon = bare | {"naloxone_challenge_started": f"{DAY}T09:25"}
    path = tmp_path / "b.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in (bare, timed, soon)))
    r = run("check", "--batch", str(path), "--now", MORNING)
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert [x["status"] for x in lines] == ["ready", "ready", "error"], lines
    assert lines[0]["observation"]["naloxone_challenge"]["observation_recorded"] is False
    assert lines[1]["observation"]["naloxone_challenge"]["observation_recorded"] is True
    assert "less than 20 minutes" in lines[2]["message"], lines[2]


def test_the_note_of_a_fixed_clock_walk_says_so(run: Run, _isolated_home: Path) -> None:
    r = run("walk", "--no-input", "--label", "nt", "--now", MORNING, *patient_flags())
    assert r.exit_code == ExitCode.INCOMPLETE, r.output
    text = run("note", "nt", "--format", "text").stdout
    assert "Clock: fixed" in text, text
    data = json.loads(run("note", "nt", "--format", "json").stdout)
    start = dt.datetime.fromisoformat(data["fixed_clock"])
    assert abs(start - dt.datetime.fromisoformat(MORNING).astimezone()) < dt.timedelta(minutes=1)
    care = run("walk", "--no-input", "--label", "rl", *patient_flags(injection_date=None))
    assert care.exit_code == ExitCode.INCOMPLETE, care.output
    assert "Clock: fixed" not in run("note", "rl", "--format", "text").stdout


def test_a_clock_going_back_within_a_minute_shows_two_different_times(
    run: Run, _isolated_home: Path
) -> None:
    """Resumed with the same --now as the start (the saved clock is seconds later): the
    warning's two times differ, never 'clock (X) would go back, so it goes on from X'."""
    r = run("walk", "--no-input", "--label", "fx", "--now", MORNING, *patient_flags())
    assert r.exit_code == ExitCode.INCOMPLETE, r.output
    path = stored_sessions()[0]
    again = run("walk", "--resume", "--session", str(path), "--no-input", "--now", MORNING)
    if "would go back" in again.stderr:
        import re

        text = " ".join(again.stderr.split())
        found = re.search(r"clock \(([^)]*)\) would go back, so it goes on from (\S+ \S+)", text)
        assert found is not None, text
        assert found.group(1) != found.group(2).rstrip("."), text
