"""An opioid use a visit recorded binds the patient's later visits (safety invariants 10
and 11): a later use never lifts what the earlier opioid asks for, whichever pack recorded
it. A clinic's copy of the pack that calls extended-release buprenorphine otherwise
('bup_xr') records a kind the shipped pack's question does not take. Judged as the
unknown opioid only, whose interval is long but established, it was judged more mildly
than extended-release buprenorphine, after which no interval is established at all (the
opioid-free interval gate is a contraindication). A name this pack does not know is
judged as each opioid it could be, and the strictest holds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import (
    NOW,
    TODAY,
    Run,
    answer_flags,
    clinic_copy,
    copy_steps,
    days_ago,
    json_answers,
    ready_patient,
    walk_visit,
)

LABEL = "CLINIC-XR-BUP"
XR_BUP = "buprenorphine_extended_release"


def blocked_by_xr_buprenorphine(run: Run, kind: str, *steps: str) -> None:
    """Twenty days ago a first induction was blocked: extended-release buprenorphine was
    the last opioid, 40 days ago (no interval is established after it)."""
    answers = ready_patient(
        last_opioid_kind=kind, last_opioid_use=days_ago(40), injection_date=days_ago(20)
    )
    blocked = walk_visit(run, LABEL, days_ago(20), answers, *steps)
    assert blocked.exit_code == 1, blocked.output
    assert "opioid_free_interval" in blocked.stdout


def first_injection_today(run: Run) -> str:
    """Today's first induction: a short-acting use 14 days ago, everything else clear."""
    checked = run(
        "check", "--json", "--label", LABEL, "--today", TODAY.isoformat(),
        *answer_flags(ready_patient()),
    )  # fmt: skip
    return str(json.loads(checked.stdout or "{}").get("status", "refused"))


def test_the_control_the_shipped_pack_holds_a_later_use_back(run: Run) -> None:
    blocked_by_xr_buprenorphine(run, XR_BUP)
    assert first_injection_today(run) != "ready"


def test_the_control_without_the_earlier_use_the_visit_is_ready(run: Run) -> None:
    assert first_injection_today(run) == "ready"


def test_a_copy_naming_xr_buprenorphine_otherwise_still_holds_a_later_use_back(
    run: Run, tmp_path: Path
) -> None:
    steps = clinic_copy(tmp_path, XR_BUP, "bup_xr")
    blocked_by_xr_buprenorphine(run, "bup_xr", "--steps", str(steps))
    assert first_injection_today(run) != "ready"


def test_the_shipped_record_read_by_a_copy_naming_it_otherwise_holds_a_later_use_back(
    run: Run, tmp_path: Path
) -> None:
    steps = clinic_copy(tmp_path, XR_BUP, "bup_xr")
    blocked_by_xr_buprenorphine(run, XR_BUP)
    checked = run(
        "check", "--json", "--label", LABEL, "--today", TODAY.isoformat(),
        "--steps", str(steps), *answer_flags(ready_patient()),
    )  # fmt: skip
    assert json.loads(checked.stdout or "{}").get("status", "refused") != "ready"


def same_use_as_unknown_in_a_batch(run: Run) -> str:
    """A batch line for today's first induction of the patient that gives the recorded
    use's own date with 'unknown' as its opioid (and a negative challenge, which the
    unknown opioid requires): its status."""
    same_use = ready_patient(
        last_opioid_kind="unknown", last_opioid_use=days_ago(40), naloxone_challenge="negative"
    )
    line = json.dumps(json_answers(same_use) | {"label": LABEL})
    checked = run("check", "--batch", "-", "--now", NOW, input=line + "\n")
    return str(json.loads(checked.stdout.splitlines()[0]).get("status"))


def test_the_control_the_shipped_record_refuses_unknown_for_the_same_use(run: Run) -> None:
    blocked_by_xr_buprenorphine(run, XR_BUP)
    assert same_use_as_unknown_in_a_batch(run) != "ready"


def test_a_copy_naming_xr_buprenorphine_otherwise_refuses_unknown_for_the_same_use(
    run: Run, tmp_path: Path
) -> None:
    steps = clinic_copy(tmp_path, XR_BUP, "bup_xr")
    blocked_by_xr_buprenorphine(run, "bup_xr", "--steps", str(steps))
    assert same_use_as_unknown_in_a_batch(run) != "ready"


FENTANYL = '  { value = "fentanyl", label = "fentanyl or an analogue" },'


def fentanyl_named_fent(run: Run, tmp_path: Path) -> dict[str, object]:
    """Twenty days ago a copy naming fentanyl 'fent' recorded a fentanyl use the day
    before a blocked first induction. Today's first induction with the shipped pack: a
    short-acting use 14 days ago, the fentanyl history answered yes. The check's JSON."""
    copy = clinic_copy(tmp_path / "copy", "fentanyl", "fent")
    answers = ready_patient(
        last_opioid_kind="fent", last_opioid_use=days_ago(21), injection_date=days_ago(20)
    )
    assert walk_visit(run, LABEL, days_ago(20), answers, "--steps", str(copy)).exit_code == 1
    checked = run(
        "check", "--json", "--label", LABEL, "--today", TODAY.isoformat(),
        *answer_flags(ready_patient(fentanyl_used_30_days=True)),
    )  # fmt: skip
    return json.loads(checked.stdout or checked.stderr)  # type: ignore[no-any-return]


def test_an_opioid_named_otherwise_is_judged_at_its_strictest_saying_how_to_read_it(
    run: Run, tmp_path: Path
) -> None:
    refused = fentanyl_named_fent(run, tmp_path)
    assert refused.get("key") == "last_opioid_use", refused
    said = str(refused["message"])
    assert f"judged as {XR_BUP}" in said and "alias" in said, said


def test_an_alias_the_reading_pack_gives_reads_the_copys_name(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The clinic says what its copy's name is: an alias of this pack's own choice."""
    steps = copy_steps(tmp_path / "ours")
    path = steps / "20-history.toml"
    text = path.read_text(encoding="utf-8")
    assert FENTANYL in text
    path.write_text(text.replace(FENTANYL, FENTANYL[:-3] + ', aliases = ["fent"] },'))
    monkeypatch.setenv("XRNTX_GUIDE_STEPS", str(steps))
    result = fentanyl_named_fent(run, tmp_path)
    assert result.get("status") == "ready", result
