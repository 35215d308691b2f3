"""The supervised rapid pathway's day 1 gives buprenorphine, which is opioid use on day 1
(clinical basis, Supervised rapid pathway; safety invariants 1 and 11): once the
pathway's visit has ended, even without the injection (the patient declined it on the
injection day), a later visit of the label is judged with that use, as the same visit
leaving the pathway would be (at least the minimum after buprenorphine from day 1)."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path
from typing import Any

from tests.helpers import REPO, Run, answer_flags, ready_patient

SCENARIO = REPO / "scenarios" / "20-rapid-pathway-injection-day.toml"
SITE = str(REPO / "scenarios" / "_site-rapid-protocol.toml")
LABEL = "RAPID-1"
AFTER_GIVEN = ("injection_side_used", "needle_used", "observation_minutes", "wallet_card_given")


def as_json(value: Any) -> Any:
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value


def test_day_one_buprenorphine_of_a_pathway_that_ended_without_the_injection_counts(
    run: Run, tmp_path: Path
) -> None:
    """The scenario's patient reaches the pathway's injection day (day 7) and declines the
    injection: the walk finishes without it. Day 1 gave buprenorphine on the day of the
    last heroin use. Five days later a new visit of the label on the standard pathway,
    last use that heroin, a negative challenge: the interval after buprenorphine from
    day 1 has not passed (the same visit leaving the pathway is blocked by it), so the new
    visit is never ready."""
    case = tomllib.loads(SCENARIO.read_text(encoding="utf-8"))
    day7: dt.date = case["scenario"]["today"]
    answers = {k: v for k, v in as_json(case["answers"]).items() if k not in AFTER_GIVEN}
    answers["injection_given"] = False
    # After day 7's COWS 1 of 08:30 in the day record: a challenge counts only after a
    # rating of the day without withdrawal (reference 5.2).
    answers["naloxone_challenge_started"] = f"{day7.isoformat()}T09:00"
    path = tmp_path / "declined.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    declined = run(
        "walk", "--no-input", "--json", "--site", SITE, "--label", LABEL,
        "--now", f"{day7.isoformat()}T23:30", "--acknowledge", "all", "--answers", str(path),
    )  # fmt: skip
    assert json.loads(declined.stdout)["status"] == "complete", declined.output

    later = day7 + dt.timedelta(days=5)
    heroin = dt.date.fromisoformat(answers["last_opioid_use"])
    assert heroin == dt.date.fromisoformat(answers["rapid_days"][0]["date"])
    visit = ready_patient(
        last_opioid_use=heroin,
        injection_date=later,
        naloxone_challenge="negative",
        naloxone_challenge_started=f"{later.isoformat()}T08:00",
    )
    left = run(
        "check", "--json", "--site", SITE, "--now", f"{later.isoformat()}T23:30",
        "--answers", str(path), "--answer", "pathway=standard",
        *answer_flags({k: visit[k] for k in ("injection_date", "naloxone_challenge_started")}),
        "--answer", "uds_buprenorphine=negative",
    )  # fmt: skip
    assert json.loads(left.stdout)["status"] == "blocked", left.output  # the same visit

    checked = run(
        "check", "--json", "--site", SITE, "--label", LABEL,
        "--now", f"{later.isoformat()}T23:30", *answer_flags(visit),
    )  # fmt: skip
    assert json.loads(checked.stdout or "{}").get("status") != "ready", checked.stdout
