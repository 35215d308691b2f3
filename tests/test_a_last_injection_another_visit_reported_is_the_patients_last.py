"""A last injection another visit of the patient reported is the patient's last injection
(clinical basis, safety invariants 10 and 11): a repeat visit typed the date of a dose
given elsewhere, later than any dose the record counts. Every route that reads the record
(`check --label`, a batch line's `label`, `walk`) judges the next visit against it: it is
never called a first injection, never given an older date, and the older dose the record
counts is never filled in in its place (which made a visit three days after the reported
dose ready)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from tests.helpers import (
    TODAY,
    Run,
    after_injection,
    answer_flags,
    days_ago,
    flat,
    json_answers,
    no_traceback,
    ready_patient,
)
from tests.test_invariants_given_answers_and_record import DOSE, repeat_visit

LABEL = "REPORTED"
COUNTED = days_ago(30)  # a first injection the record counts
REPORTED = days_ago(3)  # the dose given elsewhere, typed at yesterday's visit


def on(run: Run, command: str, answers: Mapping[str, Any], day: dt.date = TODAY) -> Any:
    """``check`` or ``walk`` (unattended) of the patient on ``day``, with ``--json``."""
    unattended = ["--no-input"] if command == "walk" else []
    return run(
        command, *unattended, "--json", "--label", LABEL, "--today", day.isoformat(),
        "--acknowledge", "all", *answer_flags(answers),
    ) if command == "walk" else run(
        command, "--json", "--label", LABEL, "--today", day.isoformat(), *answer_flags(answers)
    )  # fmt: skip


def recorded(run: Run) -> str:
    """The counted dose, then yesterday's visit reporting a later one: stopped there (the
    early-dose stop), its dose not given. Returns that visit's session id."""
    first = on(run, "walk", after_injection(last_opioid_use=COUNTED - dt.timedelta(days=14)),
               COUNTED)  # fmt: skip
    assert first.exit_code == 0, first.output
    told = repeat_visit(last_injection_date=REPORTED, last_injection_side="right")
    stopped = on(run, "walk", told, TODAY - dt.timedelta(days=1))
    assert stopped.exit_code in (1, 4), stopped.output
    return str(json.loads(stopped.stdout)["session"])


def test_a_check_leaving_the_date_to_the_record_is_not_filled_in_from_the_older_dose(
    run: Run,
) -> None:
    session = recorded(run)
    result = on(run, "check", repeat_visit())
    no_traceback(result)
    out = json.loads(result.stdout)
    assert out["status"] != "ready", out
    assert "last_injection_date" in out["missing"], out
    assert out["record"]["prefilled"].get("last_injection_date") is None, out["record"]
    said = " ".join(out["record"]["warnings"])
    assert session in said and REPORTED.isoformat() in said, said


def test_the_reported_date_given_is_judged_by_the_early_dose_stop(run: Run) -> None:
    recorded(run)
    given = repeat_visit(last_injection_date=REPORTED, last_injection_side="left")
    result = on(run, "check", given)
    out = json.loads(result.stdout)
    assert out["status"] != "ready", out
    assert "dose_timing" in out["blocking"], out


def test_an_older_date_or_a_first_injection_is_refused_on_every_route(run: Run) -> None:
    session = recorded(run)
    older = repeat_visit(last_injection_date=COUNTED, last_injection_side="left")
    for result in (
        on(run, "check", older),
        on(run, "check", ready_patient()),
        on(run, "walk", {**ready_patient(), **DOSE}),
    ):
        no_traceback(result)
        assert result.exit_code == 2, result.output
        text = flat(result.output)
        assert REPORTED.isoformat() in text and session in text, result.output
    line = run(
        "check", "--batch", "-", "--today", TODAY.isoformat(),
        input=json.dumps({**json_answers(ready_patient()), "label": LABEL}) + "\n",
    )  # fmt: skip
    no_traceback(line)
    out = json.loads(line.stdout.splitlines()[0])
    assert out["status"] == "error" and REPORTED.isoformat() in out["message"], out
    # No dose was counted by the refused walk.
    history = json.loads(run("history", LABEL, "--json").stdout)
    assert [i["date"] for i in history["injections"]] == [COUNTED.isoformat()], history


def test_an_older_date_is_named_as_the_visits_answer_never_as_a_dose_given(run: Run) -> None:
    """The refusal names the date as this visit's answer: "<date> was given" read as a
    dose given that day, of a date a walk may have filled in from the record."""
    recorded(run)
    older = repeat_visit(last_injection_date=COUNTED, last_injection_side="left")
    text = flat(on(run, "check", older).output)
    assert f"last_injection_date is {COUNTED.isoformat()}" in text, text
    assert f"{COUNTED.isoformat()} was given" not in text, text


def test_a_reported_date_no_later_than_the_counted_dose_changes_nothing(run: Run) -> None:
    """The control: a visit that typed the counted dose's own date (or an older one)
    reports nothing new, and the record fills in the counted dose as before."""
    first = on(run, "walk", after_injection(last_opioid_use=COUNTED - dt.timedelta(days=14)),
               COUNTED)  # fmt: skip
    assert first.exit_code == 0, first.output
    told = repeat_visit(last_injection_date=COUNTED, last_injection_side="right")
    on(run, "walk", {**told, "opioid_use_since_last_injection": None},
       TODAY - dt.timedelta(days=1))  # fmt: skip
    out = json.loads(on(run, "check", repeat_visit()).stdout)
    assert out["record"]["prefilled"].get("last_injection_date") == COUNTED.isoformat(), out
    assert out["record"]["warnings"] == [], out["record"]


def test_a_dose_reported_after_a_visits_date_says_nothing_of_that_visit(run: Run) -> None:
    """A visit dated before the reported dose (left unfinished, resumed to enter it) is
    judged against the dose before it: giving that date is taken, never refused by a
    dose that came after the visit (which no date it can give would satisfy)."""
    first = on(run, "walk", after_injection(last_opioid_use=COUNTED - dt.timedelta(days=14)),
               COUNTED)  # fmt: skip
    assert first.exit_code == 0, first.output
    earlier = REPORTED - dt.timedelta(days=2)  # a visit before the dose given elsewhere
    told = repeat_visit(last_injection_date=REPORTED, last_injection_side="right")
    assert on(run, "walk", told, TODAY - dt.timedelta(days=1)).exit_code in (1, 4)
    before = repeat_visit(injection_date=earlier, last_injection_date=COUNTED,
                          last_injection_side="left")  # fmt: skip
    result = on(run, "check", before)
    no_traceback(result)
    assert result.exit_code != 2, result.output


def test_a_visit_between_two_reported_doses_is_bound_by_the_one_before_it(run: Run) -> None:
    """Two visits reported doses given elsewhere, three weeks apart. A visit dated between
    them is judged against the earlier (the later says nothing of it): called a first
    injection, it is refused naming the earlier; it was READY, the later report set
    aside and the earlier never read)."""
    earlier, later = TODAY - dt.timedelta(days=19), TODAY - dt.timedelta(days=4)
    for given, on_day in ((earlier, earlier + dt.timedelta(days=5)), (later, TODAY)):
        told = repeat_visit(last_injection_date=given, last_injection_side="left")
        assert on(run, "walk", told, on_day).exit_code in (1, 4)
    between = earlier + dt.timedelta(days=3)
    used = earlier - dt.timedelta(days=20)
    result = on(run, "check", ready_patient(injection_date=between, last_opioid_use=used))
    no_traceback(result)
    assert result.exit_code == 2 and earlier.isoformat() in flat(result.output), result.output
