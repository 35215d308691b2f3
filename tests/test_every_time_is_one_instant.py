"""Safety invariant 8: every time the program compares is one instant it can compute with.

A local time written without an offset that the day's clock change makes ambiguous (the
hour repeated when the clocks go back) or skips (when they go forward) is refused, naming
the fix (give the offset); a time the program cannot compute with (year 1 with a positive
offset, year 9999 plus a window) is refused naming the value, never a traceback; a result
one second after now has not been taken yet.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator

import pytest

from tests.helpers import TODAY, Run, flat, json_answers, no_traceback, ready_patient
from xrntx_guide.visit.clock import parse_instant, parse_moment

DAY = TODAY.isoformat()


@pytest.fixture
def new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The program runs in New York, where the clocks go back on 2026-11-01 at 02:00 and
    forward on 2026-03-08 at 02:00."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def challenged(**changes: object) -> dict[str, object]:
    """A patient for whom the challenge is required, minus the COWS total and challenge."""
    answers = json_answers(
        ready_patient(last_opioid_use=TODAY - dt.timedelta(days=10), cows_total=None)
    )
    del answers["naloxone_challenge"]
    answers.update(changes)
    return answers


@pytest.mark.usefixtures("new_york")
@pytest.mark.parametrize(
    ("raw", "why", "fix"),
    [
        ("2026-11-01T01:45", "happens twice", "give the offset"),
        ("2026-03-08T02:30", "does not exist", "give a time before or after the change"),
    ],
)
def test_a_local_time_the_clock_change_makes_ambiguous_or_skips_is_refused(
    raw: str, why: str, fix: str
) -> None:
    with pytest.raises(ValueError, match=why) as caught:
        parse_instant(raw)
    assert fix in str(caught.value)
    # A time of day on such a day is the same local time, and refused alike.
    with pytest.raises(ValueError, match=why):
        parse_moment(raw[11:], dt.date.fromisoformat(raw[:10]), parse_instant("2026-12-01T09:00"))


@pytest.mark.usefixtures("new_york")
def test_the_same_time_with_its_offset_is_read_as_given() -> None:
    first = parse_instant("2026-11-01T01:45-04:00")
    second = parse_instant("2026-11-01T01:45-05:00")
    assert (second - first) == dt.timedelta(hours=1)


@pytest.mark.usefixtures("new_york")
def test_an_ambiguous_now_is_refused_by_the_command_naming_the_fix(run: Run) -> None:
    result = run("check", "--json", "--now", "2026-11-01T01:45", "--answer", "age=34")
    no_traceback(result)
    assert result.exit_code == 2, result.output
    assert "give the offset" in flat(result.stderr), result.output


def test_a_result_one_second_after_now_is_refused(run: Run) -> None:
    answers = challenged(
        cows_ratings=[{"at": f"{DAY}T08:30", "total": 1}],
        naloxone_challenges=[
            {"at": f"{DAY}T09:00:59", "started": f"{DAY}T08:35:59", "result": "negative"}
        ],
    )
    result = run(
        "check", "--json", "--now", f"{DAY}T09:00", "--answers", "-", input=json.dumps(answers)
    )
    no_traceback(result)
    assert result.exit_code == 2, result.output
    assert "after now" in flat(result.stderr), result.output


@pytest.mark.parametrize(
    "args",
    [
        [
            "--answer",
            "naloxone_challenge=negative",
            "--answer",
            "naloxone_challenge_started=0001-01-01T00:00+05:00",
        ],
    ],
)
def test_a_year_one_start_is_refused_naming_it(run: Run, args: list[str]) -> None:
    answers = json.dumps(challenged(cows_total=1))
    for command in (["check", "--json"], ["walk", "--no-input", "--label", "pt-1"]):
        result = run(*command, "--now", f"{DAY}T09:00", "--answers", "-", *args, input=answers)
        no_traceback(result)
        assert result.exit_code == 2, result.output
        assert "0001-01-01T00:00+05:00" in result.stderr, result.output


def test_a_year_one_time_in_a_series_is_refused_on_its_batch_line(run: Run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = challenged(
        cows_ratings=[{"at": "0001-01-01T00:00+05:00", "total": 1}],
    )
    good = challenged(
        cows_total=1,
        naloxone_challenge="not_done",
        last_opioid_use=(TODAY - dt.timedelta(days=14)).isoformat(),
    )
    lines = tmp_path / "b.jsonl"
    lines.write_text(json.dumps(bad) + "\n" + json.dumps(good) + "\n")
    result = run("check", "--batch", str(lines), "--now", f"{DAY}T09:00")
    no_traceback(result)
    out = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(out) == 2, result.output
    assert "0001-01-01T00:00+05:00" in json.dumps(out[0]), result.output
    assert out[1].get("status") == "ready", result.output


@pytest.mark.parametrize("now", ["9999-12-31T23:00", "0001-01-01T12:00"])
def test_a_clock_the_program_cannot_compute_with_is_refused_naming_it(run: Run, now: str) -> None:
    result = run("check", "--json", "--now", now, "--answer", "age=34")
    no_traceback(result)
    assert result.exit_code == 2, result.output
    assert now in result.stderr and "out of range" in result.stderr, result.output
