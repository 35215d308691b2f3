"""A negative naloxone challenge turned positive by a COWS rating of withdrawal entered for
its observation is negative again once that rating is corrected below the threshold (the
walk's own advice: "record it as positive, or correct the rating if it was recorded in
error"). The series is read as it stands, every correction included (safety invariant 9):
a positive that only a rating recorded in error made must not outlive the rating, or the
patient is held back (no dose counted) on a withdrawal nobody saw."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import DOSE_GIVEN as GIVEN
from tests.helpers import TODAY, Run, opened, ready_patient
from tests.helpers import at_today as at
from tests.helpers import cows_threshold as threshold
from tests.helpers import json_file as file
from tests.helpers import resume_at as resume
from xrntx_guide.pack.guide import Guide

LABEL = "OBS-FIXED"
DAY = TODAY.isoformat()


def doses_after(run: Run, tmp_path: Path, entered: int, corrected: int) -> tuple[list[str], str]:
    """08:00 calm rating; 09:00 a negative challenge (naloxone 08:30); 09:30 the rating of
    08:40 entered late (``entered``); 09:40 it is corrected to ``corrected`` (recorded in
    error); 09:50 the dose. Returns the doses' dates and the last walk's output."""
    answers = ready_patient(cows_total=2, naloxone_challenge=None)
    session = opened(run, LABEL, "08:00", answers)
    negative = resume(
        run, session, "09:00",
        "-a", "naloxone_challenge=negative", "-a", "naloxone_challenge_started=08:30",
    )  # fmt: skip
    assert negative.exit_code in (0, 1, 4), negative.output
    late = {"cows_ratings": [{"at": at("08:40"), "context": "after_challenge", "total": entered}]}
    out = resume(run, session, "09:30", "--answers", file(tmp_path, "late.json", late))
    assert out.exit_code in (0, 1, 4), out.output
    if corrected != entered:
        fix = {
            "cows_ratings": [
                {
                    "at": at("09:40"),
                    "corrects": at("08:40"),
                    "reason": "another patient's sheet",
                    "total": corrected,
                }
            ]
        }
        out = resume(run, session, "09:40", "--answers", file(tmp_path, "fix.json", fix))
        assert out.exit_code in (0, 1, 4), out.output
    dose = resume(run, session, "09:50", "--answers", file(tmp_path, "dose.json", GIVEN))
    history = run("history", LABEL, "--json", "--today", DAY)
    assert history.exit_code == 0, history.output
    return [i["date"] for i in json.loads(history.stdout)["injections"]], dose.output


def test_a_rating_corrected_below_the_threshold_leaves_the_negative_standing(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    doses, said = doses_after(run, tmp_path, threshold(guide) + 3, threshold(guide) - 4)
    assert doses == [DAY], (
        "no dose counted on a negative challenge whose only withdrawal rating was "
        f"corrected below the threshold as recorded in error:\n{said}"
    )


def test_the_control_the_calm_rating_entered_as_it_was_counts_the_dose(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    doses, _ = doses_after(run, tmp_path, threshold(guide) - 4, threshold(guide) - 4)
    assert doses == [DAY]
