"""A one-answer result of a visit day (a urine screen, a pregnancy test) that another care
visit of the patient recorded for that same day is the day's result (clinical basis,
safety invariants 3 and 4): a second visit of the day, or a check of the label, giving it
otherwise is refused naming that visit, never judged ready beside a positive screen the
patient gave that morning. Another day's result says nothing of this one."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import (
    MONTHLY_VISIT,
    REPEAT_WITHOUT_USE,
    TODAY,
    Run,
    answer_flags,
    flat,
    json_answers,
    no_traceback,
    ready_patient,
    stored_record,
)
from tests.test_invariants_given_answers_and_record import DOSE

LABEL = "SAMEDAY"


def at(day: dt.date, hh_mm: str) -> str:
    return f"{day.isoformat()}T{hh_mm}"


def walk(run: Run, now: str, **changes: Any) -> Any:
    return run("walk", "--no-input", "--json", "--label", LABEL, "--now", now,
               "--acknowledge", "all", *answer_flags({**ready_patient(), **changes}))  # fmt: skip


def moved_after_a_positive(run: Run) -> str:
    """The morning's visit with a positive screen, moved to the day before at 09:30 (its
    results asked again there): its session."""
    first = walk(run, at(TODAY, "09:00"), uds_fentanyl="positive")
    session = str(json.loads(first.stdout)["session"])
    before = (TODAY - dt.timedelta(days=1)).isoformat()
    moved = run("walk", "--resume", "--session", session, "--no-input", "--now",
                at(TODAY, "09:30"), "--answer", f"injection_date={before}")  # fmt: skip
    assert "asked again" in moved.output, moved.output
    return session


@pytest.mark.parametrize(
    ("key", "morning"), [("uds_fentanyl", "positive"), ("pregnancy_test", "positive")]
)
def test_a_second_visit_or_a_check_of_the_day_never_reads_past_the_mornings_result(
    run: Run, key: str, morning: str
) -> None:
    first = walk(run, at(TODAY, "09:00"), **{key: morning})
    assert first.exit_code == 1, first.output  # the morning's result stops the walk
    session = json.loads(first.stdout)["session"]
    calm = ready_patient()[key]
    assert calm != morning
    for result in (
        run("check", "--json", "--label", LABEL, "--now", at(TODAY, "11:00"),
            *answer_flags(ready_patient())),
        walk(run, at(TODAY, "11:00"), **DOSE),
    ):  # fmt: skip
        no_traceback(result)
        assert result.exit_code == 2, result.output
        said = flat(result.output)
        assert key in said and session in said and morning in said, result.output
    line = run(
        "check", "--batch", "-", "--now", at(TODAY, "11:00"),
        input=json.dumps({**json_answers(ready_patient()), "label": LABEL}) + "\n",
    )  # fmt: skip
    out = json.loads(line.stdout.splitlines()[0])
    assert out["status"] == "error" and session in out["message"], out
    history = json.loads(run("history", LABEL, "--json").stdout)
    assert history["injections"] == [], history  # no dose counted beside it


def test_the_same_result_again_and_another_days_result_are_taken(run: Run) -> None:
    """The controls: the morning's result given again is taken (the walk stops on it),
    and the next day's visit gives its own screen."""
    first = walk(run, at(TODAY, "09:00"), uds_fentanyl="positive")
    assert first.exit_code == 1, first.output
    again = walk(run, at(TODAY, "11:00"), uds_fentanyl="positive")
    assert again.exit_code == 1, again.output
    tomorrow = TODAY + dt.timedelta(days=1)
    checked = run("check", "--json", "--label", LABEL, "--now", at(tomorrow, "09:00"),
                  *answer_flags(ready_patient()))  # fmt: skip
    assert checked.exit_code == 0, checked.output


