"""A switch recorded by a clinic's copy of the pack under its own name for the agonist
('bup') is kept as an unread value; "no opioid use since the last injection" waits for
the agonist question only while that question applies (visit/contradiction.py
``_beside_an_unread_value``). Within the blockade after the last injection (28 days or
fewer) the question is never asked, and the same record kept under the shipped name
refuses nothing: the visit is judged alike on every route, and the clinician is never
told to answer a question the walk does not ask."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import (
    DOSE_GIVEN,
    TODAY,
    Run,
    answer_flags,
    json_answers,
    no_traceback,
    walk_visit,
)
from tests.test_a_switch_recorded_with_a_copy_naming_the_agonist_otherwise_binds import (
    LABEL,
    repeat_visit,
    switched_with_the_copy,
)


def switched_within_the_blockade(run: Run, tmp_path: Path, value: str) -> None:
    """An injection 25 days ago, and a visit 20 days ago that ended the treatment with a
    switch, recorded with a clinic's copy naming the agonist ``value``."""
    switched_with_the_copy(run, tmp_path, value, dosed=25, ended_on=20)


def checked(run: Run, answers: dict[str, Any]) -> Any:
    return run(
        "check", "--json", "--label", LABEL, "--today", TODAY.isoformat(), *answer_flags(answers)
    )


def status(result: Any) -> str:
    no_traceback(result)
    return str(json.loads(result.stdout or "{}").get("status", "refused"))


def test_the_control_the_shipped_name_within_the_blockade_is_judged(
    run: Run, tmp_path: Path
) -> None:
    switched_within_the_blockade(run, tmp_path, "buprenorphine")
    assert status(checked(run, repeat_visit())) == "ready"


def test_the_control_the_unread_value_with_the_visit_date_given_is_judged(
    run: Run, tmp_path: Path
) -> None:
    switched_within_the_blockade(run, tmp_path, "bup")
    assert status(checked(run, repeat_visit(injection_date=TODAY))) == "ready"


def test_check_label_within_the_blockade_does_not_wait_for_the_agonist(
    run: Run, tmp_path: Path
) -> None:
    switched_within_the_blockade(run, tmp_path, "bup")
    result = checked(run, repeat_visit())
    assert result.exit_code != 2, result.stderr
    assert status(result) == "ready"


def test_a_batch_line_within_the_blockade_does_not_wait_for_the_agonist(
    run: Run, tmp_path: Path
) -> None:
    switched_within_the_blockade(run, tmp_path, "bup")
    line = json.dumps(json_answers({**repeat_visit(), "label": LABEL}))
    result = run("check", "--batch", "-", "--today", TODAY.isoformat(), input=line + "\n")
    no_traceback(result)
    assert json.loads(result.stdout.splitlines()[0])["status"] == "ready", result.stdout


def test_an_unattended_walk_within_the_blockade_gives_the_dose(run: Run, tmp_path: Path) -> None:
    switched_within_the_blockade(run, tmp_path, "bup")
    walked = walk_visit(run, LABEL, TODAY, repeat_visit(**DOSE_GIVEN))
    assert walked.exit_code == 0, walked.output


def test_the_control_an_unattended_walk_with_the_shipped_name_gives_the_dose(
    run: Run, tmp_path: Path
) -> None:
    switched_within_the_blockade(run, tmp_path, "buprenorphine")
    walked = walk_visit(run, LABEL, TODAY, repeat_visit(**DOSE_GIVEN))
    assert walked.exit_code == 0, walked.output


def test_the_walk_given_no_use_by_flag_is_not_told_to_answer_a_question_it_never_asks(
    run: Run, tmp_path: Path, at_a_terminal: None
) -> None:
    switched_within_the_blockade(run, tmp_path, "bup")
    walked = run(
        "walk", "--label", LABEL, "--today", TODAY.isoformat(), "--acknowledge", "all",
        *answer_flags(repeat_visit()), input="\n\nquit\n",
    )  # fmt: skip
    assert walked.exit_code != 2, walked.stderr
    assert "answer agonist_since_last_injection" not in " ".join(walked.stderr.split())
