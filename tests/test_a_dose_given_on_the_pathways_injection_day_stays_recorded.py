"""A dose given on the supervised rapid pathway's injection day stays recorded whatever is
typed after it (clinical basis, safety invariant 12: only the answer changed to "not
given" takes a dose back; reference section 6: the pathway ends with the injection).

The pathway's visit gave its injection on the injection day and was left before its
observation was answered. Resumed the next morning, the walk said a day of the protocol
was due and offered to record it; the day recorded after the injection read as a
pathway not complete up to its injection date, the injection step was hidden, and its
answers were cleared as "no longer applies": the dose was gone from the record, and a
later dose was judged without it. A pathway day after the visit's dose is now refused
(by a file or at the prompt, before the rest of the day is typed), nothing says one is
due, and a result corrected after the dose never clears the dose's answers."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REPO, Run, no_traceback, only_session, stored_record
from tests.test_a_finished_rapid_pathway_record_bounds_the_next_visit import as_json

SCENARIO = REPO / "scenarios" / "20-rapid-pathway-injection-day.toml"
SITE = str(REPO / "scenarios" / "_site-rapid-protocol.toml")
LABEL = "RAPID-DOSED"
NOT_YET = ("observation_minutes", "wallet_card_given")


def dosed_on_the_injection_day(run: Run, tmp_path: Path) -> tuple[dt.date, dict[str, Any]]:
    """The scenario's patient given the injection on the pathway's injection day, the
    walk left before the observation: the day, and the answers."""
    case = tomllib.loads(SCENARIO.read_text(encoding="utf-8"))
    day: dt.date = case["scenario"]["today"]
    answers = {k: v for k, v in as_json(case["answers"]).items() if k not in NOT_YET}
    # After the day's COWS 1 of 08:30 in the day record (reference 5.2).
    answers["naloxone_challenge_started"] = f"{day.isoformat()}T09:00"
    path = tmp_path / "dosed.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    walked = run(
        "walk", "--no-input", "--json", "--site", SITE, "--label", LABEL,
        "--now", f"{day.isoformat()}T11:00", "--acknowledge", "all", "--answers", str(path),
    )  # fmt: skip
    assert walked.exit_code == 4, walked.output  # at the observation
    assert stored_record(only_session()).injection_given is True
    return day, answers


def typed_at_a_terminal(run: Run, at: str, typed: str) -> Any:
    """The visit resumed at a terminal at ``at`` (``--now``), ``typed`` at its prompts."""
    resumed = run(
        "walk", "--resume", "--session", only_session(), "--plain", "--now", at, input=typed
    )  # fmt: skip
    no_traceback(resumed)
    return resumed


def the_dose_stands(run: Run, day: dt.date) -> None:
    record = stored_record(only_session())
    assert record.injection_given is True
    assert record.answers["injection_given"].value is True
    history = json.loads(run("history", LABEL, "--json", "--today", day.isoformat()).stdout)
    (visit,) = history["visits"]
    assert visit["injection_given"] is True and visit["date"] == day.isoformat(), visit


def test_a_day_after_the_dose_given_by_file_is_refused_and_the_dose_stays(
    run: Run, tmp_path: Path
) -> None:
    day, answers = dosed_on_the_injection_day(run, tmp_path)
    after = day + dt.timedelta(days=1)
    last = answers["rapid_days"][-1]
    next_day = {
        **{k: v for k, v in last.items() if k not in ("injection_day", "cows")},
        "day": last["day"] + 1, "date": after.isoformat(), "given": "nothing",
        "cows": [{"time": "08:00", "total": 1}],
    }  # fmt: skip
    path = tmp_path / "next.json"
    path.write_text(json.dumps({"rapid_days": [next_day]}), encoding="utf-8")
    resumed = run(
        "walk", "--resume", "--session", only_session(), "--no-input", "--json",
        "--now", f"{after.isoformat()}T08:30", "--answers", str(path),
    )  # fmt: skip
    no_traceback(resumed)
    assert resumed.exit_code == 2, resumed.output
    assert f"gave its injection on {day.isoformat()}" in resumed.output, resumed.output
    the_dose_stands(run, day)


@pytest.mark.usefixtures("at_a_terminal")
def test_the_next_morning_nothing_is_due_and_a_day_typed_is_refused_before_the_rest(
    run: Run, tmp_path: Path
) -> None:
    day, _ = dosed_on_the_injection_day(run, tmp_path)
    after = day + dt.timedelta(days=1)
    resumed = typed_at_a_terminal(
        run, f"{after.isoformat()}T08:30", "day\n\ncorrect\ntoday\nquit\n"
    )
    said = " ".join(resumed.output.split())
    assert "of the protocol. Due" not in said, said
    assert f"gave its injection on {day.isoformat()}" in said, said
    assert "What was given on day" not in said, said  # refused at its date
    assert "The day was not recorded" in said, said
    the_dose_stands(run, day)


@pytest.mark.usefixtures("at_a_terminal")
def test_an_answer_corrected_after_the_dose_never_clears_it(run: Run, tmp_path: Path) -> None:
    """The kit's storage corrected to "no" after the dose: the gate fails (the gates
    would not have allowed it), and the dose stays recorded, said so, never "cannot be
    given"."""
    day, _ = dosed_on_the_injection_day(run, tmp_path)
    resumed = typed_at_a_terminal(
        run, f"{day.isoformat()}T11:30", "edit kit_storage_ok\nno\nquit\n"
    )
    said = " ".join(resumed.output.split())
    assert "no longer applies: injection_given" not in said, said
    assert f"injection was given on {day.isoformat()} and stays recorded" in said, said
    assert "The injection cannot be given" not in said, said
    the_dose_stands(run, day)
