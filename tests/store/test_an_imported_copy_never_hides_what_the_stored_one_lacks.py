"""A record imported under an id the store holds already is never dropped while it holds
what the stored one lacks (docs/storage.md: a dose given elsewhere is never hidden;
safety invariant 11).

A visit is exported before its dose and again after it. Until now, a store that had
imported the first copy kept it when the second came ("already in the store"): the dose
was hidden, and a second first injection three days later counted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import (
    TODAY,
    Run,
    after_injection,
    answer_flags,
    ready_patient,
    resume_at,
    walk_at,
)
from tests.helpers import at_today as at

LABEL = "TWO-COPIES"
DOSE = [
    "-a", "injection_given=yes", "-a", "injection_side_used=left", "-a", "needle_used=2-inch",
    "-a", "observation_minutes=30", "-a", "wallet_card_given=yes",
]  # fmt: skip


def copies(run: Run, tmp_path: Path) -> tuple[str, str, str]:
    """The visit exported before its dose and after it: the two files and its id."""
    walked = walk_at(run, LABEL, at("08:00"), ready_patient())
    assert walked.exit_code in (0, 4), walked.output
    (row,) = json.loads(run("sessions", "--json").stdout)
    session = str(row["id"])
    before, after = str(tmp_path / "before.json"), str(tmp_path / "after.json")
    assert run("sessions", "export", session, "-o", before).exit_code == 0
    assert resume_at(run, session, "09:00", *DOSE).exit_code == 0
    assert run("sessions", "export", session, "-o", after).exit_code == 0
    return before, after, session


def elsewhere(run: Run, tmp_path: Path, *args: str) -> Any:
    return run(*args, "--database", str(tmp_path / "elsewhere.sqlite3"))


def doses(run: Run, tmp_path: Path) -> list[str]:
    out = elsewhere(run, tmp_path, "history", LABEL, "--json", "--today", TODAY.isoformat())
    return [i["session"] for i in json.loads(out.stdout)["injections"]]


def test_a_later_copy_replaces_an_earlier_one_and_its_dose_counts(run: Run, tmp_path: Path) -> None:
    before, after, session = copies(run, tmp_path)
    assert elsewhere(run, tmp_path, "sessions", "import", before).exit_code == 0
    assert doses(run, tmp_path) == []
    later = elsewhere(run, tmp_path, "sessions", "import", after)
    assert later.exit_code == 0, later.output
    assert doses(run, tmp_path) == [session]
    again = elsewhere(
        run, tmp_path, "walk", "--no-input", "--label", LABEL, "--now", at("15:00"),
        "--acknowledge", "all", "--json", *answer_flags(after_injection()),
    )  # fmt: skip
    assert again.exit_code == 2, again.output  # a second first injection is refused


def test_an_earlier_copy_never_replaces_a_later_one(run: Run, tmp_path: Path) -> None:
    before, after, session = copies(run, tmp_path)
    assert elsewhere(run, tmp_path, "sessions", "import", after).exit_code == 0
    older = elsewhere(run, tmp_path, "sessions", "import", before)
    assert older.exit_code == 0, older.output
    assert doses(run, tmp_path) == [session]


def test_two_copies_that_went_on_apart_are_refused_not_one_dropped(
    run: Run, tmp_path: Path
) -> None:
    before, after, session = copies(run, tmp_path)
    assert elsewhere(run, tmp_path, "sessions", "import", before).exit_code == 0
    # The visit goes on here too, from the earlier copy: the dose is taken as not given.
    apart = elsewhere(
        run, tmp_path, "walk", "--no-input", "--resume", "--session", session,
        "--now", at("09:30"), "--acknowledge", "all", "-a", "injection_given=no",
    )  # fmt: skip
    assert apart.exit_code in (0, 4), apart.output
    refused = elsewhere(run, tmp_path, "sessions", "import", after)
    assert refused.exit_code == 2, refused.output
    assert "each hold what the other does not" in " ".join(refused.output.split())
