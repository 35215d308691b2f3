"""A recorded opioid use holds a later use back by what no override lifts (clinical basis,
safety invariants 10 and 11; reference 3.3). A use recorded by a clinic's copy of the
pack (its own guide id) whose opioid the shipped pack does not name (the copy lists
"heroin" apart, with its own interval) is a use of an opioid this pack does not know:
judged as the unknown one (pack key unnamed_kind), whose interval is the longest, as a
use recorded without its opioid is. Judged by an opioid name the pack cannot read, the
interval is undecided, which no hard stop holds back on, and a later short-acting use
makes the visit READY within the interval both the copy and "unknown" ask for."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import Run, check, copy_steps, days_ago, ready_patient

LABEL = "CLINIC-KIND"
EARLIER = days_ago(10)  # within the unknown opioid's interval (and the copy's own)
LATER = days_ago(8)  # past the short-acting interval


def clinic_copy(tmp_path: Path, kind: str) -> Path:
    """The shipped pack under its own guide id; ``kind`` (when new) is a choice of the last
    opioid with the unknown opioid's interval."""
    steps = copy_steps(tmp_path)
    head = steps / "00-guide.toml"
    text = head.read_text(encoding="utf-8").replace(
        'id = "xrntx_induction"', 'id = "clinic_copy"', 1
    )
    if kind == "heroin":
        unknown = "unknown = 14"
        assert text.count(unknown) >= 2, "test setup: the unknown opioid's interval moved"
        text = text.replace(unknown, f"{unknown}, heroin = 14")
        history = steps / "20-history.toml"
        fentanyl = '  { value = "fentanyl", label = "fentanyl or an analogue" },\n'
        old = history.read_text(encoding="utf-8")
        assert fentanyl in old, "test setup: the choices of the last opioid moved"
        history.write_text(
            old.replace(fentanyl, fentanyl + '  { value = "heroin", label = "heroin" },\n', 1),
            encoding="utf-8",
        )
    head.write_text(text, encoding="utf-8")
    return steps


def record_use(run: Run, steps: Path, kind: str) -> None:
    left = run(
        "walk", "--no-input", "--label", LABEL, "--today", EARLIER.isoformat(),
        "--steps", str(steps), "--answer", "visit=first_injection",
        "--answer", "oud_diagnosis=yes", "--answer", f"last_opioid_kind={kind}",
        "--answer", f"last_opioid_use={EARLIER.isoformat()}",
    )  # fmt: skip
    assert left.exit_code in (1, 4), left.output  # held at the interval; the use is kept


def later_visit(run: Run) -> str:
    answers = ready_patient(last_opioid_use=LATER, naloxone_challenge="negative")
    checked = check(run, answers, "--label", LABEL)
    return str(json.loads(checked.stdout or "{}").get("status", "refused"))


def test_the_control_a_use_of_an_opioid_the_pack_names_holds_back(run: Run, tmp_path: Path) -> None:
    record_use(run, clinic_copy(tmp_path, "unknown"), "unknown")
    assert later_visit(run) != "ready"


def test_a_use_of_an_opioid_the_pack_does_not_name_holds_back_as_unknown(
    run: Run, tmp_path: Path
) -> None:
    record_use(run, clinic_copy(tmp_path, "heroin"), "heroin")
    assert later_visit(run) != "ready"
