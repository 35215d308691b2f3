"""An opioid use that a visit of the patient recorded bounds every injection it precedes,
and only those (clinical basis, safety invariants 3, 10 and 11): the interval is counted
from the latest use before the injection, whichever visit recorded it and whatever that
visit's own date; a use recorded after an injection's date says nothing about that
injection, so it never keeps a dose that was given from being recorded (a dose missing
from the record is how a second dose comes too early).

Each test walks real visits through the CLI and judges the next one as `check --label`
and `walk --no-input` do.
"""

from __future__ import annotations

import datetime as dt
import json

from tests.helpers import (
    MONTHLY_VISIT,
    TODAY,
    Run,
    after_injection,
    answer_flags,
    days_ago,
    ready_patient,
    stored_sessions,
    walk_visit,
)

LABEL = "USE-1"


def test_a_use_recorded_by_a_visit_dated_later_still_bounds_an_injection_after_it(
    run: Run,
) -> None:
    """Today a first induction is blocked by the interval: last use 2 days ago. A visit
    walked on a fixed clock set to yesterday (--today, as a reproducible run or a stopped
    walk resumed on an earlier day) gives a last use 20 days ago and an injection
    yesterday: the record says the patient used the day before that injection, so the
    dose is never ready and never recorded as given."""
    recorded = days_ago(2)
    blocked = walk_visit(run, LABEL, TODAY, ready_patient(last_opioid_use=recorded))
    assert blocked.exit_code == 1, blocked.output

    yesterday = days_ago(1)
    older = ready_patient(last_opioid_use=days_ago(20), injection_date=yesterday)
    checked = run(
        "check", "--json", "--label", LABEL, "--today", yesterday.isoformat(),
        *answer_flags(older),
    )  # fmt: skip
    assert json.loads(checked.stdout or "{}").get("status") != "ready", checked.stdout

    dose = after_injection(last_opioid_use=days_ago(20), injection_date=yesterday)
    walked = walk_visit(run, LABEL, yesterday, dose)
    assert walked.exit_code != 0, walked.output
    doses = [
        s for s in stored_sessions(LABEL)
        if json.loads(s.read_text()).get("injection_given") is True
    ]  # fmt: skip
    assert doses == [], walked.output


def test_a_dose_given_before_a_recorded_use_can_still_be_recorded(run: Run) -> None:
    """Day -40: a first injection. Day -10: a repeat dose given in another room and not
    yet entered. Today a room that does not know of it records a repeat visit: use
    yesterday, after the blockade wore off (a new induction, blocked by the interval).
    The other room now enters its dose of day -10: no use between the injection of day
    -40 and day -10. Yesterday's use is after that dose and contradicts nothing in it:
    the dose is judged (never refused for that use), so the record holds it."""
    first = days_ago(40)
    given = walk_visit(
        run, LABEL, first,
        after_injection(last_opioid_use=first - dt.timedelta(days=14), injection_date=first),
    )  # fmt: skip
    assert given.exit_code == 0, given.output

    relapse = ready_patient(
        visit="repeat_injection",
        opioid_use_since_last_injection=True,
        last_opioid_use=days_ago(1),
        **MONTHLY_VISIT,
    )
    blocked = walk_visit(run, LABEL, TODAY, relapse)
    assert blocked.exit_code == 1, blocked.output

    day = days_ago(10)
    late_entry = after_injection(
        visit="repeat_injection",
        injection_date=day,
        opioid_use_since_last_injection=False,
        last_opioid_use=None,
        last_opioid_kind=None,
        abstinence_evidence=None,
        cows_total=None,
        naloxone_challenge=None,
        **MONTHLY_VISIT,
    )
    for key in [k for k in late_entry if k.startswith("uds_")]:
        late_entry.pop(key)
    checked = run(
        "check", "--json", "--label", LABEL, "--today", TODAY.isoformat(),
        *answer_flags(late_entry),
    )  # fmt: skip
    assert checked.exit_code != 2, checked.output
    assert json.loads(checked.stdout)["status"] != "error", checked.stdout


def test_a_use_on_record_keeps_its_opioid_when_the_same_date_is_given_again(run: Run) -> None:
    """Day -9: a first induction blocked by the interval: methadone on day -10. Today
    another clinician gives the same date with a short-acting opioid (whose minimum is
    shorter) and a negative challenge: the record shows methadone on that day, whose
    minimum has not passed, so the visit is never ready."""
    recorded = days_ago(10)
    first = ready_patient(
        last_opioid_use=recorded, last_opioid_kind="methadone", injection_date=days_ago(9)
    )
    blocked = walk_visit(run, LABEL, days_ago(9), first)
    assert blocked.exit_code == 1, blocked.output
    assert "methadone" in blocked.stdout

    same_day = ready_patient(
        last_opioid_use=recorded,
        naloxone_challenge="negative",
        naloxone_challenge_started=f"{TODAY.isoformat()}T08:00",
    )
    checked = run(
        "check", "--json", "--label", LABEL, "--now", f"{TODAY.isoformat()}T23:30",
        *answer_flags(same_day),
    )  # fmt: skip
    assert json.loads(checked.stdout or "{}").get("status") != "ready", checked.stdout
