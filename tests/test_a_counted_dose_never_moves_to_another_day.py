"""A visit whose dose is counted stays on its day (clinicians.md, "A visit whose dose is
counted stays on its day when it is resumed later"; safety invariant 12: the record says a
dose was given only as the gates allowed it). Resumed with another date for the visit
(``--answer injection_date=...``, the documented way to move an unfinished visit), a
finished visit that gave its dose three days ago moves, dose and all, to the date given:
its screen, COWS and challenge are cleared as another day's, but the dose stays counted
on the new date, where nothing was judged. The record then says the dose was given ten
days ago, and the next visit, judged against that date, is READY three days after the
real dose."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.helpers import (
    MONTHLY_VISIT,
    TODAY,
    Run,
    after_injection,
    answer_flags,
    at_today,
    days_ago,
    first_dose_on,
    only_session,
    stored_record,
    walk_at,
)

LABEL = "MOVED-DOSE"
DOSE_DAY = days_ago(3)
EARLIER = days_ago(10)


def resumed_with_a_date(run: Run, day: Any) -> Any:
    """The finished dose visit resumed today, the run giving the visit's date ``day``."""
    session = only_session()
    return run(
        "walk", "--no-input", "--resume", "--session", session, "--now", at_today("12:00"),
        "--acknowledge", "all", "--answer", f"injection_date={day.isoformat()}",
    )  # fmt: skip


def dose_on_record() -> tuple[str, bool | None]:
    record = stored_record(only_session())
    return str(record.answers["injection_date"].value), record.injection_given


def next_visit_today(run: Run, last_injection: Any) -> str:
    answers = after_injection(**MONTHLY_VISIT, opioid_use_since_last_injection=False)
    for key in ("last_opioid_use", "last_opioid_kind", "injection_given"):
        answers.pop(key)
    answers |= {"visit": "repeat_injection", "last_injection_date": last_injection}
    answers["last_injection_side"] = "left"
    checked = run(
        "check", "--json", "--label", LABEL, "--now", at_today("12:00"), *answer_flags(answers)
    )
    return str(json.loads(checked.stdout or "{}").get("status", "refused"))


def test_the_control_a_resume_with_the_visits_own_date_keeps_the_dose(run: Run) -> None:
    first_dose_on(run, LABEL, DOSE_DAY)
    resumed_with_a_date(run, DOSE_DAY)
    assert dose_on_record() == (DOSE_DAY.isoformat(), True)
    assert next_visit_today(run, DOSE_DAY) != "ready"


def test_a_finished_dose_resumed_with_another_date_stays_on_its_day(run: Run) -> None:
    first_dose_on(run, LABEL, DOSE_DAY)
    resumed = resumed_with_a_date(run, EARLIER)
    date, counted = dose_on_record()
    assert (date, counted) == (DOSE_DAY.isoformat(), True), (
        f"the dose of {DOSE_DAY} is now recorded as given on {date} (counted: {counted})"
    )
    assert resumed.exit_code == 2, resumed.output
    assert f"stays on its day, {DOSE_DAY.isoformat()}" in " ".join(resumed.stderr.split())


@pytest.mark.usefixtures("at_a_terminal")
def test_edit_of_the_date_at_a_prompt_of_a_counted_dose_is_refused(run: Run) -> None:
    """A dose counted by a visit waiting for its observation, resumed at a terminal next
    morning: 'edit injection_date' to today is refused, the dose stays on its day."""
    yesterday = days_ago(1)
    given = after_injection(last_opioid_use=days_ago(15), injection_date=yesterday)
    given.pop("observation_minutes")
    waiting = walk_at(run, LABEL, f"{yesterday.isoformat()}T12:00", given)
    assert waiting.exit_code == 4, waiting.output
    typed = run(
        "walk", "--resume", "--session", only_session(), "--now", at_today("09:00"),
        "--plain", input=f"edit injection_date\n{TODAY.isoformat()}\nquit\nquit\n",
    )  # fmt: skip
    assert f"stays on its day, {yesterday.isoformat()}" in " ".join(typed.output.split())
    assert dose_on_record() == (yesterday.isoformat(), True)


def test_the_next_visit_after_a_moved_dose_is_never_ready_three_days_after_it(
    run: Run,
) -> None:
    first_dose_on(run, LABEL, DOSE_DAY)
    resumed_with_a_date(run, EARLIER)
    assert next_visit_today(run, EARLIER) != "ready"


def test_a_dose_waiting_for_its_observation_stays_on_its_day_when_resumed_next_morning(
    run: Run,
) -> None:
    yesterday = days_ago(1)
    given = after_injection(last_opioid_use=days_ago(15), injection_date=yesterday)
    given.pop("observation_minutes")
    waiting = walk_at(run, LABEL, f"{yesterday.isoformat()}T12:00", given)
    assert waiting.exit_code == 4, waiting.output  # the dose counted, the visit unfinished
    assert dose_on_record() == (yesterday.isoformat(), True)
    resumed = run(
        "walk", "--no-input", "--resume", "--session", only_session(), "--now",
        at_today("09:00"), "--acknowledge", "all", "--answer", f"injection_date={TODAY}",
        "--answer", "observation_minutes=30",
    )  # fmt: skip
    assert resumed.exit_code == 2 or dose_on_record() == (yesterday.isoformat(), True), (
        f"the dose given on {yesterday} is recorded as {dose_on_record()}"
    )
