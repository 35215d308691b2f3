"""A visit's date changed at a prompt (``edit injection_date``) while it holds a screen or
a pregnancy test asks which day those results were taken (clinical basis, safety
invariant 3). Taken on the old day (Enter, the default): they stay that day's results,
binding every visit of it, and are asked again for the new day. Typed under the wrong
date (a late entry begun under today's date): they stay in the visit as the new day's,
and the old day keeps none of them. Before, the old day always kept them: a late entry
moved to its real day left today holding a positive it never had, and a real visit of
today with a negative screen was refused, with no way to correct it."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.helpers import (
    TODAY,
    Run,
    answer_flags,
    flat,
    no_traceback,
    only_session,
    ready_patient,
    stored_record,
    walk_at,
)

LABEL = "LATE-ENTRY"
YESTERDAY = TODAY - dt.timedelta(days=1)
QUESTION = "Which day were they taken?"


def entered_then_redated(run: Run, reply: str) -> str:
    """Yesterday's visit entered this morning under today's date, a positive fentanyl
    screen typed; then its date changed to yesterday at a prompt, ``reply`` typed at the
    question: the whole screen's text."""
    first = walk_at(run, LABEL, f"{TODAY.isoformat()}T09:00",
                    ready_patient(injection_date=TODAY, uds_fentanyl="positive"))  # fmt: skip
    assert first.exit_code == 1, first.output  # the positive screen stops the walk
    typed = run(
        "walk", "--resume", "--session", only_session(), "--now", f"{TODAY.isoformat()}T09:10",
        "--plain", input=f"edit injection_date\n{YESTERDAY.isoformat()}\n{reply}\nquit\nquit\n",
    )  # fmt: skip
    no_traceback(typed)
    return typed.output


def check(run: Run, day: dt.date) -> tuple[int, str]:
    """A check of the label on ``day`` at 11:00 with a negative screen: its exit code and
    what it said."""
    answers = ready_patient(injection_date=day)
    checked = run("check", "--json", "--label", LABEL, "--now", f"{day.isoformat()}T11:00",
                  *answer_flags(answers))  # fmt: skip
    no_traceback(checked)
    return checked.exit_code, flat(checked.output)


@pytest.mark.usefixtures("at_a_terminal")
def test_results_typed_under_the_wrong_date_go_with_the_visit(run: Run) -> None:
    shown = flat(entered_then_redated(run, "2"))
    assert QUESTION in shown and "uds_fentanyl = positive" in shown, shown
    record = stored_record(only_session())
    assert record.answers["injection_date"].value == YESTERDAY.isoformat()
    assert record.answers["uds_fentanyl"].value == "positive"  # yesterday's, in the visit
    assert TODAY.isoformat() not in record.day_results, record.day_results
    logged = [e.detail or "" for e in record.events if e.key == "uds_fentanyl"]
    assert any(f"taken on {YESTERDAY.isoformat()}" in d for d in logged), logged
    assert check(run, TODAY)[0] == 0  # today holds no positive it never had
    code, said = check(run, YESTERDAY)
    assert code == 2 and "correct that session's answer" in said, said  # it holds it


@pytest.mark.usefixtures("at_a_terminal")
@pytest.mark.parametrize("reply", ["", "1"], ids=["enter", "one"])
def test_results_taken_on_the_old_day_stay_that_days(run: Run, reply: str) -> None:
    shown = flat(entered_then_redated(run, reply))
    assert QUESTION in shown and "asked again" in shown, shown
    record = stored_record(only_session())
    assert "uds_fentanyl" not in record.answers  # asked again for yesterday
    assert record.day_results[TODAY.isoformat()]["uds_fentanyl"] == ["positive"]
    code, said = check(run, TODAY)
    assert code == 2, said  # today's positive binds a visit of today
    # The session no longer holds it as an answer: the refusal says so, and how it is
    # put right, never to correct an answer the session does not have.
    assert "kept as that day's result" in said and "sessions --delete" in said, said
    assert "correct that session's answer" not in said, said


