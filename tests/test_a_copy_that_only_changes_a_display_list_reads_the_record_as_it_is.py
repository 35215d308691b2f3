"""A record is read by what each answer is (safety invariant 11): the names a record keeps
are its pack's names of every role the timeline reads, by where each stands in
``[guide.report]``. A clinic's copy of the pack that renames nothing, but adds one row
at the top of a list the note only displays (``end_of_treatment``: what a visit that
ended the treatment shows), shifts every position in that list; read by position, the
switch to buprenorphine that copy recorded (``agonist_after_naltrexone``) is read as
another answer, and a plain repeat dose two months after the switch is READY with no
new induction for a patient on buprenorphine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import (
    MONTHLY_VISIT,
    TODAY,
    Run,
    after_injection,
    answer_flags,
    copy_steps,
    days_ago,
    walk_visit,
)

LABEL = "CLINIC-NOTE-ROW"

ENDED: dict[str, Any] = {
    "visit": "repeat_injection",
    "opioid_use_since_last_injection": False,
    "end_of_treatment": True,
    "end_of_treatment_reason": "switch_to_agonist",
    "agonist_after_naltrexone": "buprenorphine",
    "end_overdose_counselled": True,
    "end_reversal_agent_prescribed": True,
}

ROW = (
    'end_of_treatment = [\n  { label = "Treatment ended; reason", '
    'value = "end_of_treatment_reason" },'
)


def copy_with_a_row(tmp_path: Path, added: bool) -> Path:
    """The shipped pack under its own guide id, every name kept; ``added``: one more row
    (the visit's date) at the top of the note's end-of-treatment list."""
    steps = copy_steps(tmp_path)
    path = steps / "00-guide.toml"
    text = path.read_text(encoding="utf-8")
    assert ROW in text
    text = text.replace('id = "xrntx_induction"', 'id = "clinic_copy"', 1)
    if added:
        head = 'end_of_treatment = [\n  { label = "Seen on", value = "injection_date" },'
        text = text.replace(ROW, head + ROW.removeprefix("end_of_treatment = ["), 1)
    path.write_text(text, encoding="utf-8")
    return steps


def switched_with_the_copy(run: Run, tmp_path: Path, added: bool) -> None:
    dose = walk_visit(run, LABEL, days_ago(84), after_injection(last_opioid_use=days_ago(98)))
    assert dose.exit_code == 0, dose.output
    copy = copy_with_a_row(tmp_path, added)
    end = walk_visit(run, LABEL, days_ago(60), ENDED, "--steps", str(copy))
    assert end.exit_code == 1, end.output  # the end gate ends the walk, no dose


def plain_repeat_dose_today(run: Run) -> str:
    answers = after_injection(**MONTHLY_VISIT, opioid_use_since_last_injection=False)
    for key in ("visit", "last_opioid_use", "last_opioid_kind", "injection_given"):
        answers.pop(key)
    checked = run(
        "check", "--json", "--label", LABEL, "--today", TODAY.isoformat(), *answer_flags(answers)
    )
    return str(json.loads(checked.stdout or "{}").get("status", "refused"))


def test_the_control_a_copy_as_shipped_refuses_no_use(run: Run, tmp_path: Path) -> None:
    switched_with_the_copy(run, tmp_path, added=False)
    assert plain_repeat_dose_today(run) != "ready"


def test_a_copy_with_a_row_added_to_the_note_still_refuses_no_use(run: Run, tmp_path: Path) -> None:
    switched_with_the_copy(run, tmp_path, added=True)
    assert plain_repeat_dose_today(run) != "ready"


def plain_repeat_dose_in_a_batch(run: Run) -> str:
    answers = after_injection(**MONTHLY_VISIT, opioid_use_since_last_injection=False)
    for key in ("visit", "last_opioid_use", "last_opioid_kind", "injection_given"):
        answers.pop(key)
    line = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in answers.items()}
    checked = run(
        "check", "--batch", "-", "--today", TODAY.isoformat(),
        input=json.dumps({**line, "label": LABEL, "id": "a"}) + "\n",
    )  # fmt: skip
    return str(json.loads(checked.stdout.splitlines()[0]).get("status", "refused"))


def test_the_control_a_batch_line_after_a_copy_as_shipped_is_not_ready(
    run: Run, tmp_path: Path
) -> None:
    switched_with_the_copy(run, tmp_path, added=False)
    assert plain_repeat_dose_in_a_batch(run) != "ready"


def test_a_batch_line_after_a_copy_with_a_row_added_is_not_ready(run: Run, tmp_path: Path) -> None:
    switched_with_the_copy(run, tmp_path, added=True)
    assert plain_repeat_dose_in_a_batch(run) != "ready"
