"""An end of treatment and a dose of the same day are ordered by when each happened
(clinical basis, safety invariant 12: the record says only what is true; docs/clinicians.md:
`history` says "Off treatment" until a later injection). A dose given after the end puts
the patient back on treatment: the history must not say the treatment ended with the
earlier injection as the last one, nor the emergency card tell emergency staff that "no
injection is to come" beside the dose just given. An end recorded after the dose leaves
the patient off treatment.

What orders them is when the end's yes and the dose's yes were recorded, by the audit
trail: not when their walks began (a walk may wait at the injection step, or begin before
the other), not when a visit was last saved (an end amended later), not the same answer
given again on a resume, not an answer's time changed by hand in the stored record. A dose
counted by a visit still waiting for its observation is a dose given."""

from __future__ import annotations

import json

from tests.helpers import (
    END_OF_TREATMENT,
    REPEAT_WITHOUT_USE,
    TODAY,
    Run,
    after_injection,
    answer_flags,
    days_ago,
    first_dose_on,
    ready_patient,
    stored_sessions,
    walk_at,
)

LABEL = "EOT-1"
DAY = TODAY.isoformat()
DOSED = {"injection_given": True, "injection_side_used": "right", "needle_used": "2-inch"}
FINISH = ["-a", "observation_minutes=30", "-a", "wallet_card_given=yes"]
ENDED_AFTER_THE_DOSE = ready_patient(
    **REPEAT_WITHOUT_USE, **END_OF_TREATMENT, last_injection_date=TODAY, last_injection_side="right"
)


def visit(run: Run, at: str, answers: dict[str, object], *extra: str) -> int:
    """One visit of today at ``at`` (done, blocked, or waiting): its exit code."""
    walked = walk_at(run, LABEL, f"{DAY}T{at}", answers, *extra)
    assert walked.exit_code in (0, 1, 4), walked.output
    return walked.exit_code


def resumed(run: Run, session: str, at: str, *flags: str) -> int:
    out = run(
        "walk", "--no-input", "--resume", "--session", session, "--now", f"{DAY}T{at}",
        "--acknowledge", "all", *flags,
    )  # fmt: skip
    assert out.exit_code in (0, 1), out.output
    return out.exit_code


def session_in(run: Run, status: str) -> str:
    """The latest session of the patient in ``status`` (in_progress: a visit that waits)."""
    listed = json.loads(run("sessions", "--json").stdout)
    return str(next(s["id"] for s in listed if s["status"] == status))


def off_treatment(run: Run) -> object:
    shown = run("history", LABEL, "--today", DAY, "--json")
    assert shown.exit_code == 0, shown.output
    return json.loads(shown.stdout)["off_treatment"]


def says_no_injection_is_to_come(run: Run, *args: str) -> bool:
    card = run("card", *args)
    return "no injection is to come" in card.stdout


# -- a dose after the end -------------------------------------------------------------------


def test_a_dose_an_hour_after_an_end_of_treatment_is_the_last_injection_on_treatment(
    run: Run,
) -> None:
    first_dose_on(run, LABEL, days_ago(28))
    visit(run, "10:00", ready_patient(**REPEAT_WITHOUT_USE, **END_OF_TREATMENT))
    visit(run, "11:00", after_injection(**REPEAT_WITHOUT_USE, end_of_treatment=False))

    history = json.loads(run("history", LABEL, "--today", DAY, "--json").stdout)
    assert [d["date"] for d in history["injections"]][-1] == DAY, history
    assert history["off_treatment"] is None, history
    card = run("card", LABEL)
    assert card.exit_code == 0 and DAY in card.stdout, card.output
    assert not says_no_injection_is_to_come(run, LABEL)


def test_amending_the_end_after_a_same_day_dose_keeps_the_patient_on_treatment(
    run: Run,
) -> None:
    first_dose_on(run, LABEL, days_ago(28))
    visit(run, "10:00", ready_patient(**REPEAT_WITHOUT_USE, **END_OF_TREATMENT))
    visit(run, "11:00", after_injection(**REPEAT_WITHOUT_USE, end_of_treatment=False))
    end = session_in(run, "blocked")
    resumed(run, end, "12:00", "--answer", "end_of_treatment_comment=said so twice")
    assert off_treatment(run) is None
    assert not says_no_injection_is_to_come(run, LABEL)


