"""The naloxone challenge across the days of one walk, file times in the note, and an edit
of a COWS rating (reference 5.1, 5.2). A positive challenge never disappears
because the walk was resumed on another day: within the window the rechallenge is asked,
past it the positive stands."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import NOW, TODAY, Run, json_answers, ready_patient
from xrntx_guide.cli.ui import UI
from xrntx_guide.cli.walkthrough import Walkthrough
from xrntx_guide.engine.evaluate import evaluate
from xrntx_guide.env import Clock
from xrntx_guide.errors import InvalidAnswer
from xrntx_guide.pack.guide import Guide
from xrntx_guide.visit import session as store
from xrntx_guide.visit.entries import ChallengeResult
from xrntx_guide.visit.results import Offered, note_rating, take_result
from xrntx_guide.visit.resume import move_visit_day

YESTERDAY = TODAY - dt.timedelta(days=1)
POSITIVE_AT = dt.datetime.combine(YESTERDAY, dt.time(15, 30), tzinfo=dt.UTC)


def window(guide: Guide) -> dt.timedelta:
    """The pack's rechallenge window (never restated here)."""
    return dt.timedelta(hours=guide.setting_values["naloxone_rechallenge_window_hours"])


def observation(guide: Guide) -> dt.timedelta:
    return dt.timedelta(minutes=guide.setting_values["naloxone_observation_minutes"])


def walk_on(
    guide: Guide, record: store.SessionRecord, day: dt.date, now: dt.datetime, typed: str
) -> tuple[Walkthrough, io.StringIO]:
    """An interactive walk of ``record`` on ``day`` at the instant ``now``; its timers read
    as if the observation had passed (what a clinician waiting it out would see)."""
    out = io.StringIO()
    ui = UI(plain=True, out=out, err=out, stdin=io.StringIO(typed))
    clock = Clock(skipped=observation(guide), source=lambda: now)
    return Walkthrough(ui, guide, record, Path("/nonexistent"), day, clock, dry_run=True), out


def positive_yesterday(guide: Guide) -> store.SessionRecord:
    """A walk started yesterday (its visit date following its default) whose challenge was
    typed positive at 15:30, and left at the rechallenge question."""
    record = store.new_session(guide, "RC", POSITIVE_AT, None)
    answers = ready_patient(naloxone_challenge=None)
    for key, value in answers.items():
        record.set_answer(key, value, "flag", POSITIVE_AT)
    record.set_answer("injection_date", YESTERDAY, "default", POSITIVE_AT)
    w, out = walk_on(guide, record, YESTERDAY, POSITIVE_AT, "positive\nquit\n")
    w.run()
    assert record.answers["naloxone_challenge"].value == "positive", out.getvalue()
    (entry,) = record.naloxone_challenges
    assert (entry.kind, entry.result, entry.at, entry.day) == (
        "challenge",
        "positive",
        POSITIVE_AT,
        YESTERDAY,
    )
    return record


REDO = "not_applicable\nall negative\n2\n"
"""The results of the day asked again on the new day: pregnancy test, urine screen, COWS."""


def resume(
    guide: Guide, record: store.SessionRecord, now: dt.datetime, typed: str
) -> tuple[list[str], str]:
    """What `walk --resume` does on TODAY: the visit date follows its default, then the
    walk goes on at the keyboard."""
    said, _ = move_visit_day(guide, record, TODAY, now)
    store.refresh_defaults(guide, record, TODAY, now)
    w, out = walk_on(guide, record, TODAY, now, typed)
    w.run()
    return said, out.getvalue()


def test_a_walk_resumed_within_the_window_asks_the_rechallenge_and_a_negative_one_lifts_it(
    guide: Guide,
) -> None:
    record = positive_yesterday(guide)
    now = POSITIVE_AT + window(guide) - dt.timedelta(hours=7)

    said, screen = resume(guide, record, now, REDO + "start\nnegative\nquit\n")

    assert record.answers["injection_date"].value == TODAY.isoformat()
    assert any("was positive: it stands" in line and "rechallenge" in line for line in said)
    dose = guide.setting_values["naloxone_rechallenge_dose_mg"]
    assert f"IV {dose:g} mg" in " ".join(said)
    assert "Naloxone rechallenge result" in screen
    assert "timer started" in screen  # its own observation timer
    # The positive keeps its own time; the hours come from the two times.
    assert record.answers["naloxone_challenge"].at == POSITIVE_AT
    hours = record.answers["naloxone_rechallenge_hours"]
    assert hours.origin == "derived"
    assert hours.value == (now - POSITIVE_AT).total_seconds() / 3600
    state = evaluate(guide, record.inputs(guide, TODAY))
    assert state.gates["naloxone_challenge"].outcome == "pass"
    kinds = [(c.kind, c.result, c.day) for c in record.naloxone_challenges]
    assert kinds == [("challenge", "positive", YESTERDAY), ("rechallenge", "negative", TODAY)]


