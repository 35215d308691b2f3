"""A visit that recorded the injection as given and stopped before its side was answered
(the next question): the note and its calendar entry say the side is not recorded, never
"None buttock" (Python's word for nothing, in a clinical record)."""

from __future__ import annotations

import json

from tests.helpers import TODAY, Run, answer_flags, ready_patient


def test_the_note_says_the_side_is_not_recorded(run: Run) -> None:
    walked = run("walk", "--no-input", "--json", "--label", "SIDE", "--now",
                 f"{TODAY.isoformat()}T09:00", "--acknowledge", "all",
                 *answer_flags(ready_patient(injection_given=True)))  # fmt: skip
    out = json.loads(walked.stdout)
    assert out["status"] == "incomplete" and "injection_side_used" in out["missing"], out
    session = out["session"]
    for form in ("markdown", "text", "ics"):
        note = run("note", session, "--format", form)
        assert note.exit_code == 0, note.output
        text = " ".join(note.stdout.split())
        assert "None" not in text, text
        assert "side not recorded" in text, text
