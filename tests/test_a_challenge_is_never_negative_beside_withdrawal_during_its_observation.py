"""A naloxone challenge whose observation shows withdrawal is positive (reference 5.2: any
sign of withdrawal after the naloxone is a positive challenge; a COWS rating before and
after documents it), so a COWS rating at or above the threshold taken after the naloxone
and before the result is never read beside a "negative" result as if it were not there.

A series that says so (the naloxone at 09:00, COWS 12 at 09:15 marked ``after_challenge``,
the result "negative" at 09:25, a treated patient rated 2 at 09:40) contradicts itself
(safety invariant 4): it is refused, or the challenge blocks, but the visit is never
ready and no dose is counted on it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import TODAY, Run, json_answers, ready_patient
from tests.helpers import at_today as at
from tests.helpers import cows_threshold as threshold
from xrntx_guide.errors import ExitCode
from xrntx_guide.pack.guide import Guide

DAY = TODAY.isoformat()
NOW = f"{DAY}T10:00"


def series(during: int, started: bool = True) -> dict[str, Any]:
    """The ready patient with a timed series: ``during`` is the COWS total taken 15 minutes
    after the naloxone, before the challenge's result."""
    challenge: dict[str, Any] = {"at": at("09:25"), "kind": "challenge", "result": "negative"}
    if started:
        challenge["started"] = at("09:00")
    answers = json_answers(ready_patient(cows_total=None, naloxone_challenge=None))
    answers["cows_ratings"] = [
        {"at": at("08:30"), "context": "before_challenge", "total": 1},
        {"at": at("09:15"), "context": "after_challenge", "total": during},
        {"at": at("09:40"), "context": "repeat", "total": 1},
    ]
    answers["naloxone_challenges"] = [challenge]
    return answers


def checked(run: Run, tmp_path: Path, answers: dict[str, Any]) -> Any:
    path = tmp_path / "series.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    return run("check", "--json", "--now", NOW, "--answers", str(path))


def walked(run: Run, tmp_path: Path, answers: dict[str, Any]) -> Any:
    given = answers | {
        "injection_given": True,
        "injection_side_used": "left",
        "needle_used": "2-inch",
        "observation_minutes": 30,
        "wallet_card_given": True,
    }
    path = tmp_path / "walk.json"
    path.write_text(json.dumps(given), encoding="utf-8")
    return run(
        "walk", "--no-input", "--json", "--label", "OBS-1", "--now", NOW,
        "--acknowledge", "all", "--answers", str(path),
    )  # fmt: skip


REASON = (
    "visit/entries.py withdrawal_before reads only the ratings before the naloxone: a "
    "rating at or above the threshold during the observation never counts against a negative"
)


@pytest.mark.parametrize("started", [True, False], ids=["naloxone-time-given", "no-time"])
def test_check_is_never_ready_beside_withdrawal_rated_during_the_observation(
    run: Run, guide: Guide, tmp_path: Path, started: bool
) -> None:
    out = checked(run, tmp_path, series(during=threshold(guide) + 7, started=started))
    said = out.stdout if out.stdout.startswith("{") else "{}"
    assert json.loads(said).get("status") != "ready", (
        "ready on a 'negative' challenge whose observation rated COWS at or above the threshold"
    )


def test_the_walk_counts_no_dose_beside_withdrawal_rated_during_the_observation(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    out = walked(run, tmp_path, series(during=threshold(guide) + 7))
    history = run("history", "OBS-1", "--json", "--today", DAY)
    injections = json.loads(history.stdout)["injections"] if history.exit_code == 0 else []
    assert out.exit_code != ExitCode.OK and not injections, (
        f"a dose was counted (exit {out.exit_code}) on a 'negative' challenge whose "
        "observation rated withdrawal"
    )


def rechallenge_series(during: int) -> dict[str, Any]:
    """A positive challenge, then a negative rechallenge whose observation rated ``during``
    (15 minutes after its naloxone), and a treated patient rated 1 after it."""
    answers = json_answers(ready_patient(cows_total=None, naloxone_challenge=None))
    answers["cows_ratings"] = [
        {"at": at("08:00"), "context": "before_challenge", "total": 1},
        {"at": at("09:00"), "context": "before_challenge", "total": 1},
        {"at": at("09:20"), "context": "after_challenge", "total": during},
        {"at": at("09:50"), "context": "repeat", "total": 1},
    ]
    answers["naloxone_challenges"] = [
        {"at": at("08:30"), "started": at("08:05"), "kind": "challenge", "result": "positive"},
        {"at": at("09:30"), "started": at("09:05"), "kind": "rechallenge", "result": "negative"},
    ]
    return answers


def test_a_negative_rechallenge_beside_withdrawal_during_its_observation_never_lifts_the_positive(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    out = checked(run, tmp_path, rechallenge_series(during=threshold(guide) + 7))
    said = out.stdout if out.stdout.startswith("{") else "{}"
    assert json.loads(said).get("status") != "ready", (
        "ready on a 'negative' rechallenge whose observation rated COWS at or above the threshold"
    )


def test_a_calm_rechallenge_lifts_the_positive(run: Run, guide: Guide, tmp_path: Path) -> None:
    """The control: the rechallenge's observation rated below the threshold."""
    out = checked(run, tmp_path, rechallenge_series(during=threshold(guide) - 3))
    assert out.exit_code == ExitCode.OK, out.output
    assert json.loads(out.stdout)["status"] == "ready"


def test_a_calm_observation_beside_a_negative_challenge_is_ready(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    """The control: the same series with a rating below the threshold during the observation."""
    out = checked(run, tmp_path, series(during=threshold(guide) - 3))
    assert out.exit_code == ExitCode.OK, out.output
    assert json.loads(out.stdout)["status"] == "ready"