def test_a_walk_resumed_within_the_window_without_a_rechallenge_stays_blocked(
    guide: Guide,
) -> None:
    record = positive_yesterday(guide)
    now = POSITIVE_AT + dt.timedelta(hours=17)

    resume(guide, record, now, REDO + "\nquit\n")  # Enter: no rechallenge was done

    state = evaluate(guide, record.inputs(guide, TODAY))
    assert state.gates["naloxone_challenge"].outcome == "fail"
    assert state.status == "blocked"


def test_a_walk_resumed_past_the_window_offers_no_rechallenge_and_the_positive_stands(
    guide: Guide,
) -> None:
    record = positive_yesterday(guide)
    now = POSITIVE_AT + window(guide) + dt.timedelta(minutes=1)

    said, screen = resume(guide, record, now, REDO + "quit\n")

    assert any("no rechallenge is offered" in line for line in said), said
    assert "Naloxone rechallenge result" not in screen
    assert "naloxone_rechallenge" in record.skipped
    state = evaluate(guide, record.inputs(guide, TODAY))
    assert state.gates["naloxone_challenge"].outcome == "fail"
    assert state.status == "blocked"
    assert record.status == "blocked"


def test_a_repeat_typed_after_the_window_ended_is_that_days_new_challenge(
    guide: Guide,
) -> None:
    """Resumed inside the window, but the result typed after it ended, on a new day with
    that day's screen and COWS: reference 5.2 takes it as the day's new challenge, never
    refused as invalid."""
    record = positive_yesterday(guide)
    inside = POSITIVE_AT + window(guide) - dt.timedelta(minutes=5)
    move_visit_day(guide, record, TODAY, inside)
    store.refresh_defaults(guide, record, TODAY, inside)
    w, out = walk_on(
        guide, record, TODAY, inside + dt.timedelta(minutes=30), REDO + "start\nnegative\nquit\n"
    )
    w.run()

    assert "not accepted" not in out.getvalue()
    kinds = [(c.kind, c.result, c.day) for c in record.naloxone_challenges]
    assert kinds == [("challenge", "positive", YESTERDAY), ("challenge", "negative", TODAY)]
    state = evaluate(guide, record.inputs(guide, TODAY))
    assert state.value("naloxone_challenge") == "negative"
    assert state.gates["naloxone_challenge"].outcome == "pass"


def test_another_challenge_result_on_a_later_day_is_refused_and_never_read(
    guide: Guide,
) -> None:
    """`edit naloxone_challenge` the next day: negative is refused at the prompt; and an
    answer that says negative anyway (a hand-edited session) is not what the engine reads."""
    record = positive_yesterday(guide)
    now = POSITIVE_AT + dt.timedelta(hours=17)

    _, screen = resume(guide, record, now, REDO + "edit naloxone_challenge\nnegative\nquit\n")

    assert "lifted only by a negative rechallenge" in " ".join(screen.split())
    assert record.answers["naloxone_challenge"].value == "positive"
    record.answers["naloxone_challenge"].value = "negative"
    state = evaluate(guide, record.inputs(guide, TODAY))
    assert state.value("naloxone_challenge") == "positive"
    assert state.gates["naloxone_challenge"].outcome == "fail"


def test_a_flag_gives_no_second_challenge_inside_the_window_and_a_late_repeat_is_new(
    guide: Guide,
) -> None:
    record = positive_yesterday(guide)
    inside = POSITIVE_AT + window(guide) - dt.timedelta(hours=1)
    offered = Offered("challenge", "negative", inside, "flag", stamped=True)
    with pytest.raises(InvalidAnswer, match="lifted only by a negative rechallenge"):
        take_result(guide, record, offered, TODAY)

    late = POSITIVE_AT + window(guide) + dt.timedelta(hours=1)
    move_visit_day(guide, record, TODAY, late)
    store.refresh_defaults(guide, record, TODAY, late)
    again = Offered("rechallenge", "negative", late, "flag", stamped=True)
    taken = take_result(guide, record, again, TODAY)
    assert isinstance(taken, ChallengeResult)
    assert (taken.kind, taken.result, taken.day) == (
        "challenge",
        "negative",
        TODAY,
    )


