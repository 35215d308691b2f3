"""An opioid whose minimum interval is longer (methadone, buprenorphine), recorded by an
earlier visit of the patient, keeps its minimum when a later use of a short-acting opioid
is given (clinical basis, safety invariants 1 and 11; reference 3.3: after methadone or
buprenorphine the patient may be vulnerable to precipitated withdrawal for as long as
two weeks). The later use sets its own minimum; the recorded one still bounds the
injection from its own date, as the supervised rapid pathway's day-1 buprenorphine does
for a patient who leaves the pathway. The earliest date is the later of the two.

Each test walks a real visit through the CLI and judges the next one as `check --label`
and `walk --no-input` do.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import (
    REPO,
    TODAY,
    Run,
    after_injection,
    answer_flags,
    days_ago,
    ready_patient,
    stored_sessions,
    walk_visit,
)

LABEL = "MIN-1"


@pytest.mark.parametrize("recorded_kind", ["methadone", "buprenorphine"])
def test_a_later_short_acting_use_never_lifts_the_minimum_of_a_recorded_methadone_use(
    run: Run, recorded_kind: str
) -> None:
    """Day -9: a first induction blocked by the interval, the last use methadone (or
    buprenorphine) on day -10. Today another clinician gives a later use, heroin on day
    -9, with a negative challenge: 9 days after heroin passes its minimum, but 10 days
    after the recorded methadone does not pass methadone's, so the visit is never ready
    and its dose is never counted."""
    recorded = days_ago(10)
    first = ready_patient(
        last_opioid_use=recorded, last_opioid_kind=recorded_kind, injection_date=days_ago(9)
    )
    blocked = walk_visit(run, LABEL, days_ago(9), first)
    assert blocked.exit_code == 1, blocked.output
    assert recorded_kind in blocked.stdout

    later = ready_patient(
        last_opioid_use=days_ago(9),
        last_opioid_kind="short_acting",
        naloxone_challenge="negative",
        naloxone_challenge_started=f"{TODAY.isoformat()}T08:00",
    )
    checked = run(
        "check", "--json", "--label", LABEL, "--now", f"{TODAY.isoformat()}T23:30",
        *answer_flags(later),
    )  # fmt: skip
    assert json.loads(checked.stdout or "{}").get("status") != "ready", checked.stdout

    dose = after_injection(
        last_opioid_use=days_ago(9),
        last_opioid_kind="short_acting",
        naloxone_challenge="negative",
        naloxone_challenge_started=f"{TODAY.isoformat()}T08:00",
    )
    walked = run(
        "walk", "--no-input", "--label", LABEL, "--now", f"{TODAY.isoformat()}T23:30",
        "--acknowledge", "all", *answer_flags(dose),
    )  # fmt: skip
    assert walked.exit_code != 0, walked.output
    doses = [
        s for s in stored_sessions(LABEL)
        if json.loads(s.read_text()).get("injection_given") is True
    ]  # fmt: skip
    assert doses == [], walked.output


def test_extended_release_buprenorphine_on_record_blocks_after_a_later_use(run: Run) -> None:
    """Day -35: a first induction blocked because the last opioid was extended-release
    buprenorphine, for which no interval is established (it persists for weeks to
    months: consult a specialist). Today another clinician gives a later use, heroin 14
    days ago, with a negative challenge: the record still shows the extended-release
    buprenorphine, which blocks on every pathway, so the visit is never ready."""
    blocked = walk_visit(
        run, LABEL, days_ago(35),
        ready_patient(
            last_opioid_use=days_ago(40),
            last_opioid_kind="buprenorphine_extended_release",
            injection_date=days_ago(35),
        ),
    )  # fmt: skip
    assert blocked.exit_code == 1, blocked.output

    later = ready_patient(
        last_opioid_use=days_ago(14),
        last_opioid_kind="short_acting",
        naloxone_challenge="negative",
        naloxone_challenge_started=f"{TODAY.isoformat()}T08:00",
    )
    checked = run(
        "check", "--json", "--label", LABEL, "--now", f"{TODAY.isoformat()}T23:30",
        *answer_flags(later),
    )  # fmt: skip
    assert json.loads(checked.stdout or "{}").get("status") != "ready", checked.stdout


SCENARIO = REPO / "scenarios" / "20-rapid-pathway-injection-day.toml"
SITE = str(REPO / "scenarios" / "_site-rapid-protocol.toml")
AFTER_GIVEN = ("injection_side_used", "needle_used", "observation_minutes", "wallet_card_given")


def _as_json(value: Any) -> Any:
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    return value


def test_a_later_use_never_lifts_the_buprenorphine_of_a_finished_pathways_day_one(
    run: Run, tmp_path: Path
) -> None:
    """The scenario's patient reaches the rapid pathway's injection day (day 7) and
    declines the injection: the walk finishes without it. Day 1 gave buprenorphine. Four
    days later the patient says heroin was used on day 3, unrecorded; a new visit on the
    standard pathway, 8 days after that heroin (past its minimum) and 10 days after day
    1's buprenorphine (not past buprenorphine's), with a negative challenge: the same
    visit leaving the pathway would wait for buprenorphine's minimum from day 1 whatever
    opioid was used later, so the next visit is never ready either."""
    case = tomllib.loads(SCENARIO.read_text(encoding="utf-8"))
    day7: dt.date = case["scenario"]["today"]
    answers = {k: v for k, v in _as_json(case["answers"]).items() if k not in AFTER_GIVEN}
    answers["injection_given"] = False
    # After day 7's COWS 1 of 08:30 in the day record: a challenge counts only after a
    # rating of the day without withdrawal (reference 5.2).
    answers["naloxone_challenge_started"] = f"{day7.isoformat()}T09:00"
    path = tmp_path / "declined.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    declined = run(
        "walk", "--no-input", "--json", "--site", SITE, "--label", "RAPID-MIN",
        "--now", f"{day7.isoformat()}T23:30", "--acknowledge", "all", "--answers", str(path),
    )  # fmt: skip
    assert json.loads(declined.stdout)["status"] == "complete", declined.output

    day1 = dt.date.fromisoformat(answers["rapid_days"][0]["date"])
    later = day7 + dt.timedelta(days=4)
    visit = ready_patient(
        last_opioid_use=day1 + dt.timedelta(days=2),
        injection_date=later,
        naloxone_challenge="negative",
        naloxone_challenge_started=f"{later.isoformat()}T08:00",
    )
    checked = run(
        "check", "--json", "--site", SITE, "--label", "RAPID-MIN",
        "--now", f"{later.isoformat()}T23:30", *answer_flags(visit),
    )  # fmt: skip
    assert json.loads(checked.stdout or "{}").get("status") != "ready", checked.stdout
