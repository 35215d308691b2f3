"""A dose given is the patient's dose: the history never drops an injection that was
given. A negative challenge (naloxone 08:30, read 09:00) and the injection at 09:30; at
10:00 a clerical correction of the challenge (its naloxone time was 08:35, still
negative); at 11:00 a COWS rating taken at 09:50, after the injection, is entered, with a
calm one of 10:40 (the latest of the day). The 09:50 rating is not one of the
challenge's observation, which ended when its result was read at 09:00, an hour before
the correction was typed: the challenge stays negative and the dose counts, as it does
when no correction was typed, and the patient's emergency card (the blockade) is printed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import TODAY, Run, answer_flags, ready_patient, stored_sessions
from tests.helpers import at_today as at
from tests.helpers import cows_threshold as threshold
from xrntx_guide.pack.guide import Guide

LABEL = "AFTER-DOSE"
DAY = TODAY.isoformat()
GIVEN = [
    "-a", "injection_given=yes", "-a", "injection_side_used=left", "-a", "needle_used=2-inch",
    "-a", "observation_minutes=30", "-a", "wallet_card_given=yes",
]  # fmt: skip


def doses(run: Run, tmp_path: Path, guide: Guide, corrected: bool) -> tuple[list[str], str]:
    """The visit above (the clerical correction typed or not): the doses the history
    counts, and what the walk said when the rating was entered."""
    first = run(
        "walk", "--no-input", "--label", LABEL, "--now", at("08:00"), "--acknowledge", "all",
        *answer_flags(ready_patient(cows_total=2, naloxone_challenge=None)),
    )  # fmt: skip
    assert first.exit_code in (0, 1, 4), first.output
    (stored,) = stored_sessions(LABEL)
    session = str(json.loads(stored.read_text())["id"])

    def resume(hh_mm: str, *args: str) -> Any:
        out = run(
            "walk", "--no-input", "--resume", "--session", session, "--now", at(hh_mm),
            "--acknowledge", "all", *args,
        )  # fmt: skip
        assert out.exit_code in (0, 1, 4), out.output
        return out

    def given(name: str, data: dict[str, Any]) -> str:
        path = tmp_path / name
        path.write_text(json.dumps(data), encoding="utf-8")
        return str(path)

    resume("09:00", "-a", "naloxone_challenge=negative", "-a", "naloxone_challenge_started=08:30")
    dosed = resume("09:30", *GIVEN)
    assert dosed.exit_code == 0, dosed.output
    if corrected:
        fix = {
            "at": at("10:00"), "corrects": at("09:00"), "kind": "challenge",
            "result": "negative", "started": at("08:35"), "reason": "naloxone time misread",
        }  # fmt: skip
        resume("10:00", "--answers", given("fix.json", {"naloxone_challenges": [fix]}))
    ratings = [
        {"at": at("09:50"), "context": "repeat", "total": threshold(guide) + 5},
        {"at": at("10:40"), "context": "repeat", "total": 1},
    ]
    said = resume("11:00", "--answers", given("ratings.json", {"cows_ratings": ratings}))
    history = run("history", LABEL, "--json", "--today", DAY)
    assert history.exit_code == 0, history.output
    return [i["date"] for i in json.loads(history.stdout)["injections"]], said.output


def card_exit(run: Run, tmp_path: Path, guide: Guide, corrected: bool) -> int:
    """The emergency card of the patient after the visit above: its exit code."""
    doses(run, tmp_path, guide, corrected)
    return run("card", LABEL).exit_code


def test_a_rating_after_the_dose_never_uncounts_it_after_a_clerical_correction(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    counted, said = doses(run, tmp_path, guide, corrected=True)
    assert counted == [DAY], f"the dose given at 09:30 is no longer counted:\n{said}"


def test_the_control_without_the_correction_the_dose_counts(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    counted, _ = doses(run, tmp_path, guide, corrected=False)
    assert counted == [DAY]


def test_the_emergency_card_of_the_injected_patient_is_still_printed(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    assert card_exit(run, tmp_path, guide, corrected=True) == 0


def test_the_control_the_card_without_the_correction(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    assert card_exit(run, tmp_path, guide, corrected=False) == 0
