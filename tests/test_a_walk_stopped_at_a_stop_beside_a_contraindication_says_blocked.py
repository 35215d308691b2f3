"""A walk that stops first at a gate an override or an acknowledgement would pass (a repeat
dose days early), while a contraindication also fails before the injection (a reaction
after the last dose), is blocked: ``walk --json``, the session list and the screen say so,
as ``check`` does for the same answers. Called "needs override", a script or a clinician
would record the override and still find the way shut."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from tests.helpers import (
    REPEAT_WITHOUT_USE,
    TODAY,
    after_injection,
    answer_flags,
    check,
    json_answers,
)
from xrntx_guide.errors import ExitCode


def _early_dose_after_a_reaction() -> dict[str, Any]:
    """A repeat visit three days after the last dose (the dose_timing stop fails) with a
    reaction after that dose (the hypersensitivity contraindication fails)."""
    return after_injection(
        **REPEAT_WITHOUT_USE,
        reaction_after_last_dose=True,
        last_injection_date=TODAY - dt.timedelta(days=3),
        last_injection_side="right",
    )


def test_check_and_the_walk_both_say_blocked(run: Any) -> None:
    answers = _early_dose_after_a_reaction()
    checked = json.loads(check(run, answers).stdout)
    assert checked["status"] == "blocked", checked["blocking"]
    assert "hypersensitivity" in checked["blocking"] and "dose_timing" in checked["blocking"]

    walked = run(
        "walk", "--no-input", "--json", "--label", "pt-1", "--today", TODAY.isoformat(),
        *answer_flags(answers),
    )  # fmt: skip
    data = json.loads(walked.stdout)
    assert walked.exit_code == ExitCode.BLOCKED
    assert data["status"] == checked["status"], data
    listed = json.loads(run("sessions", "--json").stdout)
    assert [s["status"] for s in listed] == ["blocked"], listed


def test_the_walk_names_the_contraindication_instead_of_offering_an_override(run: Any) -> None:
    walked = run(
        "walk", "--no-input", "--no-save", "--today", TODAY.isoformat(),
        *answer_flags(_early_dose_after_a_reaction()),
    )  # fmt: skip
    assert walked.exit_code == ExitCode.BLOCKED
    assert "--override dose_timing" not in walked.stderr
    assert "contraindication hypersensitivity stands" in walked.stderr


def test_an_override_given_for_the_stop_still_ends_blocked(run: Any) -> None:
    walked = run(
        "walk", "--no-input", "--json", "--no-save", "--today", TODAY.isoformat(),
        "--override", "dose_timing=clinical_judgement: travelling",
        *answer_flags(_early_dose_after_a_reaction()),
    )  # fmt: skip
    data = json.loads(walked.stdout)
    assert data["status"] == "blocked" and data["stopped_at"] == "hypersensitivity", data


def test_at_the_override_prompt_the_clinician_is_told_it_would_not_open_the_way(
    run: Any, at_a_terminal: None, tmp_path: Any
) -> None:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(json_answers(_early_dose_after_a_reaction())), encoding="utf-8")
    walked = run(
        "walk", "--no-save", "--today", TODAY.isoformat(), "--answers", str(path),
        "--label", "pt-1", input="\n" * 3 + "quit\n",
    )  # fmt: skip
    screen = " ".join(walked.output.split())
    assert "Also failing: Hypersensitivity" in screen, walked.output
    assert "cannot be given today whatever is recorded at this stop" in screen
