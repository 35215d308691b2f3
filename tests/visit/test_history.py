"""A patient's timeline across visits (reference section 7): a repeat visit fills
in the last injection from the last finished session with the injection given, shown with
its origin and changeable, and the gates judge whatever value is in force."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import (
    TODAY,
    after_injection,
    answer_flags,
    days_ago,
    stored_ids,
    stored_record,
    the_store,
    without,
)
from xrntx_guide.cli.ui import UI
from xrntx_guide.cli.walkthrough import Clock, Walkthrough
from xrntx_guide.engine.evaluate import evaluate
from xrntx_guide.errors import ExitCode
from xrntx_guide.pack.guide import Guide
from xrntx_guide.store.saver import Saver
from xrntx_guide.visit import session as store
from xrntx_guide.visit.history import timeline

Run = Callable[..., Any]
LABEL = "AB12"


def first_visit(**changes: Any) -> dict[str, Any]:
    """A first injection given 28 days before TODAY (opioid-free 14 days by then)."""
    answers = after_injection(last_opioid_use=days_ago(42), kit_lot="LOT-1")
    answers.update(changes)
    return {k: v for k, v in answers.items() if v is not None}


def repeat_visit(**changes: Any) -> dict[str, Any]:
    """A repeat visit on TODAY with no opioid use since: the last injection is not given."""
    answers = after_injection(visit="repeat_injection", opioid_use_since_last_injection=False)
    for key in ("last_opioid_use", "last_opioid_kind", "uds_opiates"):
        answers.pop(key, None)
    answers.update(changes)
    return {k: v for k, v in answers.items() if v is not None}


def walk(run: Run, day: dt.date, answers: dict[str, Any], *extra: str) -> Any:
    return run(
        "walk",
        "--no-input",
        "--label",
        LABEL,
        "--today",
        day.isoformat(),
        *extra,
        *answer_flags(answers),
    )


def records(folder: Path) -> list[store.SessionRecord]:
    return [stored_record(i) for i in stored_ids()]


def latest(folder: Path) -> store.SessionRecord:
    return max(records(folder), key=lambda r: r.created)


@pytest.fixture
def folder(_isolated_home: Path) -> Path:
    return _isolated_home / "sessions"


@pytest.fixture
def first(run: Run, folder: Path) -> store.SessionRecord:
    result = walk(run, days_ago(28), first_visit())
    assert result.exit_code == ExitCode.OK, result.output
    (only,) = records(folder)
    assert only.status == "complete"
    return only


# -- the done-when case: a second visit four weeks later -------------------------------------


def test_a_second_visit_four_weeks_later_fills_in_the_last_injection_from_the_first(
    run: Run, folder: Path, first: store.SessionRecord
) -> None:
    result = walk(run, TODAY, repeat_visit(injection_side_used="right"))

    assert result.exit_code == ExitCode.OK, result.output
    second = latest(folder)
    assert second.id != first.id
    date, side = second.answers["last_injection_date"], second.answers["last_injection_side"]
    assert (date.value, date.origin) == (days_ago(28).isoformat(), "history")
    assert (side.value, side.origin) == ("left", "history")
    # The screen said so, with where it came from, and when the dose was due.
    assert f"from the history: session {first.id}" in result.stdout
    assert "on the due date" in result.stdout
    assert second.gates["dose_timing"] == "pass"


def test_history_shows_both_injections(run: Run, folder: Path, first: store.SessionRecord) -> None:
    assert walk(run, TODAY, repeat_visit(injection_side_used="right")).exit_code == ExitCode.OK
    second = latest(folder)

    text = run("history", LABEL, "--today", TODAY.isoformat())
    data = run("history", LABEL, "--json", "--today", TODAY.isoformat())

    assert text.exit_code == ExitCode.OK, text.output
    assert days_ago(28).isoformat() in text.stdout and TODAY.isoformat() in text.stdout
    assert "LOT-1" in text.stdout
    assert data.exit_code == ExitCode.OK, data.output
    out = json.loads(data.stdout)
    assert [(i["session"], i["date"], i["side"]) for i in out["injections"]] == [
        (first.id, days_ago(28).isoformat(), "left"),
        (second.id, TODAY.isoformat(), "right"),
    ]
    assert out["injections"][0]["needle"] == "2-inch"
    assert out["injections"][0]["kit_lot"] == "LOT-1"
    assert out["injections"][1]["next_dose_due"] == second.next_dose_due
    assert out["last_injection_session"] == second.id
    assert out["due"]["dose_due_date"] == second.next_dose_due
    assert out["due"]["days_before_due"] is not None and out["due"]["days_before_due"] > 0


def test_the_note_of_the_second_visit_lists_the_first_and_its_calendar_has_the_next_dose(
    run: Run, folder: Path, first: store.SessionRecord
) -> None:
    assert walk(run, TODAY, repeat_visit(injection_side_used="right")).exit_code == ExitCode.OK
    second = latest(folder)

    markdown = run("note", second.id)
    data = json.loads(run("note", second.id, "--format", "json").stdout)
    ics = run("note", second.id, "--format", "ics")

    assert "## Earlier injections" in markdown.stdout
    assert days_ago(28).isoformat() in markdown.stdout and "LOT-1" in markdown.stdout
    assert "last_injection_date" in markdown.stdout and "(history)" in markdown.stdout
    assert [i["session"] for i in data["history"]["injections"]] == [first.id]
    assert data["history"]["due"]["days_before_due"] == 0
    due = dt.date.fromisoformat(second.next_dose_due or "")
    assert due > TODAY
    assert f"DTSTART;VALUE=DATE:{due:%Y%m%d}" in ics.stdout


def test_the_gates_judge_a_last_injection_filled_in_from_the_history(
    run: Run, folder: Path
) -> None:
    """A filled-in value is not trusted: an injection 3 days before is a stop, as typed."""
    assert walk(run, days_ago(3), first_visit(last_opioid_use=days_ago(17))).exit_code == 0

    result = walk(run, TODAY, repeat_visit())

    assert result.exit_code == ExitCode.BLOCKED, result.output
    second = latest(folder)
    assert second.answers["last_injection_date"].origin == "history"
    assert second.gates["dose_timing"] == "fail"
    assert second.status == "needs_override"


# -- changeable, and judged as changed ------------------------------------------------------


def test_an_answer_given_by_flag_beats_the_history_and_the_gates_judge_it(
    run: Run, folder: Path, first: store.SessionRecord
) -> None:
    # Another dose's date: its side is asked, never the recorded dose's (given here).
    given = repeat_visit(last_injection_date=days_ago(4), last_injection_side="right")
    result = walk(run, TODAY, given)

    assert result.exit_code == ExitCode.BLOCKED, result.output
    second = latest(folder)
    assert second.answers["last_injection_date"].value == days_ago(4).isoformat()
    assert second.answers["last_injection_date"].origin == "flag"
    assert second.gates["dose_timing"] == "fail"


def test_a_filled_in_answer_can_be_edited_at_the_prompt_and_the_gates_judge_the_new_value(
    guide: Guide, run: Run, folder: Path, first: store.SessionRecord
) -> None:
    """Interactive: the walk fills in the last injection and says so; `edit` changes it
    to four days ago, and the timing gate now stops the walk."""
    now = dt.datetime.now(dt.UTC)
    record = store.new_session(guide, LABEL, now, TODAY)
    for key, value in repeat_visit(injection_side_used="right", injection_date=TODAY).items():
        if key != "kit_lot":  # left unanswered: the prompt where the edit is typed
            record.set_answer(key, value, "flag", now)
    tl = timeline(guide, records(folder), LABEL, TODAY, exclude=record.id)
    # The dose's date and side, the visit type, and the facts that do not change.
    offered = {"visit"} | {o.question for o in guide.meta.report.history.offer}
    assert "age" in offered
    assert set(tl.prefills) == {"last_injection_date", "last_injection_side"} | offered
    typed = f"edit last_injection_date\n{days_ago(4).isoformat()}\n"
    out, err = io.StringIO(), io.StringIO()
    ui = UI(plain=True, out=out, err=err, stdin=io.StringIO(typed))
    saver = Saver(the_store(), "test", record.id)
    w = Walkthrough(ui, guide, record, saver, TODAY, Clock(), prefills=tl.prefills)

    w.run()

    assert "from the history" in out.getvalue()
    changed = record.answers["last_injection_date"]
    assert (changed.value, changed.origin) == (days_ago(4).isoformat(), "typed")
    state = evaluate(guide, record.inputs(guide, TODAY))
    assert state.gates["dose_timing"].outcome == "fail"
    assert state.status != "ready"
    # The audit trail keeps what was filled in and the change.
    kinds = [(e.kind, e.key) for e in record.events if e.key == "last_injection_date"]
    assert kinds[:2] == [("answer", "last_injection_date"), ("change", "last_injection_date")]


# -- never from an unfinished, blocked or training session ----------------------------------


def test_a_blocked_session_with_the_injection_answered_is_never_used(
    run: Run, folder: Path
) -> None:
    """Blocked (opioid use two days before): its injection answer is not a dose the record
    counts (the gates did not allow it, as the note says), so nothing is filled in from
    it: the last injection is asked."""
    blocked = walk(run, days_ago(28), first_visit(last_opioid_use=days_ago(30)))
    assert blocked.exit_code == ExitCode.BLOCKED, blocked.output
    assert latest(folder).injection_given is False

    result = walk(run, TODAY, repeat_visit())

    assert result.exit_code == ExitCode.INCOMPLETE, result.output
    assert "last_injection_date" in result.stderr
    assert "last_injection_date" not in latest(folder).answers


def test_an_unfinished_session_is_never_used_and_the_last_finished_one_is(
    run: Run, folder: Path
) -> None:
    done = walk(run, days_ago(56), first_visit(last_opioid_use=days_ago(70)))
    assert done.exit_code == ExitCode.OK, done.output
    (older,) = records(folder)
    # A visit four weeks later that stopped before the injection (no answers past consent).
    partial = first_visit(
        visit="repeat_injection", opioid_use_since_last_injection=False, last_opioid_use=None
    )  # no use since: a last use dated after the dose would contradict it (invariant 10)
    for key in ("consent", "injection_given", "injection_side_used", "needle_used", "kit_lot"):
        partial.pop(key)
    unfinished = walk(run, days_ago(28), partial)
    assert unfinished.exit_code == ExitCode.INCOMPLETE, unfinished.output
    assert sum(r.status != "complete" for r in records(folder)) == 1

    result = walk(run, TODAY, repeat_visit())

    second = latest(folder)
    date = second.answers["last_injection_date"]
    assert (date.value, date.origin) == (days_ago(56).isoformat(), "history")
    assert f"session {older.id}" in result.stdout
    # 56 days since the last injection: overdue, said by the pack's own values.
    assert "28 days late" in result.stdout


def test_a_training_session_is_never_used(run: Run, folder: Path) -> None:
    trained = walk(run, days_ago(28), first_visit(), "--demo-clock", "60")
    assert trained.exit_code == ExitCode.OK, trained.output
    assert records(folder)[0].demo_clock is not None

    result = walk(run, TODAY, repeat_visit())

    assert result.exit_code == ExitCode.INCOMPLETE, result.output
    assert "last_injection_date" not in latest(folder).answers
    data = json.loads(run("history", LABEL, "--json", "--today", TODAY.isoformat()).stdout)
    assert data["injections"] == [] and data["due"] is None
    assert data["visits"][0]["training"] is True


def test_a_first_injection_visit_of_a_patient_with_a_recorded_dose_is_refused(
    run: Run, folder: Path, first: store.SessionRecord
) -> None:
    """The record shows a dose, so the visit is a repeat visit: answered 'first injection'
    it would skip the repeat-visit gates (an early second dose), so it is refused, saying
    why, and nothing is filled in or given."""
    before = stored_ids()
    result = walk(run, TODAY, first_visit(last_opioid_use=days_ago(14)))

    assert result.exit_code == ExitCode.USAGE, result.output
    assert "repeat visit" in result.stderr and "repeat_injection" in result.stderr
    assert stored_ids() == before, "no session was written"


# -- the command ---------------------------------------------------------------------------


def test_history_of_an_unknown_label_says_which_one_was_meant(
    run: Run, first: store.SessionRecord
) -> None:
    result = run("history", "AB13")
    as_json = run("history", "AB13", "--json")

    assert result.exit_code == ExitCode.USAGE, result.output
    assert "did you mean 'AB12'" in result.stderr
    assert result.stdout == ""
    assert as_json.exit_code == ExitCode.USAGE, as_json.output
    assert json.loads(as_json.stderr)["code"] == "session"


def test_history_of_a_label_one_keystroke_off_says_which_one_was_meant(
    run: Run, first: store.SessionRecord
) -> None:
    """'R8' for 'R1' is too short for the usual likeness: one character off is offered."""
    from types import SimpleNamespace

    from xrntx_guide.errors import SessionError
    from xrntx_guide.visit.history import require_label

    for typo in ("AB1", "AB123", "XB12"):
        result = run("history", typo)
        assert result.exit_code == ExitCode.USAGE, result.output
        assert f"did you mean {first.label!r}" in result.stderr, (typo, result.stderr)
    assert "did you mean" not in run("history", "ZZ99").stderr
    short = [SimpleNamespace(label="R1"), SimpleNamespace(label="Q77")]
    for typo, meant in (("R8", "R1"), ("r", "R1"), ("Q7", "Q77")):
        with pytest.raises(SessionError, match=f"did you mean {meant!r}"):
            require_label(short, typo)  # type: ignore[arg-type]


def test_history_on_the_day_of_the_injection_does_not_call_the_visit_early(
    run: Run, first: store.SessionRecord
) -> None:
    """The visit that gave the dose is not early for itself."""
    given = days_ago(28).isoformat()
    on_the_day = run("history", first.label, "--today", given, "--plain").stdout
    assert "early" not in on_the_day, on_the_day
    assert f"{given} is the day of that injection" in " ".join(on_the_day.split())
    a_week_on = run("history", first.label, "--today", days_ago(21).isoformat()).stdout
    assert "early" in a_week_on  # a later visit before the due date still is


def test_a_visit_dated_before_the_recorded_dose_is_refused_naming_it(
    run: Run, folder: Path
) -> None:
    """A visit dated the day before a dose on the record (entered the day after, by its
    date): every recorded dose counts, so it is refused naming the dose, never walked on
    to a last injection it could not take (the record's is after its date)."""
    assert walk(run, TODAY, first_visit(last_opioid_use=days_ago(14))).exit_code == 0

    result = walk(run, TODAY, without(repeat_visit(injection_date=days_ago(1)), "cows_total"))

    assert result.exit_code == ExitCode.USAGE, result.output
    said = " ".join(result.stderr.split())
    assert f"shows an injection on {TODAY.isoformat()}" in said, said
    assert len(records(folder)) == 1  # nothing of the refused visit is stored
