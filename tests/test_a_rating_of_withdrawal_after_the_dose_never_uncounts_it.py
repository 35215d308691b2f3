"""A dose given is the patient's dose: the history never drops an injection that was
given, and the injected patient's emergency card (the blockade) is always printed.
Withdrawal rated after the injection (precipitated withdrawal, the very thing the label
warns of) is a rating of the visit day taken after the dose: it tells what followed the
injection, not whether the injection was given. Entered after the dose (a negative
challenge at 09:00, the injection at 09:30, COWS at 10:15 entered at 10:30), it must not
turn the visit back to "blocked", drop the dose from the history, or leave the card
refused with "no injection given"."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import TODAY, Run, answer_flags, ready_patient, stored_sessions
from tests.helpers import at_today as at
from tests.helpers import cows_threshold as threshold
from xrntx_guide.pack.guide import Guide

LABEL = "AFTER-NEEDLE"
DAY = TODAY.isoformat()
GIVEN = [
    "-a", "injection_given=yes", "-a", "injection_side_used=left", "-a", "needle_used=2-inch",
    "-a", "observation_minutes=30", "-a", "wallet_card_given=yes",
]  # fmt: skip


def after_the_dose(run: Run, tmp_path: Path, total: int) -> tuple[list[str], int]:
    """The visit above with the 10:15 rating ``total``: the doses the history counts and
    the card's exit code."""
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

    resume("09:00", "-a", "naloxone_challenge=negative", "-a", "naloxone_challenge_started=08:30")
    dosed = resume("09:30", *GIVEN)
    assert dosed.exit_code == 0, dosed.output
    path = tmp_path / "after.json"
    rating = {"at": at("10:15"), "context": "repeat", "total": total}
    path.write_text(json.dumps({"cows_ratings": [rating]}), encoding="utf-8")
    resume("10:30", "--answers", str(path))
    history = run("history", LABEL, "--json", "--today", DAY)
    assert history.exit_code == 0, history.output
    doses = [i["date"] for i in json.loads(history.stdout)["injections"]]
    return doses, run("card", LABEL).exit_code


def test_withdrawal_rated_after_the_injection_keeps_the_dose_and_the_card(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    doses, card = after_the_dose(run, tmp_path, threshold(guide) + 5)
    assert (doses, card) == ([DAY], 0)


def test_the_control_a_calm_rating_after_the_injection(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    doses, card = after_the_dose(run, tmp_path, 1)
    assert (doses, card) == ([DAY], 0)
