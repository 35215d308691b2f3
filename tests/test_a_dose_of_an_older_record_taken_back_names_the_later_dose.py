"""A dose taken back (answered not given after all) names the label's later visits judged
as a repeat visit against it (docs/clinicians.md; safety invariant 9). A record written
before the count of the dose was logged (its ``injection_given`` empty, no dose events:
an older version's record, imported or kept) still counts its dose by its answer; taken
back, the later dose judged against it is not named: the walk looks for a dose to take
back only in the logged count (cli/commands/walk.py ``dose_before``)."""

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
from xrntx_guide.visit.integrity import DOSE, KIND_OF_RUN

LABEL = "OLDER-TAKEN-BACK"


def as_an_older_record(session: Any) -> None:
    data = json.loads(session.read_text())
    data["events"] = [e for e in data["events"] if e["kind"] not in (DOSE, KIND_OF_RUN)]
    data["injection_given"] = None
    session.write_text(json.dumps(data))


def taken_back_after_a_repeat(run: Run, older: bool) -> tuple[str, str]:
    first_dose_on(run, LABEL, days_ago(28))
    (first,) = stored_sessions(LABEL)
    if older:
        as_an_older_record(first)
    shown = run("history", "--json", LABEL, "--now", at_today("09:00"))
    assert [i["session"] for i in json.loads(shown.stdout)["injections"]] == [first]
    repeat = after_injection(**{**REPEAT_WITHOUT_USE, **MONTHLY_VISIT})
    repeat.pop("visit")
    later = walk_at(run, LABEL, at_today("10:00"), repeat)
    assert later.exit_code == 0, later.output  # judged as a repeat against the first dose
    (second,) = (str(s) for s in stored_sessions(LABEL) if str(s) != first)
    out = run(
        "walk", "--no-input", "--resume", "--session", str(first), "--now", at_today("12:00"),
        "--acknowledge", "all", "--answer", "injection_given=no",
        "--answer", f"injection_date={days_ago(28).isoformat()}",
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    shown = run("history", "--json", LABEL, "--now", at_today("13:00"))
    assert first not in [i["session"] for i in json.loads(shown.stdout)["injections"]]
    return flat(out.stdout + out.stderr), second


def test_the_control_a_record_that_logs_its_dose_names_the_later_dose(run: Run) -> None:
    said, second = taken_back_after_a_repeat(run, older=False)
    assert f"session {second}" in said, said[-300:]


def test_an_older_record_names_the_later_dose(run: Run) -> None:
    said, second = taken_back_after_a_repeat(run, older=True)
    assert f"session {second}" in said, f"taken back in silence: {said[-300:]!r}"
