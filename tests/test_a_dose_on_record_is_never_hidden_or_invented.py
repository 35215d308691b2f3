"""A dose in the patient's record is never hidden and never invented by what a stored
record says about itself beyond its audited answers (clinical basis, safety invariants
11 and 12): the pack a visit was walked with, whether it was a training run, and a
record whose log of the dose count is gone.

Each test walks a real visit through the CLI, changes the stored record the way a hand
edit (or an imported file) would, and then judges the patient's next visit as
`check --label` does: a wrong READY there is what these protect against.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
from pathlib import Path
from typing import Any

from tests.helpers import (
    MONTHLY_VISIT,
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
from xrntx_guide.store import DATABASE_FILE

LABEL = "DOSE-1"


def first_dose(day: dt.date, **changes: Any) -> dict[str, Any]:
    """A first injection on ``day``, 14 days after short-acting use."""
    return after_injection(last_opioid_use=day - dt.timedelta(days=14), **changes)


def check_first_injection(run: Run) -> Any:
    """`check --label` of a first injection today, every gate clear."""
    return run(
        "check", "--json", "--label", LABEL, "--today", TODAY.isoformat(),
        *answer_flags(ready_patient()),
    )  # fmt: skip


def repeat_visit() -> dict[str, Any]:
    """A repeat visit with no opioid use since the last injection, every gate clear: the
    last injection's date and side come from the record."""
    answers = ready_patient(
        visit="repeat_injection", opioid_use_since_last_injection=False, **MONTHLY_VISIT
    )
    for key in ("last_opioid_use", "last_opioid_kind", "abstinence_evidence", "cows_total"):
        answers.pop(key, None)
    for key in [k for k in answers if k.startswith(("uds_", "naloxone"))]:
        answers.pop(key)
    return answers


def edit_stored(change: Any) -> None:
    """Change the one stored record of LABEL in the store, as a hand edit would."""
    (session,) = stored_sessions(LABEL)
    record = json.loads(session.read_text())
    change(record)
    session.write_text(json.dumps(record))


def test_a_dose_walked_with_another_pack_still_counts(run: Run, tmp_path: Path) -> None:
    """A clinic's copy of the pack under its own guide id records a dose 3 days ago; the
    shipped pack then judges a first injection of the same label today. The dose is in the
    store under the label: the visit is refused or blocked, never ready (a second dose 3
    days after the first)."""
    steps = copy_steps(tmp_path)
    head = steps / "00-guide.toml"
    text = head.read_text(encoding="utf-8")
    head.write_text(text.replace('id = "xrntx_induction"', 'id = "clinic_copy"', 1), "utf-8")
    given = walk_visit(run, LABEL, days_ago(3), first_dose(days_ago(3)), "--steps", str(steps))
    assert given.exit_code == 0, given.output

    result = check_first_injection(run)
    assert result.exit_code != 0, result.stdout
    assert json.loads(result.stdout or "{}").get("status") != "ready"


def test_a_dose_walked_with_a_copy_that_renames_the_date_key_still_counts(
    run: Run, tmp_path: Path
) -> None:
    """A clinic's copy of the pack under its own guide id that names the visit's date
    otherwise (``given_on``) records a dose 3 days ago: its record still says, by itself,
    the visit's date and that the dose counted. A first injection of the same label judged
    by the shipped pack is never ready: it would be a second dose."""
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


def test_a_care_dose_marked_as_training_by_hand_still_counts(run: Run) -> None:
    """A care dose 3 days ago; its stored record is given a demo clock by hand. Either the
    record is refused (then the label cannot be judged ready) or its dose still counts:
    a first injection today is never ready."""
    assert walk_visit(run, LABEL, days_ago(3), first_dose(days_ago(3))).exit_code == 0
    edit_stored(lambda r: r.update(demo_clock=60.0))

    result = check_first_injection(run)
    assert result.exit_code != 0, result.stdout
    assert json.loads(result.stdout or "{}").get("status") != "ready"


def test_a_training_dose_made_a_care_record_by_hand_never_counts(run: Run) -> None:
    """A training run (demo clock) gives a dose 28 days ago; its demo clock is removed
    from the stored record by hand. The training dose never becomes the patient's last
    injection: a repeat visit today (no use since, so the induction's readiness checks
    are skipped) is never ready on it."""
    day = days_ago(28)
    trained = walk_visit(run, LABEL, day, first_dose(day), "--demo-clock", "60")
    assert trained.exit_code == 0, trained.output
    edit_stored(lambda r: r.update(demo_clock=None))

    result = run(
        "check", "--json", "--label", LABEL, "--today", TODAY.isoformat(),
        *answer_flags(repeat_visit()),
    )  # fmt: skip
    assert json.loads(result.stdout or "{}").get("status") != "ready", result.stdout


