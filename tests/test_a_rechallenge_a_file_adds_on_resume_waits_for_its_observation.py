"""A negative rechallenge a file adds on resume waits for its observation like every
negative result a walk keeps (clinical basis, safety invariants 1 and 5; reference 5.2).

The morning's walk recorded a positive naloxone challenge (blocked). Resumed with a file
that gives only a negative rechallenge, without the time its naloxone was given, the
walk took the entry into its record. The file's answers alone stand for no rechallenge
(its positive challenge is the session's), so the check that a negative was observed
never saw it, yet the recorded rechallenge lifted the positive: the dose was counted
five minutes after the positive result, with no observation at all. The same
rechallenge by flag, or in a new walk's file beside its challenge, was refused."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import TODAY, Run, after_injection, json_answers, no_traceback
from xrntx_guide.pack.guide import Guide

LABEL = "RECH-FILE"
DAY = TODAY.isoformat()


def at(hh_mm: str) -> str:
    return f"{DAY}T{hh_mm}"


def morning(challenges: list[dict[str, Any]]) -> dict[str, Any]:
    """A fentanyl patient's answers (the challenge required), the dose answered given,
    COWS 1 at 09:00, and the challenge series ``challenges``."""
    given = json_answers(
        after_injection(
            last_opioid_kind="fentanyl", fentanyl_used_30_days=True,
            last_opioid_use=TODAY - dt.timedelta(days=10), naloxone_challenge=None,
            cows_total=None,
        )
    )  # fmt: skip
    given["cows_ratings"] = [{"at": at("09:00"), "total": 1, "context": "before_challenge"}]
    given["naloxone_challenges"] = challenges
    return given


def positive_in_the_morning(run: Run, tmp_path: Path) -> str:
    """The walk that rated COWS 1 at 09:00 and recorded a positive challenge at 09:30
    (naloxone 09:05), the dose answered given: stopped at the challenge. Returns its
    session."""
    given = morning(
        [{"at": at("09:30"), "started": at("09:05"), "kind": "challenge", "result": "positive"}]
    )
    path = tmp_path / "morning.json"
    path.write_text(json.dumps(given), encoding="utf-8")
    walked = run("walk", "--no-input", "--json", "--label", LABEL, "--now", at("10:00"),
                 "--acknowledge", "all", "--answers", str(path))  # fmt: skip
    assert walked.exit_code == 1, walked.output
    return str(json.loads(walked.stdout)["session"])


def resumed_with(run: Run, tmp_path: Path, session: str, entry: dict[str, Any]) -> Any:
    path = tmp_path / "rechallenge.json"
    path.write_text(json.dumps({"naloxone_challenges": [entry]}), encoding="utf-8")
    return run("walk", "--resume", "--session", session, "--no-input", "--json",
               "--now", at("10:01"), "--acknowledge", "all", "--answers", str(path))  # fmt: skip


def doses(run: Run) -> list[str]:
    history = json.loads(run("history", LABEL, "--json", "--today", DAY).stdout)
    return [i["date"] for i in history["injections"]]


def test_a_rechallenge_without_its_naloxone_time_is_refused_and_counts_no_dose(
    run: Run, tmp_path: Path
) -> None:
    session = positive_in_the_morning(run, tmp_path)
    entry = {"at": at("09:35"), "kind": "rechallenge", "result": "negative"}
    resumed = resumed_with(run, tmp_path, session, entry)
    no_traceback(resumed)
    assert resumed.exit_code == 2, resumed.output
    assert "needs the time the naloxone was given" in resumed.output, resumed.output
    assert doses(run) == []
    check = run("check", "--json", "--label", LABEL, "--now", at("10:02"),
                "--answer", "visit=first_injection")  # fmt: skip
    assert json.loads(check.stdout or "{}").get("status") != "ready", check.output


def test_a_rechallenge_observed_for_the_minimum_is_taken(
    run: Run, tmp_path: Path, guide: Guide
) -> None:
    """The control: the same rechallenge with its naloxone given the observation minimum
    before it is recorded, and the dose is counted."""
    minutes = guide.setting_values["naloxone_observation_minutes"]
    assert isinstance(minutes, int)
    session = positive_in_the_morning(run, tmp_path)
    result = dt.datetime.fromisoformat(at("09:35")) + dt.timedelta(minutes=minutes)
    entry = {
        "at": result.strftime("%Y-%m-%dT%H:%M"), "started": at("09:35"),
        "kind": "rechallenge", "result": "negative",
    }  # fmt: skip
    resumed = resumed_with(run, tmp_path, session, entry)
    assert resumed.exit_code == 0, resumed.output
    assert doses(run) == [DAY]


def resumed_at(run: Run, tmp_path: Path, session: str, hh_mm: str, *args: str) -> Any:
    return run("walk", "--resume", "--session", session, "--no-input", "--json",
               "--now", at(hh_mm), "--acknowledge", "all", *args)  # fmt: skip


def test_a_file_rechallenge_waits_for_the_timer_the_session_started(
    run: Run, tmp_path: Path
) -> None:
    """The session started the rechallenge's timer (the naloxone given at 10:05). A file's
    negative without its naloxone time, on a fixed clock moved on to 10:30, was timed by
    that clock alone (seconds had passed on the machine's), and one with an earlier
    naloxone time than the session's (09:40) was timed from it: both counted the dose
    before the observation the session holds. A flag's result was refused in both."""
    session = positive_in_the_morning(run, tmp_path)
    started = resumed_at(
        run, tmp_path, session, "10:05", "-a", "naloxone_rechallenge_started=10:05"
    )
    assert started.exit_code in (1, 4), started.output
    for entry in (
        {"at": at("10:30"), "kind": "rechallenge", "result": "negative"},
        {"at": at("10:30"), "started": at("09:40"), "kind": "rechallenge", "result": "negative"},
    ):
        path = tmp_path / "rechallenge.json"
        path.write_text(json.dumps({"naloxone_challenges": [entry]}), encoding="utf-8")
        resumed = resumed_at(run, tmp_path, session, "10:30", "--answers", str(path))
        no_traceback(resumed)
        assert resumed.exit_code == 2, resumed.output
        assert "cannot be recorded yet" in resumed.output, resumed.output
    assert doses(run) == []


def test_a_file_rechallenge_saved_beside_a_timer_another_run_started_is_refused(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two runs at once: one resumes with a file's negative rechallenge (its naloxone
    given at 09:40, read at 10:30), while another, between that run's reading of the
    record and its save, starts the rechallenge's timer (the naloxone given at 10:05). The
    file's entry started no timer of its own, so the save met no clash, the merge took the
    negative beside the running timer, and the dose counted seconds after the naloxone
    the other room gave. The merge now leaves a negative of a result whose naloxone
    another run gave meanwhile out of the record, saying why: nothing is counted."""
    from xrntx_guide.store import saver

    session = positive_in_the_morning(run, tmp_path)
    real = saver.Saver._save
    other: list[Any] = []
    start = ("-a", "naloxone_rechallenge_started=10:05")

    def another_run_first(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not other:
            other.append(None)  # the other run's own save goes straight through
            other[0] = resumed_at(run, tmp_path, session, "10:05", *start)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(saver.Saver, "_save", another_run_first)
    entry = {"at": at("10:30"), "started": at("09:40"), "kind": "rechallenge", "result": "negative"}
    path = tmp_path / "rechallenge.json"
    path.write_text(json.dumps({"naloxone_challenges": [entry]}), encoding="utf-8")
    resumed = resumed_at(run, tmp_path, session, "10:30", "--answers", str(path))
    no_traceback(resumed)
    assert other and other[0].exit_code in (1, 4), other
    assert resumed.exit_code != 0, resumed.output
    said = " ".join(resumed.output.split())
    assert "not recorded from this run: naloxone_rechallenge" in said, said
    assert "another run gave this rechallenge's naloxone at 2026" in said, said
    assert doses(run) == []


def test_a_negative_the_file_corrects_away_leaves_no_observation_behind(
    run: Run, tmp_path: Path
) -> None:
    """A file's negative challenge (naloxone 09:05, read 09:30) corrected by the same file
    to "not done" (no naloxone was given): a flag's negative a minute after the walk must
    still give its own naloxone time. A version that kept every file entry's naloxone
    time as the session's timer took the corrected-away 09:05 as the observation, and
    counted the dose."""
    given = morning(
        [
            {"at": at("09:30"), "started": at("09:05"), "kind": "challenge", "result": "negative"},
            {
                "at": at("09:40"), "kind": "challenge", "result": "not_done",
                "corrects": at("09:30"), "reason": "typed in the wrong row: no naloxone given",
            },
        ]
    )  # fmt: skip
    path = tmp_path / "corrected.json"
    path.write_text(json.dumps(given), encoding="utf-8")
    walked = run("walk", "--no-input", "--json", "--label", LABEL, "--now", at("09:45"),
                 "--acknowledge", "all", "--answers", str(path))  # fmt: skip
    assert walked.exit_code == 1, walked.output
    session = str(json.loads(walked.stdout)["session"])
    resumed = resumed_at(run, tmp_path, session, "09:46", "-a", "naloxone_challenge=negative")
    no_traceback(resumed)
    assert resumed.exit_code == 2, resumed.output
    assert "needs the time the naloxone was given" in resumed.output, resumed.output
    assert doses(run) == []
