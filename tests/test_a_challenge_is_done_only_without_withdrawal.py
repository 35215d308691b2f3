"""A naloxone challenge is done only when the patient shows no withdrawal and the urine
holds no opioids (clinical basis, Confirming abstinence; safety invariant 4).

A negative challenge recorded beside a positive screen or a COWS total at or above the
threshold contradicts them: it is refused on every route (exit 2), naming the answer, by
the one rule of visit/contradiction.py. A rechallenge needs a COWS rating below the
threshold recorded before its naloxone, whatever else the day holds.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import (
    NOW,
    TODAY,
    Result,
    answer_flags,
    check,
    json_answers,
    no_traceback,
    ready_patient,
    walk,
)
from tests.helpers import cows_threshold as threshold
from xrntx_guide.pack.guide import Guide

Run = Callable[..., Result]


def batch_line(run: Run, answers: dict[str, Any]) -> Result:
    return run(
        "check", "--batch", "-", "--today", TODAY.isoformat(),
        input=json.dumps(json_answers(answers)) + "\n",
    )  # fmt: skip


@pytest.mark.parametrize(
    "beside",
    [
        {"uds_opiates": "positive"},
        {"uds_fentanyl": "positive"},
        {"uds_buprenorphine": "positive"},
        {"cows_total": "threshold"},
    ],
    ids=["opiates", "fentanyl", "buprenorphine", "withdrawal"],
)
def test_a_negative_challenge_beside_opioids_or_withdrawal_is_refused_on_every_route(
    run: Run, guide: Guide, beside: dict[str, Any]
) -> None:
    changes = {k: (threshold(guide) if v == "threshold" else v) for k, v in beside.items()}
    answers = ready_patient(naloxone_challenge="negative", **changes)
    single = check(run, answers)
    assert single.exit_code == 2, single.output
    assert "naloxone_challenge" in single.stderr and "not done" in single.stderr
    no_traceback(single)
    line = json.loads(batch_line(run, answers).stdout.splitlines()[0])
    assert line["status"] == "error" and line["key"] == "naloxone_challenge", line
    walked = walk(run, answers)
    assert walked.exit_code == 2, walked.output
    assert "naloxone_challenge" in walked.stderr


def test_the_same_results_with_the_challenge_not_done_are_judged_not_refused(
    run: Run, guide: Guide
) -> None:
    answers = ready_patient(naloxone_challenge="not_done", cows_total=threshold(guide))
    result = check(run, answers)
    assert result.exit_code == 1, result.output
    assert "withdrawal" in json.loads(result.stdout)["blocking"]


def test_a_negative_challenge_below_the_threshold_stands(run: Run, guide: Guide) -> None:
    answers = ready_patient(naloxone_challenge="negative", cows_total=threshold(guide) - 1)
    assert check(run, answers).exit_code == 0


def test_a_positive_buprenorphine_screen_on_the_rapid_pathway_does_not_refuse_it(
    run: Run,
) -> None:
    """On the supervised rapid pathway buprenorphine is expected (day 1's dose)."""
    answers = ready_patient(
        naloxone_challenge="negative", uds_buprenorphine="positive", pathway="supervised_rapid"
    )
    result = run("check", "--json", "--today", TODAY.isoformat(), *answer_flags(answers))
    assert result.exit_code != 2, result.output


# -- the rechallenge ---------------------------------------------------------------------


def rechallenge_file(tmp_path: Path, **extra: Any) -> str:
    """A positive challenge yesterday afternoon, a negative rechallenge this morning."""
    yesterday = TODAY - dt.timedelta(days=1)

    def at(day: dt.date, hour: int, minute: int = 0) -> str:
        return dt.datetime.combine(day, dt.time(hour, minute)).isoformat()

    answers = json_answers(ready_patient(naloxone_challenge=None, **extra))
    answers["naloxone_challenges"] = [
        {"at": at(yesterday, 15), "started": at(yesterday, 14, 35), "result": "positive"},
        {
            "at": at(TODAY, 9),
            "started": at(TODAY, 8, 35),
            "kind": "rechallenge",
            "result": "negative",
        },
    ]
    path = tmp_path / "case.json"
    path.write_text(json.dumps(answers))
    return str(path)


def test_a_rechallenge_without_a_rating_before_its_naloxone_is_refused(
    run: Run, tmp_path: Path
) -> None:
    """The day's total given without a time cannot show the patient was free of the
    withdrawal the positive challenge brought on when the naloxone was given."""
    result = run("check", "--json", "--now", NOW, "--answers", rechallenge_file(tmp_path))
    assert result.exit_code == 2, result.output
    assert "no COWS rating" in result.stderr and "rechallenge" in result.stderr, result.stderr


def test_a_rechallenge_after_a_rating_below_the_threshold_lifts_the_positive(
    run: Run, tmp_path: Path
) -> None:
    rated = dt.datetime.combine(TODAY, dt.time(8, 20)).isoformat()
    path = rechallenge_file(tmp_path, cows_total=None)
    answers = json.loads(Path(path).read_text())
    answers["cows_ratings"] = [{"at": rated, "total": 1}]
    Path(path).write_text(json.dumps(answers))
    result = run("check", "--json", "--now", NOW, "--answers", path)
    assert result.exit_code == 0, result.output
