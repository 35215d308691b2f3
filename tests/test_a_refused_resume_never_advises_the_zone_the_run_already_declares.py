"""A session walked on a fixed clock in one zone and resumed without a clock in another
is refused (its days would be other days there). The message says what to do: a run that
already declares the clinic's zone (XRNTX_GUIDE_ZONE) is not told to declare it, nor to
give a time "without an offset" it never gave; the way on is the zone the session was
walked in (its clock's offset), or a run without the declaration."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import TODAY, Run, answer_flags, flat
from xrntx_guide.errors import ExitCode

DECLARED = "America/New_York"
needs_zone_data = pytest.mark.skipif(
    not Path("/usr/share/zoneinfo", DECLARED).exists(),
    reason="this machine has no time zone database (Debian: tzdata)",
)


def walked_in_utc(run: Run, zone: Callable[[str], None]) -> str:
    """A first visit opened at 20:00 on a machine in UTC, on a fixed clock: its id."""
    zone("UTC0")
    first = run(
        "walk", "--no-input", "--json", "--label", "ZONE-H", "--now", f"{TODAY}T20:00",
        *answer_flags({"visit": "first_injection", "oud_diagnosis": True}),
    )  # fmt: skip
    assert first.exit_code == ExitCode.INCOMPLETE, first.output
    return str(json.loads(first.stdout)["session"])


def refusal(run: Run, session: str) -> str:
    out = run("walk", "--no-input", "--json", "--resume", "--session", session)
    assert out.exit_code == ExitCode.USAGE, out.output
    said = json.loads(out.stderr)
    return flat(f"{said['message']} {said['hint']}")


def test_the_control_a_machine_in_another_zone_is_told_of_the_variable(
    run: Run, zone: Callable[[str], None]
) -> None:
    session = walked_in_utc(run, zone)
    zone("EST5")
    assert "XRNTX_GUIDE_ZONE" in refusal(run, session)


@needs_zone_data
def test_a_run_declaring_the_zone_is_never_told_to_declare_it(
    run: Run, zone: Callable[[str], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    session = walked_in_utc(run, zone)
    monkeypatch.setenv("XRNTX_GUIDE_ZONE", DECLARED)
    said = refusal(run, session)
    assert f"XRNTX_GUIDE_ZONE={DECLARED}" not in said, said
    assert "without an offset" not in said, said
