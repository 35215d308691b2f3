"""A record imported from a file holds a label that follows the typed-label rule (safety
invariant 11; visit/labels.py): a label with a zero-width, format, combining or
look-alike character reads as another patient's, so the patient's visits would be
missed. Before, `sessions import` took such a label without a word (only control
characters were refused): a first dose imported as 'P1' with a zero-width space after it
was invisible to `walk --label P1`, which counted a second dose seven days later. Every
route that types a label refused the same characters."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.helpers import (
    Run,
    after_injection,
    answer_flags,
    days_ago,
    first_dose_on,
    flat,
    no_traceback,
    only_session,
)

LABEL = "P1"
DOSE_DAY = days_ago(7)

HIDING = [
    "\u200b",  # ZERO WIDTH SPACE
    "\u2060",  # WORD JOINER
    "\u00ad",  # SOFT HYPHEN
    "\ufeff",  # ZERO WIDTH NO-BREAK SPACE
    "\u0301",  # COMBINING ACUTE ACCENT
    "\u2010",  # HYPHEN
]


def labelled(record: dict[str, object], label: str) -> dict[str, object]:
    """``record`` under ``label``, its audit trail's start logging that label too: a record
    another tool (or an earlier version, which logged no label) wrote so, or one whose
    audit trail was edited with it. A label changed alone is refused by the audit trail
    (tests/test_results_match_their_audit_trail.py)."""
    events = record["events"]
    assert isinstance(events, list)
    logged = [{**e, "value": label} if e["kind"] == "label" else e for e in events]
    return {**record, "label": label, "events": logged}


def exported_and_deleted(run: Run, tmp_path: Path) -> tuple[str, dict[str, object]]:
    """The patient's first dose, exported and taken out of the store: its id and record."""
    first_dose_on(run, LABEL, DOSE_DAY)
    session = only_session()
    copy = tmp_path / "copy.json"
    assert run("sessions", "export", session, "-o", str(copy)).exit_code == 0
    assert run("sessions", "--delete", session, "--yes").exit_code == 0
    return session, json.loads(copy.read_text())


@pytest.mark.parametrize("extra", HIDING, ids=lambda ch: f"U+{ord(ch):04X}")
def test_a_label_with_a_character_a_typed_label_refuses_is_not_imported(
    run: Run, tmp_path: Path, extra: str
) -> None:
    session, record = exported_and_deleted(run, tmp_path)
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(labelled(record, LABEL + extra)))
    refused = run("sessions", "import", str(edited))
    no_traceback(refused)
    assert refused.exit_code == 2, refused.output
    said = flat(refused.output)
    assert f"U+{ord(extra):04X}" in said and session in said, said
    assert json.loads(run("sessions", "--json").stdout) == []


def test_a_look_alike_letter_is_not_imported(run: Run, tmp_path: Path) -> None:
    """A Cherokee letter that looks like a Latin P (U+13E2), which no folding reads as
    one."""
    _, record = exported_and_deleted(run, tmp_path)
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(labelled(record, "\u13e21")))
    refused = run("sessions", "import", str(edited))
    assert refused.exit_code == 2 and "U+13E2" in flat(refused.output), refused.output


def test_the_copy_as_exported_is_imported_and_binds_the_next_visit(
    run: Run, tmp_path: Path
) -> None:
    """The control: imported as exported, the dose is the patient's, and a first
    injection under the label a week later is refused naming it."""
    session, record = exported_and_deleted(run, tmp_path)
    copy = tmp_path / "again.json"
    copy.write_text(json.dumps(record))
    assert run("sessions", "import", str(copy)).exit_code == 0
    later = DOSE_DAY + dt.timedelta(days=7)
    given = after_injection(last_opioid_use=later - dt.timedelta(days=14), injection_date=later)
    at = f"{later.isoformat()}T12:00"
    walked = run("walk", "--no-input", "--json", "--label", LABEL, "--now", at,
                 "--acknowledge", "all", *answer_flags(given))  # fmt: skip
    assert walked.exit_code == 2 and session in flat(walked.output), walked.output


def test_an_earlier_versions_file_with_an_invisible_character_is_the_same_patient(
    run: Run, tmp_path: Path, _isolated_home: Path
) -> None:
    """An earlier version's own session file is moved into the store as it stands (never
    refused: it would be lost), whatever its label holds. One whose label ends with a
    zero-width space was another patient's to every route that compares labels, and its
    dose was missed; labels are now compared without invisible characters."""
    session, record = exported_and_deleted(run, tmp_path)
    older = {
        **record,
        "label": LABEL + "\u200b",
        "events": [
            e
            for e in record["events"]  # type: ignore[attr-defined]
            if e["kind"] not in ("label", "settings", "timer")
        ],
    }
    folder = _isolated_home / "sessions"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"P1-{session}.json").write_text(json.dumps(older), encoding="utf-8")
    later = DOSE_DAY + dt.timedelta(days=7)
    given = after_injection(last_opioid_use=later - dt.timedelta(days=14), injection_date=later)
    at = f"{later.isoformat()}T12:00"
    walked = run("walk", "--no-input", "--json", "--label", LABEL, "--now", at,
                 "--acknowledge", "all", *answer_flags(given))  # fmt: skip
    no_traceback(walked)
    assert walked.exit_code == 2 and session in flat(walked.output), walked.output
