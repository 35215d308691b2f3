"""A date refused for where it falls, not for how it is written, is never sent back to
the date format.

``last_opioid_use=2026-11-30`` on a visit of 2026-11-24 is a well-written date that lies
after the injection: the message says so, and its hint must lead to the fix (the day of
the visit, or the last use on or before it). "Dates are YYYY-MM-DD." tells a script
author or a clinician that the spelling was wrong, which it was not: they look for a typo
that is not there.
"""

from __future__ import annotations

import datetime as dt
import json

from tests.helpers import TODAY, Run, answer_flags, ready_patient

AFTER_THE_VISIT = TODAY + dt.timedelta(days=6)
FORMAT_HINT = "YYYY-MM-DD"


def test_a_last_use_after_the_visit_is_refused_without_a_format_hint(run: Run) -> None:
    answers = ready_patient(last_opioid_use=AFTER_THE_VISIT)

    refused = run("check", "--json", "--today", TODAY.isoformat(), *answer_flags(answers))

    assert refused.exit_code == 2, refused.output
    error = json.loads(refused.stderr)
    assert error["key"] == "last_opioid_use", refused.output
    assert AFTER_THE_VISIT.isoformat() in error["message"], refused.output
    assert FORMAT_HINT not in (error["hint"] or ""), refused.output


def test_a_date_written_wrongly_is_still_told_its_format(run: Run) -> None:
    """The hint keeps its place where it is the fix: a date that cannot be read."""
    answers = ready_patient(last_opioid_use="30/11/2026")

    refused = run("check", "--json", "--today", TODAY.isoformat(), *answer_flags(answers))

    assert refused.exit_code == 2, refused.output
    error = json.loads(refused.stderr)
    assert FORMAT_HINT in (error["message"] + (error["hint"] or "")), refused.output
