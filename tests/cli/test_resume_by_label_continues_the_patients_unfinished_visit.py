"""``walk --resume --label L`` continues the patient's unfinished visit.

The help's own example (``xrntx-guide walk --resume --label AB12``) and the clinicians'
guide offer the label as the way back into a walk. Every patient past the first dose has a
finished visit under the same label (a repeat visit is recorded under the patient's label
so that it reads the record): the label then names several sessions, but only one of them
can be resumed. A clinician who typed ``quit`` at the monthly visit and comes back by the
label must land in that visit, not be told to look up an id.
"""

from __future__ import annotations

import datetime as dt

from tests.helpers import (
    MONTHLY_VISIT,
    REPEAT_WITHOUT_USE,
    TODAY,
    Run,
    after_injection,
    at_today,
    first_dose_on,
    stored_record,
    stored_sessions,
    walk_at,
)

LABEL = "AB-12"


def test_resume_by_label_continues_the_unfinished_visit_beside_a_finished_one(run: Run) -> None:
    first_dose_on(run, LABEL, TODAY - dt.timedelta(weeks=4))
    monthly = walk_at(run, LABEL, at_today("10:00"), {"visit": "repeat_injection"})
    assert monthly.exit_code == 4, monthly.output  # answers missing: left unfinished
    unfinished = [s for s in stored_sessions(LABEL) if stored_record(s).status != "complete"]
    assert len(unfinished) == 1 and len(stored_sessions(LABEL)) == 2

    resumed = run(
        "walk", "--no-input", "--resume", "--label", LABEL, "--now", at_today("10:05"),
    )  # fmt: skip

    assert resumed.exit_code == 4, resumed.output  # resumed, still waiting for answers
    assert unfinished[0] in resumed.stdout + resumed.stderr, resumed.output


def test_resume_by_label_of_a_patient_whose_visits_are_all_finished_says_to_start_one(
    run: Run,
) -> None:
    first_dose_on(run, LABEL, TODAY - dt.timedelta(weeks=4))
    monthly = {
        **after_injection(**REPEAT_WITHOUT_USE, **MONTHLY_VISIT),
        "injection_side_used": "right",
    }
    repeat = walk_at(run, LABEL, at_today("09:00"), monthly)  # the second dose: finished
    assert repeat.exit_code == 0, repeat.output
    assert len(stored_sessions(LABEL)) == 2

    resumed = run("walk", "--no-input", "--resume", "--label", LABEL, "--now", at_today("10:05"))

    assert resumed.exit_code == 2, resumed.output
    said = " ".join(resumed.stderr.split())
    assert "none to resume" in said and f"walk --label {LABEL}" in said, said
