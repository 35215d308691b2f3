"""Every JSON output is described by a schema ``schema NAME`` exports, and carries its
format version: real outputs of the commands, validated against what ``schema`` prints."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tests.helpers import NOW, TODAY, Run, after_injection, days_ago, json_answers, ready_patient
from tests.helpers import walk as walk_unattended
from xrntx_guide.errors import ExitCode
from xrntx_guide.output import versions

EXPORTED = [
    "check-result",
    "batch-error",
    "usage-error",
    "walk",
    "history",
    "note",
    "scenarios-test",
]


def fits(run: Run, name: str, value: Any, version: int) -> None:
    result = run("schema", name)
    assert result.exit_code == ExitCode.OK, result.output
    schema = json.loads(result.stdout)
    Draft202012Validator.check_schema(schema)
    errors = sorted(Draft202012Validator(schema).iter_errors(value), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]
    assert value["format_version"] == version


def test_schema_lists_every_output(run: Run) -> None:
    result = run("schema", "list")
    assert result.exit_code == ExitCode.OK, result.output
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert names == ["answers", "steps", *EXPORTED]


def test_check_results_and_usage_errors_fit(run: Run) -> None:
    flags = ["--today", TODAY.isoformat()]
    good = run(
        "check", "--json", *flags, "--answers", "-", input=json.dumps(json_answers(ready_patient()))
    )
    fits(run, "check-result", json.loads(good.stdout), versions.CHECK_RESULT)
    bad = run("check", "--json", *flags, "--answer", "age=abc")
    assert bad.exit_code == ExitCode.USAGE, bad.output
    fits(run, "usage-error", json.loads(bad.stderr), versions.USAGE_ERROR)


def test_batch_results_and_error_lines_fit(run: Run) -> None:
    good = json.dumps({"id": 1, **json_answers(ready_patient())})
    lines = [good, "", "{not json", '{"age": "abc"}', "[1]", good]
    result = run("check", "--now", NOW, "--batch", "-", input="\n".join(lines) + "\n")
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["status"] == "error" for o in out] == [False, True, True, True, False]
    for o in out:
        if o["status"] == "error":
            fits(run, "batch-error", o, versions.BATCH_ERROR)
        else:
            fits(run, "check-result", o, versions.CHECK_RESULT)


@pytest.mark.parametrize(
    "answers",
    [after_injection(), ready_patient(last_opioid_use=days_ago(2)), {"age": 34}],
    ids=["complete", "blocked", "incomplete"],
)
def test_walk_json_fits(run: Run, answers: dict[str, Any]) -> None:
    result = run(
        "walk", "--no-input", "--json", "--label", "w1", "--today", TODAY.isoformat(),
        "--answers", "-", input=json.dumps(json_answers(answers)),
    )  # fmt: skip
    fits(run, "walk", json.loads(result.stdout), versions.WALK)


def test_history_and_note_json_fit(run: Run) -> None:
    assert walk_unattended(run, after_injection(kit_lot="L1")).exit_code == ExitCode.OK
    history = run("history", "pt-1", "--json", "--today", TODAY.isoformat())
    assert history.exit_code == ExitCode.OK, history.output
    fits(run, "history", json.loads(history.stdout), versions.HISTORY)
    note = run("note", "pt-1", "--format", "json")
    assert note.exit_code == ExitCode.OK, note.output
    fits(run, "note", json.loads(note.stdout), versions.NOTE)


def test_scenarios_test_json_fits(run: Run) -> None:
    result = run("scenarios", "test", "--json")
    assert result.exit_code == ExitCode.OK, result.output
    items = json.loads(result.stdout)
    assert items
    for item in items:
        fits(run, "scenarios-test", item, versions.SCENARIOS_TEST)