def test_a_visit_left_before_its_date_was_answered_holds_its_walks_day(run: Run) -> None:
    """A visit left at its first question, with only the screen typed (by flag), keeps no
    date answer: its result describes the day its walk began, and a check of the label
    that day reads it (the long safety run found a ready beside it)."""
    left = run("walk", "--no-input", "--json", "--label", LABEL, "--now", at(TODAY, "09:00"),
               "--answer", "uds_fentanyl=positive")  # fmt: skip
    session = json.loads(left.stdout)["session"]
    checked = run("check", "--json", "--label", LABEL, "--now", at(TODAY, "11:00"),
                  *answer_flags(ready_patient()))  # fmt: skip
    no_traceback(checked)
    assert checked.exit_code == 2 and session in flat(checked.output), checked.output


def test_a_positive_screen_binds_a_visit_of_the_day_where_the_screen_does_not_apply(
    run: Run,
) -> None:
    """The morning's visit, a new induction, recorded a positive screen; the afternoon's
    check answers a repeat visit without opioid use since a dose given elsewhere, where
    no screen is asked. Counted, the morning's screen would fail the urine screen's gate:
    refused, as the same answers with that screen given in one check are, never ready."""
    given = TODAY - dt.timedelta(days=23)  # the dose given elsewhere
    first = walk(
        run,
        at(TODAY, "09:00"),
        uds_opiates="positive",
        last_opioid_use=given - dt.timedelta(days=9),
    )
    session = json.loads(first.stdout)["session"]
    repeat = ready_patient(
        **{**REPEAT_WITHOUT_USE, **MONTHLY_VISIT},
        last_injection_date=given,
        last_injection_side="right",
    )
    checked = run("check", "--json", "--label", LABEL, "--now", at(TODAY, "11:00"),
                  *answer_flags(repeat))  # fmt: skip
    no_traceback(checked)
    assert checked.exit_code == 2, checked.output
    assert "uds_opiates" in checked.output and session in flat(checked.output), checked.output


@pytest.mark.parametrize(
    ("key", "morning", "afternoon"),
    [
        ("uds_opiates", "not_done", "negative"),  # the test done since
        ("pregnancy_test", "not_applicable", "negative"),
    ],
)
def test_a_result_no_stricter_than_the_one_given_binds_nothing(
    run: Run, key: str, morning: str, afternoon: str
) -> None:
    """A screen not done in the morning, or a pregnancy test marked not applicable, is no
    result that a later test of the day must repeat: the afternoon's check is judged on
    its own answers (ready, here)."""
    walk(run, at(TODAY, "09:00"), **{key: morning}, consent=False)
    checked = run("check", "--json", "--label", LABEL, "--now", at(TODAY, "11:00"),
                  *answer_flags(ready_patient(**{key: afternoon})))  # fmt: skip
    assert checked.exit_code == 0, checked.output


def test_the_days_result_stays_the_days_when_its_visit_moves_to_another(run: Run) -> None:
    """The morning's visit recorded a positive screen, then was moved to the day before
    (its results are asked again there): the screen still describes this day, and a new
    visit of the day giving a negative one is refused, its dose never counted."""
    session = moved_after_a_positive(run)
    second = walk(run, at(TODAY, "11:00"), **DOSE)
    assert second.exit_code == 2 and session in flat(second.output), second.output
    history = json.loads(run("history", LABEL, "--json").stdout)
    assert history["injections"] == [], history


def test_moves_away_back_and_away_again_keep_every_result_of_the_day(run: Run) -> None:
    """The morning's positive, then the visit moved away, back (where it took a negative)
    and away again: the day keeps both results, and the positive still binds a new visit
    of the day (the second move replaced it with the negative)."""
    first = walk(run, at(TODAY, "09:00"), uds_fentanyl="positive")
    session = json.loads(first.stdout)["session"]
    before = (TODAY - dt.timedelta(days=1)).isoformat()

    def resume(hh_mm: str, *flags: str) -> None:
        done = run("walk", "--resume", "--session", session, "--no-input", "--json",
                   "--acknowledge", "all", "--now", at(TODAY, hh_mm), *flags)  # fmt: skip
        no_traceback(done)

    resume("09:30", "--answer", f"injection_date={before}")
    resume("09:40", "--answer", f"injection_date={TODAY.isoformat()}")
    resume("09:50", "--answer", "uds_fentanyl=negative")
    resume("10:00", "--answer", f"injection_date={before}")
    second = walk(run, at(TODAY, "11:00"), **DOSE)
    assert second.exit_code == 2 and session in flat(second.output), second.output