@pytest.mark.usefixtures("at_a_terminal")
def test_a_word_not_offered_is_asked_again(run: Run) -> None:
    shown = entered_then_redated(run, "maybe\n2")
    assert "Type 1" in flat(shown), shown
    assert stored_record(only_session()).answers["uds_fentanyl"].value == "positive"


@pytest.mark.usefixtures("at_a_terminal")
def test_a_visit_with_no_results_is_not_asked(run: Run) -> None:
    walked = walk_at(run, LABEL, f"{TODAY.isoformat()}T09:00",
                     {"visit": "first_injection", "injection_date": TODAY.isoformat()})  # fmt: skip
    assert walked.exit_code == 4, walked.output
    typed = run(
        "walk", "--resume", "--session", only_session(), "--now", f"{TODAY.isoformat()}T09:10",
        "--plain", input=f"edit injection_date\n{YESTERDAY.isoformat()}\nquit\n",
    )  # fmt: skip
    no_traceback(typed)
    assert QUESTION not in flat(typed.output), typed.output
    moved = stored_record(only_session()).answers["injection_date"].value
    assert moved == YESTERDAY.isoformat(), typed.output


def moved_onto_a_day_with_a_positive(run: Run, reply: str) -> tuple[str, str]:
    """Yesterday's visit recorded a positive fentanyl screen; today's, negative, is moved
    to yesterday at a prompt, ``reply`` typed at the question: the screen's text, and
    today's session."""
    walk_at(run, LABEL, f"{YESTERDAY.isoformat()}T12:00",
            ready_patient(injection_date=YESTERDAY, uds_fentanyl="positive"))  # fmt: skip
    today = run("walk", "--no-input", "--json", "--label", LABEL, "--now",
                f"{TODAY.isoformat()}T09:00", "--acknowledge", "all",
                *answer_flags(ready_patient(injection_date=TODAY)))  # fmt: skip
    session = str(json.loads(today.stdout)["session"])
    typed = run(
        "walk", "--resume", "--session", session, "--now", f"{TODAY.isoformat()}T09:10",
        "--plain", input=f"edit injection_date\n{YESTERDAY.isoformat()}\n{reply}\nquit\nquit\n",
    )  # fmt: skip
    no_traceback(typed)
    return flat(typed.output), session


@pytest.mark.usefixtures("at_a_terminal")
def test_a_move_onto_a_day_another_visit_screened_positive_asks_first(run: Run) -> None:
    """The move itself is not refused for the results it takes away (before, the
    date was refused, told to "type positive" at a date prompt): Enter asks them again."""
    shown, session = moved_onto_a_day_with_a_positive(run, "")
    assert QUESTION in shown, shown
    record = stored_record(session)
    assert record.answers["injection_date"].value == YESTERDAY.isoformat(), shown
    assert "uds_fentanyl" not in record.answers, shown


@pytest.mark.usefixtures("at_a_terminal")
def test_results_said_to_be_the_new_days_are_judged_against_that_day(run: Run) -> None:
    """Said to be yesterday's, today's negative would sit beside yesterday's positive: it
    is refused as such, and stays today's, asked again for yesterday."""
    shown, session = moved_onto_a_day_with_a_positive(run, "2")
    assert "not taken as" in shown and "positive" in shown, shown
    record = stored_record(session)
    assert "uds_fentanyl" not in record.answers, shown
    assert "negative" in record.day_results[TODAY.isoformat()]["uds_fentanyl"], shown


