"""A positive naloxone challenge stands until a negative rechallenge within the window
lifts it (reference 5.2; safety item 9). A clinic's copy of the pack that names the
positive otherwise ('pos') is now refused where it loads, but the sessions such a copy
recorded before that rule are still in the store, their series holding 'pos'. The
program reads a series entry as positive only when it says 'positive': the stored
positive is read as no positive at all, by a second walk of the label that morning with
the shipped pack, and by the session's own resume once the clinic has put its copy's
values right (as the load's refusal tells it to). Either way a second "challenge" is
taken as the result and the dose counts beside a positive that stands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import DOSE_GIVEN, TODAY, Run, answer_flags, clinic_copy, ready_patient
from tests.helpers import at_today as at
from tests.helpers import json_file as file
from xrntx_guide.pack import keys

LABEL = "STORED-POS"
WAITING = ready_patient(cows_total=None, naloxone_challenge=None)
SECOND_CHALLENGE = {
    "cows_ratings": [{"at": at("09:50"), "context": "before_challenge", "total": 1}],
    "naloxone_challenges": [
        {"at": at("10:25"), "started": at("09:55"), "kind": "challenge", "result": "negative"}
    ],
    **DOSE_GIVEN,
}


def positive_at_eight(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, positive: str
) -> tuple[str, str]:
    """08:30: a first induction blocked by a positive challenge (naloxone 07:30, read
    08:00), walked with a clinic's copy naming the positive ``positive``, as the program
    took such a copy before it refused it (the rule of the values set aside for this walk
    alone). The copy's folder, and the stored session's id."""
    monkeypatch.setenv("XRNTX_GUIDE_NO_CACHE", "1")
    copy = str(clinic_copy(tmp_path / "copy", "positive", positive))
    blocked = {
        "cows_ratings": [{"at": at("07:20"), "context": "before_challenge", "total": 1}],
        "naloxone_challenges": [
            {"at": at("08:00"), "started": at("07:30"), "kind": "challenge", "result": positive}
        ],
    }
    with monkeypatch.context() as older:
        older.setattr(keys, "CHALLENGE_RESULTS", ("negative", positive, "not_done"))
        out = run(
            "walk", "--no-input", "--label", LABEL, "--now", at("08:30"),
            "--acknowledge", "all", "--answers", file(tmp_path, "first.json", blocked),
            "--steps", copy, *answer_flags(WAITING),
        )  # fmt: skip
    assert out.exit_code == 1, out.output  # its own gate read its positive
    (stored,) = json.loads(run("sessions", "--json").stdout)
    return copy, str(stored["id"])


def doses_counted(run: Run) -> list[str]:
    history = run("history", LABEL, "--json", "--today", TODAY.isoformat())
    assert history.exit_code == 0, history.output
    return [str(i["date"]) for i in json.loads(history.stdout)["injections"]]


def second_walk_at_half_past_ten(run: Run, tmp_path: Path) -> None:
    """10:30: a new walk of the label with the shipped pack, a negative challenge (naloxone
    09:55, read 10:25) and the dose."""
    run(
        "walk", "--no-input", "--label", LABEL, "--now", at("10:30"), "--acknowledge", "all",
        "--answers", file(tmp_path, "second.json", SECOND_CHALLENGE), *answer_flags(WAITING),
    )  # fmt: skip


def test_the_control_a_positive_stored_under_the_programs_value_stands(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    positive_at_eight(run, tmp_path, monkeypatch, "positive")
    second_walk_at_half_past_ten(run, tmp_path)
    assert doses_counted(run) == []


@pytest.mark.xfail(
    strict=True,
    reason="a stored series result 'pos' (a copy's positive, recorded before such copies "
    "were refused) is read as no positive: visit/entries.py reads_positive compares with "
    "'positive' only, so history.py _refuse_beside_a_positive lets a second walk dose",
)
def test_a_positive_a_copy_stored_as_pos_stands_for_a_second_walk(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    positive_at_eight(run, tmp_path, monkeypatch, "pos")
    second_walk_at_half_past_ten(run, tmp_path)
    assert doses_counted(run) == []


def resumed_with_the_copy_put_right(run: Run, tmp_path: Path, session: str) -> None:
    """10:30: the session resumed with the clinic's copy whose values are put right (the
    program's own), a second "challenge", negative, and the dose."""
    fixed = str(clinic_copy(tmp_path / "fixed", "positive", "positive"))
    run(
        "walk", "--no-input", "--resume", "--session", session, "--now", at("10:30"),
        "--acknowledge", "all", "--steps", fixed,
        "--answers", file(tmp_path, "second.json", SECOND_CHALLENGE),
    )  # fmt: skip


def test_the_control_the_resumed_session_keeps_a_positive_stored_under_the_programs_value(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, session = positive_at_eight(run, tmp_path, monkeypatch, "positive")
    resumed_with_the_copy_put_right(run, tmp_path, session)
    assert doses_counted(run) == []


@pytest.mark.xfail(
    strict=True,
    reason="the resumed session's own 'pos' is not read as positive once the copy's values "
    "are put right (visit/entries.py reads the literal 'positive'), so a second challenge "
    "is its result and the dose counts",
)
def test_a_positive_a_copy_stored_as_pos_stands_when_its_session_is_resumed(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, session = positive_at_eight(run, tmp_path, monkeypatch, "pos")
    resumed_with_the_copy_put_right(run, tmp_path, session)
    assert doses_counted(run) == []
