"""A recorded opioid use holds a later visit back only for what it still asks of that
visit: an earlier use whose own gate "still fails" refuses a later use given for the same
patient, and the refusal says the visit waits for that gate. A gate that reads only the
opioid's kind (the fentanyl caution, the challenge fentanyl requires) never passes with
time, so a use recorded long ago (a fentanyl use a year and more before, on a visit that
gave no dose) must not refuse a true, later last use forever: the clinician is left with
no true answer (clinical basis, safety invariant 10: refusals name a fix that can be
followed)."""

from __future__ import annotations

import datetime as dt
import json

from tests.helpers import TODAY, Run, answer_flags, days_ago, ready_patient, walk_visit

LABEL = "OLD-USE-1"


def test_a_fentanyl_use_recorded_long_ago_does_not_refuse_a_later_use(run: Run) -> None:
    """500 days ago a first visit recorded fentanyl two days before and stopped on the
    interval (no dose). Today the patient returns 14 days after short-acting use: the
    visit is judged, never refused for the old fentanyl use."""
    long_ago = days_ago(500)
    blocked = walk_visit(
        run, LABEL, long_ago,
        ready_patient(
            last_opioid_kind="fentanyl",
            last_opioid_use=long_ago - dt.timedelta(days=2),
            fentanyl_used_30_days=True,
        ),
    )  # fmt: skip
    assert blocked.exit_code == 1, blocked.output  # stopped on the interval, recorded

    today = run(
        "check", "--json", "--label", LABEL, "--now", f"{TODAY.isoformat()}T23:30",
        *answer_flags(ready_patient()),
    )  # fmt: skip
    refused = json.loads(today.stderr or "{}")
    assert today.exit_code != 2, refused.get("message", today.output)
