"""A dose given is the patient's dose: the history never drops an injection that was
given, and the injected patient's emergency card (the blockade) is always printed.

A negative challenge (naloxone 08:30, read 09:00) and the injection at 09:30. Withdrawal
rated after the injection (precipitated withdrawal, the very thing the label warns of)
tells what followed the injection, not whether it was given: entered after the dose, it
must not turn the visit back to "blocked", drop the dose from the history, or leave the
card refused with "no injection given". So too after a clerical correction of the
challenge typed at 10:00 (its naloxone time was 08:35, still negative): its observation
ended when its result was read at 09:00, an hour before the correction was typed, and a
rating taken at 09:50 is not one of it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import TODAY, Run, opened, ready_patient
from tests.helpers import at_today as at
from tests.helpers import cows_threshold as threshold
from tests.helpers import json_file as file
from xrntx_guide.pack.guide import Guide

LABEL = "AFTER-DOSE"
DAY = TODAY.isoformat()
GIVEN = [
    "-a", "injection_given=yes", "-a", "injection_side_used=left", "-a", "needle_used=2-inch",
    "-a", "observation_minutes=30", "-a", "wallet_card_given=yes",
]  # fmt: skip
CLERICAL = {
    "at": at("10:00"), "corrects": at("09:00"), "kind": "challenge",
    "result": "negative", "started": at("08:35"), "reason": "naloxone time misread",
}  # fmt: skip


def after_the_dose(
    run: Run, tmp_path: Path, ratings: list[dict[str, Any]], corrected: bool = False
) -> tuple[list[str], int, str]:
    """The visit above, the clerical correction typed or not, and ``ratings`` entered at
    11:00: the doses the history counts, the card's exit code, and what the walk said
    when the ratings were entered."""
    session = opened(run, LABEL, "08:00", ready_patient(cows_total=2, naloxone_challenge=None))

    def resume(hh_mm: str, *args: str) -> Any:
        out = run(
            "walk", "--no-input", "--resume", "--session", session, "--now", at(hh_mm),
            "--acknowledge", "all", *args,
        )  # fmt: skip
        assert out.exit_code in (0, 1, 4), out.output
        return out

    resume("09:00", "-a", "naloxone_challenge=negative", "-a", "naloxone_challenge_started=08:30")
    dosed = resume("09:30", *GIVEN)
    assert dosed.exit_code == 0, dosed.output
    if corrected:
        resume(
            "10:00", "--answers", file(tmp_path, "fix.json", {"naloxone_challenges": [CLERICAL]})
        )
    said = resume("11:00", "--answers", file(tmp_path, "ratings.json", {"cows_ratings": ratings}))
    history = run("history", LABEL, "--json", "--today", DAY)
    assert history.exit_code == 0, history.output
    doses = [i["date"] for i in json.loads(history.stdout)["injections"]]
    return doses, run("card", LABEL).exit_code, said.output


def rated(guide: Guide) -> list[dict[str, Any]]:
    """A rating of withdrawal at 09:50, after the injection, and a calm one at 10:40, the
    latest of the day."""
    return [
        {"at": at("09:50"), "context": "repeat", "total": threshold(guide) + 5},
        {"at": at("10:40"), "context": "repeat", "total": 1},
    ]


def test_withdrawal_rated_after_the_injection_keeps_the_dose_and_the_card(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    withdrawal = [{"at": at("10:15"), "context": "repeat", "total": threshold(guide) + 5}]
    doses, card, said = after_the_dose(run, tmp_path, withdrawal)
    assert (doses, card) == ([DAY], 0), said


def test_the_control_a_calm_rating_after_the_injection(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    calm = [{"at": at("10:15"), "context": "repeat", "total": 1}]
    doses, card, said = after_the_dose(run, tmp_path, calm)
    assert (doses, card) == ([DAY], 0), said


def test_a_rating_after_the_dose_never_uncounts_it_after_a_clerical_correction(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    doses, _, said = after_the_dose(run, tmp_path, rated(guide), corrected=True)
    assert doses == [DAY], f"the dose given at 09:30 is no longer counted:\n{said}"


def test_the_control_without_the_correction_the_dose_counts(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    doses, _, said = after_the_dose(run, tmp_path, rated(guide))
    assert doses == [DAY], said


def test_the_emergency_card_of_the_injected_patient_is_still_printed(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    _, card, said = after_the_dose(run, tmp_path, rated(guide), corrected=True)
    assert card == 0, said


def test_the_control_the_card_without_the_correction(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    _, card, said = after_the_dose(run, tmp_path, rated(guide))
    assert card == 0, said
