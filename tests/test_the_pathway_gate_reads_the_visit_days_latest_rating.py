"""The rapid pathway's gate reads "the COWS rating on the injection day" (reference,
section 6) as the latest rating of the visit day: the one series of the day, whatever
route recorded each rating (the day record's ``cows``, the series ``cows_ratings``, a
walk's), the same rating the withdrawal gate reads. A later rating of the day given
outside the day record is never passed over, in either direction: a 1 after the
record's 9 clears both gates; a 9 after the record's 1 blocks both, and the pathway's
gate names it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import TODAY, Result, Run, json_answers, json_file, ready_patient
from tests.test_a_pathway_day_rating_is_a_rating_of_the_visit_day import (
    AFTER_GIVEN,
    NOW,
    SITE,
    injection_day,
)


def day_seven(record: int, series: int) -> dict[str, Any]:
    """Day 7 (the injection day) with COWS ``record`` at 08:30 in its day record and
    ``series`` at 10:00 in ``cows_ratings``; the challenge negative after both (naloxone
    10:10, read 10:35)."""
    answers = injection_day([{"time": "08:30", "total": record}], "10:10", "10:35", None)
    answers["cows_ratings"] = [{"at": "2026-11-28T10:00", "total": series, "context": "repeat"}]
    return answers


def walked_at_a_terminal(
    run: Run,
    tmp_path: Path,
    label: str,
    typed: list[str],
    record: int = 1,
    without: tuple[str, ...] = (),
    **changes: Any,
) -> Result:
    """A walk at the terminal (``typed``, one line each) on day 7, the injection day,
    its day record's COWS ``record`` at 08:30 and nothing taken yet since (no series, no
    challenge, no dose); ``without``: more keys left out, ``changes``: answers changed."""
    answers = day_seven(record, 1) | {"injection_date": "2026-11-28"} | changes
    for key in ("cows_ratings", "naloxone_challenges", *AFTER_GIVEN, *without):
        answers.pop(key, None)
    return run("walk", "--plain", "--site", SITE, "--now", NOW, "--label", label,
               "--acknowledge", "all", "--answers", json_file(tmp_path, "a.json", answers),
               input="\n".join(typed) + "\n")  # fmt: skip


def refusal(output: str) -> str:
    """The walk's refusal of `rate again`, on one line (up to the next prompt)."""
    said = " ".join(output.split("error: 'cows_total'", 1)[1].split())
    return said.split("[", 1)[0]


def gate(out: dict[str, Any], gate_id: str) -> dict[str, Any]:
    return next(g for g in out["gates"] if g["id"] == gate_id)


def test_a_later_rating_below_the_threshold_clears_the_pathway_gate_as_it_does_withdrawal(
    run: Run, tmp_path: Path
) -> None:
    """The record's 9 at 08:30, then the series' 1 at 10:00: the latest rating of the
    day is 1. The withdrawal gate reads 1; the pathway's gate reads the same 1 and says
    so, instead of blocking on the 9 the later rating replaced."""
    result = run("check", "--json", "--site", SITE, "--now", NOW,
                 "--answers", json_file(tmp_path, "a.json", day_seven(9, 1)))  # fmt: skip
    out = json.loads(result.stdout)
    assert out["used"]["cows_rating"]["total"] == 1, result.output
    assert gate(out, "rapid_pathway")["outcome"] == "pass", result.output
    assert "COWS that day 1" in gate(out, "rapid_pathway")["reason"], result.output
    assert out["status"] == "ready", result.output


def test_a_later_rating_of_withdrawal_blocks_the_pathway_gate_naming_it(
    run: Run, tmp_path: Path
) -> None:
    """The record's 1 at 08:30, then the series' 9 at 10:00 (no challenge is done in
    withdrawal): not ready, and the pathway's gate names the 9 (it passed on the
    record's 1 while the withdrawal gate blocked)."""
    answers = day_seven(1, 9)
    answers.pop("naloxone_challenges")
    answers["naloxone_challenge"] = "not_done"
    result = run("check", "--json", "--site", SITE, "--now", NOW,
                 "--answers", json_file(tmp_path, "a.json", answers))  # fmt: skip
    out = json.loads(result.stdout)
    assert out["status"] != "ready", result.output
    rapid = gate(out, "rapid_pathway")
    assert rapid["outcome"] == "fail", result.output
    assert "COWS on the injection day 9" in rapid["reason"], result.output


def test_a_walk_reads_the_visit_days_latest_rating_for_the_pathway_gate(
    run: Run, tmp_path: Path
) -> None:
    """The same day walked (a session: the ratings kept in the record, read back on
    every evaluation): the record's 9 then the series' 1 reaches the injection, which
    counts (not blocked on the record's 9)."""
    answers = day_seven(9, 1) | {"injection_date": "2026-11-28"}
    walked = run("walk", "--no-input", "--acknowledge", "all", "--site", SITE, "--json",
                 "--now", NOW, "--label", "RAPID-LATER",
                 "--answers", json_file(tmp_path, "w.json", answers))  # fmt: skip
    out = json.loads(walked.stdout)
    assert out["status"] == "complete", walked.output
    assert out["blocking"] == [], walked.output
    assert out["next_dose_due"] is not None, walked.output


