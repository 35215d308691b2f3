"""The fentanyl caution (reference 3.4, gate ``fentanyl``) holds when the last opioid was
fentanyl or the history lists fentanyl among the opioids used in the last 30 days. A
fentanyl use another visit of the patient recorded, within those days, is such a
history (safety invariants 10 and 11: an answer the record contradicts is refused,
never taken): a later short-acting use makes the last opioid short-acting, but the
fentanyl use stays within the days the caution looks back over. A visit answering "no
fentanyl in the last 30 days" beside it is refused, naming the recorded use (never READY
without the caution); past those days the use no longer answers the question."""

from __future__ import annotations

import datetime as dt
import json

from tests.helpers import TODAY, Result, Run, answer_flags, ready_patient
from xrntx_guide.pack.guide import Guide

LABEL = "FEN-LATER"
FENTANYL_USED = TODAY - dt.timedelta(days=20)  # within the 30 days the question names
VISIT_OF_FENTANYL = FENTANYL_USED + dt.timedelta(days=4)  # blocked by the interval
LATER_USE = TODAY - dt.timedelta(days=15)  # short-acting, after the fentanyl


def record_fentanyl(run: Run) -> None:
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


def check_on(run: Run, day: dt.date, later_use: dt.date) -> Result:
    return run(
        "check", "--json", "--label", LABEL, "--today", day.isoformat(),
        *answer_flags(
            ready_patient(
                injection_date=day, last_opioid_use=later_use, fentanyl_used_30_days=False
            )
        ),
    )  # fmt: skip


def test_no_fentanyl_in_30_days_beside_a_recorded_fentanyl_use_is_refused(run: Run) -> None:
    record_fentanyl(run)
    checked = check_on(run, TODAY, LATER_USE)
    assert checked.exit_code == 2, checked.output
    assert "fentanyl_used_30_days" in checked.stderr, checked.stderr
    assert FENTANYL_USED.isoformat() in checked.stderr, checked.stderr


def test_a_fentanyl_use_older_than_the_history_s_days_does_not_refuse_the_no(
    run: Run, guide: Guide
) -> None:
    record_fentanyl(run)
    days = guide.setting_values["fentanyl_history_days"]
    later = FENTANYL_USED + dt.timedelta(days=days + 1)
    checked = check_on(run, later, later - dt.timedelta(days=14))
    assert checked.exit_code == 0, checked.output
    assert "fentanyl" not in json.loads(checked.stdout)["cautions"], checked.stdout
