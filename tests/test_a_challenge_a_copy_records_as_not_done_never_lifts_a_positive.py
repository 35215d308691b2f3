"""A positive naloxone challenge stands until a negative rechallenge within the window;
past the window, a repeat on a new visit day is that day's new challenge (reference 5.2,
safety item 9). Only a challenge done counts: "not done" leaves the positive standing. A
clinic's copy of the pack that names "not done" otherwise ('skipped') records a result
the program reads as done, since it compares it with the literal 'not_done': the visit
resumed next morning reads the 'skipped' entry as that day's new challenge in place of
yesterday's positive, and the dose counts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import DOSE_GIVEN, TODAY, Run, answer_flags, clinic_copy, days_ago, ready_patient
from tests.helpers import json_file as file

LABEL = "CLINIC-SKIPPED"
YESTERDAY = days_ago(1).isoformat()
DAY_RESULTS = ("pregnancy_test", "uds_")


def resumed_next_morning_without_a_challenge(
    run: Run, tmp_path: Path, not_done: str, *steps: str
) -> dict[str, object]:
    """Yesterday: a positive challenge (naloxone 07:30, read 08:00), the walk stopped.
    Resumed this morning: the day's results again, a challenge recorded as not done
    (``not_done``, as the pack names it) and the dose. The resumed walk's JSON."""
    positive = {
        "cows_ratings": [{"at": f"{YESTERDAY}T07:20", "context": "before_challenge", "total": 1}],
        "naloxone_challenges": [
            {
                "at": f"{YESTERDAY}T08:00",
                "started": f"{YESTERDAY}T07:30",
                "kind": "challenge",
                "result": "positive",
            }
        ],
    }
    first = run(
        "walk", "--no-input", "--json", "--label", LABEL, "--now", f"{YESTERDAY}T08:30",
        "--acknowledge", "all", "--answers", file(tmp_path, "positive.json", positive), *steps,
        *answer_flags(ready_patient(cows_total=None, naloxone_challenge=None)),
    )  # fmt: skip
    assert first.exit_code == 1, first.output
    session = json.loads(first.stdout)["session"]
    today = TODAY.isoformat()
    not_done_today = {
        "cows_ratings": [{"at": f"{today}T09:50", "context": "before_challenge", "total": 1}],
        "naloxone_challenges": [{"at": f"{today}T10:00", "kind": "challenge", "result": not_done}],
        **DOSE_GIVEN,
    }
    again = {k: v for k, v in ready_patient().items() if k.startswith(DAY_RESULTS)}
    resumed = run(
        "walk", "--no-input", "--json", "--resume", "--session", session,
        "--now", f"{today}T10:30", "--acknowledge", "all",
        "--answers", file(tmp_path, "today.json", not_done_today), *steps, *answer_flags(again),
    )  # fmt: skip
    out: dict[str, object] = json.loads(resumed.stdout or resumed.stderr)
    return out


def test_the_control_not_done_leaves_the_positive_standing(run: Run, tmp_path: Path) -> None:
    resumed = resumed_next_morning_without_a_challenge(run, tmp_path, "not_done")
    assert resumed["missing"] == [], resumed  # the day's results were all given again
    assert resumed.get("blocking") == ["naloxone_challenge"], resumed


@pytest.mark.xfail(
    strict=True,
    reason="visit/entries.py new_challenges counts every result but the literal 'not_done' "
    "as a challenge done: the copy's 'skipped' replaces yesterday's positive, and the "
    "resumed walk completes with the dose",
)
def test_a_copy_naming_not_done_otherwise_leaves_the_positive_standing(
    run: Run, tmp_path: Path
) -> None:
    copy = str(clinic_copy(tmp_path, "not_done", "skipped"))
    resumed = resumed_next_morning_without_a_challenge(run, tmp_path, "skipped", "--steps", copy)
    assert resumed["status"] != "complete"
