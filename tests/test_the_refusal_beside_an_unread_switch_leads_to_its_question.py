"""At the walk's prompt, "no opioid use since the last injection" beside a switch that a
clinic's copy recorded under its own name for the agonist ('bup') is refused with a fix
to follow there. The clinician who pressed Enter at that optional question and follows
the fix must land on it: `edit agonist_since_last_injection`. (`back` goes to the
previous answer, and a skipped question holds none, so it would land on the side of the
last injection, where `none`, the question's first choice, is an alias of "not known"
and is refused against the record's side.)"""

from __future__ import annotations

from pathlib import Path

from tests.helpers import TODAY, Result, Run, answer_flags
from tests.test_a_switch_recorded_with_a_copy_naming_the_agonist_otherwise_binds import (
    LABEL,
    repeat_visit,
    switched_with_the_copy,
)

AGONIST = "Has the patient taken buprenorphine or methadone since the last injection?"
NO_USE = "Any opioid use since the last injection? (yes/no): "


def walked(run: Run, tmp_path: Path, typed: list[str]) -> Result:
    """Today's repeat visit after the copy's switch, walked at a terminal: Enter at the
    visit date and at the agonist question, then ``typed``."""
    switched_with_the_copy(run, tmp_path, "bup")
    given = repeat_visit()
    given.pop("opioid_use_since_last_injection")
    return run(
        "walk", "--label", LABEL, "--today", TODAY.isoformat(), "--acknowledge", "all",
        *answer_flags(given), input="\n".join(["", "", *typed, "quit", ""]),
    )  # fmt: skip


def next_prompt(screen: str, typed: str) -> str:
    """The first prompt (the line of a question, with what was typed there) shown after
    ``typed`` was entered at the opioid-use prompt the last time."""
    after = screen.rsplit(f"{NO_USE}{typed}\n", 1)[1]
    marks = ("(number or value)", "(yes/no)", "Type 'ok'")
    asked = [line for line in after.splitlines() if any(m in line for m in marks)]
    return asked[0] if asked else ""


def test_the_fix_the_refusal_gives_reaches_the_agonist_question_and_the_visit_goes_on(
    run: Run, tmp_path: Path, at_a_terminal: None
) -> None:
    fix = "edit agonist_since_last_injection"
    out = walked(run, tmp_path, ["no", fix, "none", "no"])
    assert f"type `{fix}` and answer it" in " ".join(out.stderr.split()), out.stderr
    assert next_prompt(out.stdout, fix).startswith(AGONIST), out.stdout[-1500:]
    # Answered, "no" is taken at last: the walk asks what comes after it.
    assert not next_prompt(out.stdout, "no").startswith(NO_USE), out.stdout[-1500:]
