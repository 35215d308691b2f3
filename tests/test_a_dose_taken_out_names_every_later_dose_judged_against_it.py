"""A dose that leaves the patient's record (answered not given after all, or its visit
deleted) names the label's later visits whose dose was judged against it as the last
injection (a repeat visit skips the induction's screen, withdrawal rating, naloxone
challenge and opioid-free interval): each rests on a dose never given (safety invariant
9; docs/clinicians.md). Two routes are left silent: a later dose counted whose visit is
still waiting for its observation (its dose counts in the record all the same), and the
deletion of the earlier visit, which says only 'its dose leaves the record'."""

from __future__ import annotations

import json
from typing import Any

from tests.helpers import (
    MONTHLY_VISIT,
    REPEAT_WITHOUT_USE,
    Run,
    after_injection,
    at_today,
    days_ago,
    first_dose_on,
    flat,
    stored_sessions,
    walk_at,
)

LABEL = "TAKEN-OUT"


def taken_back(run: Run, session: str) -> Any:
    return run(
        "walk", "--no-input", "--resume", "--session", session, "--now", at_today("12:00"),
        "--acknowledge", "all", "--answer", "injection_given=no",
    )  # fmt: skip


def repeat_dose_today(run: Run, waiting: bool) -> tuple[str, str]:
    """The first dose 28 days ago; a plain repeat dose today at 10:00, its visit finished
    or (``waiting``) left waiting for the observation. The two sessions' ids."""
    first_dose_on(run, LABEL, days_ago(28))
    (first,) = (str(s) for s in stored_sessions(LABEL))
    repeat = after_injection(**{**REPEAT_WITHOUT_USE, **MONTHLY_VISIT})
    repeat.pop("visit")
    if waiting:
        for key in ("observation_minutes", "wallet_card_given"):
            repeat.pop(key)
    later = walk_at(run, LABEL, at_today("10:00"), repeat)
    assert later.exit_code == (4 if waiting else 0), later.output
    (second,) = (str(s) for s in stored_sessions(LABEL) if str(s) != first)
    shown = run("history", "--json", LABEL, "--now", at_today("11:00"))
    counted = [v["session"] for v in json.loads(shown.stdout)["visits"] if v["injection_given"]]
    assert second in counted, shown.output  # its dose is in the record
    return first, second


def test_the_control_a_finished_later_dose_is_named(run: Run) -> None:
    first, second = repeat_dose_today(run, waiting=False)
    out = taken_back(run, first)
    assert out.exit_code == 0 and f"session {second}" in flat(out.stdout + out.stderr)


def test_a_later_dose_waiting_for_its_observation_is_named(run: Run) -> None:
    first, second = repeat_dose_today(run, waiting=True)
    out = taken_back(run, first)
    said = flat(out.stdout + out.stderr)
    assert out.exit_code == 0, out.output
    assert f"session {second}" in said, f"the dose taken back in silence: {said[-300:]!r}"


def test_deleting_the_earlier_dose_names_the_later_dose(run: Run) -> None:
    first, second = repeat_dose_today(run, waiting=False)
    gone = run("sessions", "--delete", first, "--yes")
    said = flat(gone.stdout + gone.stderr)
    assert gone.exit_code == 0, gone.output
    assert f"session {second}" in said, f"the deletion said: {said!r}"
