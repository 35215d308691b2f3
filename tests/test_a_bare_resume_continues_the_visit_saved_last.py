"""`walk --resume` with no session or label continues the unfinished visit saved last, in
real time: the visit the clinician just left. A visit on a fixed clock (`--today`, a
trainer's scenario dated ahead) keeps that clock's time as its own, which says nothing of
when it was saved: ordered by it, the bare resume picked another patient's visit."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import Run, answer_flags
from xrntx_guide.errors import ExitCode

OPENING = {"visit": "first_injection", "oud_diagnosis": True}


def opened(run: Run, label: str, *clock: str) -> str:
    out = run("walk", "--no-input", "--json", "--label", label, *clock, *answer_flags(OPENING))
    assert out.exit_code == ExitCode.INCOMPLETE, out.output
    return str(json.loads(out.stdout)["session"])


def resumed_bare(run: Run) -> str:
    out = run("walk", "--resume", "--no-input", "--json")
    assert out.exit_code == ExitCode.INCOMPLETE, out.output
    return str(json.loads(out.stdout)["session"])


def test_a_visit_saved_after_a_scenario_dated_ahead_is_the_one_resumed(run: Run) -> None:
    opened(run, "WORKSHOP-CASE", "--today", "2027-03-01")
    mine = opened(run, "CLINIC-PATIENT")
    assert resumed_bare(run) == mine


def test_the_scenario_saved_last_is_the_one_resumed(run: Run) -> None:
    """The control: the same two, the other way round."""
    opened(run, "CLINIC-PATIENT")
    workshop = opened(run, "WORKSHOP-CASE", "--today", "2027-03-01")
    assert resumed_bare(run) == workshop


def test_a_resumed_visit_saved_again_is_the_latest(run: Run) -> None:
    """Resuming the older of two visits and saving it makes it the one saved last."""
    first = opened(run, "FIRST-PATIENT", "--today", "2026-11-24")
    opened(run, "SECOND-PATIENT", "--today", "2026-11-25")
    again = run("walk", "--resume", "--session", first, "--no-input", "--json",
                "-a", "age=40")  # fmt: skip
    assert again.exit_code == ExitCode.INCOMPLETE, again.output
    assert resumed_bare(run) == first


def test_an_earlier_versions_files_moved_in_keep_the_order_they_were_saved_in(
    run: Run, _isolated_home: Path
) -> None:
    """An earlier version's session files are moved into the store once, in the order of
    their names; when each was saved there is not known beyond its own time. FIRST saved
    before SECOND, their files named the other way round: a bare resume takes SECOND,
    and a visit saved here afterwards comes before both."""
    folder = _isolated_home / "sessions"
    folder.mkdir(parents=True)
    elsewhere = str(_isolated_home / "earlier.sqlite3")
    for label, name in (("FIRST", "z-first"), ("SECOND", "a-second")):
        session = opened(run, label, "--database", elsewhere)
        exported = run("sessions", "export", session, "--database", elsewhere)
        (folder / f"{name}-{session}.json").write_text(exported.stdout, encoding="utf-8")
    listed = run("sessions", "--json")
    assert "imported 2" in listed.stderr, listed.output
    second = next(r["id"] for r in json.loads(listed.stdout) if r["label"] == "SECOND")
    assert resumed_bare(run) == second
    mine = opened(run, "NEW-PATIENT")
    assert resumed_bare(run) == mine
