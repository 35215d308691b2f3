"""A positive naloxone challenge stands until a negative rechallenge within the window
lifts it (reference 5.2; safety item 9). A clinic's copy of the pack that names the
positive otherwise ('pos') is now refused where it loads, but a session such a copy
recorded before that rule may still be in the store, its series holding 'pos'. Read as
no positive, it let a second walk of the label that morning, and the session's own
resume, count a dose beside it. A series entry holds one of the program's own results
or the record cannot be read: its label's visits are then never judged ready, and the
record names the value."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.helpers import (
    DOSE_GIVEN,
    TODAY,
    Run,
    answer_flags,
    only_session,
    ready_patient,
    stored_sessions,
)
from tests.helpers import at_today as at
from tests.helpers import json_file as file

LABEL = "STORED-POS"
WAITING = ready_patient(cows_total=None, naloxone_challenge=None)
SECOND_CHALLENGE = {
    "cows_ratings": [{"at": at("09:50"), "context": "before_challenge", "total": 1}],
    "naloxone_challenges": [
        {"at": at("10:25"), "started": at("09:55"), "kind": "challenge", "result": "negative"}
    ],
    **DOSE_GIVEN,
}


def positive_at_eight(run: Run, tmp_path: Path, stored_as: str) -> str:
    """08:30: a first induction blocked by a positive challenge (naloxone 07:30, read
    08:00), its series entry then stored as ``stored_as`` (what an older version kept for
    a copy that named the positive so). The session's id."""
    blocked = {
        "cows_ratings": [{"at": at("07:20"), "context": "before_challenge", "total": 1}],
        "naloxone_challenges": [
            {"at": at("08:00"), "started": at("07:30"), "kind": "challenge", "result": "positive"}
        ],
    }
    out = run(
        "walk", "--no-input", "--label", LABEL, "--now", at("08:30"), "--acknowledge", "all",
        "--answers", file(tmp_path, "first.json", blocked), *answer_flags(WAITING),
    )  # fmt: skip
    assert out.exit_code == 1, out.output  # its own gate read its positive
    (stored,) = stored_sessions(LABEL)
    text = stored.read_text()
    edited = re.sub(r'("result":\s*)"positive"', rf'\1"{stored_as}"', text)
    assert (edited != text) is (stored_as != "positive")
    stored.write_text(edited)
    return only_session()


def doses_counted(run: Run) -> list[str]:
    history = run("history", LABEL, "--json", "--today", TODAY.isoformat())
    assert history.exit_code == 0, history.output
    return [str(i["date"]) for i in json.loads(history.stdout)["injections"]]


def second_walk_at_half_past_ten(run: Run, tmp_path: Path) -> str:
    """10:30: a new walk of the label, a negative challenge (naloxone 09:55, read 10:25)
    and the dose: what it said."""
    out = run(
        "walk", "--no-input", "--label", LABEL, "--now", at("10:30"), "--acknowledge", "all",
        "--answers", file(tmp_path, "second.json", SECOND_CHALLENGE), *answer_flags(WAITING),
    )  # fmt: skip
    return " ".join(out.stderr.split())


def test_the_control_a_positive_stored_under_the_programs_value_stands(
    run: Run, tmp_path: Path
) -> None:
    positive_at_eight(run, tmp_path, "positive")
    second_walk_at_half_past_ten(run, tmp_path)
    assert doses_counted(run) == []


def test_a_positive_stored_as_pos_holds_back_a_second_walk_naming_the_value(
    run: Run, tmp_path: Path
) -> None:
    positive_at_eight(run, tmp_path, "pos")
    said = second_walk_at_half_past_ten(run, tmp_path)
    assert doses_counted(run) == []
    assert "cannot be read" in said and "'negative', 'positive' or 'not_done'" in said, said


def test_a_positive_stored_as_pos_is_never_resumed_as_no_positive(run: Run, tmp_path: Path) -> None:
    session = positive_at_eight(run, tmp_path, "pos")
    resumed = run(
        "walk", "--no-input", "--resume", "--session", session, "--now", at("10:30"),
        "--acknowledge", "all", "--answers", file(tmp_path, "second.json", SECOND_CHALLENGE),
    )  # fmt: skip
    assert resumed.exit_code == 2, resumed.output
    assert doses_counted(run) == []
