"""A refusal says how to go on (the house rule: a clear message naming the fix). A use a
clinic's copy recorded under a name this pack does not have ('bup_xr', its name for
extended-release buprenorphine) is judged as each opioid this pack names, the strictest
holding gate by gate. On that use's own date, a later visit's opioid must be judged at
least as strictly as each: extended-release buprenorphine is refused "answer fentanyl"
(the fentanyl gate), and fentanyl is refused "answer extended-release buprenorphine" (the
interval gate). Following either fix led to the other refusal. A name this pack does not have is
read by its name, so the refusal names what leads on (the reading pack's alias for the
copy's name, or the copy itself), as the refusal beside an earlier use does."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.helpers import (
    TODAY,
    Run,
    answer_flags,
    clinic_copy,
    days_ago,
    ready_patient,
    walk_visit,
)

LABEL = "CLINIC-SAME-DAY"
XR_BUP = "buprenorphine_extended_release"


def recorded(run: Run, kind: str, *steps: str) -> None:
    """Twenty days ago a first induction was blocked: ``kind`` was the last opioid, 40
    days ago."""
    answers = ready_patient(
        last_opioid_kind=kind, last_opioid_use=days_ago(40), injection_date=days_ago(20)
    )
    blocked = walk_visit(run, LABEL, days_ago(20), answers, *steps)
    assert blocked.exit_code == 1, blocked.output


def same_use_today(run: Run, kind: str) -> dict[str, Any]:
    """Today's first induction giving the recorded use's own date with ``kind``, no
    fentanyl in the last 30 days: the check's JSON (a refusal: its error)."""
    answers = ready_patient(
        last_opioid_kind=kind, last_opioid_use=days_ago(40), naloxone_challenge="negative"
    )
    if kind != "fentanyl":
        answers["fentanyl_used_30_days"] = False
    checked = run(
        "check", "--json", "--label", LABEL, "--today", TODAY.isoformat(), *answer_flags(answers)
    )
    out: dict[str, Any] = json.loads(checked.stdout or checked.stderr)
    return out


def after_following_the_fix(run: Run) -> dict[str, Any]:
    """The same use given as extended-release buprenorphine; if refused, given again as
    the opioid the refusal names: what the check then says."""
    first = same_use_today(run, XR_BUP)
    if first.get("key") != "last_opioid_kind":
        return first
    named = re.search(r"Answer last_opioid_kind=(\w+)", str(first["message"]))
    if named is None:  # no opioid to answer: the refusal names another way on
        return first
    return same_use_today(run, named.group(1))


def leads_on(result: dict[str, Any]) -> bool:
    """Taken, or refused with a way on that is not another opioid to answer."""
    return result.get("key") != "last_opioid_kind" or "alias" in str(result.get("message"))


def test_the_control_the_shipped_record_takes_its_own_opioid(run: Run) -> None:
    recorded(run, XR_BUP)
    result = after_following_the_fix(run)
    assert result.get("status") == "blocked", result  # no interval after it: blocked
    assert leads_on(result)


def test_the_fix_beside_a_copys_name_leads_on(run: Run, tmp_path: Path) -> None:
    steps = clinic_copy(tmp_path, XR_BUP, "bup_xr")
    recorded(run, "bup_xr", "--steps", str(steps))
    assert leads_on(after_following_the_fix(run))
