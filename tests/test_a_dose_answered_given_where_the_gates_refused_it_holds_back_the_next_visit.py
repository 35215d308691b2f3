"""A repeat visit the gates refused (a severe reaction at the last site: a stop), whose
injection was answered "given" all the same, keeps that answer as typed and counts no
dose (safety invariant 12). The needle may have gone in, so the patient's next visit
takes nothing from the dose before it: the last injection is asked, and the record
names the visit (invariant 11). Before, a check two days later was judged against the
month-old dose and said ready, advising the very buttock the refused visit recorded."""

from __future__ import annotations

import datetime as dt
import json

from tests.helpers import Run, after_injection, answer_flags, flat, ready_patient, walk_visit
from xrntx_guide.errors import ExitCode

LABEL = "UNCOUNTED-1"
FIRST = dt.date(2026, 1, 1)
REFUSED = dt.date(2026, 1, 27)
CHECKED = dt.date(2026, 1, 29)
REPEAT = {"visit": "repeat_injection", "opioid_use_since_last_injection": False}


def repeat_answers(**changes: object) -> dict[str, object]:
    return ready_patient(
        **REPEAT,
        last_opioid_use=None, last_opioid_kind=None, abstinence_evidence=None,
        fentanyl_used_30_days=None, cows_total=None, naloxone_challenge=None,
        **changes,
    )  # fmt: skip


def recorded(run: Run) -> None:
    first = walk_visit(run, LABEL, FIRST, after_injection(last_opioid_use=dt.date(2025, 12, 1)))
    assert first.exit_code == ExitCode.OK, first.output
    refused = walk_visit(
        run, LABEL, REFUSED,
        repeat_answers(
            injection_site_reaction="severe", injection_given=True, injection_side_used="right"
        ),
    )  # fmt: skip
    assert refused.exit_code != ExitCode.OK, refused.output
    (row,) = [
        r for r in json.loads(run("sessions", "--json").stdout) if r["visit_date"] == str(REFUSED)
    ]
    exported = json.loads(run("sessions", "export", row["id"]).stdout)
    assert exported["injection_given"] is not True, "the refused visit counts no dose"
    assert exported["answers"]["injection_given"]["value"] is True, "the answer is kept"


def test_the_next_check_takes_no_last_injection_from_before_it(run: Run) -> None:
    recorded(run)
    out = run(
        "check", "--today", CHECKED.isoformat(), "--json", "--label", LABEL,
        *answer_flags(repeat_answers()),
    )  # fmt: skip
    result = json.loads(out.stdout)
    assert result["status"] != "ready", result["status"]
    assert "last_injection_date" not in result["record"]["prefilled"], result["record"]
    warned = flat(" ".join(result["record"]["warnings"]))
    assert str(REFUSED) in warned and "may have been given" in warned, warned


def test_an_older_last_injection_is_refused_and_the_refused_visits_date_is_early(
    run: Run,
) -> None:
    recorded(run)
    older = run(
        "check", "--today", CHECKED.isoformat(), "--json", "--label", LABEL,
        *answer_flags(repeat_answers(last_injection_date=FIRST, last_injection_side="left")),
    )  # fmt: skip
    assert older.exit_code == ExitCode.USAGE, older.output
    assert str(REFUSED) in flat(older.stdout + older.stderr), older.output
    early = run(
        "check", "--today", CHECKED.isoformat(), "--json", "--label", LABEL,
        *answer_flags(repeat_answers(last_injection_date=REFUSED, last_injection_side="right")),
    )  # fmt: skip
    result = json.loads(early.stdout)
    assert result["status"] in ("blocked", "needs_override"), result["status"]
