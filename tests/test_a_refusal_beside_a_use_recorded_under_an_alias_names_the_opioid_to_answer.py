"""A refusal says how to go on (the house rule: a clear message naming the fix). On the
date of an opioid use another visit recorded, a later visit that names a less strictly
judged opioid is refused, naming the opioid to answer. A clinic's copy named
extended-release buprenorphine 'bup_xr'; a pack that gives 'bup_xr' as an alias of its
own choice (``aliases = ["bup_xr"]``, as the refusal beside a copy's name advises) reads
the use as extended-release buprenorphine, one opioid. Its refusal of a short-acting use
on that date still says 'bup_xr' is "a name this guide does not have" and advises giving
it as an alias (already given), never the answer that leads on
(last_opioid_kind=buprenorphine_extended_release), as the refusal beside the same use
recorded by the shipped pack does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import (
    TODAY,
    Run,
    answer_flags,
    clinic_copy,
    copy_steps,
    days_ago,
    flat,
    ready_patient,
    walk_visit,
)

LABEL = "ALIASED-USE"
XR_BUP = "buprenorphine_extended_release"
THE_CHOICE = (
    '{ value = "buprenorphine_extended_release", label = "extended-release buprenorphine '
    '(monthly injection or implant)" }'
)


def pack_reading_the_alias(root: Path) -> Path:
    """The shipped pack with 'bup_xr' given as an alias of extended-release
    buprenorphine."""
    steps = copy_steps(root)
    path = steps / "20-history.toml"
    text = path.read_text(encoding="utf-8")
    assert THE_CHOICE in text, "test setup: the choice is worded otherwise"
    aliased = THE_CHOICE[:-2] + ', aliases = ["bup_xr"] }'
    path.write_text(text.replace(THE_CHOICE, aliased), encoding="utf-8")
    return steps


def recorded(run: Run, kind: str, *steps: str) -> None:
    """Twenty days ago a first induction was blocked: ``kind`` was the last opioid, 40
    days ago."""
    answers = ready_patient(
        last_opioid_kind=kind, last_opioid_use=days_ago(40), injection_date=days_ago(20)
    )
    blocked = walk_visit(run, LABEL, days_ago(20), answers, *steps)
    assert blocked.exit_code == 1, blocked.output


def short_acting_on_that_day(run: Run, reading: Path) -> dict[str, Any]:
    """Today's first induction with the aliasing pack, giving the recorded use's date as
    a short-acting use: the check's JSON (a refusal: its error)."""
    answers = ready_patient(last_opioid_use=days_ago(40), naloxone_challenge="negative")
    checked = run(
        "check", "--json", "--label", LABEL, "--today", TODAY.isoformat(),
        "--steps", str(reading), *answer_flags(answers),
    )  # fmt: skip
    out: dict[str, Any] = json.loads(checked.stdout or checked.stderr)
    return out


def test_the_control_a_use_the_shipped_pack_recorded_names_the_opioid(
    run: Run, tmp_path: Path
) -> None:
    recorded(run, XR_BUP)
    refused = short_acting_on_that_day(run, pack_reading_the_alias(tmp_path / "reading"))
    assert refused.get("key") == "last_opioid_kind", refused
    assert f"last_opioid_kind={XR_BUP}" in flat(str(refused["message"])), refused


def test_a_use_a_copy_recorded_under_an_alias_names_the_opioid(run: Run, tmp_path: Path) -> None:
    copy = clinic_copy(tmp_path / "copy", XR_BUP, "bup_xr")
    recorded(run, "bup_xr", "--steps", str(copy))
    refused = short_acting_on_that_day(run, pack_reading_the_alias(tmp_path / "reading"))
    assert refused.get("key") == "last_opioid_kind", refused
    said = flat(str(refused["message"]))
    assert "a name this guide does not have" not in said, said
    assert f"last_opioid_kind={XR_BUP}" in said, said
