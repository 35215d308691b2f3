"""On the rapid pathway's injection day the pathway's gate reads the day's latest COWS
rating. A 9 typed by mistake at the challenge (`rate again`) makes that gate stop the
walk, before the COWS step: `edit cows_total` there corrects the typed rating (with its
reason, both kept in the record), and the gate reads the correction. A rating of the day
record itself is still corrected in the day dialog ('day')."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import Run, json_file
from tests.test_the_pathway_gate_reads_the_visit_days_latest_rating import walked_at_a_terminal
from xrntx_guide.errors import ExitCode


@pytest.mark.usefixtures("at_a_terminal")
def test_edit_at_the_pathway_gate_corrects_the_typed_rating(run: Run, tmp_path: Path) -> None:
    typed = ["rate again", "9", "edit cows_total", "1", "typed 9 for 1", "quit", "quit"]
    walked = walked_at_a_terminal(run, tmp_path, "RAPID-TYPO", typed)
    said = " ".join(walked.output.split())
    after = said.split("edit cows_total", 1)[1]
    assert "COWS on the injection day 9" in said.split("edit cows_total", 1)[0], walked.output
    assert "is asked at the step" not in after, walked.output
    assert "gate rapid_pathway: fails (contraindication) -> passes" in after, walked.output
    assert "Naloxone challenge result" in after, walked.output
    series = json.loads(run("sessions", "export", "RAPID-TYPO").stdout)["cows_ratings"]
    nine, one = [r for r in series if r["context"] != "pathway_day"]
    assert (nine["total"], one["total"], one["reason"]) == (9, 1, "typed 9 for 1"), series
    assert one["corrects"] == nine["at"], series


@pytest.mark.usefixtures("at_a_terminal")
def test_edit_of_a_day_records_rating_still_points_to_the_day(run: Run, tmp_path: Path) -> None:
    """Blocked by the day record's own 9 at 08:30 (nothing typed): `edit cows_total` is
    refused, pointing to 'day', as before."""
    walked = walked_at_a_terminal(run, tmp_path, "RAPID-REC", ["edit cows_total", "quit", "quit"],
                                  record=9, naloxone_challenge="not_done")  # fmt: skip
    said = " ".join(walked.output.split()).split("edit cows_total", 1)[1]
    assert "'day'" in said.split("Command [", 1)[0], walked.output


def test_a_flag_correcting_a_day_records_rating_is_refused(run: Run, tmp_path: Path) -> None:
    """`--correct cows_total@08:30` of the day record's 6 corrected the series alone: the
    walk completed while the record still said 6. Refused, pointing to the day record."""
    from tests.test_a_pathway_day_rating_is_a_rating_of_the_visit_day import NOW, SITE
    from tests.test_the_pathway_gate_reads_the_visit_days_latest_rating import day_seven

    answers = day_seven(6, 6) | {"injection_date": "2026-11-28", "naloxone_challenge": "not_done"}
    for key in ("cows_ratings", "naloxone_challenges", "injection_given"):
        answers.pop(key, None)
    opening = json_file(tmp_path, "a.json", answers)
    run("walk", "--no-input", "--site", SITE, "--now", NOW, "--label", "R6",
        "--acknowledge", "all", "--answers", opening)  # fmt: skip
    fixed = run("walk", "--resume", "--no-input", "--json", "--label", "R6",
                "--now", "2026-11-28T11:10", "-a", "cows_total=1",
                "--correct", "cows_total@2026-11-28T08:30=typo")  # fmt: skip
    assert fixed.exit_code == ExitCode.USAGE, fixed.output
    assert "pathway's day record" in fixed.stderr, fixed.output
