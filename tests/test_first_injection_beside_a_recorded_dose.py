"""Routes around the 'first injection with a dose on record' refusal
(visit/history.py ``contradiction``)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from tests.helpers import TODAY, after_injection, answer_flags, days_ago

Run = Callable[..., Any]
LABEL = "RT2"


def walk(run: Run, day: dt.date, answers: dict[str, Any], label: str = LABEL) -> Any:
    return run(
        "walk", "--no-input", "--json", "--label", label, "--today", day.isoformat(),
        "--acknowledge", "all", *answer_flags(answers),
    )  # fmt: skip


def first_visit(day: dt.date) -> dict[str, Any]:
    return after_injection(last_opioid_use=day - dt.timedelta(days=14))


def test_first_injection_refused_even_when_a_later_unfinished_visit_records_a_dose(
    run: Run,
) -> None:
    """Day -28: a finished first injection. Day -4: a repeat visit records the injection
    given but does not finish (the counselling answers missing: exit 4). Today: a new walk
    answered visit=first_injection finishes with the injection given (exit 0), 4 days
    after a dose and with two doses on record. ``timeline`` returns source=None when it
    holds back an unfinished injection, and ``contradiction`` only looks at source, so
    the refusal that exists for exactly this (a repeat skipping the early-repeat stop)
    is bypassed."""
    assert walk(run, days_ago(28), first_visit(days_ago(28))).exit_code == 0
    repeat = after_injection(
        visit="repeat_injection",
        opioid_use_since_last_injection=False,
        last_injection_date=days_ago(28),
        last_injection_side="left",
    )
    repeat["injection_side_used"] = "right"
    for key in (
        "last_opioid_use",
        "last_opioid_kind",
        "uds_opiates",
        "wallet_card_given",
        "observation_minutes",
    ):
        repeat.pop(key, None)
    unfinished = walk(run, days_ago(4), repeat)
    assert unfinished.exit_code == 4, unfinished.stdout
    history = json.loads(run("history", LABEL, "--json", "--today", TODAY.isoformat()).stdout)
    assert any(v["injection_given"] for v in history["visits"] if not v["counts"])

    result = walk(run, TODAY, first_visit(TODAY))
    assert result.exit_code == 2, result.stdout  # refused: the record shows a dose
    assert json.loads(result.stdout or "{}").get("status") != "complete"


def test_first_injection_refused_when_the_label_differs_only_in_case(run: Run) -> None:
    """A dose 4 days ago under 'RT2'; a walk for 'rt2' answered first_injection finishes
    with the injection given, with no warning and no 'did you mean'. Labels are the only
    identifier; whitespace is normalised (clean_label) but case is not. Expected at least
    a refusal or the same record (or an explicit warning), never a silent second dose."""
    assert walk(run, days_ago(4), first_visit(days_ago(4))).exit_code == 0
    result = walk(run, TODAY, first_visit(TODAY), label=LABEL.lower())
    assert result.exit_code != 0 or LABEL in result.stderr, result.stdout
