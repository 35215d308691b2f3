"""Every line a batch writes can be traced to its input: results and errors alike carry
the input's line number (blank lines counted), and a result says which rating and which
challenge result the gates read (``used``), exactly as the single check does."""

from __future__ import annotations

import json
from typing import Any

from tests.helpers import NOW, TODAY, Run, json_answers, ready_patient

DAY = TODAY.isoformat()


def _batch(run: Run, text: str) -> list[dict[str, Any]]:
    result = run("check", "--now", NOW, "--batch", "-", input=text)
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_results_and_errors_carry_their_input_line_numbers(run: Run) -> None:
    good = json.dumps(json_answers(ready_patient()))
    text = "\n".join(["", good, "   ", "{bad", good, "", "[1]", good]) + "\n"
    out = _batch(run, text)
    assert [o["line"] for o in out] == [2, 4, 5, 7, 8]
    assert [o["status"] == "error" for o in out] == [False, True, False, True, False]


def test_a_batch_line_says_which_rating_it_read_as_the_single_check_does(run: Run) -> None:
    ratings = [{"at": f"{DAY}T08:00", "total": 3}, {"at": f"{DAY}T09:00", "total": 1}]
    answers = json_answers(ready_patient(cows_total=None)) | {"cows_ratings": ratings}
    single = run("check", "--json", "--now", NOW, "--answers", "-", input=json.dumps(answers))
    (line,) = _batch(run, json.dumps(answers) + "\n")
    assert "used" in json.loads(single.stdout), single.output
    assert line["used"] == json.loads(single.stdout)["used"]
