"""A correction counts at the time of the entry it corrects, never at the time it was
typed (safety invariant 3; visit/entries.py ``placed``, ``positive_since``). A challenge
read negative at 09:00 (naloxone 08:30) and corrected to positive by ``--correct`` at
12:00 is a positive of 09:00; a rechallenge read at 14:00 comes five hours after it. The
hours the walk works out from the recorded times (and keeps as the answer the
rechallenge gate reads) must count from 09:00, as the chart note does, never from the
12:00 of the correction's typing."""

from __future__ import annotations

import re
from typing import Any

from tests.helpers import TODAY, Run, flat, opened, ready_patient

LABEL = "CORR-HOURS"
FROM_THE_POSITIVE = round((14 * 60 - 9 * 60) / 60)  # read at 14:00, the positive at 09:00


def at(hh_mm: str) -> str:
    return f"{TODAY.isoformat()}T{hh_mm}"


HOURS = re.compile(r"Rechallenge ([0-9.]+) hours after the positive challenge")


def rechallenge_hours(run: Run, corrected: bool) -> float:
    """Calm at 08:00; the challenge read at 09:00 (naloxone 08:30): positive at once, or
    negative corrected to positive at 12:00 (``corrected``); a negative rechallenge read at
    14:00 (naloxone 13:40). The hours the walk says when the rechallenge is given."""
    session = opened(run, LABEL, "08:00", ready_patient(cows_total=2, naloxone_challenge=None))

    def resume(when: str, *args: str) -> Any:
        return run(
            "walk", "--no-input", "--plain", "--resume", "--session", session, "--now", when,
            "--acknowledge", "all", *args,
        )  # fmt: skip

    first = "negative" if corrected else "positive"
    read = resume(
        at("09:00"), "-a", f"naloxone_challenge={first}", "-a", "naloxone_challenge_started=08:30"
    )
    assert read.exit_code in (0, 1, 4), read.output
    if corrected:
        fix = resume(
            at("12:00"), "--correct", f"naloxone_challenge@{at('09:00')}=withdrawal was seen",
            "-a", "naloxone_challenge=positive",
        )  # fmt: skip
        assert fix.exit_code in (0, 1, 4), fix.output
    again = resume(
        at("14:00"),
        "-a",
        "naloxone_rechallenge=negative",
        "-a",
        "naloxone_rechallenge_started=13:40",
    )
    assert again.exit_code in (0, 1, 4), again.output
    found = HOURS.search(flat(again.output))
    assert found is not None, again.output
    return float(found.group(1))


def test_the_control_a_positive_typed_at_once_gives_five_hours(run: Run) -> None:
    assert round(rechallenge_hours(run, corrected=False)) == FROM_THE_POSITIVE


def test_a_positive_made_by_a_correction_gives_the_hours_from_the_result_it_corrects(
    run: Run,
) -> None:
    assert round(rechallenge_hours(run, corrected=True)) == FROM_THE_POSITIVE
