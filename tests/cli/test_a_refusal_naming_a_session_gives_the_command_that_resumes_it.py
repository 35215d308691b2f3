"""A refusal that names a session of the patient to resume gives the command that resumes
it (README: bad input gets a clear message naming the place and the fix): sessions live
in the store and `walk --resume --session` takes the session's id, so the hint says
`--session ID`, not `--session FILE` "with its file" (there is none to give)."""

from __future__ import annotations

import json
import re

from tests.helpers import TODAY, Run, answer_flags, days_ago, ready_patient, walk_visit

LABEL = "HINT-1"


def test_the_hint_to_resume_a_session_with_a_positive_challenge_names_its_id(run: Run) -> None:
    positive = ready_patient(last_opioid_use=days_ago(10), naloxone_challenge="positive")
    blocked = walk_visit(run, LABEL, TODAY, positive)
    assert blocked.exit_code == 1, blocked.output

    again = run(
        "check", "--json", "--label", LABEL, "--today", TODAY.isoformat(),
        *answer_flags(ready_patient(last_opioid_use=days_ago(10))),
    )  # fmt: skip
    refused = json.loads(again.stderr.strip().splitlines()[-1])
    assert refused["exit_code"] == 2, again.output
    named = re.search(r"session ([0-9a-f]{8})", refused["message"])
    assert named is not None, refused["message"]
    assert f"--session {named.group(1)}" in refused["hint"], refused["hint"]
