"""A dose in the store under the patient's label counts, whichever pack it was walked
with (clinical basis, safety invariant 11): a clinic's copy of the pack may name its
questions otherwise (its own visit-date key), and its record still says, by itself,
the visit's date and that the dose was given and counted. A first injection of the same
label judged by the shipped pack is then never ready: it would be a second dose."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.helpers import (
    TODAY,
    Run,
    after_injection,
    answer_flags,
    copy_steps,
    days_ago,
    ready_patient,
    stored_sessions,
    walk_visit,
)

LABEL = "COPY-1"


def test_a_dose_walked_with_a_copy_that_renames_the_date_key_still_counts(
    run: Run, tmp_path: Path
) -> None:
    steps = copy_steps(tmp_path)
    for path in steps.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        text = text.replace('id = "xrntx_induction"', 'id = "clinic_copy"', 1)
        path.write_text(re.sub(r"\binjection_date\b", "given_on", text), encoding="utf-8")
    day = days_ago(3)
    answers = after_injection(last_opioid_use=days_ago(17))
    answers["given_on"] = day
    given = walk_visit(run, LABEL, day, answers, "--steps", str(steps))
    assert given.exit_code == 0, given.output
    (stored,) = stored_sessions(LABEL)
    record = json.loads(stored.read_text())
    assert record["injection_given"] is True and record["visit_date"] == day.isoformat()

    result = run(
        "check", "--json", "--label", LABEL, "--today", TODAY.isoformat(),
        *answer_flags(ready_patient()),
    )  # fmt: skip
    assert json.loads(result.stdout or "{}").get("status") != "ready", result.stdout
