"""Times in every JSON output have one form: ISO 8601 with a numeric offset
(``2026-11-24T08:00:00+00:00``), never ``Z`` in one place and ``+00:00`` in another, never
a time without its offset."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from tests.helpers import NOW, TODAY, Run, after_injection, json_answers

DAY = TODAY.isoformat()
A_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
ONE_FORM = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$")


def times(value: Any) -> Iterator[str]:
    if isinstance(value, str) and A_TIME.match(value):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from times(item)
    elif isinstance(value, list):
        for item in value:
            yield from times(item)


def series_patient() -> dict[str, Any]:
    answers = json_answers(after_injection(cows_total=None, naloxone_challenge=None))
    return answers | {
        "cows_ratings": [
            {"at": f"{DAY}T07:00", "context": "before_challenge", "total": 2},
            {"at": f"{DAY}T08:00Z", "context": "after_challenge", "total": 1},
        ],
        "naloxone_challenges": [
            {"at": f"{DAY}T07:50", "started": f"{DAY}T07:20", "kind": "challenge",
             "result": "negative"},
        ],
    }  # fmt: skip


def test_every_time_in_the_json_outputs_has_one_form(run: Run) -> None:
    stdin = json.dumps(series_patient())
    outputs = [
        run("check", "--json", "--now", NOW, "--answers", "-", input=stdin),
        run(
            "walk", "--no-input", "--json", "--label", "t1", "--now", NOW, "--answers", "-",
            input=stdin,
        ),
    ]  # fmt: skip
    outputs.append(run("note", "t1", "--format", "json"))
    outputs.append(run("history", "t1", "--json", "--now", NOW))
    found = []
    for result in outputs:
        assert result.exit_code in (0, 1), result.output
        found += list(times(json.loads(result.stdout)))
    assert found, "no time in the outputs"
    odd = [t for t in found if not ONE_FORM.match(t)]
    assert odd == [], odd


def test_a_fixed_clock_is_reported_as_given(run: Run) -> None:
    """Under ``--now``, the note's ``fixed_clock`` is the time given, not that time plus
    the moments the program took to start."""
    import datetime as dt

    result = run(
        "walk", "--no-input", "--label", "t2", "--now", NOW, "--answers", "-",
        input=json.dumps(json_answers(after_injection())),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    note = json.loads(run("note", "t2", "--format", "json").stdout)
    given = dt.datetime.fromisoformat(NOW).astimezone()
    assert dt.datetime.fromisoformat(note["fixed_clock"]) == given, note["fixed_clock"]
