"""The fentanyl caution (reference 3.4, gate ``fentanyl``) holds when the last opioid was
fentanyl or the history lists fentanyl among the opioids used in the last 30 days. A
fentanyl use another visit of the patient recorded, within those days, is such a
history (safety invariants 10 and 11: an answer the record contradicts is refused,
never taken): a later short-acting use makes the last opioid short-acting, but the
fentanyl use stays within the days the caution looks back over. A visit answering "no
fentanyl in the last 30 days" beside it must not be READY without the caution."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.helpers import TODAY, Run, answer_flags, ready_patient

LABEL = "FEN-LATER"
FENTANYL_USED = TODAY - dt.timedelta(days=20)  # within the 30 days the question names
VISIT_OF_FENTANYL = FENTANYL_USED + dt.timedelta(days=4)  # blocked by the interval
LATER_USE = TODAY - dt.timedelta(days=15)  # short-acting, after the fentanyl


@pytest.mark.xfail(
    strict=True,
    reason="a fentanyl use recorded by another visit within the last 30 days does not "
    "contradict fentanyl_used_30_days=no once a later short-acting use is given: the "
    "check is READY without the fentanyl caution (contradiction.py holds back a later "
    "use only by contraindications, and nothing reads the recorded fentanyl for the "
    "30-day history)",
)
def test_no_fentanyl_in_30_days_beside_a_recorded_fentanyl_use_is_never_silent(
    run: Run,
) -> None:
    recorded = run(
        "walk", "--no-input", "--label", LABEL, "--today", VISIT_OF_FENTANYL.isoformat(),
        "--acknowledge", "all",
        *answer_flags(
            ready_patient(
                last_opioid_kind="fentanyl",
                fentanyl_used_30_days=True,
                last_opioid_use=FENTANYL_USED,
            )
        ),
    )  # fmt: skip
    assert recorded.exit_code == 1, recorded.output  # the interval blocks; the use is kept
    checked = run(
        "check", "--json", "--label", LABEL, "--today", TODAY.isoformat(),
        *answer_flags(ready_patient(last_opioid_use=LATER_USE, fentanyl_used_30_days=False)),
    )  # fmt: skip
    if checked.exit_code == 2:
        return  # refused, naming the recorded fentanyl use: never silent
    result = json.loads(checked.stdout)
    assert "fentanyl" in result["cautions"] or result["status"] != "ready", checked.stdout