@pytest.mark.usefixtures("at_a_terminal")
@pytest.mark.parametrize("save", [True, False], ids=["saved", "dry-run"])
def test_a_visit_moved_away_and_back_in_one_walk_is_held_to_what_it_kept(
    run: Run, save: bool
) -> None:
    """Within one walk: moved to yesterday (its positive kept as today's, the screens given
    anew there), then back to today saying yesterday's results are today's. Refused: the
    walk's own move kept today's positive, which binds it before any save (before,
    the dry run showed the injection step, every gate passing; and the saved walk
    refused only at the injection, then locked at every resume)."""
    first = walk_at(run, LABEL, f"{TODAY.isoformat()}T09:00",
                    ready_patient(injection_date=TODAY, uds_fentanyl="positive"))  # fmt: skip
    assert first.exit_code == 1, first.output
    session = only_session()
    typed = "\n".join([
        "edit injection_date", YESTERDAY.isoformat(), "1",  # moved: today's kept
        "3", "all negative",  # yesterday's pregnancy test and screens
        "edit injection_date", TODAY.isoformat(), "2",  # back, "they are today's"
        "quit", "quit", "quit",
    ]) + "\n"  # fmt: skip
    walked = run("walk", "--resume", "--session", session, "--now", f"{TODAY.isoformat()}T09:20",
                 "--plain", *([] if save else ["--no-save"]), input=typed)  # fmt: skip
    no_traceback(walked)
    shown = flat(walked.output)
    assert "not taken as" in shown and "this visit" in shown, shown
    assert "Was the injection given?" not in shown, shown


@pytest.mark.usefixtures("at_a_terminal")
@pytest.mark.parametrize("reply", ["", "back\nquit\nquit\n"], ids=["input-ends", "back"])
def test_the_input_ending_or_back_at_the_question_leaves_the_visit_as_it_was(
    run: Run, reply: str
) -> None:
    """The question is the date prompt's: the input's end there saves and leaves, as at
    any prompt (exit 1 here: the visit stands blocked by its positive screen), and 'back'
    goes back, the date unchanged either way (before, Ctrl-D took answer 1,
    moved the visit and went on)."""
    walk_at(run, LABEL, f"{TODAY.isoformat()}T09:00",
            ready_patient(injection_date=TODAY, uds_fentanyl="positive"))  # fmt: skip
    typed = run("walk", "--resume", "--session", only_session(), "--now",
                f"{TODAY.isoformat()}T09:10", "--plain",
                input=f"edit injection_date\n{YESTERDAY.isoformat()}\n{reply}")  # fmt: skip
    no_traceback(typed)
    assert QUESTION in flat(typed.output), typed.output
    assert typed.exit_code == 1, typed.output
    assert "moves from" not in flat(typed.output), typed.output
    record = stored_record(only_session())
    assert record.answers["injection_date"].value == TODAY.isoformat(), typed.output
    assert record.answers["uds_fentanyl"].value == "positive", typed.output


@pytest.mark.usefixtures("at_a_terminal")
def test_a_screen_typed_against_the_visits_own_kept_result_says_whose_it_is(run: Run) -> None:
    """Moved away (the positive kept as today's) and back, a negative typed at today's
    fentanyl prompt is refused saying this visit kept the positive, and the way out if it
    was typed under the wrong date (before, it read "quit: session X kept it", which
    leaves the clinician, in that very session, nowhere to go)."""
    walk_at(run, LABEL, f"{TODAY.isoformat()}T09:00",
            ready_patient(injection_date=TODAY, uds_fentanyl="positive"))  # fmt: skip
    typed = "\n".join([
        "edit injection_date", YESTERDAY.isoformat(), "1",
        "edit injection_date", TODAY.isoformat(), "3", "all negative", "quit", "quit",
    ]) + "\n"  # fmt: skip
    walked = run("walk", "--resume", "--session", only_session(), "--now",
                 f"{TODAY.isoformat()}T09:10", "--plain", input=typed)  # fmt: skip
    no_traceback(walked)
    said = flat(walked.output)
    assert "this visit kept it as" in said and "export this visit" in said, said
    assert "uds_fentanyl" not in stored_record(only_session()).answers, said
