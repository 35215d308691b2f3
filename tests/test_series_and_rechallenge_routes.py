"""Routes around serial COWS and the naloxone (re)challenge (visit/series.py)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.helpers import NOW, TODAY, json_answers, ready_patient, stored_sessions

Run = Callable[..., Any]
DAY = TODAY.isoformat()


def write(tmp_path: Path, answers: dict[str, Any], name: str = "a.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(answers))
    return path


def series_patient(**extra: Any) -> dict[str, Any]:
    return json_answers(ready_patient(cows_total=None, naloxone_challenge=None)) | extra


# -- exit 70: a time with an offset beside one without --------------------------------------


def _instant(text: str) -> dt.datetime:
    """A file's time as the program reads it: without an offset, the local time."""
    return dt.datetime.fromisoformat(text).astimezone()


def test_ratings_with_and_without_offset_are_ordered_by_their_instants_not_exit_70(
    run: Run, tmp_path: Path
) -> None:
    """latest_on compared a naive and an aware datetime: TypeError, exit 70. Times are
    now stored with their offsets (invariant 8): the later instant is the latest."""
    times = [f"{DAY}T08:00", f"{DAY}T09:00+00:00"]
    answers = series_patient(
        cows_ratings=[{"at": times[0], "total": 1}, {"at": times[1], "total": 9}],
        # Not done: a negative one beside withdrawal is refused (reference 5.2).
        naloxone_challenge="not_done",
    )
    result = run("check", "--json", "--now", NOW, "--answers", str(write(tmp_path, answers)))
    assert result.exit_code in (0, 1), (result.exit_code, result.stderr)
    latest = max(range(2), key=lambda i: _instant(times[i]))
    assert json.loads(result.stdout)["used"]["cows_rating"]["index"] == latest


def test_challenges_with_and_without_offset_are_read_as_instants_not_exit_70(
    run: Run, tmp_path: Path
) -> None:
    """_expand_challenges compared/subtracted a naive and an aware datetime: exit 70."""
    first, again = "2026-11-23T15:30", f"{DAY}T08:30+00:00"
    answers = series_patient(
        # A rechallenge counts only after a calm rating of its day before it (5.2): its
        # naloxone time not given, before its result.
        cows_ratings=[{"at": f"{DAY}T08:00+00:00", "total": 1}],
        naloxone_challenges=[
            {"at": first, "kind": "challenge", "result": "positive"},
            {"at": again, "kind": "rechallenge", "result": "negative"},
        ],
    )
    result = run("check", "--json", "--now", NOW, "--answers", str(write(tmp_path, answers)))
    # Within the window a rechallenge; past it, on a new day, that day's new challenge
    # (reference 5.2): negative either way, read as an instant.
    assert result.exit_code == 0, (result.exit_code, result.stderr)


def test_batch_line_with_mixed_offsets_is_read_not_exit_70(run: Run, tmp_path: Path) -> None:
    """The whole batch died with exit 70 and no output; both lines are now read."""
    mixed = series_patient(
        naloxone_challenge="not_done",  # a negative one beside COWS 9 is refused (5.2)
        cows_ratings=[
            {"at": f"{DAY}T08:00", "total": 1},
            {"at": f"{DAY}T09:00+00:00", "total": 9},
        ],
    )
    good = json_answers(ready_patient())
    path = tmp_path / "b.jsonl"
    path.write_text(json.dumps(mixed) + "\n" + json.dumps(good) + "\n")
    result = run("check", "--batch", str(path), "--now", NOW)
    assert result.exit_code == 0, (result.exit_code, result.stderr)
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert len(lines) == 2 and "error" not in [x["status"] for x in lines], lines


