"""A positive naloxone challenge stands until a negative rechallenge within the window;
past the window, a repeat on a new visit day is that day's new challenge (reference 5.2,
safety item 9). Only a challenge done counts: "not done" leaves the positive standing. A
clinic's copy of the pack that named "not done" otherwise ('skipped') recorded a result
the program read as done (the public vocabulary's value is 'not_done'): the visit resumed
next morning read the 'skipped' entry as that day's new challenge in place of yesterday's
positive, and the dose counted. Such a copy is refused where it loads."""

from __future__ import annotations

import json
from pathlib import Path

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


def test_a_copy_naming_not_done_otherwise_is_refused_where_it_loads(
    run: Run, tmp_path: Path
) -> None:
    """Its 'skipped' would be read as a challenge done, in place of yesterday's positive:
    the copy is refused when it loads (exit 3), naming the values the program reads."""
    copy = str(clinic_copy(tmp_path, "not_done", "skipped"))
    out = run("validate", "--steps", copy)
    assert out.exit_code == 3, out.output
    said = " ".join(out.stderr.split())
    assert "'naloxone_challenge' is read by the program" in said, said
    assert "'not_done'" in said and "keep the values" in said, said
