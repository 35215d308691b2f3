"""One visit never says both that the patient has no suicidal thoughts and that they
have them.

A repeat visit asks "Current depression or suicidal thoughts?" (``mood_concern``) and,
a few questions later, "Current suicidal thoughts?" (``suicidal_thoughts``). A clinician
who answers the first no and the second yes (the patient disclosed it on the second
asking, or a slip) gets a result, and a chart note, that says "no current depression or
suicidal thoughts reported" beside "current suicidal thoughts: yes". Answers that
contradict each other are refused naming both (safety invariant 4); whatever the fix (a
refusal, or the first question no longer asking about suicidal thoughts), the record must
not deny what it also affirms.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from tests.helpers import MONTHLY_VISIT, REPEAT_WITHOUT_USE, TODAY, Run, check, ready_patient

DENIED = re.compile(r"(?i)\bno\b[^.;]*\bsuicidal thoughts\b")
AFFIRMED = re.compile(r"(?i)\bsuicidal thoughts: yes\b")


def test_no_to_the_mood_question_and_yes_to_suicidal_thoughts_is_never_both_said(
    run: Run,
) -> None:
    visit = ready_patient(
        **{
            **REPEAT_WITHOUT_USE,
            **MONTHLY_VISIT,
            "last_injection_date": TODAY - dt.timedelta(weeks=4),
            "last_injection_side": "left",
            "mood_concern": False,
            "suicidal_thoughts": True,
        }
    )

    checked = check(run, visit)

    if checked.exit_code == 2:  # refused as contradictory: it names both answers
        assert "mood_concern" in checked.stderr and "suicidal_thoughts" in checked.stderr
        return
    reasons = [g["reason"] for g in json.loads(checked.stdout)["gates"]]
    assert any(AFFIRMED.search(r) for r in reasons), reasons
    assert not any(DENIED.search(r) for r in reasons), reasons
