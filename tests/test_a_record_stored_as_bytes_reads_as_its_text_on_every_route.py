"""A stored record is read by the one check (visit/session.py ``record_from_json``), which
takes its JSON as text or as UTF-8 bytes. SQLite keeps what a writer gives it: a record
put in as bytes (a restore or a migration by another tool) is a BLOB, and the check reads
it as the record it is; ``check --label`` and ``history`` do. A resumed walk and
``sessions export`` read it through the store's ``load`` / ``stored_text``, which must
hand the record on as it is: written as Python's ``b'...'`` form of the bytes, it is no
JSON, so a correct record is refused at resume ("not a valid session file (Expecting
value ...)", the work in it not to be resumed) and its export writes that form, which no
import reads."""

from __future__ import annotations

import json
import sqlite3

from tests.helpers import TODAY, Run, _database, ready_patient, stored_sessions, walk_visit

LABEL = "KEPT-AS-BYTES"


def stopped_visit(run: Run, as_bytes: bool, keep_facts: bool = False) -> str:
    """A first induction left before its consent (saved, unfinished), its record then
    kept as UTF-8 bytes (``as_bytes``) or as text, the facts kept beside it dropped
    (unless ``keep_facts``). Its id."""
    out = walk_visit(run, LABEL, TODAY, ready_patient(consent=None))
    assert out.exit_code != 70, out.output
    (stored,) = stored_sessions(LABEL)
    db = sqlite3.connect(_database())
    try:
        (text,) = db.execute("SELECT record FROM visits WHERE id = ?", (str(stored),)).fetchone()
        value = text.encode("utf-8") if as_bytes else text
        db.execute("UPDATE visits SET record = ? WHERE id = ?", (value, stored))
        if not keep_facts:
            db.execute("UPDATE visits SET facts = NULL WHERE id = ?", (stored,))
        db.commit()
    finally:
        db.close()
    return str(stored)


def both_routes(run: Run, session: str) -> tuple[str, str]:
    """What a resumed walk says (its output), and the exported record's label."""
    resumed = run("walk", "--no-input", "--resume", "--session", session)
    exported = run("sessions", "export", session)
    try:
        label = str(json.loads(exported.stdout).get("label"))
    except ValueError:
        label = f"not JSON: {exported.stdout[:60]!r}"
    return resumed.output, label


def test_the_control_a_record_kept_as_text_resumes_and_exports(run: Run) -> None:
    said, label = both_routes(run, stopped_visit(run, as_bytes=False))
    assert "not a valid session file" not in said, said
    assert label == LABEL


def test_the_control_the_check_reads_the_record_kept_as_bytes(run: Run) -> None:
    stopped_visit(run, as_bytes=True)
    checked = run("check", "--json", "--label", LABEL, "--answer", "age=34")
    assert "cannot be read" not in checked.output, checked.output


def test_a_record_kept_as_bytes_resumes_and_exports_as_its_text(run: Run) -> None:
    said, label = both_routes(run, stopped_visit(run, as_bytes=True))
    assert "not a valid session file" not in said, said
    assert label == LABEL


def test_the_control_history_reads_the_record_kept_as_bytes(run: Run) -> None:
    stopped_visit(run, as_bytes=True)
    shown = run("history", LABEL, "--json", "--today", TODAY.isoformat())
    assert shown.exit_code == 0, shown.output


def test_history_beside_facts_of_a_record_kept_as_bytes_is_never_a_traceback(run: Run) -> None:
    stopped_visit(run, as_bytes=True, keep_facts=True)
    shown = run("history", LABEL, "--json", "--today", TODAY.isoformat())
    assert shown.exit_code != 70, shown.output
