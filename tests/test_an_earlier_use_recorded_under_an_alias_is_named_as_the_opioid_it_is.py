"""A refusal says how to go on (the house rule: a clear message naming the fix). An
opioid use another visit recorded holds a later use back when the gates still fail
judged from it: extended-release buprenorphine (no interval established) holds back any
later use. A clinic's copy named it 'bup_xr'; a pack that gives 'bup_xr' as an alias of
its own choice reads that use as extended-release buprenorphine, one opioid (the pack
format's advice). The refusal of a later short-acting use must then say what the use
is read as, as it does for the same use recorded by the shipped pack, and never that
'bup_xr' is "not an opioid this guide names: judged as each it names", advising to give
it as an alias: the alias is there, and the clinician is sent to change a pack that is
right."""

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
from tests.test_a_refusal_beside_a_use_recorded_under_an_alias_names_the_opioid_to_answer import (
    LABEL,
    XR_BUP,
    pack_reading_the_alias,
    recorded,
)


def later_short_acting_use(run: Run, reading: Path) -> dict[str, Any]:
    """Today's first induction with the aliasing pack: a short-acting use 15 days ago,
    after the recorded one (40 days ago). The check's JSON (a refusal: its error)."""
    answers = ready_patient(last_opioid_use=days_ago(15), naloxone_challenge="negative")
    checked = run(
        "check", "--json", "--label", LABEL, "--today", TODAY.isoformat(),
        "--steps", str(reading), *answer_flags(answers),
    )  # fmt: skip
    out: dict[str, Any] = json.loads(checked.stdout or checked.stderr)
    return out


def test_the_control_the_shipped_record_is_held_back_naming_the_opioid(
    run: Run, tmp_path: Path
) -> None:
    recorded(run, XR_BUP)
    refused = later_short_acting_use(run, pack_reading_the_alias(tmp_path / "reading"))
    said = flat(str(refused.get("message")))
    assert refused.get("key") == "last_opioid_use", refused
    assert f"recorded {XR_BUP} on" in said, said


def test_a_use_recorded_under_an_alias_is_held_back_naming_the_opioid(
    run: Run, tmp_path: Path
) -> None:
    copy = clinic_copy(tmp_path / "copy", XR_BUP, "bup_xr")
    recorded(run, "bup_xr", "--steps", str(copy))
    refused = later_short_acting_use(run, pack_reading_the_alias(tmp_path / "reading"))
    said = flat(str(refused.get("message")))
    assert refused.get("key") == "last_opioid_use", refused
    assert "not an opioid this guide names" not in said, said
    assert XR_BUP in said, said


FENTANYL_CHOICE = '{ value = "fentanyl", label = "fentanyl or an analogue" }'


def pack_reading_fent(root: Path) -> Path:
    """The shipped pack with 'fent' given as an alias of fentanyl."""
    steps = copy_steps(root)
    path = steps / "20-history.toml"
    text = path.read_text(encoding="utf-8")
    assert FENTANYL_CHOICE in text, "test setup: the choice is worded otherwise"
    aliased = FENTANYL_CHOICE[:-2] + ', aliases = ["fent"] }'
    path.write_text(text.replace(FENTANYL_CHOICE, aliased), encoding="utf-8")
    return steps


def fentanyl_recorded(run: Run, kind: str, *steps: str) -> None:
    """Nineteen days ago a first induction was blocked: ``kind`` the day before."""
    answers = ready_patient(
        last_opioid_kind=kind, last_opioid_use=days_ago(20), injection_date=days_ago(19)
    )
    blocked = walk_visit(run, "ALIASED-FENT", days_ago(19), answers, *steps)
    assert blocked.exit_code == 1, blocked.output


def no_fentanyl_today(run: Run, reading: Path) -> str:
    """Today's "no fentanyl in the last 30 days" with the aliasing pack: the refusal."""
    checked = run(
        "check", "--json", "--label", "ALIASED-FENT", "--today", TODAY.isoformat(),
        "--steps", str(reading), *answer_flags(ready_patient(fentanyl_used_30_days=False)),
    )  # fmt: skip
    out: dict[str, Any] = json.loads(checked.stdout or checked.stderr)
    assert out.get("key") == "fentanyl_used_30_days", out
    return flat(str(out["message"]))


def test_the_control_a_fentanyl_use_the_shipped_pack_recorded_is_named_plainly(
    run: Run, tmp_path: Path
) -> None:
    fentanyl_recorded(run, "fentanyl")
    said = no_fentanyl_today(run, pack_reading_fent(tmp_path / "reading"))
    assert "recorded fentanyl on" in said, said


def test_a_fentanyl_use_recorded_under_an_alias_is_named_as_fentanyl(
    run: Run, tmp_path: Path
) -> None:
    copy = clinic_copy(tmp_path / "copy", "fentanyl", "fent")
    fentanyl_recorded(run, "fent", "--steps", str(copy))
    said = no_fentanyl_today(run, pack_reading_fent(tmp_path / "reading"))
    assert "a name this guide does not have" not in said, said
