"""A visit's note shows the other values an answer held earlier in the visit, from the
audit trail: a positive urine screen later answered negative (on a resume, by flag) read
in the note as "negative (flag)" alone, the positive nowhere but in the session file."""

from __future__ import annotations

import json
from typing import Any

from tests.helpers import TODAY, Run, after_injection, at_noon, only_session, walk_at
from tests.output.test_every_json_output_fits_its_schema import fits
from xrntx_guide.output import versions


def _screen_positive_then_negative(run: Run) -> str:
    walk_at(run, "U1", at_noon(TODAY), after_injection(uds_fentanyl="positive"))
    later = f"{TODAY.isoformat()}T15:00"
    run(
        "walk", "--no-input", "--resume", "--label", "U1", "--now", later,
        "--acknowledge", "all", "--answer", "uds_fentanyl=negative",
    )  # fmt: skip
    return only_session()


def test_the_positive_stays_in_the_note_beside_the_negative_that_replaced_it(run: Run) -> None:
    session = _screen_positive_then_negative(run)
    text = run("note", session, "--format", "text").stdout
    line = next(x for x in text.splitlines() if x.startswith("- uds_fentanyl:"))
    assert line.startswith("- uds_fentanyl: negative (flag); earlier in this visit: positive")


def test_the_json_note_lists_the_earlier_value_and_fits_its_schema(run: Run) -> None:
    session = _screen_positive_then_negative(run)
    note: dict[str, Any] = json.loads(run("note", session, "--format", "json").stdout)
    rows = {a["key"]: a for a in note["answers"]}
    assert [e["value"] for e in rows["uds_fentanyl"]["earlier"]] == ["positive"]
    assert "earlier" not in rows["uds_opiates"]  # never changed: nothing added
    fits(run, "note", note, versions.NOTE)
