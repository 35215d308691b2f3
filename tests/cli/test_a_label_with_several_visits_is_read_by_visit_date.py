"""A patient's label names every visit of the patient. Where a command is given a label
with several visits (``note``, ``card``), it takes the latest visit by the visit's date,
never by when a session was last saved, and says which one it took and which others the
label has; ``sessions`` shows each visit's date, and a count of one reads in the singular."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from tests.helpers import (
    TODAY,
    Run,
    after_injection,
    answer_flags,
    days_ago,
    flat,
    ready_patient,
)
from xrntx_guide.errors import ExitCode


def walk_on(run: Run, label: str, day: dt.date, answers: dict[str, Any]) -> str:
    """An unattended walk of ``label`` dated ``day``; the id of the session it saved."""
    result = run(
        "walk",
        "--no-input",
        "--json",
        "--label",
        label,
        "--today",
        day.isoformat(),
        *answer_flags(answers),
    )
    assert result.exit_code in (ExitCode.OK, ExitCode.BLOCKED), result.output
    return str(json.loads(result.stdout)["session"])


def blocked_on(day: dt.date) -> dict[str, Any]:
    """A first-injection visit on ``day`` blocked by use three days before it."""
    return ready_patient(last_opioid_use=day - dt.timedelta(days=3))


def test_note_by_label_takes_the_latest_visit_by_its_date_and_says_so(run: Run) -> None:
    later = walk_on(run, "twin", TODAY, blocked_on(TODAY))
    # Saved after the other, but the visit of an earlier day.
    earlier = walk_on(run, "twin", days_ago(7), blocked_on(days_ago(7)))

    result = run("note", "twin", "--format", "json")

    assert result.exit_code == ExitCode.OK, result.output
    assert json.loads(result.stdout)["session"] == later
    said = flat(result.stderr)
    assert later in said and TODAY.isoformat() in said and "latest" in said
    assert earlier in said  # the other visit is named, so it can be asked for by its id


def test_card_by_label_takes_the_latest_visit_by_its_date(run: Run) -> None:
    first = days_ago(28)
    walk_on(run, "pat", first, after_injection(last_opioid_use=first - dt.timedelta(days=14)))
    repeat = walk_on(
        run,
        "pat",
        TODAY,
        after_injection(
            visit="repeat_injection",
            last_injection_date=first,
            opioid_use_since_last_injection=False,
            last_opioid_use=first - dt.timedelta(days=14),
        ),
    )

    result = run("card", "pat", "--format", "text")

    assert result.exit_code == ExitCode.OK, result.output
    assert f"Last injection: {TODAY.isoformat()}" in result.stdout
    assert repeat in flat(result.stderr)


def test_a_label_that_names_several_visits_lists_them_by_visit_date(run: Run) -> None:
    later = walk_on(run, "twin", TODAY, blocked_on(TODAY))
    earlier = walk_on(run, "twin", days_ago(7), blocked_on(days_ago(7)))

    result = run("walk", "--resume", "--no-input", "--label", "twin")

    assert result.exit_code == ExitCode.USAGE, result.output
    said = flat(result.stderr)
    assert said.index(earlier) < said.index(later), said
    assert days_ago(7).isoformat() in said and TODAY.isoformat() in said


def test_sessions_shows_the_visit_date_and_a_single_visit_in_the_singular(run: Run) -> None:
    walk_on(run, "solo", days_ago(2), blocked_on(days_ago(2)))

    result = run("sessions")

    assert result.exit_code == ExitCode.OK, result.output
    header, row = result.stdout.splitlines()[:2]
    assert "visit date" in header
    assert days_ago(2).isoformat() in row
    said = flat(result.output)
    assert "1 visit," in said and "1 visits" not in said
