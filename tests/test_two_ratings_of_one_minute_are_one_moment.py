"""Times are given to the minute (a file's ``10:00``, the day dialog's offered
``[11:00]``), while the program stamps the ratings it records (typed, a flag) to the
second: which of two COWS ratings of one minute, one given and one stamped, came later is
not known. Ordered by the stamp's seconds, a walk's 2 at 10:00:00.005 read as later than
a file's 9 given "at 10:00", and the dose counted. A rating given to the minute of a
stamped rating with another total is refused where it joins the series
(visit/results.py), naming the stamped one; with its seconds, or a minute later, it is
taken. (Reading the higher of the two where the latest is read was tried first: it broke
the walk's rule that the rating typed last is the one the gate reads.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import Run, json_answers, json_file, ready_patient
from tests.test_a_pathway_day_rating_is_a_rating_of_the_visit_day import AFTER_GIVEN
from tests.test_the_pathway_gate_reads_the_visit_days_latest_rating import walked_at_a_terminal
from xrntx_guide.errors import ExitCode

DAY = "2026-11-24"


def visit() -> dict[str, object]:
    answers = json_answers(ready_patient(cows_total=None, injection_date=None))
    for key in ("cows_total", "injection_date", *AFTER_GIVEN):
        answers.pop(key, None)
    return answers


@pytest.mark.parametrize(
    ("minute", "refused"), [("10:00", True), ("10:00:45", False), ("10:01", False)]
)
def test_a_files_rating_given_to_the_minute_of_a_stamped_one_is_refused(
    run: Run, tmp_path: Path, minute: str, refused: bool
) -> None:
    """The walk's 2 given at 10:00 (stamped 10:00 and a few milliseconds), then on resume
    a file's 9 at ``minute`` and the dose: refused for 10:00 (exit 2, naming the 2's
    time, nothing recorded); with its seconds, or the next minute, the 9 is the later and
    blocks. Never a dose."""
    opening = json_file(tmp_path, "v.json", visit())
    first = run("walk", "--no-input", "--now", f"{DAY}T10:00", "--label", "MINUTE",
                "--answers", opening, "-a", "cows_total=2")  # fmt: skip
    assert first.exit_code != ExitCode.USAGE, first.output
    nine = json_file(tmp_path, "r9.json", {"cows_ratings": [{"at": f"{DAY}T{minute}", "total": 9}]})
    given = [f"{k}={v}" for k, v in json_answers(ready_patient()).items() if k in AFTER_GIVEN]
    resumed = run("walk", "--resume", "--label", "MINUTE", "--no-input", "--json",
                  "--now", f"{DAY}T10:30", "--answers", nine,
                  "-a", "naloxone_challenge=not_done",
                  *[x for g in given for x in ("-a", g)])  # fmt: skip
    if refused:
        assert resumed.exit_code == ExitCode.USAGE, resumed.output
        said = json.loads(resumed.stderr)
        assert "which of the two came later is not known" in said["message"], resumed.output
        assert f"{DAY}T10:00:00" in said["message"], resumed.output
        history = run("history", "MINUTE", "--json")
        assert json.loads(history.stdout)["injections"] == [], history.output
        return
    out = json.loads(resumed.stdout)
    assert out["status"] != "complete", resumed.output
    assert "withdrawal" in out["blocking"], resumed.output


@pytest.mark.usefixtures("at_a_terminal")
def test_a_day_dialog_rating_at_the_offered_minute_of_a_typed_one_is_asked_again(
    run: Run, tmp_path: Path
) -> None:
    """On the pathway's injection day, at the challenge: `rate again` and a 2 (stamped
    11:00), then `day` adding a 9 at the offered 11:00: its time is refused at once,
    naming the typed rating, and asked again (the dialog was refused whole at its end,
    everything typed in it lost). Left there, the day is not recorded; never a dose on
    the 2."""
    typed = ["rate again", "2", "day", "", "", "9", "", "", "quit", "quit", "quit"]
    walked = walked_at_a_terminal(run, tmp_path, "RAPID-MINUTE", typed)
    said = " ".join(walked.output.split())
    assert "which of the two came later is not known" in said, walked.output
    assert said.count("Please give the time again") == 2, walked.output
    assert "HH:MM:SS" in said, walked.output
    assert "The day was not recorded" in said, walked.output
    assert "Was the injection given" not in said, walked.output


def test_a_correction_stands_in_its_ratings_minute_with_its_own_total(
    run: Run, tmp_path: Path
) -> None:
    """A 9 typed at 10:00:20 corrected to 2 (the correction stands at 10:00:20), then a
    file's 9 given for 10:00: its order against the 2 that stands is not known, so it is
    refused, although the rating the 2 corrected had a 9 too."""
    opening = json_file(tmp_path, "v.json", visit())
    run("walk", "--no-input", "--now", f"{DAY}T10:00:20", "--label", "CORRECTED",
        "--answers", opening, "-a", "cows_total=9")  # fmt: skip
    corrected = run("walk", "--resume", "--label", "CORRECTED", "--no-input",
                    "--now", f"{DAY}T10:05", "-a", "cows_total=2",
                    "--correct", f"cows_total@{DAY}T10:00:20=typed 9, was 2")  # fmt: skip
    assert corrected.exit_code != ExitCode.USAGE, corrected.output
    nine = json_file(tmp_path, "r9.json", {"cows_ratings": [{"at": f"{DAY}T10:00", "total": 9}]})
    resumed = run("walk", "--resume", "--label", "CORRECTED", "--no-input", "--json",
                  "--now", f"{DAY}T10:30", "--answers", nine)  # fmt: skip
    assert resumed.exit_code == ExitCode.USAGE, resumed.output
    assert "which of the two came later is not known" in resumed.stderr, resumed.output


@pytest.mark.parametrize("order", ["exact-first", "minute-first"])
def test_a_rating_given_with_its_seconds_and_one_given_to_its_minute_are_one_moment(
    run: Run, tmp_path: Path, order: str
) -> None:
    """A file's 2 given for 10:00:30 and a 9 given for 10:00 (in one file, or the 2 on
    one resume and the 9 on the next): the 9 may have been taken at 10:00:45. Refused
    (exit 2), never a dose on the 2; the 2 given for 10:01 is taken after it."""
    opening = json_file(tmp_path, "v.json", visit())
    run("walk", "--no-input", "--now", f"{DAY}T09:00", "--label", "SECONDS",
        "--answers", opening)  # fmt: skip
    two = {"at": f"{DAY}T10:00:30", "total": 2}
    nine = {"at": f"{DAY}T10:00", "total": 9}
    first, then = (two, nine) if order == "exact-first" else (nine, two)
    run("walk", "--resume", "--label", "SECONDS", "--no-input", "--now", f"{DAY}T10:00:35",
        "--answers", json_file(tmp_path, "r1.json", {"cows_ratings": [first]}))  # fmt: skip
    second = json_file(tmp_path, "r2.json", {"cows_ratings": [then]})
    resumed = run("walk", "--resume", "--label", "SECONDS", "--no-input", "--json",
                  "--now", f"{DAY}T10:00:50", "--answers", second)  # fmt: skip
    assert resumed.exit_code == ExitCode.USAGE, resumed.output
    assert "which of the two came later is not known" in resumed.stderr, resumed.output
    both = json_file(tmp_path, "both.json", visit() | {"cows_ratings": [two, nine]})
    checked = run("check", "--json", "--now", f"{DAY}T10:30", "--answers", both)
    assert checked.exit_code == ExitCode.USAGE, checked.output
    later = json_file(tmp_path, "later.json", visit() | {"cows_ratings": [
        nine, {"at": f"{DAY}T10:01", "total": 2}]})  # fmt: skip
    out = json.loads(run("check", "--json", "--now", f"{DAY}T10:30", "--answers", later).stdout)
    assert out["used"]["cows_rating"]["total"] == 2, out


def test_a_rating_given_with_seconds_after_one_recorded_earlier_in_its_minute_is_taken(
    run: Run, tmp_path: Path
) -> None:
    """The 9 given for 10:00 was recorded at 10:00:30: it was taken by then. A 3 given on
    resume for 10:00:45 is the later, taken and read (it was refused, as if the 9 had been
    recorded at the resume)."""
    opening = json_file(tmp_path, "v.json", visit() | {"cows_ratings": [
        {"at": f"{DAY}T10:00", "total": 9}]})  # fmt: skip
    first = run("walk", "--no-input", "--now", f"{DAY}T10:00:30", "--label", "KNOWN",
                "--answers", opening)  # fmt: skip
    assert first.exit_code != ExitCode.USAGE, first.output
    three = json_file(
        tmp_path, "r3.json", {"cows_ratings": [{"at": f"{DAY}T10:00:45", "total": 3}]}
    )
    resumed = run("walk", "--resume", "--label", "KNOWN", "--no-input", "--json",
                  "--now", f"{DAY}T10:08", "--answers", three)  # fmt: skip
    assert resumed.exit_code != ExitCode.USAGE, resumed.output
    assert "withdrawal" not in json.loads(resumed.stdout)["blocking"], resumed.output
