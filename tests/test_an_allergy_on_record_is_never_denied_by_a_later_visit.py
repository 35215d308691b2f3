"""A hypersensitivity that a visit of the patient recorded (a known hypersensitivity, or
an allergic reaction after the last dose: urticaria, angioedema, anaphylaxis) is a
contraindication (reference 4.2, section 9) that a later visit of the same patient cannot
answer away (clinical basis, safety invariants 1, 10 and 11): as "no opioid use since
the last injection" beside a use an earlier visit recorded is refused naming that visit,
"no reaction" after the same dose beside a reaction on record is refused, or the visit
is judged with the reaction; never ready, and no dose counted.

Each test walks real visits through the CLI: a first injection, then a monthly visit
that records the reaction and is blocked, then a second walk of the same patient an hour
later that answers no.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.helpers import (
    TODAY,
    Run,
    after_injection,
    answer_flags,
    days_ago,
    ready_patient,
    stored_sessions,
    walk_visit,
)

LABEL = "ALLERGY-1"
REPEAT = {
    "visit": "repeat_injection",
    "opioid_use_since_last_injection": False,
    "last_opioid_use": None,
    "last_opioid_kind": None,
    "abstinence_evidence": None,
    "cows_total": None,
    "naloxone_challenge": None,
    "uds_opiates": None,
    "uds_fentanyl": None,
    "uds_buprenorphine": None,
    "uds_methadone": None,
    "uds_oxycodone": None,
}


@pytest.mark.parametrize(
    "recorded",
    [{"reaction_after_last_dose": True}, {"hypersensitivity": True}],
    ids=["reaction_after_last_dose", "hypersensitivity"],
)
def test_a_hypersensitivity_on_record_is_never_answered_away(
    run: Run, recorded: dict[str, bool]
) -> None:
    first = days_ago(28)
    given = walk_visit(
        run, LABEL, first,
        after_injection(last_opioid_use=first - dt.timedelta(days=14), injection_date=first),
    )  # fmt: skip
    assert given.exit_code == 0, given.output

    blocked = walk_visit(run, LABEL, TODAY, ready_patient(**REPEAT, **recorded))
    assert blocked.exit_code == 1, blocked.output
    assert "hypersensitivity" in blocked.output

    denied = dict.fromkeys(recorded, False)
    checked = run(
        "check", "--json", "--label", LABEL, "--now", f"{TODAY.isoformat()}T23:30",
        *answer_flags(ready_patient(**REPEAT, **denied)),
    )  # fmt: skip
    assert json.loads(checked.stdout or "{}").get("status") != "ready", checked.stdout

    walked = walk_visit(run, LABEL, TODAY, after_injection(**REPEAT, **denied))
    assert walked.exit_code != 0, walked.output
    doses = [
        s for s in stored_sessions(LABEL)
        if json.loads(s.read_text()).get("injection_given") is True
    ]  # fmt: skip
    assert len(doses) == 1, walked.output
