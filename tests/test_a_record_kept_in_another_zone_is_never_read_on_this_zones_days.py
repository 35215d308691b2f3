"""A patient's visit walked in one zone keeps its dates as that zone's days (the dose of
17:00 in Los Angeles is dated that day, already the next one in UTC). Read by a run in
another zone, the days since that dose would be counted from another "today": the
repeat-dose stop (fewer than the minimum days since the last injection, docs/safety.md)
would be read as passed at the very instant it stands in the clinic. So a record holding
a visit kept at an offset this run's zone does not have at that instant is refused (exit
2) on every route that reads it (`check --label`, a batch line's `label`, `walk`),
naming the visit, its offset and the fix (the clinic's zone, XRNTX_GUIDE_ZONE). The same
zone across a daylight-saving change is the same zone: a dose of the summer read in the
winter there is read, and its stop stands."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.helpers import (
    REPEAT_WITHOUT_USE,
    Run,
    after_injection,
    flat,
    json_answers,
    json_file,
    ready_patient,
)
from xrntx_guide.errors import ExitCode

CLINIC = "America/Los_Angeles"
needs_zone_data = pytest.mark.skipif(
    not all(Path("/usr/share/zoneinfo", z).exists() for z in (CLINIC, "Pacific/Kiritimati")),
    reason="this machine has no time zone database (Debian: tzdata)",
)
pytestmark = needs_zone_data

LABEL = "LA-1"
TWO_WEEKS = dt.timedelta(days=14)
FIRST_DOSE = "2026-12-06T17:00-08:00"
"""The first dose, at 17:00 in Los Angeles: already 2026-12-07 in UTC."""
SIX_DAYS_LATER = "2026-12-12T16:30-08:00"
"""Six days after it there (a stop: fewer than the minimum days since the last dose)."""
THE_SAME_INSTANT_IN_UTC = "2026-12-13T00:30+00:00"
"""The same instant as SIX_DAYS_LATER, read on a machine in UTC: seven days after the
dose's date there."""


def repeat_visit() -> dict[str, Any]:
    """A repeat visit with nothing standing but the days since the last dose (its date
    and side filled in from the patient's record)."""
    return ready_patient(**REPEAT_WITHOUT_USE)


def first_dose_in_the_clinic(
    run: Run,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    at: str = FIRST_DOSE,
    zone: str = CLINIC,
    *extra: str,
) -> str:
    """The patient's first dose, walked in the clinic's ``zone`` (declared): its session.
    ``extra``: more options of the walk (the clinic's own ``--database``)."""
    monkeypatch.setenv("XRNTX_GUIDE_ZONE", zone)
    given = after_injection(last_opioid_use=dt.date.fromisoformat(at[:10]) - TWO_WEEKS)
    path = json_file(tmp_path, "first.json", json_answers(given))
    out = run("walk", "--no-input", "--json", "--label", LABEL, "--now", at, "--answers", path,
              *extra)  # fmt: skip
    assert out.exit_code == ExitCode.OK, out.output
    monkeypatch.delenv("XRNTX_GUIDE_ZONE")
    return str(json.loads(out.stdout)["session"])


def check_label(run: Run, tmp_path: Path, now: str) -> Any:
    path = json_file(tmp_path, "repeat.json", repeat_visit())
    return run("check", "--json", "--label", LABEL, "--now", now, "--answers", path)


def assert_refused_naming_the_visit(said: str, session: str) -> None:
    said = flat(said)
    assert session in said, said
    assert "-08:00" in said, said
    assert "XRNTX_GUIDE_ZONE" in said, said


