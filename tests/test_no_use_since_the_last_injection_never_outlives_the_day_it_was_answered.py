"""The answer "no opioid use since the last injection" speaks for the days up to the visit it was
answered at. A monthly visit opened the day before the blockade wears off, left before the
dose and resumed after it, moves to the new day (its date was left to its default); the
answer then covers none of the days after the blockade, when a use makes the visit a new
induction (reference section 7: interval, screen, withdrawal, challenge). Given again on
the resume it counts; kept from the earlier day it must not give the dose."""

from __future__ import annotations

import json
from typing import Any

from tests.helpers import (
    DOSE_GIVEN,
    REPEAT_WITHOUT_USE,
    TODAY,
    Run,
    answer_flags,
    days_ago,
    first_dose_on,
    ready_patient,
    stored_sessions,
    walk_visit,
)
from xrntx_guide.errors import ExitCode

LABEL = "MOVED-1"
SCREEN = {
    f"uds_{assay}": "negative"
    for assay in ("opiates", "fentanyl", "buprenorphine", "methadone", "oxycodone")
}
"""A late visit asks for the urine screen (reference section 9): all negative."""
MOVED = {**SCREEN, "pregnancy_test": "not_applicable"}
"""What a visit moved to another day asks again (its results of the day): all clear."""


def opened_the_day_before_the_blockade_ends(run: Run) -> str:
    """The first dose 29 days before TODAY; a monthly visit answered ("no use since")
    on day 27, two days before TODAY, and left before the dose: its session id."""
    first_dose_on(run, LABEL, days_ago(29))
    visit = ready_patient(**REPEAT_WITHOUT_USE)
    opened = walk_visit(run, LABEL, days_ago(2), visit)
    assert opened.exit_code == ExitCode.INCOMPLETE, opened.output
    return str(stored_sessions(LABEL)[-1])


def resumed_today(run: Run, session: str, answers: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    out = run(
        "walk", "--no-input", "--resume", "--session", session, "--today", TODAY.isoformat(),
        "--acknowledge", "all",
        *answer_flags({**DOSE_GIVEN, "injection_side_used": "right", **MOVED, **answers}),
    )  # fmt: skip
    record = json.loads(next(s for s in stored_sessions(LABEL) if s == session).read_text())
    return out, record


def test_the_use_since_the_last_injection_given_again_on_the_resume_counts(run: Run) -> None:
    """Control: the clinician asks again today and the answer is given with the resume."""
    session = opened_the_day_before_the_blockade_ends(run)
    out, record = resumed_today(run, session, {"opioid_use_since_last_injection": False})
    assert out.exit_code == ExitCode.OK, out.output
    assert record["status"] == "complete" and record["injection_given"] is True, out.output


def test_no_use_answered_before_the_blockade_wore_off_never_gives_a_dose_after_it(
    run: Run,
) -> None:
    session = opened_the_day_before_the_blockade_ends(run)
    out, record = resumed_today(run, session, {})
    assert not (record["status"] == "complete" and record["injection_given"] is True), out.output
    assert "opioid_use_since_last_injection" in out.output, out.output
