"""Bad input gets a clear message naming the place and the fix (the house rule), and a
value quoted in a message is cut short when it is very long (visit/answers.py
``_shown``). A stored record refused by the one check (visit/session.py
``record_from_json``) is named with its first wrong field and what it holds. A field
holding a long text (a hand edit or a damaged copy: a 200,000-character ``created``) is
quoted whole: every check of the patient's label, ``history`` and ``sessions export``
then say a message of some 200,000 characters, the place and the fix buried in it."""

from __future__ import annotations

import json

from tests.helpers import TODAY, Run, ready_patient, stored_sessions, walk_visit

LABEL = "LONG-VALUE"
SHORT_ENOUGH = 2_000
"""Far more than any message of the program needs to name a place and its fix."""


def stored_with_created(run: Run, value: str) -> None:
    """A first induction left unfinished, its record's ``created`` then set to ``value``."""
    out = walk_visit(run, LABEL, TODAY, ready_patient(consent=None))
    assert out.exit_code not in (0, 70), out.output
    (stored,) = stored_sessions(LABEL)
    data = json.loads(stored.read_text())
    data["created"] = value
    stored.write_text(json.dumps(data))


def refusal(run: Run) -> str:
    checked = run("check", "--json", "--label", LABEL, "--today", TODAY.isoformat())
    assert checked.exit_code == 2, checked.output
    return str(json.loads(checked.stdout or checked.stderr)["message"])


def test_the_control_a_short_wrong_value_is_quoted_with_its_place(run: Run) -> None:
    stored_with_created(run, "yesterday")
    said = refusal(run)
    assert "created" in said and "'yesterday'" in said, said


def test_a_long_wrong_value_is_quoted_cut_short(run: Run) -> None:
    stored_with_created(run, "2026-" + "1" * 200_000)
    said = refusal(run)
    assert "created" in said, said[:300]
    assert len(said) < SHORT_ENOUGH, f"{len(said)} characters: {said[:300]}"
