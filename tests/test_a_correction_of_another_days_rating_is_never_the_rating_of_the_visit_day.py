"""A correction stands for the result it corrects, at that one's time and for that one's
day (visit/entries.py ``placed``); a COWS rating counts only for the day it was taken
(safety invariant 3). A visit of TODAY blocked by a rating of withdrawal at 09:00 is
resumed next morning: it moves to that day (its results of TODAY cleared and asked
again), and the run corrects TODAY's 09:00 rating (``--correct cows_total@...``, a
misread pulse) by its total alone, or by its eleven items beside the total, and gives the
new day's screen, challenge and dose. No rating was taken on the new day: the correction
of TODAY's rating must not become the new day's rating too, and the dose must not be
given without one."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from tests.helpers import (
    DOSE_GIVEN,
    TODAY,
    Run,
    answer_flags,
    cows_threshold,
    only_session,
    ready_patient,
    stored_record,
    walk_at,
)
from xrntx_guide.errors import ExitCode
from xrntx_guide.pack.guide import Guide
from xrntx_guide.visit.entries import item_keys

NEXT_DAY = TODAY + dt.timedelta(days=1)
RATED = f"{TODAY.isoformat()}T09:00"
RESULTS = ("uds_", "naloxone", "pregnancy")


def corrected_rating(guide: Guide, by_items: bool) -> dict[str, Any]:
    """The corrected rating's answers: a total of 2, or the items (the first scored, the
    rest none) with their total."""
    if not by_items:
        return {"cows_total": 2}
    keys = item_keys(guide)
    scores = [c.value for c in guide.questions[keys[0]].spec.choices or []]
    pulse = min(v for v in scores if isinstance(v, int) and v > 0)
    return dict.fromkeys(keys, 0) | {keys[0]: pulse, "cows_total": pulse}


def corrected_on(run: Run, guide: Guide, day: dt.date, by_items: bool) -> tuple[Any, str]:
    """The visit walked at 09:00 of TODAY in withdrawal, blocked; resumed at 10:00 of
    ``day`` correcting the 09:00 rating, with the day's other results and the dose: the
    resume's JSON result, and the session."""
    first = walk_at(run, "CORR-DAY", RATED, ready_patient(cows_total=cows_threshold(guide) + 8))
    assert first.exit_code == ExitCode.BLOCKED, first.output
    session = only_session()
    results = {k: v for k, v in ready_patient().items() if k.startswith(RESULTS)}
    out = run(
        "walk", "--no-input", "--json", "--resume", "--session", session,
        "--now", f"{day.isoformat()}T10:00", "--acknowledge", "all",
        "--correct", f"cows_total@{RATED}=pulse misread",
        *answer_flags(results | corrected_rating(guide, by_items) | DOSE_GIVEN),
    )  # fmt: skip
    return json.loads(out.stdout or "{}"), session


BY = pytest.mark.parametrize("by_items", [False, True], ids=["total", "items"])


@BY
def test_the_control_a_correction_on_the_day_of_the_rating_gives_the_dose(
    run: Run, guide: Guide, by_items: bool
) -> None:
    result, session = corrected_on(run, guide, TODAY, by_items)
    assert result.get("status") == "complete", result
    assert stored_record(session).injection_given is True


@BY
def test_a_correction_of_the_day_before_never_gives_the_moved_visit_its_rating(
    run: Run, guide: Guide, by_items: bool
) -> None:
    result, session = corrected_on(run, guide, NEXT_DAY, by_items)
    record = stored_record(session)
    assert record.answers["injection_date"].value == NEXT_DAY.isoformat()
    assert not [r for r in record.cows_ratings if r.day == NEXT_DAY and r.corrects is None]
    assert record.injection_given is not True, result
    assert result.get("status") != "complete", result
