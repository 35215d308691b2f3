"""A dose given is the patient's dose, on its day, whatever copy of the pack recorded it
(safety invariant 11). A clinic's copy that renames nothing but lists the two answers a
repeat visit carries (``[guide.report.history] carry``) in the other order keeps, in its
record's names, the side where the shipped pack has the date: read by position, the
dose's date is read as its side ('left'), the history shows no dose date, and a repeat
visit gets no last injection from it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import (
    REPEAT_WITHOUT_USE,
    TODAY,
    Run,
    after_injection,
    check,
    copy_steps,
    days_ago,
    ready_patient,
    walk_visit,
)

LABEL = "CLINIC-CARRY-ORDER"

CARRY = (
    '  { question = "last_injection_date", from_answer = "injection_date" },\n'
    '  { question = "last_injection_side", from_answer = "injection_side_used" },\n'
)


def copy_in_order(tmp_path: Path, swapped: bool) -> Path:
    steps = copy_steps(tmp_path)
    path = steps / "00-guide.toml"
    text = path.read_text(encoding="utf-8")
    assert CARRY in text
    text = text.replace('id = "xrntx_induction"', 'id = "clinic_copy"', 1)
    if swapped:
        first, second = CARRY.splitlines(keepends=True)
        text = text.replace(CARRY, second + first, 1)
    path.write_text(text, encoding="utf-8")
    return steps


def dose_with_the_copy(run: Run, tmp_path: Path, swapped: bool) -> None:
    copy = copy_in_order(tmp_path, swapped)
    given = walk_visit(
        run, LABEL, days_ago(3), after_injection(last_opioid_use=days_ago(17)), "--steps", str(copy)
    )
    assert given.exit_code == 0, given.output


def injections(run: Run) -> list[str | None]:
    shown = run("history", "--json", LABEL, "--today", TODAY.isoformat())
    assert shown.exit_code == 0, shown.output
    return [i["date"] for i in json.loads(shown.stdout)["injections"]]


def test_the_control_a_copy_in_the_shipped_order_shows_the_dose_date(
    run: Run, tmp_path: Path
) -> None:
    dose_with_the_copy(run, tmp_path, swapped=False)
    assert injections(run) == [days_ago(3).isoformat()]


def test_a_copy_with_the_carry_rows_swapped_shows_the_dose_date(run: Run, tmp_path: Path) -> None:
    dose_with_the_copy(run, tmp_path, swapped=True)
    assert injections(run) == [days_ago(3).isoformat()]


def first_injection_today(run: Run) -> str:
    checked = check(run, ready_patient(last_opioid_use=days_ago(17)), "--label", LABEL)
    return str(json.loads(checked.stdout or "{}").get("status", "refused"))


def test_the_control_a_first_injection_after_the_copy_in_order_is_refused(
    run: Run, tmp_path: Path
) -> None:
    dose_with_the_copy(run, tmp_path, swapped=False)
    assert first_injection_today(run) != "ready"


def test_a_first_injection_after_the_copy_with_the_carry_rows_swapped_is_refused(
    run: Run, tmp_path: Path
) -> None:
    dose_with_the_copy(run, tmp_path, swapped=True)
    assert first_injection_today(run) != "ready"


def repeat_dose_today_after_an_older_injection(run: Run) -> str:
    """A repeat visit today that gives its last injection as 35 days ago (an older one
    than the dose of 3 days ago the record holds)."""
    answers = ready_patient(
        **REPEAT_WITHOUT_USE,
        last_injection_date=days_ago(35),
        last_injection_side="right",
    )
    checked = check(run, answers, "--label", LABEL)
    return str(json.loads(checked.stdout or "{}").get("status", "refused"))


def test_the_control_an_older_last_injection_after_the_copy_in_order_is_refused(
    run: Run, tmp_path: Path
) -> None:
    dose_with_the_copy(run, tmp_path, swapped=False)
    assert repeat_dose_today_after_an_older_injection(run) != "ready"


def test_an_older_last_injection_after_the_copy_with_the_carry_rows_swapped_is_refused(
    run: Run, tmp_path: Path
) -> None:
    dose_with_the_copy(run, tmp_path, swapped=True)
    assert repeat_dose_today_after_an_older_injection(run) != "ready"
