"""'back' goes to the answers that apply now. A visit walked the day after the last use
chose the standard pathway (the interval was not met); resumed a week later, the
interval is met and the pathway question no longer applies (its answer is kept in the
record, not used). Before, 'back' went to it by the order answers were given, asked it
with "The minimum interval is not met. Which pathway?", which was no longer true, and
cleared whatever was typed there at once ("cleared, no longer applies: pathway")."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.helpers import Run, answer_flags, days_ago, json_answers, ready_patient

LABEL = "BACK-1"
FIRST = days_ago(7)


@pytest.mark.usefixtures("at_a_terminal")
def test_back_passes_over_an_answer_that_no_longer_applies(run: Run) -> None:
    given = {
        k: v
        for k, v in ready_patient(
            last_opioid_use=FIRST - dt.timedelta(days=1), pathway="standard"
        ).items()
        if not k.startswith(("uds_", "cows", "naloxone", "pregnancy", "injection_date"))
    }
    first = run("walk", "--no-input", "--json", "--label", LABEL,
                "--now", f"{FIRST.isoformat()}T09:00", *answer_flags(given))  # fmt: skip
    assert first.exit_code in (1, 4), first.output
    session = json.loads(first.stdout)["session"]
    resumed = run("walk", "--resume", "--session", session, "--plain",
                  "--now", f"{days_ago(0).isoformat()}T09:00",
                  input="negative\n" + "back\n" * 8 + "quit\n")  # fmt: skip
    said = " ".join(resumed.output.split())
    assert "no longer apply and are not used" in said and "pathway" in said, said
    assert "Which pathway?" not in said, said
    assert "cleared, no longer applies: pathway" not in said, said


@pytest.mark.usefixtures("at_a_terminal")
def test_back_from_a_caution_waiting_for_its_ok_goes_on_back_through_the_answers(
    run: Run, tmp_path: Path
) -> None:
    """A caution (fentanyl) waits for its 'ok' after the visit's date. 'back' there went
    to the date, then to the answer before it; one past the caution cannot be asked (the
    caution closes its step), so the next 'back' started again from the latest answer:
    caution, date, pregnancy test, caution... and never reached the earlier answers."""
    given = {
        k: v
        for k, v in ready_patient(
            last_opioid_kind="fentanyl", last_opioid_use=days_ago(8), pathway="standard"
        ).items()
        if not k.startswith(("uds_", "cows", "naloxone", "injection_date"))
    }
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(json_answers(given)), encoding="utf-8")
    walked = run("walk", "--label", "BACK-2", "--plain", "--now", f"{days_ago(0)}T09:00",
                 "--answers", str(path), input="\n" + "back\n" * 6 + "quit\n")  # fmt: skip
    shown = " ".join(walked.stdout.split())
    assert shown.count("Acknowledge this caution?") == 1, shown
    assert "Informed consent recorded?" in shown, shown
