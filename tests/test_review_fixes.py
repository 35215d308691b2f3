"""Behaviour pinned after the fresh-clone review: each test is one reported problem."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import TODAY, after_injection, answer_flags, check, walk
from tests.helpers import ready_patient as ready
from xrntx_guide.cli.ui import reflow
from xrntx_guide.cli.walk import Clock
from xrntx_guide.errors import ExitCode


@pytest.mark.parametrize(
    ("key", "value"), [("age", "٣٥"), ("age", "３５"), ("lft_multiple_uln", "1_0"), ("age", "3_5")]
)
def test_numbers_take_plain_digits_only(run: Any, key: str, value: str) -> None:
    result = check(run, ready(**{key: value}))
    assert result.exit_code == ExitCode.USAGE, result.output
    assert key in result.stderr


def test_a_blocked_patient_never_gets_an_injection_record(run: Any) -> None:
    answers = after_injection(
        last_opioid_use=(TODAY - dt.timedelta(days=4)).isoformat(), naloxone_challenge="negative"
    )
    result = walk(run, answers, label="blocked-1")
    assert result.exit_code == ExitCode.BLOCKED, result.output
    note = run("note", "blocked-1", "--format", "json")
    data = json.loads(note.stdout)
    assert data["injection_given"] is None and data["next_dose_due"] is None
    assert "injection_given" not in [a["key"] for a in data["answers"]]
    ics = run("note", "blocked-1", "--format", "ics")
    assert ics.exit_code == ExitCode.USAGE, ics.output


def test_the_end_of_the_calendar_is_not_a_crash(run: Any) -> None:
    result = run(
        "check",
        "--today",
        "9999-12-31",
        "--json",
        *answer_flags(ready(last_opioid_use="9999-12-28", injection_date="9999-12-31")),
    )
    assert result.exit_code == ExitCode.BLOCKED, result.output
    assert "internal error" not in result.stderr


@pytest.mark.parametrize("gate_id", ["nosuch", "consent"])
def test_acknowledge_names_a_caution_gate(run: Any, gate_id: str) -> None:
    result = run(
        "walk",
        "--no-input",
        "--label",
        "a",
        "--today",
        TODAY.isoformat(),
        "--acknowledge",
        gate_id,
        *answer_flags(ready()),
    )
    assert result.exit_code == ExitCode.USAGE, result.output
    assert gate_id in result.stderr


def test_a_misspelt_override_code_is_refused(run: Any) -> None:
    result = check(
        run, ready(lft_multiple_uln=6.0), "--override", "liver=specialist_consultd: agreed"
    )
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "specialist_consulted" in result.stderr


def test_a_label_used_twice_is_ambiguous_for_note(run: Any) -> None:
    assert walk(run, after_injection(), label="twin").exit_code == ExitCode.OK
    second = walk(run, after_injection(), label="twin")
    assert "already used" in second.stderr
    result = run("note", "twin")
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "2 sessions" in result.stderr


@pytest.mark.parametrize("label", ["", "   ", "x" * 200])
def test_unusable_labels_are_refused(run: Any, label: str) -> None:
    result = run("walk", "--no-input", "--label", label, "--today", TODAY.isoformat())
    assert result.exit_code == ExitCode.USAGE, result.output


def test_a_label_is_kept_on_one_line(run: Any) -> None:
    walk(run, after_injection(), label="ab\ncd")
    sessions = json.loads(run("sessions", "--json").stdout)
    assert sessions[0]["label"] == "ab cd"


def _only_session(home: Path) -> Path:
    (path,) = (home / "sessions").glob("*.json")
    return path


def test_resume_rechecks_saved_answers(run: Any, _isolated_home: Path) -> None:
    walk(run, {"visit": "first_injection"}, label="edit-me")
    path = _only_session(_isolated_home)
    record = json.loads(path.read_text(encoding="utf-8"))
    record["answers"]["age"] = {"value": -5, "origin": "typed", "at": record["created"]}
    path.write_text(json.dumps(record), encoding="utf-8")
    result = run("walk", "--resume", "--session", str(path), "--no-input")
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "age" in result.stderr and str(path) in result.stderr


def test_resume_on_a_later_day_moves_a_defaulted_injection_date(
    run: Any, _isolated_home: Path
) -> None:
    answers = ready()
    answers.pop("injection_date", None)
    run("walk", "--no-input", "--label", "later", *answer_flags(answers))
    path = _only_session(_isolated_home)
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["answers"]["injection_date"]["origin"] == "default"
    later = dt.date.today() + dt.timedelta(days=3)
    result = run(
        "walk", "--resume", "--session", str(path), "--no-input", "--today", later.isoformat()
    )
    assert "injection_date follows its default" in result.stdout, result.output
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["answers"]["injection_date"]["value"] == later.isoformat()


def test_the_demo_clock_speeds_the_timer_not_the_record() -> None:
    clock = Clock(factor=60)
    started = clock.now() - dt.timedelta(seconds=10)
    assert abs((clock.now() - dt.datetime.now(dt.UTC)).total_seconds()) < 1
    assert clock.timer_now(started) - started >= dt.timedelta(seconds=590)


def test_reflow_ends_a_list_at_an_unindented_line() -> None:
    assert reflow("- item\n  more\nAfter the list.") == [
        ("- ", "item more"),
        ("", "After the list."),
    ]


def test_reflow_joins_hard_breaks_and_keeps_items() -> None:
    text = "Intro line\ncontinues here.\n- first item\n  wraps on\n- second\n\nNew para."
    assert reflow(text) == [
        ("", "Intro line continues here."),
        ("- ", "first item wraps on"),
        ("- ", "second"),
        ("", ""),
        ("", "New para."),
    ]


def test_ics_lines_are_folded_at_75_octets(run: Any) -> None:
    walk(run, after_injection(), label="x" * 70)
    ics = run("note", "x" * 70, "--format", "ics").stdout.replace("\r\n", "\n")
    for line in ics.splitlines():
        assert len(line.encode("utf-8")) <= 75, line
    unfolded = ics.replace("\n ", "")
    assert "SUMMARY:XR-naltrexone next dose due: " + "x" * 70 in unfolded
