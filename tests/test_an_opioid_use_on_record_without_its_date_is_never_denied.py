"""An opioid use since the last injection that a visit of the patient recorded is part of
the record even when that visit recorded no date for it (a repeat visit within the
blockade asks whether the use was significant, not when it was): a later visit after the
same injection that answers "no opioid use since the last injection" contradicts it and
is refused naming that visit (clinical basis, safety invariants 10 and 11; docs: "no
opioid use since the last injection" when an earlier visit recorded a use after it is
refused). Taken as given, the later visit past the blockade is a plain (late) repeat
dose, never the new induction the use makes it (reference section 7)."""

from __future__ import annotations

import datetime as dt
import json

from tests.helpers import (
    TODAY,
    Run,
    after_injection,
    answer_flags,
    days_ago,
    ready_patient,
    walk_visit,
)

LABEL = "USE-2"
NOT_ASKED_ON_A_REPEAT = {
    "last_opioid_use": None,
    "last_opioid_kind": None,
    "abstinence_evidence": None,
    "fentanyl_used_30_days": None,
    "cows_total": None,
    "naloxone_challenge": None,
}


def test_a_use_since_the_last_injection_on_record_is_never_answered_no(run: Run) -> None:
    """Day -30: a first injection. Day -16: a monthly visit records opioid use since that
    injection, judged not significant (no date is asked), and stops before the dose.
    Today, 30 days after the injection, another visit answers "no opioid use since the
    last injection": the record says otherwise, so it is refused (or judged as the new
    induction the use makes it), never ready as a plain late dose."""
    first = days_ago(30)
    given = walk_visit(
        run, LABEL, first,
        after_injection(last_opioid_use=first - dt.timedelta(days=14), injection_date=first),
    )  # fmt: skip
    assert given.exit_code == 0, given.output

    used = ready_patient(
        visit="repeat_injection",
        opioid_use_since_last_injection=True,
        opioid_use_significant=False,
        **NOT_ASKED_ON_A_REPEAT,
    )
    stopped = run(
        "walk", "--no-input", "--label", LABEL, "--today", days_ago(16).isoformat(),
        *answer_flags(used),
    )  # fmt: skip
    assert stopped.exit_code == 1, stopped.output  # the early-dose caution not acknowledged

    denied = ready_patient(
        visit="repeat_injection", opioid_use_since_last_injection=False, **NOT_ASKED_ON_A_REPEAT
    )
    checked = run(
        "check", "--json", "--label", LABEL, "--now", f"{TODAY.isoformat()}T23:30",
        *answer_flags(denied),
    )  # fmt: skip
    assert json.loads(checked.stdout or "{}").get("status") != "ready", checked.stdout
