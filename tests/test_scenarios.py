"""The shipped case scenarios: teaching material that is also the guide's content tests.

Each scenario states the outcome the guide must give for its patient; a change to
``steps/`` that moves any outcome fails here, naming the scenario and the difference.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import BASIS_GATES, REPO, Run
from xrntx_guide import scenarios as sc
from xrntx_guide.errors import ExitCode

SHIPPED = REPO / "scenarios"
CASES = sc.read_all(SHIPPED)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_each_shipped_scenario_gives_its_expected_outcome(case: sc.Scenario) -> None:
    guide = sc.guide_for(case, REPO / "steps", None)
    got = sc.outcome(*sc.played(guide, case))
    assert sc.compare(case.expect, got) == [], case.path


def test_every_gate_of_the_clinical_basis_fails_in_some_scenario() -> None:
    failed: set[str] = set()
    for case in CASES:
        state = sc.run(sc.guide_for(case, REPO / "steps", None), case)
        failed |= {g.id for g in state.gates.values() if g.outcome in ("fail", "overridden")}
    assert len(BASIS_GATES) >= 20
    assert sorted(set(BASIS_GATES) - failed) == []


def test_the_rapid_record_and_the_rechallenge_are_taught_from_their_series() -> None:
    """The rapid pathway's gate fails, and passes, from a daily record (rapid_days), and
    a rechallenge lifts a positive challenge in a scenario that gives both with times."""
    rapid = {True: False, False: False}
    rechallenge = False
    for case in CASES:
        state = sc.run(sc.guide_for(case, REPO / "steps", None), case)
        if "rapid_days" in case.answers and state.gates["rapid_pathway"].outcome in (
            "fail",
            "pass",
        ):
            rapid[state.gates["rapid_pathway"].outcome == "pass"] = True
        kinds = {c.get("kind") for c in case.answers.get("naloxone_challenges", [])}
        if {"challenge", "rechallenge"} <= kinds and state.gates["naloxone_challenge"].outcome == (
            "pass"
        ):
            rechallenge = True
    assert rapid == {True: True, False: True}
    assert rechallenge


def test_at_least_twelve_scenarios_with_the_main_paths() -> None:
    assert len(CASES) >= 12
    statuses = {c.expect["status"] for c in CASES}
    assert statuses == {"ready", "blocked", "needs_override"}
    assert any(c.site is not None for c in CASES), "a site file stricter than the default"
    assert any(c.answers.get("visit") == "repeat_injection" for c in CASES)
    assert any(c.answers.get("pathway") == "supervised_rapid" for c in CASES)


def test_scenarios_test_passes_on_the_shipped_folder(run: Run) -> None:
    result = run("scenarios", "test")
    assert result.exit_code == ExitCode.OK, result.output
    assert f"{len(CASES)} scenarios as expected, 0 differ" in result.stdout


def test_scenarios_test_json_gives_every_outcome_with_its_dates(run: Run) -> None:
    """Scripts read `scenarios test --json`: one JSON list, each case's outcome with its
    dates in ISO form (an earliest date crashed the encoder, exit 70)."""
    result = run("scenarios", "test", "--json")
    assert result.exit_code == 0, result.output
    results = json.loads(result.stdout)
    assert results and all(r["differences"] == [] for r in results), results
    dated = [r for r in results if r["got"].get("earliest_injection_date")]
    assert dated, "no shipped scenario shows an earliest date"
    for r in dated:
        dt.date.fromisoformat(r["got"]["earliest_injection_date"])


def test_scenarios_lists_them(run: Run) -> None:
    result = run("scenarios", "--json")
    assert result.exit_code == ExitCode.OK, result.output
    assert "01-ready-after-heroin" in result.stdout


def test_a_scenario_whose_outcome_moved_fails_with_a_clear_difference(
    run: Run, tmp_path: Path
) -> None:
    folder = tmp_path / "mine"
    shutil.copytree(SHIPPED, folder)
    case = folder / "02-fentanyl-four-days.toml"
    text = case.read_text(encoding="utf-8")
    case.write_text(text.replace("2026-11-27", "2026-11-26"), encoding="utf-8")
    result = run("scenarios", "test", str(folder))
    assert result.exit_code == ExitCode.BLOCKED, result.output
    assert "FAIL 02-fentanyl-four-days" in result.stdout
    assert "earliest_injection_date: expected 2026-11-26, got 2026-11-27" in result.stdout


def scenarios_test_with_one_change(run: Run, tmp_path: Path, change: tuple[str, str]) -> Any:
    """`scenarios test` over a folder holding one shipped scenario with ``change`` made."""
    folder = tmp_path / "mine"
    folder.mkdir()
    text = (SHIPPED / "02-fentanyl-four-days.toml").read_text(encoding="utf-8")
    assert change[0] in text
    (folder / "case.toml").write_text(text.replace(*change), encoding="utf-8")
    return run("scenarios", "test", str(folder))


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (("[expect]", "[expected]"), "unknown table or key 'expected'"),
        (("today = 2026-11-24", 'today = "soon"'), "scenario.today"),
        (('last_opioid_kind = "fentanyl"', 'last_opioid_kind = "fentanil"'), "fentanil"),
        (("[notes]\nhistory", "[notes]\nhistroy"), "not step ids"),
    ],
)
def test_a_broken_scenario_is_a_clear_usage_error(
    run: Run, tmp_path: Path, change: tuple[str, str], needle: str
) -> None:
    result = scenarios_test_with_one_change(run, tmp_path, change)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert needle in result.stderr and "case.toml" in result.stderr


@pytest.mark.parametrize(
    "change",
    [
        ("today = 2026-11-24", 'today = 2026-11-24\nsite = "/dev/zero"'),
        ("age = 34", "age = " + "9" * 5000),
        ("age = 34", "age = " + "[" * 2000 + "]" * 2000),
    ],
    ids=["device_as_site", "huge_number", "deep_nesting"],
)
def test_a_hostile_scenario_file_is_a_clear_error_never_a_hang_or_a_crash(
    run: Run, tmp_path: Path, change: tuple[str, str]
) -> None:
    """Cases that hung or exited 70."""
    result = scenarios_test_with_one_change(run, tmp_path, change)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "case.toml" in result.stderr


def test_a_scenario_with_an_earlier_visit_fills_in_the_last_injection_from_it(
    run: Run, tmp_path: Path
) -> None:
    """the second visit four weeks later takes the last injection's date and
    side from the first; `scenarios test` checks what was filled in, and the outcome."""
    case = next(c for c in CASES if c.history)
    guide = sc.guide_for(case, REPO / "steps", None)
    state, filled = sc.played(guide, case)
    assert set(filled) == {"last_injection_date", "last_injection_side"}
    assert state.status == "ready"
    assert "last_injection_date" not in case.answers

    folder = tmp_path / "mine"
    folder.mkdir()
    text = case.path.read_text(encoding="utf-8")
    # The first visit ends without the injection: nothing is filled in, so the visit is
    # not ready and the difference is named.
    changed = text.replace(
        'injection_given = true\ninjection_side_used = "left"',
        'injection_given = false\ninjection_side_used = "left"',
    )
    assert changed != text
    (folder / "case.toml").write_text(changed, encoding="utf-8")
    result = run("scenarios", "test", str(folder))
    assert result.exit_code == ExitCode.BLOCKED, result.output
    assert "prefilled: expected" in result.stdout
    assert "status: expected ready, got incomplete" in result.stdout


# -- the patient's record in scenarios and the presenter: the rules of check ---------------

SECOND_VISIT = SHIPPED / "21-second-visit-four-weeks-later.toml"


def second_visit(tmp_path: Path, name: str, change: Any) -> Path:
    """The shipped second-visit scenario changed by ``change(text)``, in its own folder."""
    folder = tmp_path / name
    folder.mkdir()
    text = change(SECOND_VISIT.read_text(encoding="utf-8"))
    (folder / f"{name}.toml").write_text(text, encoding="utf-8")
    return folder


def first_three_days_after(text: str) -> str:
    history, answers = text.split("[answers]")
    history = history.replace("today = 2026-10-27", "today = 2026-11-21")
    answers = answers.replace('visit = "repeat_injection"', 'visit = "first_injection"')
    return history + "[answers]" + answers


def older_date(text: str) -> str:
    return text.replace("[answers]\n", "[answers]\nlast_injection_date = 2026-10-20\n")


def two_first_injections(text: str) -> str:
    start, end = text.index("[[history]]"), text.index("[answers]")
    again = text[start:end].replace("today = 2026-10-27", "today = 2026-10-30")
    return text[:end] + again + text[end:]


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (first_three_days_after, "2026-11-21"),
        (older_date, "last_injection_date"),
        (two_first_injections, "2026-10-27"),
    ],
    ids=["first_injection_after_a_dose", "older_last_injection", "two_first_injections"],
)
def test_scenarios_and_the_presenter_refuse_what_check_refuses(
    run: Run, tmp_path: Path, change: Any, named: str
) -> None:
    folder = second_visit(tmp_path, "case", change)
    tested = run("scenarios", "test", str(folder))
    assert tested.exit_code == ExitCode.USAGE, tested.output
    assert named in tested.output
    shown = run("demo", "case", "--dir", str(folder), "--auto", "0", "--plain")
    assert shown.exit_code == ExitCode.USAGE, shown.output
    assert "expected outcome" not in shown.output
    assert named in shown.output


def test_scenarios_test_reports_every_refused_scenario(run: Run, tmp_path: Path) -> None:
    folder = second_visit(tmp_path, "a-older", older_date)
    shutil.copy(second_visit(tmp_path, "b-first", first_three_days_after) / "b-first.toml", folder)
    tested = run("scenarios", "test", str(folder))
    assert tested.exit_code == ExitCode.USAGE, tested.output
    assert "a-older" in tested.output and "b-first" in tested.output, tested.output
