"""An opioid use since the last injection that a visit recorded without its date (a
repeat visit within the blockade asks whether the use was significant, not when) binds
a later visit after the same injection: "no opioid use since the last injection" is
refused (safety invariants 10 and 11). The timeline places that use after the injection
the recording visit names as its last one, read under this pack's name of that question
(``last_injection_date``). A clinic's copy that names the question otherwise keeps its
own name in the record; when the record's ``names`` held only the answers the carried
values come from (the visit date), never the question they fill in, the use was dropped
and today's late plain repeat dose read ready. The question is now a role of its own
(``last_injection_key``), and a record written before it was kept (an older export) has
it worked out from its carry row of the visit date."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

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

LABEL = "CLINIC-UNDATED"
NOT_ASKED_ON_A_REPEAT = {
    "last_opioid_use": None,
    "last_opioid_kind": None,
    "abstinence_evidence": None,
    "fentanyl_used_30_days": None,
    "cows_total": None,
    "naloxone_challenge": None,
}


def use_recorded_without_its_date(run: Run, *steps: str) -> None:
    """Day -30: the first injection (the shipped pack). Day -16: a monthly visit records
    use since that injection, judged not significant (no date asked), and stops before
    the dose (the early-dose caution not acknowledged)."""
    first = days_ago(30)
    given = after_injection(last_opioid_use=first - dt.timedelta(days=14), injection_date=first)
    assert walk_visit(run, LABEL, first, given).exit_code == 0
    used = ready_patient(
        visit="repeat_injection",
        opioid_use_since_last_injection=True,
        opioid_use_significant=False,
        **NOT_ASKED_ON_A_REPEAT,
    )
    stopped = run(
        "walk", "--no-input", "--label", LABEL, "--today", days_ago(16).isoformat(),
        *steps, *answer_flags(used),
    )  # fmt: skip
    assert stopped.exit_code == 1, stopped.output


def no_use_today(run: Run, *steps: str) -> str:
    denied = ready_patient(
        visit="repeat_injection",
        opioid_use_since_last_injection=False,
        **NOT_ASKED_ON_A_REPEAT,
    )
    checked = run("check", "--json", "--label", LABEL, "--now", NOW, *steps, *answer_flags(denied))
    return str(json.loads(checked.stdout or "{}").get("status", "refused"))


def test_the_control_the_shipped_pack_refuses_no_use(run: Run) -> None:
    use_recorded_without_its_date(run)
    assert no_use_today(run) != "ready"


def test_a_copy_naming_the_last_injection_otherwise_still_refuses_no_use(
    run: Run, tmp_path: Path
) -> None:
    steps = clinic_copy(tmp_path, "last_injection_date", "prev_injection_date")
    use_recorded_without_its_date(run, "--steps", str(steps))
    assert no_use_today(run) != "ready"


def test_the_shipped_record_read_by_a_copy_naming_the_last_injection_otherwise_refuses(
    run: Run, tmp_path: Path
) -> None:
    steps = clinic_copy(tmp_path, "last_injection_date", "prev_injection_date")
    use_recorded_without_its_date(run)
    assert no_use_today(run, "--steps", str(steps)) != "ready"


def exported_and_imported_again(run: Run, tmp_path: Path, older: bool) -> None:
    """The copy's visit that recorded the use, exported, taken out of the store and
    imported again: as an older version wrote it (without the role) when ``older``."""
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


@pytest.mark.parametrize("older", [False, True], ids=["with-the-role", "older-without-it"])
def test_an_imported_copy_record_refuses_no_use(run: Run, tmp_path: Path, older: bool) -> None:
    steps = clinic_copy(tmp_path, "last_injection_date", "prev_injection_date")
    use_recorded_without_its_date(run, "--steps", str(steps))
    exported_and_imported_again(run, tmp_path, older)
    assert no_use_today(run) != "ready"
