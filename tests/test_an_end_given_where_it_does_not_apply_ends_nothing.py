"""An end of treatment given where its question does not apply (on a first injection,
by a flag or a file), on a visit its gates block, ends nothing: ``check`` lists it as
ignored, and the history and the session list said "treatment ended" (off treatment,
nothing to resume)."""

from __future__ import annotations

import json

from tests.helpers import TODAY, Run, ready_patient, walk_visit

LABEL = "STRAY-END"


def test_a_stray_end_on_a_blocked_first_injection_is_no_end_of_treatment(run: Run) -> None:
    answers = ready_patient(consent=False, end_of_treatment=True)  # a stop blocks it
    walked = walk_visit(run, LABEL, TODAY, answers)
    assert walked.exit_code == 1, walked.output
    listed = json.loads(run("sessions", "--json").stdout)
    assert [s["status"] for s in listed] != ["treatment ended"], listed
    shown = run("history", LABEL, "--today", TODAY.isoformat(), "--plain")
    assert "Off treatment" not in shown.stdout, shown.output


def test_an_end_recorded_on_a_repeat_visit_still_ends_the_treatment(run: Run) -> None:
    """The control: where the question applies, the end is the end."""
    from tests.helpers import MONTHLY_VISIT, REPEAT_WITHOUT_USE, days_ago, first_dose_on

    first_dose_on(run, LABEL, days_ago(28))
    ended = {
        **ready_patient(**REPEAT_WITHOUT_USE, last_injection_date=days_ago(28)),
        **MONTHLY_VISIT,
        "end_of_treatment": True,
        "end_of_treatment_reason": "patient_choice",
        "end_overdose_counselled": True,
        "end_reversal_agent_prescribed": True,
    }
    walk_visit(run, LABEL, TODAY, ended)
    shown = run("history", LABEL, "--today", TODAY.isoformat(), "--plain")
    assert "Off treatment" in shown.stdout, shown.output
