"""Bad input gets a message naming the fix; a fix the message names is one the program
then takes. ``--now`` at a local time the clocks skip (02:30 on the morning the clocks
go forward) is refused, suggesting the time with an offset; since a clock whose offset
is not the machine's at that instant is refused too (its days would be read in another
zone), both suggested offsets are refused in turn, and the clinician is left going round
between the two messages."""

from __future__ import annotations

import re
from collections.abc import Callable

from tests.helpers import Run, flat

ZONE = "America/New_York"
SKIPPED = "2026-03-08T02:30"  # the clocks go from 02:00 to 03:00 there
OFFSET = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d[+-]\d\d:\d\d")


def suggested(run: Run) -> list[str]:
    """The clocks the refusal of SKIPPED suggests (each written out in full, or as an
    offset of the same time)."""
    out = run("check", "--json", "--now", SKIPPED, "-a", "visit=first_injection")
    assert out.exit_code == 2, out.output
    said = flat(out.output)
    full = OFFSET.findall(said)
    assert full, said
    others = re.findall(r" or ([+-]\d\d:\d\d)", said)
    return [*full, *(SKIPPED + o for o in others)]


def test_the_control_a_local_time_that_exists_is_taken(
    run: Run, zone: Callable[[str], None]
) -> None:
    zone(ZONE)
    out = run("check", "--json", "--now", "2026-03-08T03:30", "-a", "visit=first_injection")
    assert out.exit_code != 2, out.output


def test_every_clock_the_refusal_suggests_is_taken(run: Run, zone: Callable[[str], None]) -> None:
    zone(ZONE)
    clocks = suggested(run)
    assert len(clocks) >= 2, clocks
    refused = [
        c
        for c in clocks
        if run("check", "--json", "--now", c, "-a", "visit=first_injection").exit_code == 2
    ]
    assert not refused, f"clocks suggested and then refused: {refused} of {clocks}"
