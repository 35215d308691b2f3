"""The emergency card names the patient's last dose given, also when a finding entered
after it reopened its visit (clinical basis: the emergency card; safety invariant 12: a
result taken after the dose never hides it). A repeat dose today, then a liver test of
six times the upper limit entered at 09:30: until now the card printed the dose of four
weeks before and a blockade ending today, four weeks too early."""

from __future__ import annotations

import json

from tests.helpers import (
    REPEAT_WITHOUT_USE,
    TODAY,
    Run,
    after_injection,
    days_ago,
    first_dose_on,
    walk_at,
)
from tests.helpers import at_today as at

LABEL = "CARD-AFTER"


def test_the_card_names_the_dose_a_later_finding_left_unfinished(run: Run) -> None:
    first_dose_on(run, LABEL, days_ago(28))
    repeat = after_injection(**REPEAT_WITHOUT_USE, injection_date=TODAY)
    assert walk_at(run, LABEL, at("09:00"), repeat).exit_code == 0
    (row,) = [
        r for r in json.loads(run("sessions", "--json").stdout) if r["visit_date"] == str(TODAY)
    ]
    reopened = run(
        "walk", "--no-input", "--resume", "--session", row["id"], "--now", at("09:30"),
        "-a", "lft_multiple_uln=6",
    )  # fmt: skip
    assert reopened.exit_code != 0, reopened.output  # the finding reopened the visit
    card = run("card", LABEL, "--format", "text")
    assert card.exit_code == 0, card.output
    assert f"Last injection: {TODAY.isoformat()}" in card.stdout, card.stdout
