"""The newest routes through the store and onto the screen say what is true and never end
in a traceback: a label's latest visit (``note``, ``card``) is a visit of the patient's
record, never a training run; ``sessions`` tells a training run from a care visit; an odd
console width (``COLUMNS``) neither loses a message nor turns a run into a traceback
whose exit code reads as a verdict; a page number past the store is not said to be a
store that cannot be read."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.helpers import (
    TODAY,
    Run,
    after_injection,
    answer_flags,
    days_ago,
    flat,
    json_answers,
)
from xrntx_guide.errors import ExitCode


def walk_on(run: Run, label: str, day: dt.date, answers: dict[str, Any], *extra: str) -> str:
    """An unattended walk of ``label`` dated ``day``; the id of the session it saved."""
    result = run(
        "walk",
        "--no-input",
        "--json",
        "--acknowledge",
        "all",
        "--label",
        label,
        "--today",
        day.isoformat(),
        *extra,
        *answer_flags(answers),
    )
    assert result.exit_code in (ExitCode.OK, ExitCode.BLOCKED), result.output
    return str(json.loads(result.stdout)["session"])


def care_visit_then_later_training_run(run: Run, label: str) -> tuple[str, str]:
    """A care visit that gave the first injection 28 days ago, then a training run (demo
    clock) of a repeat visit of the same label today: the ids of both."""
    first = days_ago(28)
    care = walk_on(
        run, label, first, after_injection(last_opioid_use=first - dt.timedelta(days=14))
    )
    training = walk_on(
        run,
        label,
        TODAY,
        after_injection(
            visit="repeat_injection",
            opioid_use_since_last_injection=False,
            last_opioid_use=first - dt.timedelta(days=14),
        ),
        "--demo-clock",
        "60",
    )
    return care, training


def test_card_by_label_is_printed_from_the_care_visit_not_a_later_training_run(
    run: Run,
) -> None:
    # The patient's record holds one care visit; the label's latest visit by date is a
    # training run, which is not part of the record: the card is the care visit's.
    care_visit_then_later_training_run(run, "pat")

    result = run("card", "pat", "--format", "text")

    assert result.exit_code == ExitCode.OK, result.output
    assert f"Last injection: {days_ago(28).isoformat()}" in result.stdout


def test_note_by_label_is_the_care_visit_not_a_later_training_run(run: Run) -> None:
    care, _ = care_visit_then_later_training_run(run, "pat")

    result = run("note", "pat", "--format", "json")

    assert result.exit_code == ExitCode.OK, result.output
    assert json.loads(result.stdout)["session"] == care, result.stderr


def test_sessions_tells_a_training_run_from_a_care_visit(run: Run) -> None:
    # `history` lists the run as 'TRAINING, complete'; the sessions listing shows it as a
    # plain complete visit with a next dose due, beside the patient's care visit.
    care, training = care_visit_then_later_training_run(run, "pat")

    result = run("sessions")

    assert result.exit_code == ExitCode.OK, result.output
    lines = [line.split() for line in result.stdout.splitlines()[1:]]
    rows = {parts[1]: " ".join(parts) for parts in lines if len(parts) > 1}
    assert "training" in rows[training].lower(), result.stdout
    assert "training" not in rows[care].lower(), result.stdout


def _program(args: list[str], home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "FORCE_COLOR")}
    return subprocess.run(
        [sys.executable, "-m", "xrntx_guide", *args],
        capture_output=True,
        text=True,
        env={**base, "NO_COLOR": "1", "TZ": "UTC", "XRNTX_GUIDE_HOME": str(home), **env},
        check=False,
        stdin=subprocess.DEVNULL,
    )


def _check_args(tmp_path: Path) -> list[str]:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(json_answers(after_injection())), encoding="utf-8")
    return ["check", "--today", TODAY.isoformat(), "--answers", str(answers)]


def test_a_columns_value_that_is_no_number_keeps_the_verdict_without_a_traceback(
    tmp_path: Path,
) -> None:
    # COLUMNS=² passes str.isdigit() but is no number: every command ended in a
    # traceback, and the bug report itself failed, so the process exited 1 - the code
    # that means 'blocked' - instead of the verdict.
    args = _check_args(tmp_path)
    plain = _program(args, tmp_path / "home")

    odd = _program(args, tmp_path / "home", COLUMNS="\u00b2")

    assert "Traceback" not in odd.stderr, odd.stderr
    assert odd.returncode == plain.returncode, odd.stderr
    assert odd.stdout == plain.stdout


def test_a_columns_value_that_is_no_number_lists_the_sessions(tmp_path: Path) -> None:
    odd = _program(["sessions"], tmp_path / "home", COLUMNS="\u00b2")

    assert "Traceback" not in odd.stderr, odd.stderr
    assert odd.returncode == ExitCode.OK, odd.stderr
    assert "No sessions" in odd.stdout


def test_an_error_is_shown_at_a_width_of_nought(tmp_path: Path) -> None:
    # COLUMNS=0 off a terminal: the error that ends the run must still be written, or
    # the clinician sees a silent failure.
    result = _program(["history", "nobody"], tmp_path / "home", COLUMNS="0")

    assert result.returncode == ExitCode.USAGE
    assert "nobody" in result.stderr, (result.stdout, result.stderr)


def test_the_outcome_of_a_walk_is_shown_at_a_width_of_nought(tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(json_answers(after_injection())), encoding="utf-8")
    args = ["walk", "--no-input", "--acknowledge", "all", "--label", "pt-0"]
    args += ["--today", TODAY.isoformat(), "--answers", str(answers)]

    result = _program(args, tmp_path / "home", COLUMNS="0")

    assert result.returncode == ExitCode.OK, result.stderr
    assert "Saved: session" in flat(result.stdout + result.stderr)


def test_a_page_past_any_store_is_not_said_to_be_an_unreadable_store(run: Run) -> None:
    result = run("sessions", "--page", str(2**63 - 1))

    assert "cannot read the store" not in flat(result.output), result.output
    assert result.exit_code in (ExitCode.OK, ExitCode.USAGE), result.output
    assert "page" in flat(result.output).lower(), result.output


def care_visit_then_an_end_of_treatment(run: Run, label: str) -> str:
    """A first injection 28 days ago, then a visit 14 days ago that ended the treatment
    (a switch to buprenorphine): the id of the visit that ended it."""
    first = days_ago(28)
    walk_on(run, label, first, after_injection(last_opioid_use=first - dt.timedelta(days=14)))
    ended = walk_on(
        run,
        label,
        days_ago(14),
        {
            "visit": "repeat_injection",
            "opioid_use_since_last_injection": False,
            "end_of_treatment": True,
            "end_of_treatment_reason": "switch_to_agonist",
            "agonist_after_naltrexone": "buprenorphine",
            "end_overdose_counselled": True,
            "end_reversal_agent_prescribed": True,
        },
    )
    listing = run("sessions")
    assert "treatment ended" in flat(listing.stdout), listing.output
    return ended


def said_of(text: str, visit: str) -> str:
    """What ``text`` says of ``visit`` in its parentheses after the id."""
    assert visit in text, text
    return text[text.index(visit) :].split(")")[0]


def test_the_other_visits_a_label_names_say_an_ended_treatment_as_sessions_does(
    run: Run,
) -> None:
    # `sessions` lists a visit that ended the treatment as 'treatment ended'; the list of
    # the label's other visits that note and card write called the same visit 'blocked'.
    ended = care_visit_then_an_end_of_treatment(run, "pat")
    later = run("walk", "--no-input", "--label", "pat", "--today", days_ago(7).isoformat())
    assert later.exit_code == ExitCode.INCOMPLETE, later.output  # a later visit, unfinished

    result = run("note", "pat", "--format", "json")

    mention = said_of(flat(result.stderr), ended)
    assert "treatment ended" in mention and "blocked" not in mention, result.stderr


def test_a_new_visit_names_the_latest_ended_visit_as_sessions_does(run: Run) -> None:
    # A new walk of the label says which earlier visit is the latest: a visit that ended
    # the treatment was called 'blocked' there.
    ended = care_visit_then_an_end_of_treatment(run, "pat")

    result = run("walk", "--no-input", "--label", "pat", "--today", days_ago(7).isoformat())

    said = flat(result.output)
    mention = said_of(said[said.index("the latest:") :], ended)
    assert "treatment ended" in mention and "blocked" not in mention, result.output


def test_a_repeat_visit_whose_reader_goes_away_still_records_its_dose(
    run: Run, tmp_path: Path
) -> None:
    # `xrntx-guide walk --no-input ... | head -1`: the walk of a patient with an earlier
    # visit writes the patient's history first, meets the closed pipe there and ends
    # quietly (exit 141) before the visit is saved: the injection given is not on record
    # (a first visit, with no history to show, is saved).
    first = days_ago(28)
    walk_on(run, "pat", first, after_injection(last_opioid_use=first - dt.timedelta(days=14)))
    answers = tmp_path / "repeat.json"
    repeat = after_injection(
        visit="repeat_injection",
        opioid_use_since_last_injection=False,
        last_opioid_use=first - dt.timedelta(days=14),
    )
    answers.write_text(json.dumps(json_answers(repeat)), encoding="utf-8")
    args = ["walk", "--no-input", "--acknowledge", "all", "--label", "pat"]
    args += ["--today", TODAY.isoformat(), "--answers", str(answers)]
    read, write = os.pipe()
    os.close(read)  # the reader has gone before the first line
    try:
        subprocess.run(
            [sys.executable, "-m", "xrntx_guide", *args],
            stdout=write,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "NO_COLOR": "1"},
            check=False,
        )
    finally:
        os.close(write)

    listing = run("sessions", "--json")
    dates = sorted(row["visit_date"] for row in json.loads(listing.stdout))
    assert dates == [first.isoformat(), TODAY.isoformat()], listing.output