def test_a_copy_that_drops_a_kept_result_of_the_day_is_refused(run: Run, tmp_path: Path) -> None:
    """The results a move kept for their day are held to the audit trail that logged
    them: a copy edited to drop the morning's positive is refused on import, as a copy
    with an answer changed by hand is; the copy as exported is taken."""
    session = moved_after_a_positive(run)
    copy = tmp_path / "copy.json"
    assert run("sessions", "export", session, "-o", str(copy)).exit_code == 0
    data = json.loads(copy.read_text())
    assert "positive" in data["day_results"][TODAY.isoformat()]["uds_fentanyl"], data
    data["day_results"] = {}
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data))
    run("sessions", "--delete", session, "--yes")
    refused = run("sessions", "import", str(edited))
    assert refused.exit_code != 0 and "audit trail" in flat(refused.output), refused.output
    assert run("sessions", "import", str(copy)).exit_code == 0


def test_a_visit_left_before_its_date_moves_from_the_day_its_walk_began(run: Run) -> None:
    """Left at its first question with a screen typed, the visit keeps no date answer:
    its results describe the day its walk began. Resumed with another date (or on a later
    day), it moves from that day as a dated visit does: the results are asked again, and
    the morning's positive stays that day's (it followed whatever date came later)."""
    left = run("walk", "--no-input", "--json", "--label", LABEL, "--now", at(TODAY, "09:00"),
               "--answer", "uds_fentanyl=positive")  # fmt: skip
    session = json.loads(left.stdout)["session"]
    before = (TODAY - dt.timedelta(days=1)).isoformat()
    moved = run("walk", "--resume", "--session", session, "--no-input", "--json",
                "--now", at(TODAY, "09:30"), "--answer", "visit=first_injection",
                "--answer", f"injection_date={before}")  # fmt: skip
    assert f"moves from {TODAY.isoformat()} to {before}" in flat(moved.output), moved.output
    second = walk(run, at(TODAY, "11:00"), **DOSE)
    assert second.exit_code == 2 and session in flat(second.output), second.output


def test_a_result_kept_as_one_value_by_an_earlier_version_is_read(run: Run, tmp_path: Path) -> None:
    """A record written while a day kept one value per result (not a list), and before
    each was logged, is read (never refused: it holds the patient's visit), and its
    result still binds the day."""
    session = moved_after_a_positive(run)
    copy = tmp_path / "copy.json"
    run("sessions", "export", session, "-o", str(copy))
    data = json.loads(copy.read_text())
    data["day_results"] = {
        day: {k: values[0] for k, values in taken.items()}
        for day, taken in data["day_results"].items()
    }
    data["events"] = [e for e in data["events"] if e["kind"] != "day_result"]
    copy.write_text(json.dumps(data))
    run("sessions", "--delete", session, "--yes")
    imported = run("sessions", "import", str(copy))
    assert imported.exit_code == 0, imported.output
    second = walk(run, at(TODAY, "11:00"), **DOSE)
    assert second.exit_code == 2 and session in flat(second.output), second.output


def test_a_script_that_moves_the_visit_and_gives_another_screen_keeps_the_old_days(
    run: Run,
) -> None:
    """A resume that moves the morning's visit to the day before and gives a negative
    screen there: the negative is the day before's, and the morning's positive stays this
    day's result (before, the new value replaced it, logged as a correction,
    and a check of this day was then ready)."""
    first = walk(run, at(TODAY, "09:00"), uds_fentanyl="positive")
    session = json.loads(first.stdout)["session"]
    before = (TODAY - dt.timedelta(days=1)).isoformat()
    moved = run("walk", "--resume", "--session", session, "--no-input", "--now",
                at(TODAY, "09:10"), "--answer", f"injection_date={before}",
                "--answer", "uds_fentanyl=negative")  # fmt: skip
    no_traceback(moved)
    assert "stays that day's result" in flat(moved.output), moved.output
    checked = run("check", "--json", "--label", LABEL, "--now", at(TODAY, "11:00"),
                  *answer_flags(ready_patient()))  # fmt: skip
    assert checked.exit_code == 2 and session in flat(checked.output), checked.output


