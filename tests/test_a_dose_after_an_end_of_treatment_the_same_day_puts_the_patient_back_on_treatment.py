"""A dose given after a visit that ended the treatment puts the patient back on treatment,
also when both visits are on the same day (clinical basis, safety invariant 12: the
record says only what is true; docs/clinicians.md: `history` says "Off treatment" until a
later injection). The morning's visit ends the treatment; the patient changes their mind
and a second walk an hour later gives the dose. The patient's history must not say the
treatment ended with the earlier injection as the last one, and the emergency card must
not tell emergency staff that "no injection is to come" beside the dose just given. It
stays so when the end's visit is later resumed to amend its comment: the order of the end
and the dose is when each happened, never when a visit was last saved."""

from __future__ import annotations

import datetime as dt
import json

from tests.helpers import (
    REPEAT_WITHOUT_USE,
    TODAY,
    Run,
    after_injection,
    answer_flags,
    days_ago,
    ready_patient,
)

LABEL = "EOT-1"
REPEAT = REPEAT_WITHOUT_USE
ENDED = {
    "end_of_treatment": True,
    "end_of_treatment_reason": "patient_choice",
    "end_of_treatment_comment": "wants to stop",
    "end_overdose_counselled": True,
    "end_reversal_agent_prescribed": True,
}


def walk_at(run: Run, at: str, answers: dict[str, object], *extra: str) -> None:
    walked = run(
        "walk", "--no-input", "--label", LABEL, "--now", at, "--acknowledge", "all",
        *extra, *answer_flags(answers),
    )  # fmt: skip
    assert walked.exit_code in (0, 1), walked.output


def test_a_dose_an_hour_after_an_end_of_treatment_is_the_last_injection_on_treatment(
    run: Run,
) -> None:
    first = days_ago(28)
    walk_at(
        run,
        f"{first.isoformat()}T12:00",
        after_injection(last_opioid_use=first - dt.timedelta(days=14), injection_date=first),
    )
    walk_at(run, f"{TODAY.isoformat()}T10:00", ready_patient(**REPEAT, **ENDED))
    walk_at(
        run,
        f"{TODAY.isoformat()}T11:00",
        after_injection(**REPEAT, end_of_treatment=False),
    )

    history = run("history", LABEL, "--today", TODAY.isoformat(), "--json")
    timeline = json.loads(history.stdout)
    assert [d["date"] for d in timeline["injections"]][-1] == TODAY.isoformat(), history.output
    assert timeline["off_treatment"] is None, history.stdout

    card = run("card", LABEL)
    assert card.exit_code == 0, card.output
    assert TODAY.isoformat() in card.stdout, card.stdout
    assert "no injection is to come" not in card.stdout, card.stdout


def test_amending_the_end_after_a_same_day_dose_keeps_the_patient_on_treatment(
    run: Run,
) -> None:
    first = days_ago(28)
    walk_at(
        run,
        f"{first.isoformat()}T12:00",
        after_injection(last_opioid_use=first - dt.timedelta(days=14), injection_date=first),
    )
    walk_at(run, f"{TODAY.isoformat()}T10:00", ready_patient(**REPEAT, **ENDED))
    walk_at(run, f"{TODAY.isoformat()}T11:00", after_injection(**REPEAT, end_of_treatment=False))
    listed = json.loads(run("sessions", "--json").stdout)
    end = next(s["id"] for s in listed if s["status"] == "blocked")

    amended = run(
        "walk", "--resume", "--session", end, "--no-input", "--now", f"{TODAY.isoformat()}T12:00",
        "--answer", "end_of_treatment_comment=wants to stop, said so twice",
    )  # fmt: skip
    assert amended.exit_code in (0, 1), amended.output

    history = run("history", LABEL, "--today", TODAY.isoformat(), "--json")
    timeline = json.loads(history.stdout)
    assert timeline["off_treatment"] is None, history.stdout
    card = run("card", LABEL)
    assert "no injection is to come" not in card.stdout, card.stdout
