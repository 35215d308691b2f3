"""A dose recorded on the side the guide just advised against is said, never filed in
silence.

After a mild reaction at the last injection site the guide's caution says "inject the
other buttock" and names that side. When the clinician then records the dose on the side
of the reaction (a habit, a slip of the finger at the side prompt), the visit is saved
with both in its note (the caution acknowledged, "Given: ... left buttock") and nothing
tells the clinician, or the reader of the chart, that the two disagree.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from tests.helpers import (
    DOSE_GIVEN,
    MONTHLY_VISIT,
    REPEAT_WITHOUT_USE,
    TODAY,
    Run,
    at_today,
    first_dose_on,
    ready_patient,
    walk_at,
)

LABEL = "SIDE-1"


def _said_with(text: str, side: str) -> list[str]:
    """The warning or caution lines of ``text`` that name ``side`` as a buttock or side."""
    return [
        line
        for line in text.splitlines()
        if re.search(r"(?i)warning|caution", line)
        and re.search(rf"(?i)\b{side}\b", line)
        and re.search(r"(?i)buttock|side", line)
    ]


def test_a_dose_on_the_side_of_a_reaction_is_said(run: Run) -> None:
    first_dose_on(run, LABEL, TODAY - dt.timedelta(weeks=4))  # given on the left
    assert DOSE_GIVEN["injection_side_used"] == "left"
    visit = ready_patient(
        **{**REPEAT_WITHOUT_USE, **MONTHLY_VISIT, "injection_site_reaction": "mild"},
        **DOSE_GIVEN,
    )

    walked = walk_at(run, LABEL, at_today("10:00"), visit)

    shown = walked.stdout + walked.stderr
    assert "inject the other buttock (right)" in " ".join(shown.split()), walked.output
    assert _said_with(shown, "left"), walked.output
    # The chart note says it too, beside the dose.
    session = re.findall(r"session ([0-9a-f]{8})", walked.output)[-1]
    note = json.loads(run("note", session, "--format", "json").stdout)
    assert note["injection_given"] is True and "left" in str(note["side_against_advice"]), note
    text = " ".join(run("note", session, "--format", "text").stdout.split())
    assert "Warning: the dose is recorded in the left buttock" in text, text


def test_a_dose_on_the_side_advised_is_not_warned_about(run: Run) -> None:
    first_dose_on(run, LABEL, TODAY - dt.timedelta(weeks=4))  # given on the left
    visit = ready_patient(
        **{**REPEAT_WITHOUT_USE, **MONTHLY_VISIT},
        **{**DOSE_GIVEN, "injection_side_used": "right"},
    )
    walked = walk_at(run, LABEL, at_today("10:00"), visit)
    assert walked.exit_code == 0, walked.output
    assert "not the side the guide advised" not in walked.output, walked.output
    session = re.findall(r"session ([0-9a-f]{8})", walked.output)[-1]
    note = json.loads(run("note", session, "--format", "json").stdout)
    assert note["side_against_advice"] is None, note


def test_a_script_hears_of_the_side_in_the_walks_json(run: Run) -> None:
    first_dose_on(run, LABEL, TODAY - dt.timedelta(weeks=4))  # given on the left
    visit = ready_patient(**{**REPEAT_WITHOUT_USE, **MONTHLY_VISIT}, **DOSE_GIVEN)
    walked = walk_at(run, LABEL, at_today("10:00"), visit, "--json")
    out = json.loads(walked.stdout)
    assert out["status"] == "complete" and "left" in str(out["side_against_advice"]), out
