"""A visit dated before a dose on the patient's record is refused naming that dose,
whatever route gives the date: the walk's own clock (--today) was checked, but a date
given or edited for the visit (``injection_date``) was not, and the walk went on to a
last injection it could never take (the recorded date "after injection_date", any other
"not the recorded date"): stuck, with advice that could not be followed."""

from __future__ import annotations

import datetime as dt
import json

from tests.helpers import TODAY, Run, after_injection, answer_flags, flat

DOSE = TODAY - dt.timedelta(days=28)
BEFORE = DOSE - dt.timedelta(days=7)


def dose_on_record(run: Run, label: str) -> None:
    done = run(
        "walk", "--no-input", "--today", DOSE.isoformat(), "--label", label,
        "--acknowledge", "all",
        *answer_flags(after_injection(last_opioid_use=DOSE - dt.timedelta(days=14))),
    )  # fmt: skip
    assert done.exit_code == 0, done.output


def test_a_walk_given_a_date_before_the_dose_is_refused_naming_it(run: Run) -> None:
    dose_on_record(run, "DATED-1")
    walked = run(
        "walk", "--no-input", "--today", TODAY.isoformat(), "--label", "DATED-1",
        "-a", "visit=repeat_injection", "-a", f"injection_date={BEFORE.isoformat()}",
    )  # fmt: skip
    assert walked.exit_code == 2, walked.output
    said = flat(walked.stderr)
    assert f"shows an injection on {DOSE.isoformat()}" in said, said
    assert f"after this visit's date {BEFORE.isoformat()}" in said, said


def test_a_check_given_a_date_before_the_dose_is_refused_naming_it(run: Run) -> None:
    dose_on_record(run, "DATED-2")
    out = run(
        "check", "--json", "--today", TODAY.isoformat(), "--label", "DATED-2",
        "-a", "visit=repeat_injection", "-a", f"injection_date={BEFORE.isoformat()}",
    )  # fmt: skip
    assert out.exit_code == 2, out.output
    error = json.loads(out.stdout or out.stderr)
    assert error["key"] == "injection_date", error
    assert f"shows an injection on {DOSE.isoformat()}" in error["message"], error