@pytest.mark.usefixtures("at_a_terminal")
def test_rate_again_at_the_pathway_gate_points_to_the_day_record_and_the_day_clears_it(
    run: Run, tmp_path: Path
) -> None:
    """Blocked on the injection day by the record's 9 at 08:30, whose advice is to rate
    COWS again later: `rate again` (the COWS step lies past the blocking gate) says
    where the day's rating goes ('day') and clears nothing; the day dialog's 1 at 10:00
    then clears the pathway's gate and the withdrawal gate, and the walk goes on."""
    typed = [
        "rate again",
        "day", "", "", "1", "10:00", "", "",  # day 7, add to it: COWS 1 at 10:00, no note
        "quit", "quit",
    ]  # fmt: skip
    walked = walked_at_a_terminal(
        run, tmp_path, "RAPID-RATE", typed, record=9, naloxone_challenge="not_done"
    )
    refused = walked.output.split("rate again", 1)[1]
    assert "'day'" in refused.split("Command [", 1)[0], walked.output
    assert "A new COWS rating" not in walked.output, walked.output
    assert "gate rapid_pathway: fails (contraindication) -> passes" in walked.output
    assert "COWS that day 1" in walked.output, walked.output


@pytest.mark.usefixtures("at_a_terminal")
def test_rate_again_past_another_gate_names_that_gate_and_no_day_record(
    run: Run, tmp_path: Path
) -> None:
    """On the pathway but stopped by the urine screen (fentanyl positive): `rate again`
    names the screen's gate and does not send the clinician to the day record, which
    cannot settle it; nothing is cleared."""
    typed = ["rate again", "quit", "quit"]
    walked = walked_at_a_terminal(run, tmp_path, "RAPID-UDS", typed, uds_fentanyl="positive")
    refused = refusal(walked.output)
    assert "'urine_drug_screen'" in refused, walked.output
    assert "'day'" not in refused, walked.output
    assert "A new COWS rating" not in walked.output, walked.output


@pytest.mark.usefixtures("at_a_terminal")
def test_rate_again_before_the_interval_is_decided_says_what_it_needs(run: Run) -> None:
    """At the first questions of a standard visit the gates before COWS are not decided
    yet: `rate again` says what they need, not that a gate stops the walk."""
    walked = run("walk", "--plain", "--today", "2026-11-24", "--label", "EARLY",
                 "-a", "visit=first_injection", "-a", "oud_diagnosis=yes",
                 input="rate again\nquit\nquit\n")  # fmt: skip
    refused = refusal(walked.output)
    assert "not decided yet: it needs" in refused, walked.output
    assert "stops the walk now" not in refused, walked.output


@pytest.mark.usefixtures("at_a_terminal")
def test_a_rating_taken_at_the_challenge_is_read_by_the_pathway_gate_at_once(
    run: Run, tmp_path: Path
) -> None:
    """Day 7 with the record's 1 at 08:30, at the challenge: `rate again` and a 9. The
    walk reads the series again before it acts, so the screen shows the pathway's gate
    failing on the 9 (the first gate that stops the walk), not a state from before the
    rating joined the series."""
    walked = walked_at_a_terminal(run, tmp_path, "RAPID-AT", ["rate again", "9", "quit", "quit"])
    after = " ".join(walked.output.split("before_challenge", 1)[1].split())
    assert "[rapid_pathway]" in after, walked.output
    assert "COWS on the injection day 9" in after, walked.output


@pytest.mark.usefixtures("at_a_terminal")
def test_rate_again_on_the_standard_pathway_never_points_to_the_day_record(
    run: Run, tmp_path: Path
) -> None:
    """Stopped by the opioid-free interval on the standard pathway (a gate that reads the
    pathway's day 1 when there is one): no day record to type into, so none is named."""
    answers = json_answers(
        ready_patient(
            cows_total=None, pathway="standard", last_opioid_use=TODAY, injection_date=TODAY
        )
    )
    for key in AFTER_GIVEN:
        answers.pop(key, None)
    walked = run("walk", "--plain", "--today", TODAY.isoformat(), "--label",
                 "STANDARD", "--answers", json_file(tmp_path, "a.json", answers),
                 input="rate again\nquit\nquit\n")  # fmt: skip
    refused = refusal(walked.output)
    assert "'opioid_free_interval'" in refused, walked.output
    assert "'day'" not in refused, walked.output


@pytest.mark.usefixtures("at_a_terminal")
def test_rate_again_before_any_day_is_recorded_asks_for_the_day_record(
    run: Run, tmp_path: Path
) -> None:
    """On the pathway with no day recorded yet, its gate is not decided: what it needs is
    the day record (typed with 'day'), never the record's own keys as questions."""
    typed = ["rate again", "quit", "quit", "quit"]
    walked = walked_at_a_terminal(run, tmp_path, "RAPID-NONE", typed, without=("rapid_days",))
    refused = refusal(walked.output)
    assert "the pathway's day record" in refused, walked.output
    assert "'day'" in refused, walked.output
    assert "rapid_day_cows" not in refused, walked.output
