"""A visit that ended the treatment with a switch to buprenorphine binds the patient's
later visits (safety invariants 10 and 11: buprenorphine is an opioid, so "no opioid use
since the last injection" beside it is refused), whichever pack recorded it. A clinic's
copy of the pack that keeps every question's name but calls the choice otherwise
('bup' for buprenorphine) records a value the shipped pack's question does not take: the
agonist is then left out of what the next visit takes from the end, and a plain repeat
dose two months after the switch is READY. The value is
never guessed: while the question is unanswered, an answer some value of it would refuse
is refused, naming the recorded value and asking for the question first.)"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import (
    MONTHLY_VISIT,
    TODAY,
    Run,
    after_injection,
    answer_flags,
    copy_steps,
    days_ago,
    walk_visit,
)

LABEL = "CLINIC-BUP"

CHOICE = '  { value = "buprenorphine", label = "buprenorphine" },\n  { value = "methadone"'


def copy_naming(tmp_path: Path, value: str) -> Path:
    steps = copy_steps(tmp_path)
    path = steps / "15-end-of-treatment.toml"
    text = path.read_text(encoding="utf-8")
    assert CHOICE in text
    text = text.replace(CHOICE, CHOICE.replace('"buprenorphine"', f'"{value}"', 1), 1)
    path.write_text(text.replace("'buprenorphine'", f"'{value}'"), encoding="utf-8")
    guide = steps / "00-guide.toml"
    text = guide.read_text(encoding="utf-8")
    guide.write_text(text.replace('id = "xrntx_induction"', 'id = "clinic_copy"', 1))
    return steps


def switched_with_the_copy(
    run: Run, tmp_path: Path, value: str, dosed: int = 84, ended_on: int = 60
) -> None:
    """An injection ``dosed`` days ago, and a visit ``ended_on`` days ago that ended the
    treatment with a switch, recorded with a clinic's copy naming the agonist ``value``."""
    dose = walk_visit(
        run, LABEL, days_ago(dosed), after_injection(last_opioid_use=days_ago(dosed + 14))
    )
    assert dose.exit_code == 0, dose.output
    ended: dict[str, Any] = {
        "visit": "repeat_injection",
        "opioid_use_since_last_injection": False,
        "end_of_treatment": True,
        "end_of_treatment_reason": "switch_to_agonist",
        "agonist_after_naltrexone": value,
        "end_overdose_counselled": True,
        "end_reversal_agent_prescribed": True,
    }
    steps = str(copy_naming(tmp_path, value))
    end = walk_visit(run, LABEL, days_ago(ended_on), ended, "--steps", steps)
    assert end.exit_code == 1, end.output  # the end gate ends the walk, no dose


def repeat_visit(**changes: Any) -> dict[str, Any]:
    """Today's plain repeat visit: "no opioid use since the last injection", the rest clear."""
    answers = after_injection(**MONTHLY_VISIT, opioid_use_since_last_injection=False)
    for key in ("visit", "last_opioid_use", "last_opioid_kind", "injection_given"):
        answers.pop(key)
    return answers | changes


def check_today(run: Run, answers: dict[str, Any]) -> Any:
    return run(
        "check", "--json", "--label", LABEL, "--today", TODAY.isoformat(), *answer_flags(answers)
    )


def plain_repeat_dose_today(run: Run) -> str:
    checked = check_today(run, repeat_visit())
    return str(json.loads(checked.stdout or "{}").get("status", "refused"))


def test_the_control_a_copy_that_keeps_the_choice_refuses_no_use(run: Run, tmp_path: Path) -> None:
    switched_with_the_copy(run, tmp_path, "buprenorphine")
    assert plain_repeat_dose_today(run) != "ready"


def test_a_copy_that_names_the_agonist_otherwise_still_refuses_no_use(
    run: Run, tmp_path: Path
) -> None:
    switched_with_the_copy(run, tmp_path, "bup")
    assert plain_repeat_dose_today(run) != "ready"


def test_the_refusal_names_the_recorded_value_and_the_question_to_answer(
    run: Run, tmp_path: Path
) -> None:
    switched_with_the_copy(run, tmp_path, "bup")
    checked = check_today(run, repeat_visit())
    assert checked.exit_code == 2, checked.output
    error = json.loads(checked.stderr)
    assert error["key"] == "opioid_use_since_last_injection"
    for named in ("bup", "agonist_since_last_injection", f"ended the treatment on {days_ago(60)}"):
        assert named in error["message"]


def test_once_the_question_is_answered_the_pack_decides(run: Run, tmp_path: Path) -> None:
    switched_with_the_copy(run, tmp_path, "bup")
    started = check_today(run, repeat_visit(agonist_since_last_injection="buprenorphine"))
    assert started.exit_code == 2, started.output
    assert "both are opioids" in json.loads(started.stderr)["message"]
    never_started = check_today(run, repeat_visit(agonist_since_last_injection="none"))
    assert never_started.exit_code != 2, never_started.output
    result = json.loads(never_started.stdout)
    assert result["status"] == "ready"
    assert "agonist_since_last_injection" not in result["record"]["prefilled"]
    assert any("'bup'" in w for w in result["record"]["warnings"]), result["record"]


def test_a_use_since_the_injection_is_not_held_back(run: Run, tmp_path: Path) -> None:
    """A yes to the use since the last injection is one no value of the agonist refuses."""
    switched_with_the_copy(run, tmp_path, "bup")
    used = repeat_visit(
        opioid_use_since_last_injection=True,
        last_opioid_use=days_ago(20),
        last_opioid_kind="short_acting",
    )
    checked = check_today(run, used)
    assert checked.exit_code != 2, checked.output


def test_at_the_prompt_enter_then_no_is_refused_until_the_question_is_answered(
    run: Run, tmp_path: Path, at_a_terminal: None
) -> None:
    switched_with_the_copy(run, tmp_path, "bup")
    given = repeat_visit()
    given.pop("opioid_use_since_last_injection")
    walked = run(
        "walk", "--label", LABEL, "--today", TODAY.isoformat(), "--acknowledge", "all",
        *answer_flags(given), input="\n\nno\nquit\n",
    )  # fmt: skip
    screen = " ".join(walked.output.split())
    # Said beside the history when the walk starts, and again at the question's own prompt
    # (warnings go to the error stream, so the two streams are not interleaved here).
    said = " ".join(walked.stderr.split())
    assert said.count("agonist_since_last_injection = 'bup' (from the history") == 2, said
    assert "type `edit agonist_since_last_injection` and answer it" in screen, walked.output
    assert "Injection" not in screen.split("and answer it", 1)[1][:400]
