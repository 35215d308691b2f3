"""The chart note of an unfinished visit is judged against the patient's record as it
stands (clinical basis, safety invariant 12: the record says only what is true). A visit
left at the injection step, ready on its own answers, then overtaken by a dose another
visit of the same patient gave: its resume is refused, and its note said "Readiness:
ready" beside that dose. It now says blocked, and why, as the resume would."""

from __future__ import annotations

import json

from tests.helpers import TODAY, Run, after_injection, answer_flags, ready_patient

LABEL = "OVERTAKEN"


def walk(run: Run, answers: dict[str, object]) -> dict[str, object]:
    result = run("walk", "--no-input", "--json", "--label", LABEL, "--today", TODAY.isoformat(),
                 *answer_flags(answers))  # fmt: skip
    out: dict[str, object] = json.loads(result.stdout)
    return out


def test_an_unfinished_visit_overtaken_by_a_dose_is_noted_blocked_naming_it(run: Run) -> None:
    left = walk(run, ready_patient())  # at the injection step: its answers are ready
    assert left["status"] == "incomplete", left
    note = json.loads(run("note", str(left["session"]), "--format", "json").stdout)
    assert note["readiness"] == "ready" and note["refused_by_the_record"] is None, note

    dosed = walk(run, after_injection())
    assert dosed["status"] == "complete", dosed

    note = json.loads(run("note", str(left["session"]), "--format", "json").stdout)
    assert note["readiness"] != "ready", note
    assert str(dosed["session"]) in str(note["refused_by_the_record"]), note
    text = run("note", str(left["session"]), "--format", "text").stdout
    said = " ".join(text.split())
    assert "Readiness: ready" not in said and str(dosed["session"]) in said, text
    # The visit that gave the dose is noted as it was judged.
    given = json.loads(run("note", str(dosed["session"]), "--format", "json").stdout)
    assert given["readiness"] == "ready" and given["refused_by_the_record"] is None, given
