"""A known hypersensitivity (a contraindication, reference 3.2) is a fact that can change
between visits. Reference section 9 carries from the record only the facts that do not
change: age and the OUD diagnosis. A repeat visit's walk asks the hypersensitivity
question itself instead of filling it in from the last visit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.helpers import TODAY, Run, after_injection, days_ago, flat, walk_visit
from xrntx_guide.errors import ExitCode

LABEL = "ALLERGY-1"


def walk_on(run: Run, day: dt.date, answers: dict[str, Any], *extra: str) -> Any:
    return walk_visit(run, LABEL, day, answers, *extra)


def test_a_repeat_walk_never_takes_a_known_hypersensitivity_from_the_record(run: Run) -> None:
    first = after_injection(last_opioid_use=days_ago(42))
    assert walk_on(run, days_ago(28), first).exit_code == ExitCode.OK
    today = after_injection(
        opioid_use_since_last_injection=False,
        end_of_treatment=False,
        injection_site_reaction="none",
        reaction_after_last_dose=False,
        lft_within_interval=True,
        respiratory_symptoms=False,
        suicidal_thoughts=False,
    )
    for key in ("visit", "last_opioid_use", "last_opioid_kind", "uds_opiates", "hypersensitivity"):
        today.pop(key, None)
    today = {k: v for k, v in today.items() if v is not None}
    out = walk_on(run, TODAY, today)
    assert out.exit_code == ExitCode.INCOMPLETE, out.output
    assert "hypersensitivity" in flat(out.stdout + out.stderr)
    assert "hypersensitivity: no (from the history" not in flat(out.stdout)
