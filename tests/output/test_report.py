"""The check result and the chart note in its formats (output/check.py, output/note/)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from tests.helpers import TODAY, Run, after_injection, ready_patient, walk
from xrntx_guide.engine.evaluate import Inputs, State, evaluate
from xrntx_guide.errors import ExitCode
from xrntx_guide.output.check import check_result
from xrntx_guide.pack.guide import Guide


def test_a_blocked_patient_never_gets_an_injection_record(run: Run) -> None:
    answers = after_injection(
        last_opioid_use=(TODAY - dt.timedelta(days=4)).isoformat(),
        naloxone_challenge="negative",
        naloxone_challenge_started="30 minutes ago",  # a visit record needs its observation
    )
    result = walk(run, answers, label="blocked-1")
    assert result.exit_code == ExitCode.BLOCKED, result.output
    note = run("note", "blocked-1", "--format", "json")
    data = json.loads(note.stdout)
    assert data["injection_given"] is None and data["next_dose_due"] is None
    assert "injection_given" not in [a["key"] for a in data["answers"]]
    ics = run("note", "blocked-1", "--format", "ics")
    assert ics.exit_code == ExitCode.USAGE, ics.output


def test_an_unfinished_walk_with_the_dose_answered_given_records_no_dose(run: Run) -> None:
    """Safety invariant 12: a walk that stops before the gates are decided (answers
    missing) with `injection_given=yes` given up front records no dose, no next dose
    date and no calendar event, and its note says why the answer did not count."""
    answers = {"visit": "first_injection", "injection_given": True}
    result = walk(run, answers, label="unfinished-1")
    assert result.exit_code == ExitCode.INCOMPLETE, result.output
    data = json.loads(run("note", "unfinished-1", "--format", "json").stdout)
    assert data["readiness"] != "ready"
    assert data["injection_given"] is None and data["next_dose_due"] is None
    assert data["dose"] is None
    text = run("note", "unfinished-1", "--plain").stdout
    assert "Given:" not in text and "Next dose due" not in text
    assert "the gates did not allow it" in text
    ics = run("note", "unfinished-1", "--format", "ics")
    assert ics.exit_code == ExitCode.USAGE, ics.output
    listed = json.loads(run("sessions", "--json").stdout)
    assert all(s.get("next_dose_due") is None for s in listed), listed


def test_ics_lines_are_folded_at_75_octets(run: Run) -> None:
    walk(run, after_injection(), label="x" * 70)
    ics = run("note", "x" * 70, "--format", "ics").stdout.replace("\r\n", "\n")
    for line in ics.splitlines():
        assert len(line.encode("utf-8")) <= 75, line
    unfolded = ics.replace("\n ", "")
    assert "SUMMARY:XR-naltrexone next dose due: " + "x" * 70 in unfolded


def _state(guide: Guide, **changes: Any) -> State:
    return evaluate(guide, Inputs(ready_patient(**changes), TODAY))


def test_a_ready_patient_gets_a_next_dose_date_and_a_blocked_one_none(guide: Guide) -> None:
    ready = check_result(_state(guide))
    assert ready["status"] == "ready" and ready["blocking"] == []
    assert ready["derived"]["next_dose_due"] is not None
    blocked = check_result(_state(guide, last_opioid_use=TODAY - dt.timedelta(days=1)))
    assert blocked["status"] == "blocked" and blocked["blocking"]
    assert blocked["derived"]["next_dose_due"] is None


def test_the_check_result_names_the_guide_and_the_day(guide: Guide) -> None:
    result = check_result(_state(guide))
    assert result["guide"] == {"id": guide.meta.id, "version": guide.meta.version, "site": None}
    assert result["today"] == TODAY.isoformat()


def test_gates_that_do_not_apply_are_left_out_of_the_result(guide: Guide) -> None:
    state = _state(guide)
    shown = {g["id"] for g in check_result(state)["gates"]}
    not_applicable = {gid for gid, g in state.gates.items() if g.outcome == "not_applicable"}
    assert shown == set(state.gates) - not_applicable


def test_the_markdown_note_lists_the_label_and_every_answer_as_shown(run: Run) -> None:
    assert walk(run, after_injection(), label="note-md").exit_code == ExitCode.OK
    note = run("note", "note-md", "--format", "markdown")
    assert note.exit_code == ExitCode.OK, note.output
    assert "note-md" in note.stdout
    data = json.loads(run("note", "note-md", "--format", "json").stdout)
    assert data["answers"]
    for row in data["answers"]:
        assert f"{row['key']}: {row['shown']} ({row['origin']})" in note.stdout


def test_a_walk_stopped_at_an_unacknowledged_caution_records_no_dose(run: Run) -> None:
    """Safety invariant 12: a ready patient with a caution (fentanyl in the last 30 days)
    whose walk stops for the acknowledgement never reached the injection step: an answer
    'given' from the command line records no dose, no next dose date and no event."""
    answers = after_injection(fentanyl_used_30_days=True)
    result = walk(run, answers, label="caution-1")
    assert result.exit_code != ExitCode.OK, result.output
    data = json.loads(run("note", "caution-1", "--format", "json").stdout)
    assert data["injection_given"] is None and data["next_dose_due"] is None, data
    assert "Given:" not in run("note", "caution-1", "--plain").stdout
    assert run("note", "caution-1", "--format", "ics").exit_code == ExitCode.USAGE


def test_the_note_data_model_names_what_the_note_schema_describes() -> None:
    """The typed note (what every format writes) and the JSON Schema of ``note --format
    json`` have the same fields: a field added to one is added to the other."""
    from xrntx_guide.output.note.data import NoteData
    from xrntx_guide.output.schemas import NoteOut

    assert set(NoteData.__required_keys__) == set(NoteOut.model_fields) - {"format_version"}
