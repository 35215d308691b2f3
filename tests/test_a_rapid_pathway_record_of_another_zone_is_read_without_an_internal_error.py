"""A session's supervised rapid pathway record keeps each COWS rating's time with the
offset it had where it was walked. Read later on a machine in another zone (a clinic's
records read on a server in UTC), such a record is read, or refused with a message
naming the fix (exit 2): never an internal error (exit 70). A finished visit's chart
note, the wallet card and a resume of an unfinished visit all read the stored record.
The clinic's evening rating (20:30 at -05:00) is the next day in UTC; the rule that
refuses such a time where it is typed (visit/clock.py ``day_problem``) must not make a
stored record unreadable."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REPO, Run, no_traceback
from xrntx_guide.errors import ExitCode

SCENARIO = REPO / "scenarios" / "20-rapid-pathway-injection-day.toml"
SITE = str(REPO / "scenarios" / "_site-rapid-protocol.toml")
LABEL = "RAPID-ZONE"
CLINIC_ZONE = "EST5"  # POSIX: five hours behind UTC, no daylight saving
UTC_ZONE = "UTC0"


def as_json(value: Any) -> Any:
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value


def walked_in_the_clinic(
    run: Run, tmp_path: Path, zone: Callable[[str], None], *, given: bool
) -> tuple[str, dt.date]:
    """The shipped rapid pathway scenario walked in the clinic's zone, the first rating
    of day 1 and of the injection day taken at 20:30 there; the dose given (``given``)
    or the visit left before it. The session's id and the injection day."""
    zone(CLINIC_ZONE)
    case = tomllib.loads(SCENARIO.read_text(encoding="utf-8"))
    day7: dt.date = case["scenario"]["today"]
    answers = as_json(case["answers"])
    for day in (answers["rapid_days"][0], answers["rapid_days"][-1]):
        day["cows"][0]["time"] = "20:30"
    # After the injection day's first rating (20:30): a challenge counts only after a
    # rating of the day without withdrawal (reference 5.2).
    answers["naloxone_challenge_started"] = f"{day7.isoformat()}T21:00"
    if not given:
        for key in ("injection_given", "injection_side_used", "needle_used",
                    "observation_minutes", "wallet_card_given"):  # fmt: skip
            answers.pop(key, None)
    path = tmp_path / "visit.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    out = run(
        "walk", "--no-input", "--json", "--site", SITE, "--label", LABEL,
        "--now", f"{day7.isoformat()}T23:30", "--acknowledge", "all", "--answers", str(path),
    )  # fmt: skip
    expected = ExitCode.OK if given else ExitCode.INCOMPLETE
    assert out.exit_code == expected, out.output
    return str(json.loads(out.stdout)["session"]), day7


def test_the_control_the_note_read_in_the_clinics_zone(
    run: Run, tmp_path: Path, zone: Callable[[str], None]
) -> None:
    session, _ = walked_in_the_clinic(run, tmp_path, zone, given=True)
    out = run("note", session)
    assert out.exit_code == ExitCode.OK, out.output
    assert "20:30" in out.stdout, out.output


@pytest.mark.parametrize("command", ["note", "card"])
def test_a_finished_visits_note_and_card_on_a_machine_in_utc_are_no_internal_error(
    run: Run, tmp_path: Path, zone: Callable[[str], None], command: str
) -> None:
    session, _ = walked_in_the_clinic(run, tmp_path, zone, given=True)
    zone(UTC_ZONE)
    out = run(command, session)
    no_traceback(out)
    assert out.exit_code in (ExitCode.OK, ExitCode.USAGE), out.output


def test_an_unfinished_visit_resumed_on_a_machine_in_utc_is_no_internal_error(
    run: Run, tmp_path: Path, zone: Callable[[str], None]
) -> None:
    session, day7 = walked_in_the_clinic(run, tmp_path, zone, given=False)
    zone(UTC_ZONE)
    out = run(
        "walk", "--no-input", "--json", "--resume", "--session", session,
        "--now", f"{(day7 + dt.timedelta(days=1)).isoformat()}T12:00",
    )  # fmt: skip
    no_traceback(out)
    assert out.exit_code != ExitCode.INTERNAL, out.output


DECLARED = "Etc/GMT+5"  # the IANA name of a zone five hours behind UTC (the sign is POSIX's)


@pytest.mark.skipif(
    not Path("/usr/share/zoneinfo", DECLARED).exists(),
    reason="this machine has no time zone database (Debian: tzdata)",
)
def test_a_note_of_a_visit_walked_with_the_clinics_zone_declared_read_without_it(
    run: Run, tmp_path: Path, zone: Callable[[str], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The visit walked with XRNTX_GUIDE_ZONE naming the clinic's zone; its note printed
    on a server in UTC by a run that does not name it (a script, another user)."""
    monkeypatch.setenv("XRNTX_GUIDE_ZONE", DECLARED)
    session, _ = walked_in_the_clinic(run, tmp_path, zone, given=True)
    zone(UTC_ZONE)
    monkeypatch.delenv("XRNTX_GUIDE_ZONE")
    out = run("note", session)
    no_traceback(out)
    assert out.exit_code in (ExitCode.OK, ExitCode.USAGE), out.output
