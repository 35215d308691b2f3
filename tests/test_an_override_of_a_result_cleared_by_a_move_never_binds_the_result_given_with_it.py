"""A visit moved to another day clears its old day's point-in-time results, and takes
back the overrides given for them (safety invariant 6: an override belongs to the
answers it was given for); the result taken on the new day is a new one. That holds
whichever way the move comes: a visit of TODAY whose pregnancy test was positive and
overridden, resumed next morning with the new date given by flag together with the new
day's tests (a positive pregnancy test again) and the dose, must stop at the new
positive test until it is overridden for that day, never give the dose on the override
of the day before."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from tests.helpers import (
    DOSE_GIVEN,
    TODAY,
    Run,
    answer_flags,
    only_session,
    ready_patient,
    stored_record,
    walk_at,
)
from xrntx_guide.errors import ExitCode

NEXT_DAY = TODAY + dt.timedelta(days=1)
OVERRIDE = "pregnancy=patient_informed_choice: informed of the risks, chooses to start"
NEW_DAY = {
    **{k: v for k, v in ready_patient().items() if k.startswith(("uds_", "cows_", "naloxone"))},
    "pregnancy_test": "positive",
    "injection_date": NEXT_DAY,
}


def overridden_visit(run: Run) -> str:
    """A first injection of TODAY with a positive pregnancy test, its stop overridden,
    left before its COWS rating: the stored session."""
    answers = ready_patient(injection_date=TODAY, pregnancy_test="positive", cows_total=None)
    first = walk_at(run, "preg-1", f"{TODAY.isoformat()}T09:00", answers, "--override", OVERRIDE)
    assert first.exit_code == ExitCode.INCOMPLETE, first.output
    session = only_session()
    assert "pregnancy" in stored_record(session).overrides
    return session


def resumed_next_morning(run: Run, session: str, *extra: str) -> Any:
    """The visit resumed next morning, moved there by flag with that day's results
    (pregnancy test positive again) and the dose."""
    return run(
        "walk", "--no-input", "--json", "--resume", "--session", session,
        "--now", f"{NEXT_DAY.isoformat()}T08:30", "--acknowledge", "all",
        *answer_flags(NEW_DAY | DOSE_GIVEN), *extra,
    )  # fmt: skip


def test_the_control_an_override_given_on_the_new_day_gives_the_dose(run: Run) -> None:
    session = overridden_visit(run)
    out = resumed_next_morning(run, session, "--override", OVERRIDE)
    assert out.exit_code == ExitCode.OK, out.output
    assert stored_record(session).injection_given is True


def test_the_old_days_override_never_gives_the_dose_on_the_new_days_positive_test(
    run: Run,
) -> None:
    session = overridden_visit(run)
    out = resumed_next_morning(run, session)
    status = json.loads(out.stdout)["status"] if out.stdout.strip() else "refused"
    assert stored_record(session).injection_given is not True, (status, out.output)
    assert "pregnancy" not in stored_record(session).overrides
