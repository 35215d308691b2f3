"""A session's answers, overrides and acknowledgements agree with its own audit trail on
load, as its results do.

Every answer taken into a record (typed, flagged, from a file, a default, carried) is
logged in the audit trail with its value; every override with its code and comment; every
acknowledgement. A session file whose answer was changed by hand (a positive urine screen
made negative, nothing else touched) is refused on load (exit 2), naming the session and
the answer: it never resumes to "complete" with an injection given. Editing the audit
trail as well is not caught (a consistency check, not a signature).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from tests.helpers import (
    TODAY,
    Run,
    StoredSession,
    after_injection,
    answer_flags,
    ready_patient,
    stored_sessions,
)
from xrntx_guide.visit import integrity

DAY = TODAY.isoformat()
AFTER = answer_flags({k: v for k, v in after_injection().items() if k not in ready_patient()})


def _walk(run: Run, label: str, now: str, *args: str) -> tuple[Any, StoredSession]:
    """A new walk of ``label``, and the session it stored."""
    r = run(
        "walk", "--no-input", "--now", now, "--label", label, "--acknowledge", "all", *args,
    )  # fmt: skip
    return r, stored_sessions(label)[-1]


def _resume(run: Run, path: StoredSession, now: str, *args: str) -> Any:
    return run(
        "walk", "--resume", "--session", str(path), "--no-input", "--now", now,
        "--acknowledge", "all", *args,
    )  # fmt: skip


def _edit(path: StoredSession, change: Any) -> None:
    """Change the stored record's JSON by hand (as an editor or a SQL UPDATE would)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def _blocked_by_fentanyl(run: Run, label: str = "S") -> StoredSession:
    r, path = _walk(
        run, label, f"{DAY}T10:00", *answer_flags(ready_patient(uds_fentanyl="positive"))
    )
    assert r.exit_code == 1, r.output  # a positive screen blocks
    return path


def _refused(r: Any, path: StoredSession, *what: str) -> None:
    assert r.exit_code == 2, r.output
    said = " ".join(r.stderr.split())
    assert str(path) in said and "audit trail" in said, said
    for w in what:
        assert w in said, said
    assert "Traceback" not in r.output
    assert json.loads(path.read_text(encoding="utf-8"))["status"] != "complete"


def test_a_positive_screen_changed_to_negative_in_the_answer_alone_never_resumes(
    run: Run, tmp_path: Path
) -> None:
    path = _blocked_by_fentanyl(run)
    _edit(path, lambda d: d["answers"]["uds_fentanyl"].update(value="negative"))

    r = _resume(run, path, f"{DAY}T10:30", *AFTER)

    _refused(r, path, "uds_fentanyl", '"negative"', '"positive"')
    note = run("note", str(path))
    assert note.exit_code == 2 and "audit trail" in note.stderr, note.output


def test_an_answer_added_or_removed_by_hand_is_refused(run: Run, tmp_path: Path) -> None:
    path = _blocked_by_fentanyl(run)
    _edit(path, lambda d: d["answers"].pop("uds_fentanyl"))
    _refused(_resume(run, path, f"{DAY}T10:30"), path, "uds_fentanyl", "no longer")

    other = _blocked_by_fentanyl(run, "T")

    def added(data: dict[str, Any]) -> None:
        data["answers"]["injection_given"] = {
            "value": True, "origin": "typed", "at": f"{DAY}T10:05:00Z"
        }  # fmt: skip

    _edit(other, added)
    _refused(_resume(run, other, f"{DAY}T10:30"), other, "injection_given", "not in the audit")


def test_an_override_added_by_hand_is_refused(run: Run, tmp_path: Path) -> None:
    path = _blocked_by_fentanyl(run)

    def overridden(data: dict[str, Any]) -> None:
        gate = next(g for g, outcome in data["gates"].items() if outcome == "fail")
        data["overrides"][gate] = {
            "code": "clinical_judgement", "comment": "x", "at": f"{DAY}T10:05:00Z",
            "fingerprint": "0" * 16,
        }  # fmt: skip

    _edit(path, overridden)
    _refused(_resume(run, path, f"{DAY}T10:30"), path, "override")


def test_a_session_as_saved_with_changes_and_clears_still_loads(run: Run, tmp_path: Path) -> None:
    """Answers changed and cleared by the walk itself (a later flag, a resume) are what
    the audit trail says: the session is read."""
    path = _blocked_by_fentanyl(run)
    r = _resume(run, path, f"{DAY}T10:30", "-a", "uds_fentanyl=negative", *AFTER)
    assert r.exit_code == 0, r.output
    assert run("note", path).exit_code == 0


def test_a_given_dose_hidden_by_hand_still_keeps_an_early_first_injection_from_ready(
    run: Run, tmp_path: Path
) -> None:
    """The record's count of the dose (``injection_given``, kept when the gates allowed
    it) is logged as it changes: flipped to false by hand, the session is refused, so a
    'first injection' three days later is never judged ready under its label."""
    r = run(
        "walk", "--no-input", "--now", f"{DAY}T10:00", "--label", "P", "--acknowledge", "all",
        *answer_flags(after_injection()),
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    (path,) = stored_sessions("P")
    later = (TODAY + dt.timedelta(days=3)).isoformat()
    args = ("check", "--now", f"{later}T10:00", "--label", "P")
    assert run(*args, *answer_flags(ready_patient())).exit_code != 0  # the dose is seen

    _edit(path, lambda d: d.update(injection_given=False))

    c = run(*args, *answer_flags(ready_patient()))
    assert c.exit_code != 0, c.output
    assert "audit trail" in c.output, c.output


def test_a_withdrawal_rating_lowered_after_its_result_events_were_deleted_is_refused(
    run: Run, tmp_path: Path
) -> None:
    r, path = _walk(run, "S", f"{DAY}T10:00", *answer_flags(ready_patient(cows_total=14)))
    assert r.exit_code == 1, r.output  # COWS 14: withdrawal

    def downgraded(data: dict[str, Any]) -> None:
        data["events"] = [e for e in data["events"] if e["kind"] not in integrity.KINDS]
        data["cows_ratings"][0]["total"] = 2

    _edit(path, downgraded)

    _refused(_resume(run, path, f"{DAY}T10:30", *AFTER), path, "COWS")


def test_the_names_of_what_the_answers_are_changed_or_dropped_by_hand_are_refused(
    run: Run, tmp_path: Path
) -> None:
    """A record keeps its pack's names of the roles the timeline reads (the visit date,
    the dose, the last use): renamed by hand, its date would move or its use hide."""
    path = _blocked_by_fentanyl(run)
    _edit(path, lambda d: d["names"].update({"meta.date_key": "some_other_date"}))
    _refused(_resume(run, path, f"{DAY}T10:30"), path, "names")

    other = _blocked_by_fentanyl(run, "T")
    _edit(other, lambda d: d.update(names={}))
    _refused(_resume(run, other, f"{DAY}T10:30"), other, "names")


def test_a_record_keeps_the_names_its_pack_gave_from_its_start(run: Run, tmp_path: Path) -> None:
    path = _blocked_by_fentanyl(run)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["names"]["meta.date_key"] == "injection_date"
    logged = [e["value"] for e in data["events"] if e["kind"] == integrity.NAMES]
    assert logged == [integrity.names_logged(data["names"])]
