"""The session store: one damaged record never breaks the others, only stored sessions are
ever deleted, and a save the store refuses is said at once and leaves the previous state."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import (
    TODAY,
    Run,
    after_injection,
    answer_flags,
    days_ago,
    no_traceback,
    ready_patient,
    stored_record,
    stored_sessions,
    the_store,
)
from xrntx_guide.cli.ui import UI
from xrntx_guide.cli.walkthrough import Clock, Walkthrough
from xrntx_guide.errors import ExitCode
from xrntx_guide.pack.guide import Guide
from xrntx_guide.store import StoreError
from xrntx_guide.store.saver import Saver
from xrntx_guide.visit import session as store


def walk(run: Run, label: str, answers: dict[str, Any] | None = None) -> Any:
    return run(
        "walk",
        "--no-input",
        "--label",
        label,
        "--today",
        TODAY.isoformat(),
        *answer_flags(answers or ready_patient()),
    )


@pytest.fixture
def two_sessions(run: Run) -> dict[str, str]:
    assert walk(run, "first").exit_code == ExitCode.INCOMPLETE
    assert walk(run, "done", after_injection()).exit_code == ExitCode.OK
    return {stored_record(s).label: str(s) for s in stored_sessions()}


# -- one damaged record never breaks the others ------------------------------------------------


def test_a_damaged_record_is_said_where_it_is_read_and_breaks_no_other(
    run: Run, two_sessions: dict[str, str]
) -> None:
    first = stored_sessions()[0]
    assert stored_record(first).label == "first"
    first.write_text("[" * 100_000 + "]" * 100_000)

    listed = run("sessions", "--json")  # the listing reads the indexed fields only
    assert listed.exit_code == ExitCode.OK, listed.output
    assert sorted(r["label"] for r in json.loads(listed.stdout)) == ["done", "first"]

    note = run("note", "done")
    assert note.exit_code == ExitCode.OK, note.output
    no_traceback(note)

    resumed = run("walk", "--resume", "--label", "first", "--no-input")
    assert resumed.exit_code == ExitCode.USAGE, resumed.output
    assert "not a valid session" in resumed.stderr and str(first) in resumed.stderr
    no_traceback(resumed)

    history = run("history", "first")
    assert "cannot be read" in history.stderr, history.output
    no_traceback(history)


# -- labels ------------------------------------------------------------------------------------


def test_a_label_used_twice_is_ambiguous_for_a_resume(run: Run) -> None:
    # The first visit is blocked (no dose recorded): a second first-injection visit for
    # the label is allowed; one after a recorded dose would be refused (test_history).
    # `note` takes the latest visit by its date instead (tests/cli).
    blocked = walk(run, "twin", ready_patient(last_opioid_use=days_ago(3)))
    assert blocked.exit_code == ExitCode.BLOCKED, blocked.output
    # (its last use is the one on record: an older one would be refused, test_history)
    second = walk(run, "twin", after_injection(last_opioid_use=days_ago(3)))
    assert "new visit" in second.output
    # Neither visit is finished (both blocked): the label names no one visit to resume.
    result = run("walk", "--resume", "--no-input", "--label", "twin")
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "2 visits of 'twin' are not finished" in " ".join(result.stderr.split())


@pytest.mark.parametrize("label", ["", "   ", "x" * 200])
def test_unusable_labels_are_refused(run: Run, label: str) -> None:
    result = run("walk", "--no-input", "--label", label, "--today", TODAY.isoformat())
    assert result.exit_code == ExitCode.USAGE, result.output


def test_a_label_is_kept_on_one_line(run: Run) -> None:
    """A line break in a label is refused, naming it (a label is an identifier)."""
    result = walk(run, "ab\ncd", after_injection())
    assert result.exit_code == 2 and "U+000A" in result.output, result.output
    assert json.loads(run("sessions", "--json").stdout) == []
    walk(run, "  ab   cd ", after_injection())
    assert json.loads(run("sessions", "--json").stdout)[0]["label"] == "ab cd"


# -- deleting: stored sessions only ------------------------------------------------------------


def test_delete_never_touches_a_file(run: Run, tmp_path: Path) -> None:
    victim = tmp_path / "notes.txt"
    victim.write_text("not a session", encoding="utf-8")

    result = run("sessions", "--yes", "--delete", str(victim))

    assert result.exit_code == ExitCode.USAGE, result.output
    assert victim.read_text(encoding="utf-8") == "not a session"
    assert "no session with label or id" in result.stderr
    no_traceback(result)


def test_delete_by_label_or_id(run: Run, two_sessions: dict[str, str]) -> None:
    assert run("sessions", "--yes", "--delete", two_sessions["first"]).exit_code == ExitCode.OK
    assert run("sessions", "--yes", "--delete", "done").exit_code == ExitCode.OK
    assert stored_sessions() == []


def test_a_damaged_session_can_be_deleted(run: Run, two_sessions: dict[str, str]) -> None:
    first = stored_sessions()[0]
    first.write_text("{")
    result = run("sessions", "--yes", "--delete", str(first))
    assert result.exit_code == ExitCode.OK, result.output
    assert not first.exists()


# -- a save the store refuses --------------------------------------------------------------------


def _walk(guide: Guide, typed: str) -> tuple[Walkthrough, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    ui = UI(plain=True, out=out, err=err, stdin=io.StringIO(typed))  # what is typed
    now = dt.datetime.now(dt.UTC)
    record = store.new_session(guide, "disk", now, TODAY)
    saver = Saver(the_store(), "test", record.id)
    return Walkthrough(ui, guide, record, saver, TODAY, Clock()), out, err


def _full(times: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The store refuses the next ``times`` saves as a full disk does."""
    real = Saver.save
    left = [times]

    def flaky(self: Saver, record: Any) -> list[str]:
        if left[0]:
            left[0] -= 1
            raise StoreError("cannot save the session: the disk is full")
        return real(self, record)

    monkeypatch.setattr(Saver, "save", flaky)