def test_a_dose_the_gates_refused_never_counts_once_its_log_is_gone(run: Run) -> None:
    """A first injection 28 days ago was blocked by a positive opiate screen, with the
    injection answered 'given' (kept as typed, not counted). A hand edit removes the
    audit trail's dose-count entries and marks the visit complete, as a record written
    before the count was logged would read. The dose the gates refused never becomes the
    patient's last injection: a repeat visit today is never ready on it."""
    day = days_ago(28)
    blocked = walk_visit(run, LABEL, day, first_dose(day, uds_opiates="positive"))
    assert blocked.exit_code == 1, blocked.output

    def forget_the_count(record: dict[str, Any]) -> None:
        record["events"] = [e for e in record["events"] if e["kind"] != "injection_given"]
        record["status"] = "complete"

    edit_stored(forget_the_count)
    result = run(
        "check", "--json", "--label", LABEL, "--today", TODAY.isoformat(),
        *answer_flags(repeat_visit()),
    )  # fmt: skip
    assert json.loads(result.stdout or "{}").get("status") != "ready", result.stdout


def test_a_dose_is_found_by_its_records_label_whatever_rule_made_the_stored_key(
    run: Run,
) -> None:
    """A dose 3 days ago under 'AB-12', in a store whose label keys were made by an earlier
    label rule (separators kept), as a store written by an earlier version holds them.
    `sessions` still lists the visit under 'AB-12'; once this version opens the store, it
    makes the keys again by its own rule: a first injection of 'AB-12' today is never
    ready."""
    assert walk_visit(run, LABEL, days_ago(3), first_dose(days_ago(3))).exit_code == 0
    db = sqlite3.connect(Path(os.environ["XRNTX_GUIDE_HOME"]) / DATABASE_FILE)
    try:
        db.execute("UPDATE visits SET label_key = lower(label)")
        db.execute("UPDATE store_meta SET value = 'an earlier rule' WHERE name = 'label_rule'")
        db.commit()
    finally:
        db.close()
    assert LABEL in run("sessions").stdout

    result = check_first_injection(run)
    assert result.exit_code != 0, result.stdout
    assert json.loads(result.stdout or "{}").get("status") != "ready"


def test_use_after_the_blockade_on_record_makes_a_later_visit_a_new_induction(run: Run) -> None:
    """Day -45: a first injection. Day -13: a repeat visit records opioid use on day -15,
    after the blockade wore off (30 days after the dose): a new induction, blocked by the
    interval. Today the patient is back and the visit is answered 'no use since the last
    injection'. The record says otherwise (reference section 7: use after the blockade is
    a new induction): the visit is refused naming the earlier one, or judged as a new
    induction (the withdrawal rating and the challenge again), never ready as a plain
    repeat dose."""
    first = days_ago(45)
    assert walk_visit(run, LABEL, first, first_dose(first)).exit_code == 0
    used = first + dt.timedelta(days=30)
    returned = repeat_visit() | {
        "opioid_use_since_last_injection": True,
        "last_opioid_use": used,
        "last_opioid_kind": "short_acting",
        "fentanyl_used_30_days": False,
        "abstinence_evidence": "self_report",
        "uds_opiates": "negative",
        "uds_fentanyl": "negative",
        "uds_buprenorphine": "negative",
        "uds_methadone": "negative",
        "uds_oxycodone": "negative",
        "cows_total": 2,
        "naloxone_challenge": "not_done",
    }
    blocked = walk_visit(run, LABEL, days_ago(13), returned)
    assert blocked.exit_code == 1, blocked.output  # a new induction, 2 days opioid-free

    today = repeat_visit() | {k: "negative" for k in returned if k.startswith("uds_")}
    result = run(
        "check", "--json", "--label", LABEL, "--today", TODAY.isoformat(), *answer_flags(today)
    )
    assert json.loads(result.stdout or "{}").get("status") != "ready", result.stdout


def test_a_last_use_older_than_the_one_on_record_is_refused(run: Run) -> None:
    """Day -4: a first induction blocked by the interval, the last use recorded on day -5.
    Today another clinician answers a last use on day -15 for the same patient: counted
    from it, the interval would pass. The record's use is the later one: the answer is
    refused (exit 2), naming the session and the recorded date; the recorded date itself
    is taken."""
    recorded = days_ago(5)
    # Its dose not answered: a dose answered given, counted or not, would hold the
    # next visit back on its own (the needle may have gone in).
    blocked = walk_visit(run, LABEL, days_ago(4), ready_patient(last_opioid_use=recorded))
    assert blocked.exit_code == 1, blocked.output
    (session,) = stored_sessions(LABEL)
    session_id = json.loads(session.read_text())["id"]

    older = ready_patient(last_opioid_use=days_ago(15))
    result = run(
        "check", "--json", "--label", LABEL, "--today", TODAY.isoformat(), *answer_flags(older)
    )
    assert result.exit_code == 2, result.stdout
    assert session_id in result.output and recorded.isoformat() in result.output

    same = ready_patient(last_opioid_use=recorded)
    result = run(
        "check", "--json", "--label", LABEL, "--today", TODAY.isoformat(), *answer_flags(same)
    )
    assert result.exit_code != 2, result.output
    assert json.loads(result.stdout)["status"] != "ready"
