"""A hypersensitivity once recorded is known, and binds every no given after it (clinical
basis, safety invariants 1 and 11). A visit walked now but dated the day before the visit
that recorded it (a visit entered late, ``--today``) gives its no after the yes was
recorded all the same: the clinician answering it has the record in front of them. Taken,
the walk shows the injection step and counts the dose, and ``check`` says READY, for a
patient the record says is hypersensitive to naltrexone."""

from __future__ import annotations

import datetime as dt
import json

from tests.helpers import TODAY, Run, after_injection, answer_flags, ready_patient, walk_visit

LABEL = "ALLERGY-BEFORE"
YESTERDAY = TODAY - dt.timedelta(days=1)
USE = TODAY - dt.timedelta(days=16)  # the same last use for both visits


def record_hypersensitivity(run: Run) -> None:
    yes = walk_visit(run, LABEL, TODAY, ready_patient(hypersensitivity=True, last_opioid_use=USE))
    assert yes.exit_code == 1, yes.output  # the contraindication blocks; the yes is kept


def test_the_control_a_later_visit_cannot_answer_it_away(run: Run) -> None:
    record_hypersensitivity(run)
    later = walk_visit(run, LABEL, TODAY, after_injection(last_opioid_use=USE))
    assert later.exit_code == 2, later.output
    assert "hypersensitivity" in later.stderr, later.output


def test_a_visit_dated_before_the_yes_never_counts_a_dose(run: Run) -> None:
    record_hypersensitivity(run)
    earlier = walk_visit(run, LABEL, YESTERDAY, after_injection(last_opioid_use=USE))
    assert earlier.exit_code != 0, earlier.output
    history = json.loads(run("history", LABEL, "--today", TODAY.isoformat(), "--json").stdout)
    assert history["injections"] == [], history


def test_a_check_dated_before_the_yes_is_never_ready(run: Run) -> None:
    record_hypersensitivity(run)
    checked = run(
        "check", "--json", "--label", LABEL, "--today", YESTERDAY.isoformat(),
        *answer_flags(ready_patient(last_opioid_use=USE)),
    )  # fmt: skip
    assert checked.exit_code != 0, checked.output
    assert '"status": "ready"' not in checked.stdout, checked.output
