"""An unattended walk of a repeat visit whose last injection the record fills in is judged
with it from its first check of the answers given, as ``check --label`` judges the same
answers. Overdue (the last dose more than the interval ago), the urine screen applies:
its results given by flag are taken, and a positive one stops the walk at its gate. They
were refused as "does not apply to this visit as answered" (the flags were checked
before the record's last injection was filled in), so the screen could only be given on
a later resume."""

from __future__ import annotations

import datetime as dt
import json

from tests.helpers import (
    MONTHLY_VISIT,
    REPEAT_WITHOUT_USE,
    TODAY,
    Run,
    answer_flags,
    first_dose_on,
    ready_patient,
)

LABEL = "OVERDUE"
SCREENS = dict.fromkeys(
    ("uds_opiates", "uds_fentanyl", "uds_buprenorphine", "uds_methadone", "uds_oxycodone"),
    "negative",
)


def test_the_screen_of_an_overdue_visit_is_taken_and_a_positive_one_stops_the_walk(
    run: Run,
) -> None:
    first_dose_on(run, LABEL, TODAY - dt.timedelta(days=30))
    visit = ready_patient(
        **{**REPEAT_WITHOUT_USE, **MONTHLY_VISIT, **SCREENS, "uds_opiates": "positive"}
    )
    assert "last_injection_date" not in visit  # left to the record
    flags = answer_flags(visit)
    walked = run("walk", "--no-input", "--json", "--label", LABEL, "--today", TODAY.isoformat(),
                 "--acknowledge", "all", *flags)  # fmt: skip
    assert walked.exit_code == 1, walked.output
    out = json.loads(walked.stdout)
    assert "urine_drug_screen" in out["blocking"], out
    checked = run("check", "--json", "--label", LABEL, "--today", TODAY.isoformat(), *flags)
    assert "urine_drug_screen" in json.loads(checked.stdout)["blocking"], checked.output
