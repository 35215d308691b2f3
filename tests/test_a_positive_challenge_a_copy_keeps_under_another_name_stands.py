"""A positive naloxone challenge stands until a negative rechallenge within the window
lifts it (reference 5.2; safety item 9): another walk of the label that morning is not
judged without it. The program keeps a challenge's series only under the names
``naloxone_challenge`` and ``naloxone_rechallenge`` (pack/keys.py). A clinic's copy of the
pack that named the question otherwise ('nx_challenge', its values kept) loaded, blocked
its own visit on the positive, but recorded it as a plain answer, outside the series every
other visit reads: a second walk that morning with the shipped pack took its own negative
challenge and counted the dose beside the positive. In a pack without
``naloxone_challenge``, a timed result with exactly the challenge's values is refused
where the pack loads. A copy that also adds a value of its own ('indeterminate'), or
records the result without the observation timer, is not recognised (a known limit)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.helpers import DOSE_GIVEN, TODAY, Run, answer_flags, copy_steps, ready_patient
from tests.helpers import at_today as at
from tests.helpers import json_file as file

LABEL = "CLINIC-NX"
TIMER = 'wait_minutes = "settings.naloxone_observation_minutes"\nwait_for = ["negative"]\n'
LAST_VALUE = '  { value = "not_done", label = "not done" },\n]'


def copy_naming_the_series(root: Path, challenge: str, rechallenge: str, change: str) -> Path:
    """A clinic's copy (its own guide id) naming the challenge ``challenge`` and the
    rechallenge ``rechallenge``, with ``change``: 'none', 'a value of its own' or 'no
    timer'."""
    steps = copy_steps(root)
    for path in steps.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        text = text.replace('id = "xrntx_induction"', 'id = "clinic_copy"', 1)
        text = re.sub(r"\bnaloxone_challenge\b", challenge, text)
        text = re.sub(r"\bnaloxone_rechallenge\b", rechallenge, text)
        if change == "a value of its own":
            own = '  { value = "indeterminate", label = "cannot tell" },\n]'
            text = text.replace(LAST_VALUE, LAST_VALUE[:-1] + own)
        if change == "no timer":
            text = text.replace(TIMER, "")
        path.write_text(text, encoding="utf-8")
    return steps


def positive_at_eight(run: Run, copy: Path, key: str, timed: bool = True) -> None:
    """08:30: a first induction walked with the copy, blocked by a positive challenge
    (its question ``key``; naloxone 07:30 when timed)."""
    started = ["--answer", f"{key}_started=07:30"] if timed else []
    out = run(
        "walk", "--no-input", "--label", LABEL, "--now", at("08:30"), "--acknowledge", "all",
        "--steps", str(copy), "--answer", f"{key}=positive", *started,
        *answer_flags(ready_patient(cows_total=1, naloxone_challenge=None)),
    )  # fmt: skip
    assert out.exit_code == 1, out.output  # its own gate reads the positive
    assert "positive" in out.stdout, out.output


def doses_after_a_second_walk(run: Run, tmp_path: Path) -> list[str]:
    """10:30: a new walk of the label with the shipped pack, a negative challenge (naloxone
    09:55, read 10:25) and the dose. The doses the record then counts."""
    again = {
        "cows_ratings": [{"at": at("09:50"), "context": "before_challenge", "total": 1}],
        "naloxone_challenges": [
            {"at": at("10:25"), "started": at("09:55"), "kind": "challenge", "result": "negative"}
        ],
        **DOSE_GIVEN,
    }
    run(
        "walk", "--no-input", "--label", LABEL, "--now", at("10:30"), "--acknowledge", "all",
        "--answers", file(tmp_path, "second.json", again),
        *answer_flags(ready_patient(cows_total=None, naloxone_challenge=None)),
    )  # fmt: skip
    history = run("history", LABEL, "--json", "--today", TODAY.isoformat())
    assert history.exit_code == 0, history.output
    return [str(i["date"]) for i in json.loads(history.stdout)["injections"]]


def test_the_control_a_copy_keeping_the_challenges_name_keeps_its_positive(
    run: Run, tmp_path: Path
) -> None:
    copy = copy_naming_the_series(
        tmp_path / "copy", "naloxone_challenge", "naloxone_rechallenge", "none"
    )
    positive_at_eight(run, copy, "naloxone_challenge")
    assert doses_after_a_second_walk(run, tmp_path) == []


def test_a_copy_naming_the_challenge_otherwise_is_refused_where_it_loads(
    run: Run, tmp_path: Path
) -> None:
    copy = copy_naming_the_series(tmp_path / "copy", "nx_challenge", "naloxone_rechallenge", "none")
    out = run("validate", "--steps", str(copy))
    assert out.exit_code == 3, out.output
    said = " ".join(out.stderr.split())
    assert "'nx_challenge' is a timed result with the naloxone challenge's values" in said
    assert "only under the names 'naloxone_challenge'" in said, said


def test_a_copy_naming_both_otherwise_keeping_the_values_is_refused(
    run: Run, tmp_path: Path
) -> None:
    copy = copy_naming_the_series(tmp_path / "copy", "nx_challenge", "nx_rechallenge", "none")
    out = run("validate", "--steps", str(copy))
    assert out.exit_code == 3, out.output
    assert "timed result with the naloxone challenge's values" in " ".join(out.stderr.split())


@pytest.mark.xfail(
    strict=True,
    reason="A limit, not yet a rule: the program keeps a challenge's series only under the "
    "names of pack/keys.py, and pack/checks.py names_the_program_reads finds a renamed "
    "challenge only by a timer and exactly the challenge's values (in a pack without "
    "naloxone_challenge); one more value, or no timer, loads unbound. Closing it needs the "
    "challenge as a declared role of the pack, read by every module of the series",
)
@pytest.mark.parametrize("change", ["a value of its own", "no timer"])
def test_a_copy_naming_the_series_otherwise_never_lets_a_second_walk_count_the_dose(
    run: Run, tmp_path: Path, change: str
) -> None:
    copy = copy_naming_the_series(tmp_path / "copy", "nx_challenge", "nx_rechallenge", change)
    if run("validate", "--steps", str(copy)).exit_code == 3:
        return  # refused where it loads: no positive kept outside the series
    positive_at_eight(run, copy, "nx_challenge", timed=change != "no timer")
    assert doses_after_a_second_walk(run, tmp_path) == []
