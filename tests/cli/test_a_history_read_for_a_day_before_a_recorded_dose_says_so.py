"""``history --today`` for a day before a dose the record holds (a date typed in the past,
or a computer's clock behind the record's) lists that dose as the last injection, yet has
nothing due: the due date, the days since the injection and the days before the next dose
are all empty. Before, nothing said why, and the screen read as a patient with no dose
due. The record now says that a dose is recorded after the day it is read for, naming it,
and how to read it for a day that follows it."""

from __future__ import annotations

import datetime as dt
import json

from tests.helpers import Run, days_ago, first_dose_on, flat, only_session

LABEL = "READ-BEFORE"
DOSE_DAY = days_ago(3)


def test_a_history_read_before_the_dose_names_the_dose_and_the_way_out(run: Run) -> None:
    first_dose_on(run, LABEL, DOSE_DAY)
    before = (DOSE_DAY - dt.timedelta(days=5)).isoformat()
    shown = json.loads(run("history", LABEL, "--json", "--today", before).stdout)
    assert shown["due"]["dose_due_date"] is None
    said = [w for w in shown["warnings"] if DOSE_DAY.isoformat() in w]
    assert len(said) == 1, shown["warnings"]
    assert only_session()[:8] in said[0]
    assert before in said[0]
    assert "--today" in said[0]
    screen = flat(run("history", LABEL, "--today", before).output)
    assert f"records an injection on {DOSE_DAY.isoformat()}, after {before}" in screen


def test_a_history_read_on_or_after_the_dose_has_no_such_warning(run: Run) -> None:
    first_dose_on(run, LABEL, DOSE_DAY)
    for day in (DOSE_DAY, DOSE_DAY + dt.timedelta(days=1)):
        shown = json.loads(run("history", LABEL, "--json", "--today", day.isoformat()).stdout)
        assert shown["due"]["dose_due_date"] is not None
        assert not [w for w in shown["warnings"] if "after" in w and "read for" in w]
