"""``walk --resume --label L`` continues the label's one unfinished visit, never a visit
that is over: a visit that ended the treatment is finished (``sessions`` lists it as
"treatment ended", and a new walk of the label does not name it as one to continue).
Resumed the next day, it is moved to that day and saved so: the patient's record then
says the treatment ended a day later than it did."""

from __future__ import annotations

from tests.helpers import (
    END_OF_TREATMENT,
    TODAY,
    Result,
    Run,
    at_noon,
    days_ago,
    first_dose_on,
    stored_ids,
    stored_record,
    walk_visit,
)

LABEL = "EOT-RES"
ENDING = {"visit": "repeat_injection", "opioid_use_since_last_injection": False}


def _dose_then(run: Run, answers: dict[str, object]) -> str:
    """A dose four weeks ago, then a visit yesterday with ``answers``: that visit's id."""
    first_dose_on(run, LABEL, days_ago(28))
    walk_visit(run, LABEL, days_ago(1), answers)
    return stored_ids()[0]


def _resume_by_label(run: Run) -> Result:
    return run("walk", "--no-input", "--resume", "--label", LABEL, "--now", at_noon(TODAY))


def test_a_visit_that_ended_treatment_is_not_resumed_by_its_label(run: Run) -> None:
    ended = _dose_then(run, {**ENDING, **END_OF_TREATMENT})
    assert stored_record(ended).visit_date == days_ago(1).isoformat()

    resumed = _resume_by_label(run)

    assert stored_record(ended).visit_date == days_ago(1).isoformat(), (
        "the end of treatment moved to another day"
    )
    assert resumed.exit_code == 2, resumed.output
    assert "finished" in resumed.stderr, resumed.output


def test_a_visit_left_unfinished_is_resumed_by_its_label(run: Run) -> None:
    """Control: the label's one visit still in progress beside a finished dose is taken."""
    open_ = _dose_then(run, {"visit": "repeat_injection"})
    assert stored_record(open_).status == "in_progress"

    resumed = _resume_by_label(run)

    assert resumed.exit_code == 4, resumed.output
    assert f"saved in session {open_}" in " ".join(resumed.stderr.split())