# --- a file's times are the times the note shows ------------------------------------------


def test_walk_answers_keeps_the_files_challenge_times_in_the_session_and_the_note(
    run: Run, tmp_path: Path
) -> None:
    first = dt.datetime.combine(YESTERDAY, dt.time(15, 30)).isoformat()
    again = dt.datetime.combine(TODAY, dt.time(8, 30)).isoformat()
    started = dt.datetime.combine(TODAY, dt.time(8, 5)).isoformat()
    answers = json_answers(ready_patient(naloxone_challenge=None, cows_total=None))
    # A rechallenge needs a COWS rating below the threshold before its naloxone (5.2).
    answers["cows_ratings"] = [
        {"at": dt.datetime.combine(TODAY, dt.time(8)).isoformat(), "total": 2}
    ]
    answers["naloxone_challenges"] = [
        {"at": first, "kind": "challenge", "result": "positive"},
        {"at": again, "started": started, "kind": "rechallenge", "result": "negative"},
    ]
    path = tmp_path / "case.json"
    path.write_text(json.dumps(answers))

    r = run("walk", "--no-input", "--label", "FT", "--now", NOW, "--answers", str(path))
    assert r.exit_code in (0, 4), r.output
    note = run("note", "FT", "--format", "json")
    assert note.exit_code == 0, note.output
    data = json.loads(note.stdout)

    def instant(text: str) -> dt.datetime:  # kept with its offset: the same instant
        return dt.datetime.fromisoformat(text).astimezone()

    got = [(c["kind"], c["result"], instant(c["at"])) for c in data["naloxone_challenges"]]
    assert got == [
        ("challenge", "positive", instant(first)),
        ("rechallenge", "negative", instant(again)),
    ]
    assert instant(data["naloxone_challenges"][1]["started"]) == instant(started)
    assert data["naloxone_challenges"][1]["hours_after_positive"] == 17


# --- an edit never writes over a rating: appended, or a named correction (invariant 9) ----


def test_a_changed_cows_total_is_appended_beside_the_rating_and_rate_again_adds_one(
    guide: Guide,
) -> None:
    """Before invariant 9 an edit of the total corrected the latest rating in place; now
    the earlier rating stays and the new total is a later rating of the day."""
    now = dt.datetime.combine(TODAY, dt.time(9), tzinfo=dt.UTC)
    record = store.new_session(guide, "CW", now, TODAY)
    for key, value in ready_patient(cows_total=3, injection_date=TODAY).items():
        record.set_answer(key, value, "typed", now)

    def noted(at: dt.datetime) -> Any:
        state = evaluate(guide, record.inputs(guide, TODAY))
        return note_rating(guide, record, state, TODAY, at)

    noted(now)
    later = now + dt.timedelta(minutes=5)
    record.set_answer("cows_total", 4, "typed", later)  # a flag on resume, or an item edit
    noted(later)

    assert [(r.total, r.context) for r in record.cows_ratings] == [(3, "baseline"), (4, "repeat")]

    record.cows_next_context = "after_challenge"  # what 'rate again' sets
    record.set_answer("cows_total", 6, "typed", now + dt.timedelta(minutes=40))
    noted(now + dt.timedelta(minutes=40))
    assert [(r.total, r.context) for r in record.cows_ratings] == [
        (3, "baseline"),
        (4, "repeat"),
        (6, "after_challenge"),
    ]


def test_a_walk_resumed_past_the_window_records_the_new_days_challenge_by_edit(
    guide: Guide,
) -> None:
    """Past the window the positive stands until the new day's challenge is recorded
    (reference 5.2): `edit naloxone_challenge` records it, and the gate reads it."""
    record = positive_yesterday(guide)
    now = POSITIVE_AT + window(guide) + dt.timedelta(minutes=1)

    said, screen = resume(
        guide, record, now, REDO + "edit naloxone_challenge\nstart\nnegative\nquit\n"
    )

    assert any("new challenge for" in line for line in said), said
    kinds = [(c.kind, c.result, c.day) for c in record.naloxone_challenges]
    assert kinds == [("challenge", "positive", YESTERDAY), ("challenge", "negative", TODAY)]
    state = evaluate(guide, record.inputs(guide, TODAY))
    assert state.value("naloxone_challenge") == "negative", screen
    assert state.gates["naloxone_challenge"].outcome == "pass"
