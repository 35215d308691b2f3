"""The side of the last injection is carried from the patient's record to the next
visit, and a side given that differs from the record's is refused (safety invariant 10:
it describes another injection than the one on record). A clinic's copy of the pack that
names the sides otherwise ('L' for left) records a value the shipped pack's question does
not take: it is never guessed, and (as a switch's agonist recorded otherwise is, safety
item 9) never dropped in silence either. Dropped silently, the next visit shows nothing
of it and takes any side typed, so the guide may plan the same buttock again."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import (
    REPEAT_WITHOUT_USE,
    TODAY,
    Run,
    after_injection,
    answer_flags,
    clinic_copy,
    days_ago,
    ready_patient,
    walk_visit,
)

LABEL = "CLINIC-SIDE"


def dose_in_the_left_buttock(run: Run, side: str, *steps: str) -> None:
    """The first injection, 28 days ago, in the left buttock (``side``, as the pack names it)."""
    given = after_injection(last_opioid_use=days_ago(42)) | {"injection_side_used": side}
    dosed = walk_visit(run, LABEL, days_ago(28), given, *steps)
    assert dosed.exit_code == 0, dosed.output


def repeat_today(run: Run, **changes: Any) -> dict[str, Any]:
    """Today's repeat visit, checked against the record: its JSON (a refusal: its error)."""
    checked = run(
        "check", "--json", "--label", LABEL, "--today", TODAY.isoformat(),
        *answer_flags(ready_patient(**REPEAT_WITHOUT_USE, **changes)),
    )  # fmt: skip
    out: dict[str, Any] = json.loads(checked.stdout or checked.stderr)
    return out


def test_the_control_the_shipped_record_fills_in_the_side_and_refuses_another(run: Run) -> None:
    dose_in_the_left_buttock(run, "left")
    assert repeat_today(run)["record"]["prefilled"]["last_injection_side"] == "left"
    refused = repeat_today(run, last_injection_side="right")
    assert refused.get("key") == "last_injection_side", refused


def test_a_side_a_copy_names_otherwise_is_named_beside_the_record(run: Run, tmp_path: Path) -> None:
    dose_in_the_left_buttock(run, "L", "--steps", str(clinic_copy(tmp_path, "left", "L")))
    result = repeat_today(run, last_injection_side="right")
    said = result.get("message", "") + " ".join(result.get("record", {}).get("warnings", []))
    assert "'L'" in said, result
