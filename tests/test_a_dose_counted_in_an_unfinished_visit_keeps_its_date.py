"""A dose counted in a visit that did not finish keeps its date when the visit is
resumed on a later day (clinical basis, safety invariants 11 and 12): the injection was
given on the day the walk recorded it; finishing the visit's last answers (the minutes
observed, the wallet card) two days later never moves that dose to the day of the
resume, nor the next dose due with it. A dose on record is never hidden (the one given)
nor invented (one on a day nothing was given)."""

from __future__ import annotations

import datetime as dt
import json

from tests.helpers import TODAY, Run, after_injection, walk_visit, without

LABEL = "UNFINISHED-DOSE"
LATER = TODAY + dt.timedelta(days=2)


def test_the_dose_of_an_unfinished_visit_stays_on_the_day_it_was_given(run: Run) -> None:
    """The walk recorded the injection given on TODAY but stopped before the minutes
    observed and the wallet card; it is resumed two days later to give them."""
    first = walk_visit(
        run, LABEL, TODAY, without(after_injection(), "observation_minutes", "wallet_card_given")
    )
    assert first.exit_code != 0, first.output  # answers are missing: not finished
    (session,) = json.loads(run("sessions", "--json").stdout)
    counted = json.loads(run("sessions", "export", session["id"]).stdout)
    assert counted["injection_given"] is True, "the walk counted the dose on TODAY"
    assert session["visit_date"] == TODAY.isoformat(), session
    due = session["next_dose_due"]

    resumed = run(
        "walk", "--no-input", "--resume", "--session", session["id"],
        "--today", LATER.isoformat(), "--acknowledge", "all",
        "--answer", "observation_minutes=30", "--answer", "wallet_card_given=yes",
    )  # fmt: skip

    (after,) = json.loads(run("sessions", "--json").stdout)
    assert after["visit_date"] == TODAY.isoformat(), (after, resumed.output)
    history = json.loads(run("history", LABEL, "--json", "--today", LATER.isoformat()).stdout)
    moved = [v for v in history["visits"] if v["date"] != TODAY.isoformat()]
    assert not moved, (history["visits"], resumed.output)
    if after["next_dose_due"] is not None:
        assert after["next_dose_due"] == due, (after, resumed.output)
