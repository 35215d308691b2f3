"""Any sign of withdrawal after the naloxone makes the challenge positive (reference 5.2),
and a positive challenge is lifted only by a negative rechallenge within the window,
never by a second challenge (clinical basis, safety invariant 9).

A COWS rating of withdrawal taken during the observation (08:40, the naloxone at 08:30)
entered after the "negative" result (09:00) makes that result positive, as the walk
itself says when the two are given at once ("record it as positive"). Read on a resume,
it must not make the challenge "never done", which lets a second plain challenge (09:25,
negative) count the dose beside a positive nobody rechallenged."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import DOSE_GIVEN as GIVEN
from tests.helpers import TODAY, Run, answer_flags, opened, ready_patient, stored_sessions
from tests.helpers import at_today as at
from tests.helpers import cows_threshold as threshold
from tests.helpers import json_file as file
from tests.helpers import resume_at as resume
from xrntx_guide.pack.guide import Guide

LABEL = "OBS-LATE"
DAY = TODAY.isoformat()


def second_challenge_after(run: Run, tmp_path: Path, during: int) -> list[str]:
    """08:00 calm rating; 09:00 a negative challenge (naloxone 08:30); 09:30 the rating
    taken at 08:40 (``during``) entered with a calm one of 09:20; 10:00 a second challenge
    (naloxone 09:25, negative at 09:50) and the dose. Returns the doses' dates."""
    answers = ready_patient(cows_total=2, naloxone_challenge=None)
    session = opened(run, LABEL, "08:00", answers)
    negative = resume(
        run, session, "09:00",
        "-a", "naloxone_challenge=negative", "-a", "naloxone_challenge_started=08:30",
    )  # fmt: skip
    assert negative.exit_code in (0, 1, 4), negative.output
    ratings = {
        "cows_ratings": [
            {"at": at("08:40"), "context": "after_challenge", "total": during},
            {"at": at("09:20"), "context": "repeat", "total": 1},
        ]
    }
    resume(run, session, "09:30", "--answers", file(tmp_path, "ratings.json", ratings))
    again = {
        "naloxone_challenges": [
            {"at": at("09:50"), "started": at("09:25"), "kind": "challenge", "result": "negative"}
        ],
        **GIVEN,
    }
    resume(run, session, "10:00", "--answers", file(tmp_path, "again.json", again))
    history = run("history", LABEL, "--json", "--today", DAY)
    assert history.exit_code == 0, history.output
    return [i["date"] for i in json.loads(history.stdout)["injections"]]


def test_a_second_challenge_never_lifts_withdrawal_during_the_first_s_observation(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    doses = second_challenge_after(run, tmp_path, during=threshold(guide) + 3)
    assert doses == [], (
        "a dose was counted on a second challenge after a challenge whose observation "
        "rated withdrawal (a positive, which only a rechallenge may lift)"
    )


def test_the_control_a_calm_observation_and_the_dose_is_counted(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    doses = second_challenge_after(run, tmp_path, during=threshold(guide) - 3)
    assert doses == [DAY]


def second_rechallenge_after(run: Run, tmp_path: Path, during: int) -> list[str]:
    """A positive challenge (naloxone 07:30), a negative rechallenge (naloxone 09:00, read
    09:25); at 09:42 the rating taken at 09:10 (``during``) entered with a calm one of
    09:40; at 10:15 a second rechallenge (naloxone 09:45, negative at 10:10) and the dose.
    Returns the doses' dates."""
    answers = ready_patient(cows_total=None, naloxone_challenge=None)
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
        "--answers", file(tmp_path, "first.json", series), *answer_flags(answers),
    )  # fmt: skip
    assert first.exit_code in (0, 1, 4), first.output
    (stored,) = stored_sessions(LABEL)
    session = str(json.loads(stored.read_text())["id"])
    ratings = {
        "cows_ratings": [
            {"at": at("09:10"), "context": "after_challenge", "total": during},
            {"at": at("09:40"), "context": "before_challenge", "total": 1},
        ]
    }
    resume(run, session, "09:42", "--answers", file(tmp_path, "ratings.json", ratings))
    again = {
        "naloxone_challenges": [
            {"at": at("10:10"), "started": at("09:45"), "kind": "rechallenge", "result": "negative"}
        ],
        **GIVEN,
    }
    resume(run, session, "10:15", "--answers", file(tmp_path, "again.json", again))
    history = run("history", LABEL, "--json", "--today", DAY)
    assert history.exit_code == 0, history.output
    return [i["date"] for i in json.loads(history.stdout)["injections"]]


def test_a_second_rechallenge_never_lifts_withdrawal_during_the_first_s_observation(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    doses = second_rechallenge_after(run, tmp_path, during=threshold(guide) + 3)
    assert doses == [], (
        "a dose was counted on a second rechallenge after a rechallenge whose observation "
        "rated withdrawal (a positive rechallenge, after which none is offered)"
    )


def test_the_control_a_calm_rechallenge_observation_and_the_dose_is_counted(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    doses = second_rechallenge_after(run, tmp_path, during=threshold(guide) - 3)
    assert doses == [DAY]
