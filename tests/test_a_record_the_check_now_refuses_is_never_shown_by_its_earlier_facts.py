"""A shown timeline (``history``) reads each visit's facts kept beside its record, trusted
only while they are what reading the record whole gives (visit/facts.py): facts are made
through the one check of a stored record, and facts of another program version or facts
format are not used. A stored series entry that holds another value than the program's
own ('pos', written by an earlier program for a copy that named the positive so) now
makes its record unreadable, and ``history`` says so ("cannot be read ... the patient's
record is not known"). The earlier program kept facts beside that record, sealed over
its text; trusted, they showed the visit as readable without a word, while ``check
--label`` refused the label for it. A stricter check of a stored record changes the facts
format (visit/facts.py ``FORMAT``), so facts the earlier check made are not used."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

from tests.helpers import TODAY, Run, _database, answer_flags, ready_patient, stored_sessions
from tests.helpers import at_today as at
from tests.helpers import json_file as file
from xrntx_guide.digest import sha256
from xrntx_guide.visit.facts import FORMAT

LABEL = "STORED-POS-FACTS"


def positive_stored_as_pos(run: Run, tmp_path: Path, facts_kept: bool) -> str:
    """08:30: a first induction blocked by a positive challenge; its series entry then
    holds 'pos', as an earlier program stored it, with the facts that program kept beside
    it (sealed over the stored text: the facts hold no series) when ``facts_kept``. The
    session's id."""
    blocked = {
        "cows_ratings": [{"at": at("07:20"), "context": "before_challenge", "total": 1}],
        "naloxone_challenges": [
            {"at": at("08:00"), "started": at("07:30"), "kind": "challenge", "result": "positive"}
        ],
    }
    out = run(
        "walk", "--no-input", "--label", LABEL, "--now", at("08:30"), "--acknowledge", "all",
        "--answers", file(tmp_path, "first.json", blocked),
        *answer_flags(ready_patient(cows_total=None, naloxone_challenge=None)),
    )  # fmt: skip
    assert out.exit_code == 1, out.output
    (stored,) = stored_sessions(LABEL)
    db = sqlite3.connect(_database())
    try:
        text, facts = db.execute(
            "SELECT record, facts FROM visits WHERE id = ?", (str(stored),)
        ).fetchone()
        edited = re.sub(r'("result":\s*)"positive"', r'\1"pos"', text)
        assert edited != text
        data = json.loads(facts.partition("\n")[2])
        data["format"] = FORMAT - 1  # as the program before the stricter check kept them
        payload = json.dumps(data, separators=(",", ":"))
        seal = sha256(edited.encode("utf-8"))
        seal.update(b"\n")
        seal.update(payload.encode("utf-8"))
        kept = f"{seal.hexdigest()}\n{payload}" if facts_kept else None
        db.execute(
            "UPDATE visits SET record = ?, facts = ?, revision = revision + 1 WHERE id = ?",
            (edited, kept, str(stored)),
        )
        db.commit()
    finally:
        db.close()
    return str(stored)


def history_warnings(run: Run) -> str:
    shown = run("history", LABEL, "--json", "--today", TODAY.isoformat())
    assert shown.exit_code == 0, shown.output
    return " ".join(json.loads(shown.stdout)["warnings"])


def test_the_control_a_record_without_kept_facts_is_said_unreadable(
    run: Run, tmp_path: Path
) -> None:
    session = positive_stored_as_pos(run, tmp_path, facts_kept=False)
    said = history_warnings(run)
    assert f"session {session}" in said and "cannot be read" in said, said


def test_a_record_with_facts_kept_by_an_earlier_check_is_said_unreadable(
    run: Run, tmp_path: Path
) -> None:
    session = positive_stored_as_pos(run, tmp_path, facts_kept=True)
    said = history_warnings(run)
    assert f"session {session}" in said and "cannot be read" in said, said
