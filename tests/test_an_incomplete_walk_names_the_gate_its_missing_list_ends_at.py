"""An unattended walk that lacks answers lists every answer still needed on its path, up
to a gate that stops it whatever they are (a caution without ``--acknowledge``), which
the screen names. Its JSON names that gate too (``missing_until``): a script gives the
answers and that gate's flag in one run, instead of finding the caution, then the
answers after it, one run at a time."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from tests.helpers import (
    MONTHLY_VISIT,
    REPEAT_WITHOUT_USE,
    TODAY,
    Run,
    after_injection,
    answer_flags,
    ready_patient,
    walk_at,
)

LABEL = "LATE-DOSE"
FIRST = TODAY - dt.timedelta(days=35)  # the next dose was due a week ago


def first_dose(run: Run) -> None:
    answers = after_injection(injection_date=FIRST, last_opioid_use=FIRST - dt.timedelta(days=14))
    given = walk_at(run, LABEL, f"{FIRST.isoformat()}T09:00", answers)
    assert given.exit_code == 0, given.output


def late_repeat_visit(run: Run, *flags: str) -> dict[str, Any]:
    """A repeat visit a week late, its pregnancy test and screens not given: the walk's
    JSON."""
    answers = ready_patient(**REPEAT_WITHOUT_USE, **MONTHLY_VISIT, pregnancy_test=None)
    walked = run("walk", "--no-input", "--json", "--no-save", "--label", LABEL,
                 "--now", f"{TODAY.isoformat()}T09:00", *flags, *answer_flags(answers))  # fmt: skip
    assert walked.exit_code == 4, walked.output
    return dict(json.loads(walked.stdout))


def test_the_json_names_the_caution_the_missing_answers_end_at(run: Run) -> None:
    first_dose(run)
    out = late_repeat_visit(run)
    assert out["status"] == "incomplete" and out["missing"], out
    until = out["missing_until"]
    assert until is not None, out
    # The screen names the same gate, and the check of the same answers lists answers
    # the walk's list leaves for after it.
    checked = run("check", "--json", "--label", LABEL, "--now", f"{TODAY.isoformat()}T09:00",
                  *answer_flags(ready_patient(**REPEAT_WITHOUT_USE, **MONTHLY_VISIT,
                                              pregnancy_test=None)))  # fmt: skip
    assert set(json.loads(checked.stdout)["missing"]) > set(out["missing"]), checked.stdout
    # Given with that gate's flag, the walk lists what comes after it in the same run.
    past = late_repeat_visit(run, "--acknowledge", until)
    assert set(past["missing"]) > set(out["missing"]), past
    assert past["missing_until"] != until, past


def test_a_list_that_runs_to_the_end_names_no_gate(run: Run) -> None:
    answers = ready_patient(uds_fentanyl=None)
    walked = run("walk", "--no-input", "--json", "--no-save", "--label", "OTHER",
                 "--now", f"{TODAY.isoformat()}T09:00", "--acknowledge", "all",
                 *answer_flags(answers))  # fmt: skip
    out = json.loads(walked.stdout)
    assert out["status"] == "incomplete" and "uds_fentanyl" in out["missing"], out
    assert out["missing_until"] is None, out