def test_an_interactive_walk_that_cannot_save_says_so_and_can_retry(
    guide: Guide, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store refuses once: the walk says so at once, keeps the answer in memory, and a
    retry saves it."""
    _full(1, monkeypatch)
    w, out, err = _walk(guide, "retry\n")
    w.record.set_answer("age", 34, "typed", dt.datetime.now(dt.UTC))

    w.save()

    assert "the disk is full" in err.getvalue()
    assert "Retry the save" in out.getvalue()
    assert stored_record(w.record.id).answers["age"].value == 34


def test_an_interactive_walk_can_go_on_unsaved_and_says_when_a_save_works_again(
    guide: Guide, monkeypatch: pytest.MonkeyPatch
) -> None:
    _full(2, monkeypatch)
    w, out, err = _walk(guide, "go\n")
    w.record.set_answer("age", 34, "typed", dt.datetime.now(dt.UTC))

    w.save()  # refused: the clinician goes on unsaved
    assert "WITHOUT saving" in err.getvalue()
    assert w.record.answers["age"].value == 34  # the answer just typed is kept
    w.save()  # refused again: no second question
    assert out.getvalue().count("Retry the save") == 1
    w.save()  # the store takes it again
    assert "Saved again" in out.getvalue()
    assert stored_record(w.record.id).answers["age"].value == 34


@pytest.mark.parametrize(
    ("field", "value"),
    [("at", "0001-01-01T00:00:00+05:00"), ("at", "9999-12-31T23:59:00-05:00")],
)
def test_a_stored_time_out_of_range_names_the_session_never_exit_70(
    run: Run, field: str, value: str
) -> None:
    """A session whose COWS rating was edited to a time no window or local reading can be
    computed for (year 1 with a positive offset, the last minutes of year 9999) is an
    unreadable session named by its id: resume and a labelled check say so (exit 2),
    where they crashed with an OverflowError."""
    made = run(
        "walk", "--no-input", "--label", "H6", "--now", f"{TODAY.isoformat()}T09:00",
        "-a", "visit=first_injection", "-a", "cows_total=2",
    )  # fmt: skip
    assert made.exit_code == ExitCode.INCOMPLETE, made.output
    (path,) = stored_sessions()
    data = json.loads(path.read_text())
    data["cows_ratings"][0][field] = value
    path.write_text(json.dumps(data))
    resumed = run("walk", "--resume", "--session", str(path), "--no-input")
    assert resumed.exit_code == ExitCode.USAGE, resumed.output
    assert str(path) in resumed.stderr
    check = run("check", "--label", "H6", "-a", "visit=first_injection")
    assert check.exit_code == ExitCode.USAGE, check.output
    listed = run("sessions")
    assert listed.exit_code == ExitCode.OK and "H6" in listed.stdout, listed.output
