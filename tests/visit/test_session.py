"""The session store: what is in the sessions folder never breaks the others, only session
records are ever deleted, a save cut short never becomes a session, and a save the disk
refuses is said at once."""

from __future__ import annotations

import datetime as dt
import errno
import io
import json
import os
import time
from collections.abc import Iterator
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
)
from xrntx_guide.cli.ui import UI
from xrntx_guide.cli.walk import Clock, Walk
from xrntx_guide.errors import ExitCode, SessionError
from xrntx_guide.pack.guide import Guide
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
def folder(_isolated_home: Path) -> Path:
    return _isolated_home / "sessions"


@pytest.fixture
def two_sessions(run: Run, folder: Path) -> list[Path]:
    assert walk(run, "first").exit_code == ExitCode.INCOMPLETE
    assert walk(run, "done", after_injection()).exit_code == ExitCode.OK
    return sorted(folder.glob("*.json"))


# -- one bad file never breaks the others (item 20) ---------------------------------------------


def _bad_files(folder: Path) -> Iterator[Path]:
    deep = folder / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    yield deep
    digits = folder / "digits.json"
    digits.write_text('{"label": ' + "9" * 5000 + "}", encoding="utf-8")
    yield digits
    binary = folder / "binary.json"
    binary.write_bytes(b"\xff\xfe{")
    yield binary
    if hasattr(os, "mkfifo"):  # a FIFO would be waited on for ever
        fifo = folder / "fifo.json"
        os.mkfifo(fifo)
        yield fifo


def test_a_bad_file_in_the_folder_is_skipped_with_a_warning(
    run: Run, folder: Path, two_sessions: list[Path]
) -> None:
    bad = list(_bad_files(folder))

    listed = run("sessions", "--json")
    assert listed.exit_code == ExitCode.OK, listed.output
    rows = json.loads(listed.stdout)
    assert sorted(r["label"] for r in rows if r["status"] != "error") == ["done", "first"]
    assert {Path(r["file"]) for r in rows if r["status"] == "error"} == set(bad)
    for path in bad:
        assert f"skipped {path}" in listed.stderr
    no_traceback(listed)

    table = run("sessions")
    assert table.exit_code == ExitCode.OK, table.output
    assert "first" in table.stdout and "deep.json" not in table.stdout

    resumed = run("walk", "--resume", "--label", "first", "--no-input")
    assert resumed.exit_code == ExitCode.INCOMPLETE, resumed.output
    no_traceback(resumed)

    note = run("note", "done")
    assert note.exit_code == ExitCode.OK, note.output
    assert "skipped" in note.stderr
    no_traceback(note)


# -- labels ------------------------------------------------------------------------------------


def test_a_label_used_twice_is_ambiguous_for_note(run: Run) -> None:
    # The first visit is blocked (no dose recorded): a second first-injection visit for
    # the label is allowed; one after a recorded dose would be refused (test_history).
    blocked = walk(run, "twin", ready_patient(last_opioid_use=days_ago(3)))
    assert blocked.exit_code == ExitCode.BLOCKED, blocked.output
    second = walk(run, "twin", after_injection())
    assert "already used" in second.stderr
    result = run("note", "twin")
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "2 sessions" in result.stderr


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


# -- deleting: session records only (item 22) -----------------------------------------------


def test_delete_refuses_a_file_that_is_not_a_session(run: Run, tmp_path: Path) -> None:
    victim = tmp_path / "notes.txt"
    victim.write_text("not a session", encoding="utf-8")

    result = run("sessions", "--yes", "--delete", str(victim))

    assert result.exit_code == ExitCode.USAGE, result.output
    assert victim.read_text(encoding="utf-8") == "not a session"
    assert "not a session record" in result.stderr
    no_traceback(result)


def test_delete_by_label_id_or_file(run: Run, folder: Path, two_sessions: list[Path]) -> None:
    first = store.load(next(p for p in two_sessions if "first" in p.name))
    assert run("sessions", "--yes", "--delete", first.id).exit_code == ExitCode.OK
    assert run("sessions", "--yes", "--delete", "done").exit_code == ExitCode.OK
    assert list(folder.glob("*.json")) == []


