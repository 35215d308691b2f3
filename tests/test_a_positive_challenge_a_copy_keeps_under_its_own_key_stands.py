"""A positive naloxone challenge stands until a negative rechallenge within the window
lifts it (reference 5.2; safety item 9): another walk of the label that morning is not
judged without it. The program keeps a challenge's series only for the question named
``naloxone_challenge`` (pack/keys.py): a clinic's copy of the pack that named the question
otherwise ('nx_challenge', its values kept) loaded, blocked its own visit on the positive,
but recorded it as a plain answer, outside the series every other visit reads: a second
walk that morning with the shipped pack took its own negative challenge and counted the
dose beside the positive. A timed result with the challenge's values under another name
is refused where the pack loads."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import DOSE_GIVEN, TODAY, Run, answer_flags, clinic_copy, ready_patient
from tests.helpers import at_today as at
from tests.helpers import json_file as file

LABEL = "CLINIC-NX"


def positive_at_eight(run: Run, tmp_path: Path, key: str) -> None:
    """08:30: a first induction blocked by a positive challenge (naloxone 07:30), walked
    with a clinic's copy that names the challenge's question ``key``."""
    copy = str(clinic_copy(tmp_path / "copy", "naloxone_challenge", key))
    out = run(
        "walk", "--no-input", "--label", LABEL, "--now", at("08:30"), "--acknowledge", "all",
        "--steps", copy, "--answer", f"{key}=positive", "--answer", f"{key}_started=07:30",
        *answer_flags(ready_patient(cows_total=1, naloxone_challenge=None)),
    )  # fmt: skip
    assert out.exit_code == 1, out.output  # its own gate reads the positive
    assert "positive" in out.stdout, out.output


def doses_after_a_second_walk(run: Run, tmp_path: Path) -> list[str]:
    """10:30: a new walk of the label with the shipped pack, a negative challenge (naloxone
    09:55, read 10:25) and the dose. The doses the record then counts."""
    again = {
        "cows_ratings": [{"at": at("09:50"), "context": "before_challenge", "total": 1}],
        "naloxone_challenges": [
            {"at": at("10:25"), "started": at("09:55"), "kind": "challenge", "result": "negative"}
        ],
        **DOSE_GIVEN,
    }
    run(
        "walk", "--no-input", "--label", LABEL, "--now", at("10:30"), "--acknowledge", "all",
        "--answers", file(tmp_path, "second.json", again),
        *answer_flags(ready_patient(cows_total=None, naloxone_challenge=None)),
    )  # fmt: skip
    history = run("history", LABEL, "--json", "--today", TODAY.isoformat())
    assert history.exit_code == 0, history.output
    return [str(i["date"]) for i in json.loads(history.stdout)["injections"]]


def test_the_control_a_copy_keeping_the_challenges_name_keeps_its_positive(
    run: Run, tmp_path: Path
) -> None:
    positive_at_eight(run, tmp_path, "naloxone_challenge")
    assert doses_after_a_second_walk(run, tmp_path) == []


def test_a_copy_naming_the_challenge_otherwise_is_refused_where_it_loads(
    run: Run, tmp_path: Path
) -> None:
    copy = str(clinic_copy(tmp_path / "copy", "naloxone_challenge", "nx_challenge"))
    out = run("validate", "--steps", copy)
    assert out.exit_code == 3, out.output
    said = " ".join(out.stderr.split())
    assert "'nx_challenge' is a timed result with the naloxone challenge's values" in said
    assert "only under the names 'naloxone_challenge'" in said, said