def test_the_control_read_in_the_clinics_zone_the_early_dose_is_a_stop(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first_dose_in_the_clinic(run, tmp_path, monkeypatch)
    monkeypatch.setenv("XRNTX_GUIDE_ZONE", CLINIC)
    out = check_label(run, tmp_path, SIX_DAYS_LATER)
    assert out.exit_code == ExitCode.BLOCKED, out.output
    result = json.loads(out.stdout)
    assert result["status"] == "needs_override", out.output
    assert result["blocking"] == ["dose_timing"], out.output


def test_check_label_on_a_machine_in_utc_is_refused_not_ready(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zone: Callable[[str], None]
) -> None:
    session = first_dose_in_the_clinic(run, tmp_path, monkeypatch)
    zone("UTC0")
    out = check_label(run, tmp_path, THE_SAME_INSTANT_IN_UTC)
    assert out.exit_code == ExitCode.USAGE, out.output
    said = json.loads(out.stderr)
    assert_refused_naming_the_visit(f"{said['message']} {said['hint']}", session)


def test_a_batch_line_with_the_label_on_a_machine_in_utc_is_refused_not_ready(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zone: Callable[[str], None]
) -> None:
    session = first_dose_in_the_clinic(run, tmp_path, monkeypatch)
    zone("UTC0")
    lines = tmp_path / "lines.jsonl"
    lines.write_text(json.dumps({"label": LABEL, **repeat_visit()}) + "\n", encoding="utf-8")
    out = run("check", "--batch", str(lines), "--now", THE_SAME_INSTANT_IN_UTC)
    assert out.exit_code == ExitCode.USAGE, out.output
    line = json.loads(out.stdout.splitlines()[0])
    assert line["status"] == "error", out.output
    assert_refused_naming_the_visit(line["message"] + " " + str(line.get("hint")), session)


def test_a_walk_in_a_zone_a_day_ahead_counts_no_second_dose(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = first_dose_in_the_clinic(run, tmp_path, monkeypatch)
    monkeypatch.setenv("XRNTX_GUIDE_ZONE", "Pacific/Kiritimati")
    path = json_file(tmp_path, "repeat.json", after_injection(**REPEAT_WITHOUT_USE))
    out = run(
        "walk", "--no-input", "--json", "--label", LABEL, "--now", "2026-12-13T03:00+14:00",
        "--acknowledge", "dose_timing", "--answers", path,
    )  # fmt: skip
    assert out.exit_code == ExitCode.USAGE, out.output
    said = json.loads(out.stderr.strip().splitlines()[-1])  # after the record's screen
    assert_refused_naming_the_visit(f"{said['message']} {said['hint']}", session)


def test_a_summer_dose_read_in_the_winter_in_the_same_zone_is_read_and_its_stop_stands(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Daylight saving ends on 2026-11-01 in Los Angeles: the dose is kept at -07:00, the
    check runs at -08:00, in the same zone."""
    first_dose_in_the_clinic(run, tmp_path, monkeypatch, at="2026-10-28T17:00-07:00")
    monkeypatch.setenv("XRNTX_GUIDE_ZONE", CLINIC)
    out = check_label(run, tmp_path, "2026-11-03T16:30-08:00")
    assert out.exit_code == ExitCode.BLOCKED, out.output
    result = json.loads(out.stdout)
    assert result["status"] == "needs_override", out.output
    assert result["blocking"] == ["dose_timing"], out.output


def test_a_dose_given_on_the_real_clock_is_refused_in_another_zone_too(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zone: Callable[[str], None]
) -> None:
    """A care visit runs on the real clock, whose times are kept in UTC: the record keeps
    the zone it was walked in all the same."""
    clinic = ZoneInfo(CLINIC)
    day = dt.datetime.now(clinic).date()
    monkeypatch.setenv("XRNTX_GUIDE_ZONE", CLINIC)
    given = after_injection(last_opioid_use=day - TWO_WEEKS)
    out = run("walk", "--no-input", "--json", "--label", LABEL,
              "--answers", json_file(tmp_path, "first.json", json_answers(given)))  # fmt: skip
    assert out.exit_code == ExitCode.OK, out.output
    session = str(json.loads(out.stdout)["session"])
    monkeypatch.delenv("XRNTX_GUIDE_ZONE")
    zone("UTC0")
    six_days_later = dt.datetime.combine(day + dt.timedelta(days=6), dt.time(16, 30), clinic)
    out = check_label(run, tmp_path, six_days_later.astimezone(dt.UTC).isoformat())
    assert out.exit_code == ExitCode.USAGE, out.output
    said = json.loads(out.stderr)
    said_flat = flat(f"{said['message']} {said['hint']}")
    assert session in said_flat, said_flat
    assert "XRNTX_GUIDE_ZONE" in said_flat, said_flat


def use_since_the_dose(run: Run, tmp_path: Path, now: str) -> Any:
    """``check --label`` of a repeat visit with opioid use since the last injection
    (judged not significant): the days since that injection decide whether the visit is
    a new induction (use after the blockade wore off)."""
    answers = repeat_visit() | {
        "opioid_use_since_last_injection": True,
        "opioid_use_significant": False,
        "agonist_since_last_injection": "none",
        "last_opioid_use": "2027-01-03",
        "last_opioid_kind": "short_acting",
    }
    path = json_file(tmp_path, "use.json", answers)
    return run("check", "--json", "--label", LABEL, "--now", now, "--answers", path)


def new_induction(out: Any) -> bool:
    gates = {g["id"]: g for g in json.loads(out.stdout)["gates"]}
    return bool(gates["repeat_as_new_induction"]["outcome"] == "fail")


def test_the_control_use_after_the_blockade_read_where_the_dose_was_given_is_a_new_induction(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zone: Callable[[str], None]
) -> None:
    """The dose given on a machine in UTC (dated 2026-12-07 there), the check 29 days later."""
    zone("UTC0")
    first_dose_in_the_clinic(run, tmp_path, monkeypatch, at="2026-12-07T01:00+00:00", zone="UTC")
    out = use_since_the_dose(run, tmp_path, "2027-01-05T01:00+00:00")
    assert out.exit_code != ExitCode.USAGE, out.output
    assert new_induction(out), out.output


def test_use_after_the_blockade_read_in_a_zone_a_day_behind_is_refused_not_judged_within_it(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zone: Callable[[str], None]
) -> None:
    """The same instant in Los Angeles is still 2027-01-04: 28 days, within the blockade."""
    zone("UTC0")
    session = first_dose_in_the_clinic(
        run, tmp_path, monkeypatch, at="2026-12-07T01:00+00:00", zone="UTC"
    )
    monkeypatch.setenv("XRNTX_GUIDE_ZONE", CLINIC)
    out = use_since_the_dose(run, tmp_path, "2027-01-04T17:00-08:00")
    assert out.exit_code == ExitCode.USAGE, out.output
    said = json.loads(out.stderr)
    said_flat = flat(f"{said['message']} {said['hint']}")
    assert session in said_flat and "+00:00" in said_flat, said_flat


def test_a_walk_that_spans_a_clock_change_on_a_fixed_clock_is_read_in_its_own_zone(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fixed clock started just before the clocks go forward runs on at its start's
    offset: the walk's last save is kept at the offset of before the change. The visit was
    walked in this zone all the same: the patient's record is read, and its stop stands
    (it was refused, for good, as another zone's)."""
    from tests.helpers import store_record, stored_record

    session = first_dose_in_the_clinic(run, tmp_path, monkeypatch, at="2026-03-08T01:50-08:00")
    record = stored_record(session)
    saved = record.updated.astimezone(dt.timezone(dt.timedelta(hours=-8)))
    record.updated = saved.replace(hour=2, minute=20)  # 02:20 at -08:00: 03:20 PDT
    store_record(record)
    monkeypatch.setenv("XRNTX_GUIDE_ZONE", CLINIC)
    out = check_label(run, tmp_path, "2026-03-12T10:00-07:00")
    assert out.exit_code == ExitCode.BLOCKED, out.output
    assert json.loads(out.stdout)["blocking"] == ["dose_timing"], out.output


def test_a_fixed_clock_walk_that_spans_a_clock_change_is_resumed_in_its_own_zone(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its last save kept at the offset of before the change, the session was refused on
    resume "in the zone the session was walked in", which it was."""
    from tests.helpers import store_record, stored_record

    monkeypatch.setenv("XRNTX_GUIDE_ZONE", CLINIC)
    # Left open (the walk asks for the COWS total), two weeks after the last use.
    given = ready_patient(cows_total=None, last_opioid_use=dt.date(2026, 3, 8) - TWO_WEEKS)
    path = json_file(tmp_path, "open.json", json_answers(given))
    out = run(
        "walk", "--no-input", "--json", "--label", LABEL, "--now", "2026-03-08T01:50-08:00",
        "--answers", path,
    )  # fmt: skip
    session = str(json.loads(out.stdout)["session"])
    record = stored_record(session)
    saved = record.updated.astimezone(dt.timezone(dt.timedelta(hours=-8)))
    record.updated = saved.replace(hour=2, minute=20)  # 02:20 at -08:00: 03:20 PDT
    store_record(record)
    resumed = run("walk", "--no-input", "--json", "--resume", "--session", session)
    assert resumed.exit_code != ExitCode.USAGE, resumed.output
    assert "kept at" not in resumed.stderr, resumed.stderr


def test_a_real_clock_session_resumed_in_another_zone_is_refused_naming_the_zone(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its days are the zone's it was walked in (its date moved there, or its results read
    on another day): refused as a zone's problem, naming the variable."""
    monkeypatch.setenv("XRNTX_GUIDE_ZONE", CLINIC)
    path = json_file(tmp_path, "open.json", json_answers(ready_patient(cows_total=None)))
    out = run("walk", "--no-input", "--json", "--label", LABEL, "--answers", path)
    session = str(json.loads(out.stdout)["session"])
    monkeypatch.setenv("XRNTX_GUIDE_ZONE", "Pacific/Kiritimati")
    resumed = run("walk", "--no-input", "--json", "--resume", "--session", session)
    assert resumed.exit_code == ExitCode.USAGE, resumed.output
    said = flat(resumed.stderr)
    assert "-08:00" in said or "-07:00" in said, said
    assert "XRNTX_GUIDE_ZONE" in said, said
    assert said.count(session) == 1, f"the session named once: {said}"


def exported_from_the_clinic(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, str]:
    """The first dose walked in the clinic's zone in the clinic's own store, exported to a
    file: the file and the session."""
    there = str(tmp_path / "clinic.sqlite3")
    session = first_dose_in_the_clinic(
        run, tmp_path, monkeypatch, FIRST_DOSE, CLINIC, "--database", there
    )
    exported = run("sessions", "export", session, "--database", there)
    assert exported.exit_code == ExitCode.OK, exported.output
    path = tmp_path / "export.json"
    path.write_text(exported.stdout, encoding="utf-8")
    return path, session


def test_the_control_an_export_imported_in_the_clinics_zone_is_stored(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, session = exported_from_the_clinic(run, tmp_path, monkeypatch)
    monkeypatch.setenv("XRNTX_GUIDE_ZONE", CLINIC)
    imported = run("sessions", "import", str(path))
    assert imported.exit_code == ExitCode.OK, imported.output
    assert session in run("sessions", "--json").stdout


def test_an_export_imported_on_a_machine_in_utc_is_refused_and_not_stored(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zone: Callable[[str], None]
) -> None:
    """Imported in silence, the record would refuse every later visit of the patient
    here: the import itself is refused (exit 2), naming the visit, its offset and the
    fix, and nothing is stored."""
    path, session = exported_from_the_clinic(run, tmp_path, monkeypatch)
    zone("UTC0")
    imported = run("sessions", "import", str(path), "--json")
    assert imported.exit_code == ExitCode.USAGE, imported.output
    said = json.loads(imported.stderr)
    assert_refused_naming_the_visit(flat(f"{said['message']} {said['hint']}"), session)
    assert session not in run("sessions", "--json").stdout


def test_an_earlier_versions_session_file_of_another_zone_is_moved_not_lost(
    run: Run,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    zone: Callable[[str], None],
    _isolated_home: Path,
) -> None:
    """An earlier version kept sessions as files; they are moved into the store once. One
    walked in the clinic's zone, moved on a machine in UTC, is stored as it stands (the
    move is never made again: refused there, it would be lost), and the patient's next
    visit here is refused naming it, as for any record of another zone."""
    path, session = exported_from_the_clinic(run, tmp_path, monkeypatch)
    folder = _isolated_home / "sessions"
    folder.mkdir(parents=True)
    (folder / f"{LABEL}-{session}.json").write_text(path.read_text(encoding="utf-8"))
    zone("UTC0")
    listed = run("sessions", "--json")
    assert session in listed.stdout, listed.output
    out = check_label(run, tmp_path, THE_SAME_INSTANT_IN_UTC)
    assert out.exit_code == ExitCode.USAGE, out.output
    said = json.loads(out.stderr)
    assert_refused_naming_the_visit(flat(f"{said['message']} {said['hint']}"), session)


def test_a_training_run_of_another_zone_is_refused_at_import(
    run: Run, tmp_path: Path, zone: Callable[[str], None]
) -> None:
    """A training run is never part of the record, but imported it would be the visit
    saved last, which a bare `walk --resume` takes, and refuses for its zone."""
    zone("EST5")
    demo = run("walk", "--no-input", "--json", "--label", "DRILL", "--demo-clock", "10",
               "-a", "visit=first_injection", "-a", "oud_diagnosis=yes")  # fmt: skip
    session = str(json.loads(demo.stdout)["session"])
    exported = run("sessions", "export", session)
    assert exported.exit_code == ExitCode.OK, exported.output
    run("sessions", "--delete", session, "--yes")
    path = tmp_path / "drill.json"
    path.write_text(exported.stdout, encoding="utf-8")
    zone("UTC0")
    imported = run("sessions", "import", str(path))
    assert imported.exit_code == ExitCode.USAGE, imported.output
    assert session not in run("sessions", "--json").stdout