def test_a_visit_moved_away_and_back_takes_none_of_its_days_results_back(run: Run) -> None:
    """The morning's visit, positive, moved to the day before (its positive kept as this
    day's), then moved back with a negative screen and the dose: refused, naming the
    visit itself, and no dose counted (before, it was ready)."""
    session = moved_after_a_positive(run)
    back = run("walk", "--resume", "--session", session, "--no-input", "--json",
               "--acknowledge", "all", "--now", at(TODAY, "09:40"),
               "--answer", f"injection_date={TODAY.isoformat()}",
               *answer_flags({**ready_patient(), **DOSE}))  # fmt: skip
    no_traceback(back)
    assert back.exit_code == 2, back.output
    said = flat(back.output)
    assert "this visit" in said and session in said and "positive" in said, back.output
    history = json.loads(run("history", LABEL, "--json").stdout)
    assert history["injections"] == [], history


def stored_negative_then_a_positive_elsewhere(run: Run) -> str:
    """The morning's visit screened negative and was left at the injection; a second walk
    of the day recorded a positive. Returns the first visit's session."""
    first = walk(run, at(TODAY, "09:00"))
    assert first.exit_code == 4, first.output  # at the injection
    session = str(json.loads(first.stdout)["session"])
    second = run("walk", "--no-input", "--json", "--label", LABEL, "--now", at(TODAY, "09:30"),
                 "--answer", "uds_fentanyl=positive")  # fmt: skip
    assert second.exit_code in (1, 4), second.output
    return session


@pytest.mark.usefixtures("at_a_terminal")
def test_a_visit_whose_own_answer_the_day_now_refuses_asks_it_again_at_a_terminal(
    run: Run,
) -> None:
    """Resumed at a terminal, the first visit cannot go on with its negative. Before, the
    walk refused to open at all, and the clinician had to quit and type a resume command
    with a flag. It now opens, says why the stored negative is refused, and asks the screen
    again at once. A negative typed there is refused by the same rule, and the positive
    stops the walk before the injection. The stored negative stays in the audit trail."""
    session = stored_negative_then_a_positive_elsewhere(run)
    resumed = run("walk", "--resume", "--session", session, "--now", at(TODAY, "10:00"),
                  "--plain", "--acknowledge", "all",
                  input="negative\npositive\n")  # fmt: skip
    no_traceback(resumed)
    said = flat(resumed.output)
    assert "uds_fentanyl = 'negative', stored by this visit, is refused" in said, said
    assert "It is asked again" in said, said
    assert resumed.exit_code == 1, resumed.output  # stopped at the positive screen
    kept = stored_record(session)
    assert kept.answers["uds_fentanyl"].value == "positive"
    cleared = [e for e in kept.events if e.kind == "clear" and e.key == "uds_fentanyl"]
    assert cleared and "refused by the patient's record" in (cleared[-1].detail or ""), kept.events
    history = json.loads(run("history", LABEL, "--json").stdout)
    assert history["injections"] == [], history


def test_a_visit_whose_own_answer_the_day_now_refuses_is_told_how_to_resume_by_a_script(
    run: Run,
) -> None:
    """Without a terminal nothing is asked: the refusal says how to resume it giving the
    screen anew, and that way works."""
    session = stored_negative_then_a_positive_elsewhere(run)
    resumed = run("walk", "--resume", "--session", session, "--no-input", "--now",
                  at(TODAY, "10:00"))  # fmt: skip
    no_traceback(resumed)
    assert resumed.exit_code == 2, resumed.output
    said = flat(resumed.output)
    assert f"--session {session} --answer uds_fentanyl=VALUE" in said, said
    assert stored_record(session).answers["uds_fentanyl"].value == "negative"
    again = run("walk", "--resume", "--session", session, "--no-input", "--now",
                at(TODAY, "10:05"), "--answer", "uds_fentanyl=positive")  # fmt: skip
    no_traceback(again)
    assert again.exit_code == 1, again.output  # opened, and stopped at the positive screen
