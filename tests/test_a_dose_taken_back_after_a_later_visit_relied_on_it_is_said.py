"""A dose recorded in error is taken back by answering "not given" on its visit (the count
goes back: safety invariant 9). When a later visit was judged against that dose (a repeat
visit with no use since it, which skips the induction's urine screen, withdrawal rating,
naloxone challenge and opioid-free interval), the patient's only dose now rests on a dose
that was never given: that later visit's READY was a first injection judged as a repeat.
Taking the dose back says nothing of it, and the history shows the later visit's dose as
if its premise stood."""

from __future__ import annotations

import json
from typing import Any

from tests.helpers import (
    MONTHLY_VISIT,
    REPEAT_WITHOUT_USE,
    TODAY,
    Run,
    after_injection,
    at_today,
    days_ago,
    first_dose_on,
    only_session,
    stored_sessions,
    walk_at,
)

LABEL = "TAKEN-BACK"


def taken_back(run: Run, session: str) -> Any:
    """The finished dose visit ``session`` resumed today: the injection was not given."""
    return run(
        "walk", "--no-input", "--resume", "--session", session, "--now", at_today("12:00"),
        "--acknowledge", "all", "--answer", "injection_given=no",
    )  # fmt: skip


def doses_in_the_history(run: Run) -> list[str]:
    shown = run("history", "--json", LABEL, "--now", at_today("23:00"))
    return [str(i["session"]) for i in json.loads(shown.stdout)["injections"]]


def test_the_control_a_dose_taken_back_alone_leaves_the_record(run: Run) -> None:
    first_dose_on(run, LABEL, days_ago(28))
    out = taken_back(run, only_session())
    assert out.exit_code == 0, out.output
    assert doses_in_the_history(run) == []


def test_a_dose_taken_back_names_the_repeat_visit_judged_against_it(run: Run) -> None:
    first_dose_on(run, LABEL, days_ago(28))
    (first,) = (str(s) for s in stored_sessions(LABEL))
    repeat = after_injection(**{**REPEAT_WITHOUT_USE, **MONTHLY_VISIT})
    repeat.pop("visit")
    later = walk_at(run, LABEL, at_today("10:00"), repeat)
    assert later.exit_code == 0, later.output  # a plain repeat dose, no induction gates
    (second,) = (str(s) for s in stored_sessions(LABEL) if str(s) != first)
    out = taken_back(run, first)
    said = " ".join((out.stdout + out.stderr).split())
    assert out.exit_code == 0 and f"session {second}" in said, (
        f"the dose of {days_ago(28)} taken back in silence; session {second} of {TODAY} "
        f"was judged as a repeat visit against it: {said[-300:]!r}"
    )
