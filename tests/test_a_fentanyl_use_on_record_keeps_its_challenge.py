"""A fentanyl use that a visit of the patient recorded keeps what fentanyl requires at the
next visit (reference 3.4: the naloxone challenge is required whenever the last opioid
was fentanyl, and the fentanyl caution stands while fentanyl was used in the last 30
days; clinical basis, safety invariants 1, 10 and 11). The same date given again as a
short-acting opioid is refused when the recorded opioid's minimum is longer (methadone,
buprenorphine, unknown); fentanyl's minimum is the same as a short-acting opioid's, but
its challenge is not optional, so the same date as "short-acting" (and "no fentanyl in
the last 30 days") must not make the challenge optional either."""

from __future__ import annotations

import json

from tests.helpers import TODAY, Run, answer_flags, days_ago, ready_patient, walk_visit

LABEL = "FENT-1"


def test_fentanyl_on_record_keeps_the_challenge_required(run: Run) -> None:
    """Day -12: a first induction blocked by the interval, the last use fentanyl on day
    -14. Today another clinician gives the same day's use as a short-acting opioid, no
    fentanyl in the last 30 days, and no challenge: with the record's fentanyl the
    challenge is required (a stop), so the visit is never ready."""
    recorded = days_ago(14)
    first = ready_patient(
        last_opioid_use=recorded, last_opioid_kind="fentanyl", injection_date=days_ago(12)
    )
    blocked = walk_visit(run, LABEL, days_ago(12), first)
    assert blocked.exit_code == 1, blocked.output

    as_fentanyl = ready_patient(last_opioid_use=recorded, last_opioid_kind="fentanyl")
    judged = run(
        "check", "--json", "--now", f"{TODAY.isoformat()}T23:30", *answer_flags(as_fentanyl)
    )
    assert json.loads(judged.stdout)["status"] != "ready", judged.stdout  # the same visit

    same_day = ready_patient(
        last_opioid_use=recorded, last_opioid_kind="short_acting", fentanyl_used_30_days=False
    )
    checked = run(
        "check", "--json", "--label", LABEL, "--now", f"{TODAY.isoformat()}T23:30",
        *answer_flags(same_day),
    )  # fmt: skip
    assert json.loads(checked.stdout or "{}").get("status") != "ready", checked.stdout


def test_a_stricter_opioid_for_the_same_day_is_taken(run: Run) -> None:
    """The other way round: a short-acting use on record, and the next visit learns it was
    fentanyl on that day. Fentanyl is judged at least as strictly, so the answer is taken
    (refusing it would force the record's laxer opioid), and its challenge is required."""
    recorded = days_ago(14)
    first = ready_patient(
        last_opioid_use=recorded, last_opioid_kind="short_acting", injection_date=days_ago(12)
    )
    blocked = walk_visit(run, "FENT-2", days_ago(12), first)
    assert blocked.exit_code == 1, blocked.output
    stricter = ready_patient(last_opioid_use=recorded, last_opioid_kind="fentanyl")
    checked = run(
        "check", "--json", "--label", "FENT-2", "--now", f"{TODAY.isoformat()}T23:30",
        *answer_flags(stricter),
    )  # fmt: skip
    result = json.loads(checked.stdout)
    assert result["status"] != "ready", checked.output
    challenge = next(g for g in result["gates"] if g["id"] == "naloxone_challenge")
    assert challenge["outcome"] == "fail", challenge