def test_a_dose_recorded_after_the_end_by_a_walk_begun_before_it_is_on_treatment(
    run: Run,
) -> None:
    first_dose_on(run, LABEL, days_ago(28))
    assert visit(run, "09:00", ready_patient(**REPEAT_WITHOUT_USE)) == 4  # at the injection
    dose_visit = session_in(run, "in_progress")
    visit(run, "10:00", ready_patient(**REPEAT_WITHOUT_USE, **END_OF_TREATMENT))
    # 11:00: the patient changed their mind; the open walk records the dose.
    resumed(run, dose_visit, "11:00", *answer_flags(DOSED), *FINISH)
    history = json.loads(run("history", LABEL, "--today", DAY, "--json").stdout)
    assert DAY in [i["date"] for i in history["injections"]], history
    assert history["off_treatment"] is None, history
    assert not says_no_injection_is_to_come(run, dose_visit)


def test_a_dose_counted_after_the_end_is_on_treatment_while_its_visit_waits(run: Run) -> None:
    first_dose_on(run, LABEL, days_ago(28))
    assert visit(run, "09:00", ready_patient(**REPEAT_WITHOUT_USE, **END_OF_TREATMENT)) == 1
    assert visit(run, "10:00", ready_patient(**REPEAT_WITHOUT_USE, **DOSED)) == 4  # observing
    history = json.loads(run("history", LABEL, "--today", DAY, "--json").stdout)
    assert [v for v in history["visits"] if v["injection_given"] and v["date"] == DAY], history
    assert history["off_treatment"] is None, history


# -- an end after the dose --------------------------------------------------------------


def dose_then_end(run: Run) -> str:
    """10:00 a dose, its visit waiting for the observation; 10:30 an end of treatment.
    Returns the dose's visit."""
    first_dose_on(run, LABEL, days_ago(28))
    assert visit(run, "10:00", ready_patient(**REPEAT_WITHOUT_USE, **DOSED)) == 4
    dose_visit = session_in(run, "in_progress")
    assert visit(run, "10:30", ENDED_AFTER_THE_DOSE) == 1
    assert off_treatment(run) is not None
    return dose_visit


def test_finishing_the_dose_visit_after_the_end_leaves_the_patient_off_treatment(
    run: Run,
) -> None:
    resumed(run, dose_then_end(run), "10:45", *FINISH)
    assert off_treatment(run) is not None


def test_the_dose_answer_given_again_keeps_the_patient_off_treatment(run: Run) -> None:
    resumed(run, dose_then_end(run), "10:45", "-a", "injection_given=yes", *FINISH)
    assert off_treatment(run) is not None


def test_a_dose_time_moved_by_hand_past_the_end_is_not_read(run: Run) -> None:
    dose_visit = dose_then_end(run)
    (stored,) = [s for s in stored_sessions(LABEL) if s.name == dose_visit]
    record = json.loads(stored.read_text())
    given = record["answers"]["injection_given"]
    assert given["at"].startswith(f"{DAY}T10:00"), given  # the test's premise
    given["at"] = given["at"].replace("T10:00", "T11:00", 1)
    stored.write_text(json.dumps(record))
    shown = run("history", LABEL, "--today", DAY, "--json")
    assert shown.exit_code != 0 or json.loads(shown.stdout)["off_treatment"] is not None, (
        "the history says on treatment"
    )


def test_an_end_recorded_after_the_dose_by_a_walk_begun_before_it_is_off_treatment(
    run: Run,
) -> None:
    first_dose_on(run, LABEL, days_ago(28))
    # 09:00: a walk begins and waits (nothing answered about the end yet).
    assert visit(run, "09:00", {"visit": "repeat_injection"}) == 4
    end_visit = session_in(run, "in_progress")
    visit(run, "09:30", after_injection(**REPEAT_WITHOUT_USE, end_of_treatment=False))
    resumed(
        run,
        end_visit,
        "10:00",
        *answer_flags(ready_patient(**REPEAT_WITHOUT_USE, **END_OF_TREATMENT)),
    )
    assert off_treatment(run) is not None
