"""A refusal says how to go on (the house rule), and work is never lost. A stored record
whose challenge series holds a value other than the program's own ('pos', kept by an
earlier program for a copy that named the positive so, in its series and its audit
trail alike) cannot be read: every visit of its label is refused, saying "Restore it
(`sessions import` of an exported copy, or the store from a backup), or delete it". An
exported copy and a backup hold the same 'pos', and ``sessions export`` of the record is
refused as unreadable, so the record cannot be taken out to be put right: the only way
on the refusal leaves is to delete the visit, and its positive challenge with it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.helpers import TODAY, Run, answer_flags, ready_patient, stored_sessions
from tests.helpers import at_today as at
from tests.helpers import json_file as file

LABEL = "PUT-RIGHT"
# The result as the series and the audit trail's JSON detail (escaped) both write it.
RESULT = r'(\\?"result\\?":\s*\\?")'


def positive_kept_as_pos(run: Run, tmp_path: Path) -> str:
    """08:30: a first induction blocked by a positive challenge, its result then kept as
    'pos' in the series and the audit trail, as an earlier program kept it. Its id."""
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
    text = stored.read_text()
    edited = re.sub(RESULT + "positive", r"\1pos", text)
    assert edited != text
    stored.write_text(edited)
    return str(stored)


def test_the_control_the_label_is_refused_naming_an_exported_copy(run: Run, tmp_path: Path) -> None:
    positive_kept_as_pos(run, tmp_path)
    checked = run("check", "--json", "--label", LABEL, "--now", at("10:00"))
    said = " ".join(json.loads(checked.stdout or checked.stderr)["message"].split())
    assert checked.exit_code == 2 and "`sessions import` of an exported copy" in said, said


def test_the_record_can_be_exported_put_right_and_imported(run: Run, tmp_path: Path) -> None:
    session = positive_kept_as_pos(run, tmp_path)
    exported = run("sessions", "export", session)
    assert exported.exit_code == 0, exported.output
    put_right = tmp_path / "put-right.json"
    put_right.write_text(re.sub(RESULT + "pos", r"\1positive", exported.stdout), encoding="utf-8")
    assert run("sessions", "--delete", session, "--yes").exit_code == 0
    imported = run("sessions", "import", str(put_right))
    assert imported.exit_code == 0, imported.output
    shown = run("history", LABEL, "--json", "--today", TODAY.isoformat())
    assert json.loads(shown.stdout)["warnings"] == []
