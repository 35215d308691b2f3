"""A negative naloxone challenge entered as the correction of an earlier entry (a result
typed in the wrong row: "not done" at 08:00 corrected to "negative", its naloxone given at
08:30, read at 09:00) is judged as any negative is (reference 5.2: any sign of withdrawal
after the naloxone is a positive result): a COWS rating at or above the threshold taken
during its observation (08:40) leaves no negative standing, whatever a calm rating later
(09:10) says. The visit is never ready and no dose is counted on it (safety invariants 4
and 9: a correction obeys every rule a new entry obeys)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import (
    TODAY,
    Run,
    json_answers,
    opened,
    ready_patient,
    resume_at,
)
from tests.helpers import at_today as at
from tests.helpers import cows_threshold as threshold
from xrntx_guide.errors import ExitCode
from xrntx_guide.pack.guide import Guide

DAY = TODAY.isoformat()
NOW = f"{DAY}T10:00"
LABEL = "CORR-OBS"


def series(during: int, corrected: bool = True) -> dict[str, Any]:
    """The ready patient with a timed series: ``during`` is the COWS total taken 10 minutes
    after the naloxone of the negative challenge, before its result; a calm rating after."""
    answers = json_answers(ready_patient(cows_total=None, naloxone_challenge=None))
    answers["cows_ratings"] = [
        {"at": at("07:50"), "context": "before_challenge", "total": 1},
        {"at": at("08:40"), "context": "after_challenge", "total": during},
        {"at": at("09:10"), "context": "repeat", "total": 2},
    ]
    negative: dict[str, Any] = {
        "at": at("09:00"),
        "started": at("08:30"),
        "kind": "challenge",
        "result": "negative",
    }
    if corrected:
        negative |= {"corrects": at("08:00"), "reason": "typed in the wrong row"}
        answers["naloxone_challenges"] = [
            {"at": at("08:00"), "kind": "challenge", "result": "not_done"},
            negative,
        ]
    else:
        answers["naloxone_challenges"] = [negative]
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
        "walk", "--no-input", "--json", "--label", LABEL, "--now", NOW,
        "--acknowledge", "all", "--answers", str(path),
    )  # fmt: skip


def test_check_is_never_ready_on_a_corrected_negative_beside_withdrawal_during_it(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    out = checked(run, tmp_path, series(during=threshold(guide) + 3))
    said = out.stdout if out.stdout.startswith("{") else "{}"
    assert json.loads(said).get("status") != "ready", (
        "ready on a corrected 'negative' challenge whose observation rated withdrawal"
    )


def test_the_walk_counts_no_dose_on_a_corrected_negative_beside_withdrawal_during_it(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    out = walked(run, tmp_path, series(during=threshold(guide) + 3))
    history = run("history", LABEL, "--json", "--today", DAY)
    injections = json.loads(history.stdout)["injections"] if history.exit_code == 0 else []
    assert not injections, (
        f"a dose was counted (exit {out.exit_code}) on a corrected 'negative' challenge "
        "whose observation rated withdrawal"
    )


def test_a_flag_correction_counts_no_dose_beside_withdrawal_rated_during_it(
    run: Run, guide: Guide
) -> None:
    """The same by flags on resumes: "not done" at 08:00, COWS at 08:40 (withdrawal) and
    09:10 (calm), then ``--correct naloxone_challenge@08:00`` with the negative (naloxone
    08:30) and the dose."""
    answers = ready_patient(cows_total=1, naloxone_challenge="not_done")
    session = opened(run, LABEL, "08:00", answers)

    def resume(hh_mm: str, *args: str) -> Any:
        return resume_at(run, session, hh_mm, *args)

    resume("08:40", "-a", f"cows_total={threshold(guide) + 3}")
    resume("09:10", "-a", "cows_total=2")
    resume(
        "09:15", "-a", "naloxone_challenge=negative", "-a", "naloxone_challenge_started=08:30",
        "--correct", f"naloxone_challenge@{at('08:00')}=typed in the wrong row",
        "-a", "injection_given=yes", "-a", "injection_side_used=left", "-a", "needle_used=2-inch",
        "-a", "observation_minutes=30", "-a", "wallet_card_given=yes",
    )  # fmt: skip
    history = run("history", LABEL, "--json", "--today", DAY)
    assert json.loads(history.stdout)["injections"] == [], (
        "a dose was counted on a negative entered by --correct beside withdrawal rated "
        "during its observation"
    )


def test_the_same_negative_entered_without_a_correction_is_refused(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    """The control the rule already holds: the same result as a new entry."""
    out = checked(run, tmp_path, series(during=threshold(guide) + 3, corrected=False))
    assert out.exit_code == ExitCode.USAGE, out.output


def test_a_corrected_negative_with_a_calm_observation_is_ready(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    """The control: the correction itself is taken when the observation was calm."""
    out = checked(run, tmp_path, series(during=threshold(guide) - 3))
    assert out.exit_code == ExitCode.OK, out.output
    assert json.loads(out.stdout)["status"] == "ready"
