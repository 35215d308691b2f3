"""A refusal says how to go on (the house rule: a clear message naming the fix). A use
another visit recorded under a clinic's copy's name ('bup_xr' for extended-release
buprenorphine, 'fent' for fentanyl) is read by a pack that gives that name as an alias of
its own choice (``aliases = ["bup_xr"]``, as the refusal beside a copy's name advises) as
that one opioid. Every refusal that names the use must then say what it is read as, as
it does for the same use recorded by the shipped pack: on the use's own date, the opioid
to answer (last_opioid_kind=buprenorphine_extended_release); for a later use held back,
the opioid; for the fentanyl history, fentanyl. Never that the name is one "this guide
does not have", advising an alias already given: the clinician would be sent to change a
pack that is right."""

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
FENTANYL_CHOICE = '{ value = "fentanyl", label = "fentanyl or an analogue" }'


def pack_aliasing(root: Path, choice: str, alias: str) -> Path:
    """The shipped pack with ``alias`` given as an alias of the last opioid's ``choice``
    (its line as the pack writes it)."""
    steps = copy_steps(root)
    path = steps / "20-history.toml"
    text = path.read_text(encoding="utf-8")
    assert choice in text, "test setup: the choice is worded otherwise"
    path.write_text(text.replace(choice, choice[:-2] + f', aliases = ["{alias}"] }}'))
    return steps


def pack_reading_the_alias(root: Path) -> Path:
    return pack_aliasing(root, THE_CHOICE, "bup_xr")


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


def pack_reading_fent(root: Path) -> Path:
    return pack_aliasing(root, FENTANYL_CHOICE, "fent")


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
