"""A dose given after a visit that ended the treatment puts the patient back on treatment
(clinical basis, safety invariant 12: the record says only what is true). A dose counted
is a dose given: every recorded dose counts, finished visit or not (the visit waits for
the observation and the wallet card after the injection). While it waits, the history
must not say "Off treatment" with the injection before the end as the last one."""

from __future__ import annotations

import datetime as dt
import json

from tests.helpers import (
    REPEAT_WITHOUT_USE,
    TODAY,
    Run,
    after_injection,
    answer_flags,
    days_ago,
    ready_patient,
)

LABEL = "EOT-THEN-OPEN-DOSE"
DAY = TODAY.isoformat()
ENDED = {
    "end_of_treatment": True,
    "end_of_treatment_reason": "patient_choice",
    "end_of_treatment_comment": "wants to stop",
    "end_overdose_counselled": True,
    "end_reversal_agent_prescribed": True,
}
DOSED = {"injection_given": True, "injection_side_used": "right", "needle_used": "2-inch"}


def walk_at(run: Run, at: str, answers: dict[str, object]) -> int:
    walked = run(
        "walk", "--no-input", "--label", LABEL, "--now", at, "--acknowledge", "all",
        *answer_flags(answers),
    )  # fmt: skip
    return walked.exit_code


def end_then_dose(run: Run, finished: bool) -> object:
    """A first dose four weeks ago; today 09:00 an end of treatment, 10:00 a dose (its
    visit finished, or waiting for the observation). The history's off_treatment."""
    first = days_ago(28)
    before = after_injection(last_opioid_use=first - dt.timedelta(days=14), injection_date=first)
    assert walk_at(run, f"{first.isoformat()}T12:00", before) == 0
    assert walk_at(run, f"{DAY}T09:00", ready_patient(**REPEAT_WITHOUT_USE, **ENDED)) == 1
    if finished:
        dosed = after_injection(**REPEAT_WITHOUT_USE)
        assert walk_at(run, f"{DAY}T10:00", {**dosed, **DOSED}) == 0
    else:
        dosed = ready_patient(**REPEAT_WITHOUT_USE, **DOSED)
        assert walk_at(run, f"{DAY}T10:00", dosed) == 4  # waits for the observation
    shown = run("history", LABEL, "--today", DAY, "--json")
    assert shown.exit_code == 0, shown.output
    timeline = json.loads(shown.stdout)
    counted = [v for v in timeline["visits"] if v["injection_given"] and v["date"] == DAY]
    assert counted, timeline  # the test's premise: today's dose is counted
    return timeline["off_treatment"]


def test_the_control_a_finished_dose_after_the_end_is_on_treatment(run: Run) -> None:
    assert end_then_dose(run, finished=True) is None


def test_a_dose_counted_after_the_end_is_on_treatment_while_its_visit_waits(run: Run) -> None:
    assert end_then_dose(run, finished=False) is None
