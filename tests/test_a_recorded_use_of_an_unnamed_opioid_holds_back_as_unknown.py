"""A recorded opioid use holds a later one back by what no override lifts (clinical
basis, safety invariants 10 and 11; reference 3.3): judged as the last use, it fails the
opioid-free interval. A use whose opioid the recording visit did not name (the walk was
left after the date of last use) is a use of an unknown opioid, whose interval is the
longest (reference: unknown, the longest of these). Judged instead as the opioid of the
later use given now, the earlier use's interval is read as the short-acting one, and a
visit the same use recorded as "unknown" refuses is READY."""

from __future__ import annotations

import datetime as dt

from tests.helpers import TODAY, Run, check, ready_patient

LABEL = "UNNAMED-USE"
EARLIER = TODAY - dt.timedelta(days=10)  # within the unknown opioid's interval
LATER = TODAY - dt.timedelta(days=8)  # past the short-acting interval


def record_use(run: Run, *kind: str) -> None:
    left = run(
        "walk", "--no-input", "--label", LABEL, "--today", EARLIER.isoformat(),
        "--answer", "visit=first_injection", "--answer", "oud_diagnosis=yes",
        "--answer", f"last_opioid_use={EARLIER.isoformat()}", *kind,
    )  # fmt: skip
    assert left.exit_code in (1, 4), left.output  # left unfinished; the use is kept


def later_visit(run: Run) -> int:
    answers = ready_patient(last_opioid_use=LATER, naloxone_challenge="negative")
    return check(run, answers, "--label", LABEL).exit_code


def test_the_control_a_recorded_unknown_opioid_holds_the_later_use_back(run: Run) -> None:
    record_use(run, "--answer", "last_opioid_kind=unknown")
    assert later_visit(run) == 2


def test_a_recorded_use_without_its_opioid_holds_the_later_use_back(run: Run) -> None:
    record_use(run)
    assert later_visit(run) == 2