def test_a_session_record_outside_the_folder_can_be_deleted(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "elsewhere.json"
    made = run("walk", "--no-input", "--session", str(path), *answer_flags(ready_patient()))
    assert made.exit_code == ExitCode.INCOMPLETE, made.output
    result = run("sessions", "--yes", "--delete", str(path))
    assert result.exit_code == ExitCode.OK, result.output
    assert not path.exists()


def test_a_damaged_session_in_the_folder_can_be_deleted(run: Run, folder: Path) -> None:
    folder.mkdir(parents=True)
    damaged = folder / "damaged.json"
    damaged.write_text("{", encoding="utf-8")
    result = run("sessions", "--yes", "--delete", str(damaged))
    assert result.exit_code == ExitCode.OK, result.output
    assert not damaged.exists()


# -- a save cut short (item 22) ----------------------------------------------------------------


def _killed_save(folder: Path, session: Path, name: str, age: float = 0) -> Path:
    """The temporary file a save killed between writing and renaming leaves behind."""
    tmp = folder / name
    tmp.write_bytes(session.read_bytes())
    if age:
        then = time.time() - age
        os.utime(tmp, (then, then))
    return tmp


@pytest.mark.parametrize("name", [".tmp-k1ll3d.json", ".first.json.k1ll3d.tmp"])
def test_a_temporary_file_is_never_a_session(
    run: Run, folder: Path, two_sessions: list[Path], name: str
) -> None:
    first = next(p for p in two_sessions if "first" in p.name)
    tmp = _killed_save(folder, first, name)
    record = store.load(first)

    listed = json.loads(run("sessions", "--json").stdout)
    assert sorted(r["label"] for r in listed) == ["done", "first"]
    assert store.find_session(folder, record.id) == first
    assert store.find_session(folder, "first") == first
    assert run("sessions", "--yes", "--delete", record.id).exit_code == ExitCode.OK
    assert not first.exists() and tmp.exists()  # the session went, not the temporary file


def test_stale_temporary_files_are_cleaned_up(
    run: Run, folder: Path, two_sessions: list[Path]
) -> None:
    first = next(p for p in two_sessions if "first" in p.name)
    stale = _killed_save(folder, first, ".tmp-stale.json", age=3600)
    fresh = _killed_save(folder, first, ".first.json.fresh.tmp")  # a save under way now

    assert walk(run, "third").exit_code == ExitCode.INCOMPLETE  # any save in the folder

    assert not stale.exists()
    assert fresh.exists()


def test_a_save_writes_no_file_a_listing_would_read(
    folder: Path, guide: Guide, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = dt.datetime.now(dt.UTC)
    record = store.new_session(guide, "x", now, TODAY)
    seen: list[str] = []
    real = os.replace

    def spy(src: Any, dst: Any) -> None:
        seen.append(Path(src).name)
        real(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    store.save(record, folder / "x.json", now)
    assert seen and not any(store.is_session_name(name) for name in seen)


# -- a save the disk refuses (item 19) -------------------------------------------------------


@pytest.mark.parametrize(
    ("problem", "words"),
    [
        (errno.ENOSPC, "the disk is full"),
        (errno.EROFS, "read-only"),
        (errno.EACCES, "no permission"),
    ],
)
def test_a_refused_save_is_a_session_error_and_leaves_the_old_file(
    folder: Path, guide: Guide, monkeypatch: pytest.MonkeyPatch, problem: int, words: str
) -> None:
    now = dt.datetime.now(dt.UTC)
    record = store.new_session(guide, "x", now, TODAY)
    path = folder / "x.json"
    store.save(record, path, now)
    before = path.read_bytes()

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(problem, os.strerror(problem))

    monkeypatch.setattr(os, "fsync", refuse)
    record.label = "changed"
    with pytest.raises(SessionError) as caught:
        store.save(record, path, now)
    assert words in caught.value.message and str(path) in caught.value.message
    assert path.read_bytes() == before
    assert [p.name for p in folder.iterdir()] == ["x.json"]  # no temporary file left


def _walk(guide: Guide, folder: Path, typed: str) -> tuple[Walk, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    ui = UI(plain=True, out=out, err=err, stdin=io.StringIO(typed))  # what is typed
    now = dt.datetime.now(dt.UTC)
    record = store.new_session(guide, "disk", now, TODAY)
    return Walk(ui, guide, record, folder / "disk.json", TODAY, Clock()), out, err


def test_an_interactive_walk_that_cannot_save_says_so_and_can_retry(
    guide: Guide, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk refuses once: the walk says so at once, keeps the answer in memory, and a
    retry saves it."""
    real = store.save
    refusals = [OSError(errno.ENOSPC, "No space left on device")]

    def flaky(record: Any, path: Path, now: dt.datetime) -> None:
        if refusals:
            raise store._save_problem(path, refusals.pop())
        real(record, path, now)

    monkeypatch.setattr("xrntx_guide.cli.walk.save", flaky)
    w, out, err = _walk(guide, folder, "retry\n")
    w.record.set_answer("age", 34, "typed", dt.datetime.now(dt.UTC))

    w.save()

    assert "the disk is full" in err.getvalue()
    assert "Retry the save" in out.getvalue()
    assert store.load(folder / "disk.json").answers["age"].value == 34


def test_an_interactive_walk_can_go_on_unsaved_and_says_when_a_save_works_again(
    guide: Guide, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = store.save
    full = [True, True]

    def flaky(record: Any, path: Path, now: dt.datetime) -> None:
        if full:
            full.pop()
            raise store._save_problem(path, OSError(errno.ENOSPC, "No space left on device"))
        real(record, path, now)

    monkeypatch.setattr("xrntx_guide.cli.walk.save", flaky)
    w, out, err = _walk(guide, folder, "go\n")
    w.record.set_answer("age", 34, "typed", dt.datetime.now(dt.UTC))

    w.save()  # refused: the clinician goes on unsaved
    assert "WITHOUT saving" in err.getvalue()
    assert w.record.answers["age"].value == 34  # the answer just typed is kept
    w.save()  # refused again: no second question
    assert out.getvalue().count("Retry the save") == 1
    w.save()  # the disk has room again
    assert "Saved again" in out.getvalue()
    assert store.load(folder / "disk.json").answers["age"].value == 34


@pytest.mark.parametrize(
    ("field", "value"),
    [("at", "0001-01-01T00:00:00+05:00"), ("at", "9999-12-31T23:59:00-05:00")],
)
def test_a_stored_time_out_of_range_names_the_file_never_exit_70(
    run: Run, folder: Path, field: str, value: str
) -> None:
    """A session whose COWS rating was edited to a time no window or local reading can be
    computed for (year 1 with a positive offset, the last minutes of year 9999) is an
    unreadable session named by its file: resume, a labelled check and the listing say so
    (exit 2), where they crashed with an OverflowError."""
    made = run(
        "walk", "--no-input", "--label", "H6", "--now", f"{TODAY.isoformat()}T09:00",
        "-a", "visit=first_injection", "-a", "cows_total=2",
    )  # fmt: skip
    assert made.exit_code == ExitCode.INCOMPLETE, made.output
    (path,) = folder.glob("H6-*.json")
    data = json.loads(path.read_text())
    data["cows_ratings"][0][field] = value
    path.write_text(json.dumps(data))
    resumed = run("walk", "--resume", "--session", str(path), "--no-input")
    assert resumed.exit_code == ExitCode.USAGE, resumed.output
    assert str(path) in resumed.stderr
    check = run("check", "--label", "H6", "-a", "visit=first_injection")
    assert check.exit_code == ExitCode.USAGE, check.output
    listed = run("sessions")
    assert listed.exit_code == ExitCode.OK and "skipped" in listed.stderr, listed.output
