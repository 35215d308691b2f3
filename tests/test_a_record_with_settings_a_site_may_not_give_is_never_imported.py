"""A record file is checked as a resume checks it before it is stored (docs/storage.md):
one holding settings a site may not give (the early-repeat stop and caution set to 0 by
hand, which the clinical sources fix) is refused, naming them, and nothing is stored. It
was imported (exit 0), and then neither a resume nor its note could open it (exit 3)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from tests.helpers import TODAY, Run, after_injection, flat, walked_and_exported
from xrntx_guide.errors import ExitCode


def exported(run: Run, label: str) -> dict[str, object]:
    return walked_and_exported(
        run, label, after_injection(last_opioid_use=TODAY - dt.timedelta(days=14))
    )


def with_a_setting_of_zero(record: dict[str, object]) -> dict[str, object]:
    settings = dict(record["settings"])  # type: ignore[call-overload]
    settings["early_repeat_stop_days"] = 0
    return {**record, "settings": settings}


def test_settings_changed_by_hand_differ_from_the_audit_trail_and_nothing_is_stored(
    run: Run, tmp_path: Path
) -> None:
    """The settings in force are logged at the start: changed by hand, the record is
    refused as an edited result is (visit/integrity.py)."""
    record = with_a_setting_of_zero(exported(run, "SET-0"))
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(record))
    out = run("sessions", "import", str(path))
    assert out.exit_code == ExitCode.USAGE, out.output
    assert "settings" in flat(out.stderr) and "audit trail" in flat(out.stderr), out.output
    listed = json.loads(run("sessions", "--json").stdout)
    assert (listed["sessions"] if isinstance(listed, dict) else listed) == []


def test_settings_a_site_may_not_give_are_refused_and_nothing_is_stored(
    run: Run, tmp_path: Path
) -> None:
    """A record written before the settings were logged is held to the site's limits."""
    record = with_a_setting_of_zero(exported(run, "SET-1"))
    events = record["events"]
    assert isinstance(events, list)
    record["events"] = [e for e in events if e["kind"] not in ("settings", "label")]
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(record))
    out = run("sessions", "import", str(path))
    assert out.exit_code == ExitCode.INVALID_PACK, out.output
    said = flat(out.stderr)
    assert "early_repeat_stop_days: a site may not change it" in said, said
    listed = json.loads(run("sessions", "--json").stdout)
    assert (listed["sessions"] if isinstance(listed, dict) else listed) == []


def test_the_same_file_unchanged_is_imported(run: Run, tmp_path: Path) -> None:
    record = exported(run, "SET-2")
    path = tmp_path / "as-exported.json"
    path.write_text(json.dumps(record))
    out = run("sessions", "import", str(path))
    assert out.exit_code == 0, out.output
