"""The environment seam and the CLI split (shared options)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

from tests.helpers import (
    EXE,
    TODAY,
    answer_flags,
    days_ago,
    ready_patient,
    store_record,
    stored_ids,
)
from xrntx_guide.pack.guide import Guide
from xrntx_guide.visit.session import new_session


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(EXE), *args], capture_output=True, text=True, check=False)


def test_a_site_file_before_the_command_is_silently_replaced_by_one_after_it(
    _isolated_home: Path, tmp_path: Path
) -> None:
    """`xrntx-guide --site strict.toml check --site other.toml ...`: the shared option given
    before the command (a clinic's wrapper or alias) is dropped without a word, and the
    patient is judged under the other file: 'ready' at 8 days where the strict site
    requires 10. Two values for one shared option should be refused (exit 2), never
    resolved silently."""
    strict = tmp_path / "strict.toml"
    strict.write_text('site = "Strict"\n[settings]\nmin_opioid_free_days = { short_acting = 10 }\n')
    other = tmp_path / "other.toml"
    other.write_text('site = "Other"\n[settings]\npost_injection_observation_minutes = 0\n')
    flags = [
        "--today",
        TODAY.isoformat(),
        *answer_flags(ready_patient(last_opioid_use=days_ago(8), naloxone_challenge="negative")),
    ]
    alone = cli("--site", str(strict), "check", "--json", *flags)
    assert json.loads(alone.stdout)["status"] == "blocked"
    both = cli("--site", str(strict), "check", "--site", str(other), "--json", *flags)
    assert both.returncode == 2 or json.loads(both.stdout)["status"] != "ready", (
        "the site file given before the command was dropped silently: " + both.stdout[:200]
    )


def test_delete_by_a_label_that_is_another_sessions_id_deletes_the_other_patient(
    _isolated_home: Path, guide: Guide
) -> None:
    """Patient A's session has id X; patient B is labelled X (a label may be any text).
    `sessions --delete X --yes` deletes A's session, silently: a reference that names one
    session by id and another by label is ambiguous and should delete nothing (exit 2).
    Such a label is refused for a new walk; a store an earlier version wrote may hold one."""
    flags = ["--today", TODAY.isoformat(), *answer_flags(ready_patient())]
    assert cli("walk", "--no-input", "--label", "A", *flags).returncode == 4
    (a_id,) = stored_ids()
    assert cli("walk", "--no-input", "--label", a_id, *flags).returncode == 2, "refused"
    store_record(new_session(guide, a_id, dt.datetime.now(dt.UTC), TODAY))
    r = cli("sessions", "--delete", a_id, "--yes")
    assert r.returncode == 2 and a_id in stored_ids(), (
        f"--delete {a_id} (a label of one session, the id of another) deleted: {r.stdout}"
    )
