"""A positive challenge stands until a negative rechallenge within the window lifts it
(reference 5.2), and a rechallenge is done only when the patient shows no withdrawal
before its naloxone: one done beside withdrawal counts as never done (the visit's own
gate reads it so). Another visit of the label the same day must not be judged without
that positive (safety invariant 9): a new walk with a plain negative challenge never
counts a dose beside it.

Session A: a positive challenge (naloxone 07:30, read 08:00), a negative rechallenge
(naloxone 09:00, read 09:25); at 09:42 the rating of 08:55 (``before``, before the
rechallenge's naloxone) is entered late with a calm one of 09:40. At 10:30 a new walk of
the label: a negative challenge (naloxone 09:55, read 10:25) and the dose."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import DOSE_GIVEN as GIVEN
from tests.helpers import TODAY, Run, answer_flags, ready_patient, stored_sessions
from tests.helpers import at_today as at
from tests.helpers import cows_threshold as threshold
from tests.helpers import json_file as file
from xrntx_guide.pack.guide import Guide

LABEL = "RECH-VOID"
DAY = TODAY.isoformat()


def doses_of_a_second_visit(run: Run, tmp_path: Path, before: int) -> list[str]:
    series = {
        "cows_ratings": [
            {"at": at("07:20"), "context": "before_challenge", "total": 1},
            {"at": at("08:50"), "context": "before_challenge", "total": 1},
        ],
        "naloxone_challenges": [
            {"at": at("08:00"), "started": at("07:30"), "kind": "challenge", "result": "positive"},
            {
                "at": at("09:25"),
                "started": at("09:00"),
                "kind": "rechallenge",
                "result": "negative",
            },
        ],
    }
    first = run(
        "walk", "--no-input", "--label", LABEL, "--now", at("09:30"), "--acknowledge", "all",
        "--answers", file(tmp_path, "first.json", series),
        *answer_flags(ready_patient(cows_total=None, naloxone_challenge=None)),
    )  # fmt: skip
    assert first.exit_code in (0, 1, 4), first.output
    (stored,) = stored_sessions(LABEL)
    session = str(json.loads(stored.read_text())["id"])
    ratings = {
        "cows_ratings": [
            {"at": at("08:55"), "context": "before_challenge", "total": before},
            {"at": at("09:40"), "context": "repeat", "total": 1},
        ]
    }
    late = run(
        "walk", "--no-input", "--resume", "--session", session, "--now", at("09:42"),
        "--acknowledge", "all", "--answers", file(tmp_path, "ratings.json", ratings),
    )  # fmt: skip
    assert late.exit_code in (0, 1, 4), late.output
    second = {
        "cows_ratings": [{"at": at("09:50"), "context": "before_challenge", "total": 1}],
        "naloxone_challenges": [
            {"at": at("10:25"), "started": at("09:55"), "kind": "challenge", "result": "negative"}
        ],
        **GIVEN,
    }
    run(
        "walk", "--no-input", "--label", LABEL, "--now", at("10:30"), "--acknowledge", "all",
        "--answers", file(tmp_path, "second.json", second),
        *answer_flags(ready_patient(cows_total=None, naloxone_challenge=None)),
    )  # fmt: skip
    history = run("history", LABEL, "--json", "--today", DAY)
    assert history.exit_code == 0, history.output
    return [i["date"] for i in json.loads(history.stdout)["injections"]]


def test_a_second_visit_never_counts_a_dose_beside_the_unlifted_positive(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    doses = doses_of_a_second_visit(run, tmp_path, before=threshold(guide) + 3)
    assert doses == [], "a second visit counted a dose beside a positive challenge not lifted"


def test_the_control_a_calm_rechallenge_lifts_it_and_the_dose_counts(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    doses = doses_of_a_second_visit(run, tmp_path, before=threshold(guide) - 3)
    assert doses == [DAY]