def test_scenarios_test_with_mixed_offsets_is_not_exit_70(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "sc"
    folder.mkdir()
    (folder / "tz.toml").write_text(
        '[scenario]\ntitle = "t"\nstory = "s"\ntoday = 2026-11-24\n'
        '[answers]\nvisit = "first_injection"\n'
        "cows_ratings = [{at = 2026-11-24T08:00:00, total = 1}, "
        "{at = 2026-11-24T09:00:00Z, total = 9}]\n"
        '[expect]\nstatus = "ready"\n'
    )
    result = run("scenarios", "test", str(folder))
    assert result.exit_code in (1, 2), (result.exit_code, result.stderr)


# -- wrong ready: a flag beside the file's series ------------------------------------------


def test_flag_cows_total_beside_a_file_series_does_not_hide_the_latest_rating(
    run: Run, tmp_path: Path
) -> None:
    """The file's latest rating of the day is 9 (withdrawal, threshold 5); a flag
    cows_total=1 (no time) beside the series wins by precedence and check says READY.
    docs/scripting.md: the series stands "instead of the single answers (not beside them: that
    is refused)". Expected: refused (exit 2), never ready."""
    answers = series_patient(
        naloxone_challenge="negative",
        cows_ratings=[
            {"at": f"{DAY}T08:00", "context": "baseline", "total": 1},
            {"at": f"{DAY}T09:00", "context": "after_challenge", "total": 9},
        ],
    )
    result = run(
        "check", "--json", "--now", NOW,
        "--answers", str(write(tmp_path, answers)), "--answer", "cows_total=1",
    )  # fmt: skip
    assert result.exit_code != 0, result.stdout


def test_flag_negative_challenge_does_not_lift_a_file_positive(run: Run, tmp_path: Path) -> None:
    """The file records a positive challenge today at 08:00; a flag
    naloxone_challenge=negative replaces it silently and check says READY (and
    `walk --no-input` finishes with the injection given). A positive challenge is lifted
    only by a negative rechallenge within the window. Expected: refused, never ready."""
    answers = series_patient(
        cows_total=1,
        naloxone_challenges=[{"at": f"{DAY}T08:00", "kind": "challenge", "result": "positive"}],
    )
    path = write(tmp_path, answers)
    result = run(
        "check", "--json", "--now", NOW, "--answers", str(path),
        "--answer", "naloxone_challenge=negative",
    )  # fmt: skip
    assert result.exit_code != 0, result.stdout


# -- the same routes through standard input and a batch -----------------------------------


POSITIVE_TODAY = [{"at": f"{DAY}T08:00", "kind": "challenge", "result": "positive"}]


def test_a_flag_beside_a_series_on_standard_input_is_refused(run: Run) -> None:
    """`--answers -` was parsed as a base the flag check never saw: a flag
    naloxone_challenge=negative lifted the positive challenge read from stdin."""
    stdin = json.dumps(series_patient(cows_total=1, naloxone_challenges=POSITIVE_TODAY))
    result = run(
        "check", "--json", "--now", NOW, "--answers", "-",
        "--answer", "naloxone_challenge=negative", input=stdin,
    )  # fmt: skip
    assert result.exit_code == 2, result.stdout
    assert "beside the series" in result.stderr


def test_a_flag_beside_a_batch_lines_series_is_an_error_line(run: Run, tmp_path: Path) -> None:
    """In a batch, a line's series met the shared flags without the check: READY."""
    line = json.dumps(
        {"id": "x", **series_patient(cows_total=1, naloxone_challenges=POSITIVE_TODAY)}
    )
    lines = write(tmp_path, {}, "lines.jsonl")
    lines.write_text(line + "\n")
    result = run(
        "check", "--now", NOW, "--batch", str(lines), "--answer", "naloxone_challenge=negative"
    )
    out = json.loads(result.stdout.splitlines()[0])
    assert out["status"] == "error" and "beside the series" in out["message"], out


def test_a_series_on_standard_input_is_kept_in_the_session(run: Run, tmp_path: Path) -> None:
    """Standard input is read once, and its records are kept as a file's are."""
    ratings = [{"at": f"{DAY}T07:00", "total": 2}, {"at": f"{DAY}T09:00", "total": 1}]
    stdin = json.dumps(
        series_patient(
            cows_ratings=ratings,
            naloxone_challenge="negative",
            # A record needs its observation, after a rating without withdrawal.
            naloxone_challenge_started=f"{DAY}T07:10",
        )
    )
    session = tmp_path / "s.json"
    run(
        "walk", "--no-input", "--now", NOW, "--label", "stdin", "--answers", "-", input=stdin,
    )  # fmt: skip
    session = stored_sessions()[-1]
    kept = json.loads(session.read_text(encoding="utf-8"))["cows_ratings"]
    assert [r["total"] for r in kept] == [2, 1]
