"""An opioid use an earlier visit recorded bounds the later ones (safety invariant 10: a
last use older than it is refused), whichever pack recorded it. A clinic's copy of the
pack (its own guide id) that names the last use otherwise records the use under its own
name; the record reads only the shipped pack's name, so the next day a last use two
weeks old is taken and the patient is READY, a day after a visit recorded use the day
before. The same for a use since the last injection recorded without its date (within
the blockade): "no use since the last injection" at the next visit is a plain repeat
dose, READY."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import (
    MONTHLY_VISIT,
    Run,
    after_injection,
    check,
    clinic_copy,
    days_ago,
    first_dose_on,
    ready_patient,
    walk_visit,
)

LABEL = "CLINIC-USE"


def use_recorded_yesterday(run: Run, tmp_path: Path, use_name: str) -> None:
    answers = ready_patient(last_opioid_use=None)
    answers[use_name] = days_ago(1)
    copy = clinic_copy(tmp_path, "last_opioid_use", use_name, keys=False)
    blocked = walk_visit(run, LABEL, days_ago(1), answers, "--steps", str(copy))
    assert blocked.exit_code == 1, blocked.output  # the interval blocks that visit


def today_with_an_older_use(run: Run) -> str:
    checked = check(run, ready_patient(last_opioid_use=days_ago(14)), "--label", LABEL)
    return str(json.loads(checked.stdout or "{}").get("status", "refused"))


def test_the_control_a_copy_that_keeps_the_name_bounds_the_use(run: Run, tmp_path: Path) -> None:
    use_recorded_yesterday(run, tmp_path, "last_opioid_use")
    assert today_with_an_older_use(run) != "ready"


def test_a_copy_that_renames_the_last_use_still_bounds_it(run: Run, tmp_path: Path) -> None:
    use_recorded_yesterday(run, tmp_path, "last_use_on")
    assert today_with_an_older_use(run) != "ready"


def undated_use_within_the_blockade(run: Run, tmp_path: Path, use_since: str) -> None:
    """A dose 30 days ago; 10 days ago a visit (the copy) recorded opioid use since that
    injection, judged not significant (within the blockade its date is not asked), and was
    left before the injection."""
    first_dose_on(run, LABEL, days_ago(30))
    answers = {**MONTHLY_VISIT, "visit": "repeat_injection", use_since: True}
    answers["opioid_use_significant"] = False
    copy = clinic_copy(tmp_path, "opioid_use_since_last_injection", use_since, keys=False)
    left = walk_visit(run, LABEL, days_ago(10), answers, "--steps", str(copy))
    assert left.exit_code == 4, left.output  # waits for the rest of the visit


def plain_repeat_dose_today(run: Run) -> str:
    answers = after_injection(**MONTHLY_VISIT, opioid_use_since_last_injection=False)
    for key in ("visit", "last_opioid_use", "last_opioid_kind", "injection_given"):
        answers.pop(key)
    checked = check(run, answers, "--label", LABEL)
    return str(json.loads(checked.stdout or "{}").get("status", "refused"))


def test_the_control_a_copy_that_keeps_the_name_refuses_no_use(run: Run, tmp_path: Path) -> None:
    undated_use_within_the_blockade(run, tmp_path, "opioid_use_since_last_injection")
    assert plain_repeat_dose_today(run) != "ready"


def test_a_copy_that_renames_the_use_since_the_injection_still_refuses_no_use(
    run: Run, tmp_path: Path
) -> None:
    undated_use_within_the_blockade(run, tmp_path, "used_since_last_dose")
    assert plain_repeat_dose_today(run) != "ready"
