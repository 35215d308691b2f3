"""An opioid use since the last injection that a visit recorded without its date binds a
later visit after the same injection: "no opioid use since the last injection" is refused
(safety invariants 10 and 11). A record walked with a clinic's copy that names the last
injection's question otherwise ('prev_injection_date') is read through the role
``last_injection_key`` of its ``names``. A record written before that role existed keeps
``names`` without it (an older version's record, here imported from its export), though
the same names say which question its visit date filled in
(``report.history.carry[prev_injection_date]``): its use is dropped again, and today's
late plain repeat dose reads ready."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from tests.helpers import (
    NOW,
    Run,
    after_injection,
    answer_flags,
    clinic_copy,
    days_ago,
    ready_patient,
    walk_visit,
)
from xrntx_guide.visit.integrity import NAMES, names_logged

LABEL = "OLDER-UNDATED"
NOT_ASKED_ON_A_REPEAT = {
    "last_opioid_use": None,
    "last_opioid_kind": None,
    "abstinence_evidence": None,
    "fentanyl_used_30_days": None,
    "cows_total": None,
    "naloxone_challenge": None,
}


def use_recorded_by_the_copy_and_imported(run: Run, tmp_path: Path, older: bool) -> None:
    """Day -30: the first injection (the shipped pack). Day -16: a monthly visit walked
    with the copy records use since that injection, judged not significant (no date
    asked), and stops before the dose. Its record is exported, taken out of the store and
    imported again (as an older version wrote it, without the role, when ``older``)."""
    first = days_ago(30)
    given = after_injection(last_opioid_use=first - dt.timedelta(days=14), injection_date=first)
    assert walk_visit(run, LABEL, first, given).exit_code == 0
    steps = clinic_copy(tmp_path, "last_injection_date", "prev_injection_date")
    used = ready_patient(
        visit="repeat_injection",
        opioid_use_since_last_injection=True,
        opioid_use_significant=False,
        **NOT_ASKED_ON_A_REPEAT,
    )
    stopped = run(
        "walk", "--no-input", "--label", LABEL, "--today", days_ago(16).isoformat(),
        "--steps", str(steps), *answer_flags(used),
    )  # fmt: skip
    assert stopped.exit_code == 1, stopped.output
    (row,) = [s for s in json.loads(run("sessions", "--json").stdout) if s["status"] != "complete"]
    data = json.loads(run("sessions", "export", row["id"]).stdout)
    if older:
        data["names"].pop("last_injection_key")
        for event in data["events"]:
            if event["kind"] == NAMES:
                event["value"] = names_logged(data["names"])
    assert run("sessions", "--delete", row["id"], "--yes").exit_code == 0
    path = tmp_path / "visit.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    imported = run("sessions", "import", str(path))
    assert imported.exit_code == 0, imported.output


def no_use_today(run: Run) -> str:
    denied = ready_patient(
        visit="repeat_injection", opioid_use_since_last_injection=False, **NOT_ASKED_ON_A_REPEAT
    )
    checked = run("check", "--json", "--label", LABEL, "--now", NOW, *answer_flags(denied))
    return str(json.loads(checked.stdout or "{}").get("status", "refused"))


def test_the_control_the_record_with_the_role_refuses_no_use(run: Run, tmp_path: Path) -> None:
    use_recorded_by_the_copy_and_imported(run, tmp_path, older=False)
    assert no_use_today(run) != "ready"


def test_an_older_record_without_the_role_refuses_no_use(run: Run, tmp_path: Path) -> None:
    use_recorded_by_the_copy_and_imported(run, tmp_path, older=True)
    assert no_use_today(run) != "ready"
