"""A record binds later visits by what each of its answers is, whatever the pack that
reads it declares (clinical basis, safety invariants 1, 9 and 11). A clinic's copy of the
pack made before ``[guide.report.history]`` named the ``standing`` answers or the last
opioid use (or one that drops or narrows them) reads a patient's record all the same: a
hypersensitivity another visit recorded still refuses a later no, and an opioid use
another visit recorded still refuses an older last use. Read only by the copy's own
declarations, both were missed, and the later visit was READY (its dose counted)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.helpers import (
    TODAY,
    Result,
    Run,
    after_injection,
    check,
    clinic_copy,
    copy_steps,
    days_ago,
    ready_patient,
    walk_visit,
)

LABEL = "COPY-READS-RECORD"
STANDING = 'standing = ["hypersensitivity", "reaction_after_last_dose"]\n'
LAST_USE = 'last_use = "last_opioid_use"\n'


def pack_copy(tmp_path: Path, line: str, instead: str, rename: str = "") -> str:
    """A copy of the shipped pack with one line of ``[guide.report.history]`` changed
    (``instead`` empty: dropped), and a question renamed throughout (``rename``: "old
    new"); its folder."""
    old, _, new = rename.partition(" ")
    steps = clinic_copy(tmp_path, old, new) if rename else copy_steps(tmp_path)
    line = line.replace(old, new) if rename else line
    guide = steps / "00-guide.toml"
    text = guide.read_text(encoding="utf-8")
    assert line in text, "test setup: the shipped pack no longer has that line"
    guide.write_text(text.replace(line, instead, 1), encoding="utf-8")
    return str(steps)


Copy = tuple[str, str] | tuple[str, str, str] | None
COPIES: dict[str, Copy] = {
    "shipped": None,
    "without standing": (STANDING, ""),
    "narrowed standing": (STANDING, 'standing = ["reaction_after_last_dose"]\n'),
}
RENAMED = "naltrexone_allergy"


def status(checked: Result) -> str:
    """A check's status; "refused" when it printed none (the refusal is on stderr)."""
    return str(json.loads(checked.stdout or "{}").get("status", "refused"))


def with_pack(tmp_path: Path, copy: Copy) -> tuple[str, ...]:
    return () if copy is None else ("--steps", pack_copy(tmp_path, *copy))


def record_hypersensitivity(run: Run) -> None:
    """A visit yesterday, walked with the shipped pack, recorded a known hypersensitivity."""
    yes = walk_visit(run, LABEL, TODAY - dt.timedelta(days=1), ready_patient(hypersensitivity=True))
    assert yes.exit_code == 1, yes.output  # the contraindication blocks it


@pytest.mark.parametrize("copy", list(COPIES), ids=list(COPIES))
def test_a_recorded_hypersensitivity_refuses_a_later_no_with_any_pack(
    run: Run, tmp_path: Path, copy: str
) -> None:
    record_hypersensitivity(run)
    checked = check(run, ready_patient(), "--label", LABEL, *with_pack(tmp_path, COPIES[copy]))
    assert checked.exit_code == 2, checked.output
    assert status(checked) == "refused", checked.output
    assert "recorded hypersensitivity=yes" in checked.output, checked.output


@pytest.mark.parametrize("copy", list(COPIES), ids=list(COPIES))
def test_a_walk_with_any_pack_never_counts_a_dose_beside_a_recorded_hypersensitivity(
    run: Run, tmp_path: Path, copy: str
) -> None:
    record_hypersensitivity(run)
    walked = walk_visit(run, LABEL, TODAY, after_injection(), *with_pack(tmp_path, COPIES[copy]))
    assert walked.exit_code == 2, walked.output
    assert "recorded hypersensitivity=yes" in walked.output, walked.output
    no_dose_counted(run)


def no_dose_counted(run: Run) -> None:
    shown = run("history", "--json", LABEL, "--today", TODAY.isoformat())
    assert json.loads(shown.stdout)["injections"] == [], shown.output


def test_a_copy_that_renames_the_question_and_names_none_standing_refuses(
    run: Run, tmp_path: Path
) -> None:
    """The copy cannot tell which of its answers the recorded yes is: it says so."""
    record_hypersensitivity(run)
    steps = pack_copy(tmp_path, STANDING, "", rename=f"hypersensitivity {RENAMED}")
    answers = ready_patient(hypersensitivity=None, **{RENAMED: False})
    checked = check(run, answers, "--label", LABEL, "--steps", steps)
    assert checked.exit_code == 2, checked.output
    assert status(checked) == "refused", checked.output
    assert "recorded hypersensitivity=yes" in checked.output, checked.output
    assert "walk with the guide that recorded it" in checked.output, checked.output
    walked = walk_visit(run, LABEL, TODAY, {**after_injection(hypersensitivity=None), **answers})
    assert walked.exit_code == 2, walked.output
    no_dose_counted(run)


USES: dict[str, Copy] = {
    "shipped": None,
    "without last_use": (LAST_USE, ""),
    "without last_use, its question renamed": (LAST_USE, "", "last_opioid_use date_last_used"),
}


@pytest.mark.parametrize("copy", list(USES), ids=list(USES))
def test_a_recorded_use_refuses_an_older_last_use_with_any_pack(
    run: Run, tmp_path: Path, copy: str
) -> None:
    # Yesterday's visit recorded a use the day before it (blocked: the interval).
    used = walk_visit(run, LABEL, days_ago(1), ready_patient(last_opioid_use=days_ago(3)))
    assert used.exit_code == 1, used.output
    answers = ready_patient(last_opioid_use=days_ago(14))
    if "renamed" in copy:
        answers["date_last_used"] = answers.pop("last_opioid_use")
    checked = check(run, answers, "--label", LABEL, *with_pack(tmp_path, USES[copy]))
    assert checked.exit_code == 2, checked.output
    assert status(checked) == "refused", checked.output
    assert f"recorded opioid use on {days_ago(3).isoformat()}" in checked.output, checked.output
    if "renamed" in copy:  # the copy cannot tell which of its answers the last use is
        assert "walk with the guide that recorded" in checked.output, checked.output


def test_a_copy_that_renames_the_question_and_narrows_standing_refuses(
    run: Run, tmp_path: Path
) -> None:
    """Standing names other answers, not the renamed one: the recorded yes is still one
    the copy has no question for, and it says so (it was READY)."""
    record_hypersensitivity(run)
    narrowed = 'standing = ["reaction_after_last_dose"]\n'
    steps = pack_copy(tmp_path, STANDING, narrowed, rename=f"hypersensitivity {RENAMED}")
    answers = ready_patient(hypersensitivity=None, **{RENAMED: False})
    checked = check(run, answers, "--label", LABEL, "--steps", steps)
    assert checked.exit_code == 2 and status(checked) == "refused", checked.output
    assert "recorded hypersensitivity=yes" in checked.output, checked.output


LAST_KIND = 'last_kind = "last_opioid_kind"\n'


def test_a_copy_that_cannot_read_a_recorded_opioid_refuses(run: Run, tmp_path: Path) -> None:
    """Extended-release buprenorphine recorded (no interval clears it), read by a copy
    that renamed the opioid's question and declares none: read as the unknown opioid, the
    later visit was READY."""
    kind = "buprenorphine_extended_release"
    used = walk_visit(
        run, LABEL, days_ago(40), ready_patient(last_opioid_kind=kind, last_opioid_use=days_ago(60))
    )
    assert used.exit_code == 1, used.output
    steps = pack_copy(tmp_path, LAST_KIND, "", rename="last_opioid_kind opioid_kind")
    answers = ready_patient(last_opioid_use=days_ago(20))
    answers["opioid_kind"] = answers.pop("last_opioid_kind")
    checked = check(run, answers, "--label", LABEL, "--steps", steps)
    assert checked.exit_code == 2 and status(checked) == "refused", checked.output
    assert f"recorded opioid use of {kind}" in checked.output, checked.output


USE_SINCE = 'use_since = "opioid_use_since_last_injection"\n'


def test_a_copy_that_cannot_read_a_recorded_use_since_the_injection_refuses(
    run: Run, tmp_path: Path
) -> None:
    """A use since the last injection, recorded without its date, read by a copy that
    renamed that question and declares none: the new induction read as a plain repeat
    dose was READY."""
    from tests.helpers import MONTHLY_VISIT, REPEAT_WITHOUT_USE, first_dose_on

    dose = days_ago(28)
    first_dose_on(run, LABEL, dose)
    repeat = ready_patient(**REPEAT_WITHOUT_USE, last_injection_date=dose)
    said = walk_visit(run, LABEL, days_ago(4), {**repeat, "opioid_use_since_last_injection": True})
    assert said.exit_code in (1, 4), said.output  # saved: the use, without its date
    renamed = "opioid_use_since_last_injection used_since_last_dose"
    steps = pack_copy(tmp_path, USE_SINCE, "", rename=renamed)
    answers = {**repeat, **MONTHLY_VISIT}
    answers["used_since_last_dose"] = answers.pop("opioid_use_since_last_injection")
    checked = check(run, answers, "--label", LABEL, "--steps", steps)
    assert checked.exit_code == 2 and status(checked) == "refused", checked.output
    assert "recorded opioid use since the injection" in checked.output, checked.output
