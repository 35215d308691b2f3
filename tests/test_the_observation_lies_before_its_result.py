"""Reference 5.2 and safety invariant 8: a naloxone challenge's or rechallenge's
observation starts when its naloxone is given, on the same visit day as its result, at
least the pack's observation minutes before a result that waits for it; a rechallenge's
naloxone is given after the positive challenge's result. One rule (visit/clock.py,
``observation_problem``) on every route: an answers file's series, a ``*_started`` flag,
a batch line, a walk's flags, a start typed at the prompt, a correction.

A correction obeys every rule a new entry obeys (the window, after the positive, the
observation), and in a walk the rechallenge hours are derived from the recorded times,
never given. Clinical numbers are read from the shipped pack.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.helpers import (
    TODAY,
    Run,
    StoredSession,
    flat,
    json_answers,
    no_traceback,
    ready_patient,
    stored_sessions,
)
from tests.test_one_clock import session_of
from xrntx_guide.errors import InvalidAnswer
from xrntx_guide.pack.guide import Guide
from xrntx_guide.visit.results import Offered, Results, take_result

DAY = TODAY.isoformat()
YESTERDAY = (TODAY - dt.timedelta(days=1)).isoformat()


def challenged(**changes: object) -> dict[str, object]:
    """A patient for whom the challenge is required, minus the COWS total and challenge."""
    answers = json_answers(
        ready_patient(last_opioid_use=TODAY - dt.timedelta(days=10), cows_total=None)
    )
    del answers["naloxone_challenge"]
    answers.update(changes)
    return answers


def at(hhmm: str, day: str = DAY) -> str:
    return f"{day}T{hhmm}"


def local(hhmm: str, day: str = DAY) -> dt.datetime:
    return dt.datetime.fromisoformat(at(hhmm, day)).astimezone()


def check_file(run: Run, answers: dict[str, object], now: str = "11:00") -> tuple[int, str]:
    result = run("check", "--json", "--now", at(now), "--answers", "-", input=json.dumps(answers))
    no_traceback(result)
    return result.exit_code, flat(result.stdout + result.stderr)


RATED = [{"at": at("07:00"), "total": 1}]


def test_a_rechallenge_whose_naloxone_was_given_before_the_positive_is_refused(run: Run) -> None:
    answers = challenged(
        cows_ratings=RATED,
        naloxone_challenges=[
            {"at": at("08:00"), "started": at("07:35"), "result": "positive"},
            {
                "at": at("08:01"),
                "started": at("07:35"),
                "kind": "rechallenge",
                "result": "negative",
            },
        ],
    )
    code, text = check_file(run, answers)
    assert code == 2, text
    assert "not after the positive challenge" in text and "07:35" in text, text


def test_a_challenge_whose_naloxone_was_given_on_another_day_is_refused(run: Run) -> None:
    answers = challenged(
        cows_ratings=RATED,
        naloxone_challenges=[
            {"at": at("08:00"), "started": at("08:00", YESTERDAY), "result": "negative"}
        ],
    )
    code, text = check_file(run, answers)
    assert code == 2, text
    assert "not on the day of the result" in text, text


@pytest.mark.parametrize("command", [["check", "--json"], ["walk", "--no-input", "--label", "p"]])
def test_a_start_flag_days_before_the_result_is_refused(run: Run, command: list[str]) -> None:
    answers = json.dumps(challenged(cows_total=1))
    result = run(
        *command,
        "--now",
        at("09:00"),
        "--answers",
        "-",
        "--answer",
        "naloxone_challenge=negative",
        "--answer",
        f"naloxone_challenge_started={at('08:00', YESTERDAY)}",
        input=answers,
    )
    no_traceback(result)
    assert result.exit_code == 2, result.output
    assert "not on the day of the result" in flat(result.stderr), result.output


def test_a_batch_line_whose_start_is_on_another_day_is_an_error_line(
    run: Run, tmp_path: Path
) -> None:
    bad = challenged(
        cows_total=1,
        naloxone_challenge="negative",
        naloxone_challenge_started=at("08:00", YESTERDAY),
    )
    lines = tmp_path / "b.jsonl"
    lines.write_text(json.dumps(bad) + "\n")
    result = run("check", "--batch", str(lines), "--now", at("09:00"))
    no_traceback(result)
    out = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(out) == 1 and out[0].get("status") != "ready", result.output
    assert "not on the day of the result" in json.dumps(out[0]), result.output


def test_a_typed_rechallenge_started_before_the_positive_is_refused(guide: Guide) -> None:
    """The prompt: positive typed at 08:00, then 'start 07:30' and a negative typed at
    08:30 (as the walk offers it to the record: stamped by the clock, with its start)."""
    held = Results()
    take_result(guide, held, Offered("challenge", "positive", local("08:00"), stamped=True))
    late = Offered("rechallenge", "negative", local("08:30"), started=local("07:30"), stamped=True)
    with pytest.raises(InvalidAnswer, match="not after the positive challenge"):
        take_result(guide, held, late, TODAY)
    assert [c.kind for c in held.naloxone_challenges] == ["challenge"]


def test_an_observation_refusal_shows_the_seconds_the_times_have(run: Run) -> None:
    answers = challenged(
        cows_ratings=RATED,
        naloxone_challenges=[{"at": at("09:00"), "started": at("08:40:01"), "result": "negative"}],
    )
    code, text = check_file(run, answers)
    assert code == 2, text
    assert "08:40:01" in text, text


def walk_positive(run: Run, session: str) -> None:
    """A walk yesterday: a positive challenge at 08:00, a rechallenge answered not_done at
    09:00 (typed by mistake)."""
    first = run(
        "walk",
        "--no-input",
        "--now",
        at("08:00", YESTERDAY),
        "--label",
        session,
        "--answers",
        "-",
        "--answer",
        f"injection_date={YESTERDAY}",
        "--answer",
        "cows_total=1",
        "--answer",
        "naloxone_challenge=positive",
        "--answer",
        "naloxone_challenge_started=25 minutes ago",
        "--acknowledge",
        "all",
        input=json.dumps(challenged()),
    )
    no_traceback(first)
    again = run(
        "walk",
        "--resume",
        "--session",
        session,
        "--no-input",
        "--now",
        at("09:00", YESTERDAY),
        "--answer",
        "naloxone_rechallenge=not_done",
        "--acknowledge",
        "all",
    )
    no_traceback(again)
    recorded = json.loads(stored_sessions(session)[0].read_text())["naloxone_challenges"]
    assert [(c["kind"], c["result"]) for c in recorded] == [
        ("challenge", "positive"),
        ("rechallenge", "not_done"),
    ], again.output


def test_a_correction_of_a_rechallenge_obeys_the_window(run: Run, tmp_path: Path) -> None:
    session = "pt-w"  # --session takes the label of the patient's one session
    walk_positive(run, session)
    later = (TODAY + dt.timedelta(days=1)).isoformat()
    result = run(
        "walk",
        "--resume",
        "--session",
        session,
        "--no-input",
        "--json",
        "--now",
        at("10:00", later),
        "--answer",
        "naloxone_rechallenge=negative",
        "--answer",
        "naloxone_rechallenge_started=25 minutes ago",
        "--correct",
        f"naloxone_rechallenge@{at('09:00', YESTERDAY)}=typed not_done by mistake",
        "--acknowledge",
        "all",
    )
    no_traceback(result)
    assert result.exit_code == 2, result.output
    said = flat(result.stderr)
    assert "hours after the positive challenge" in said, result.output
    # The times as a clinician reads them (local, no ISO 'T'), and the source cited by its
    # key, as every gate cites it: the clinician has no "reference" section to look up.
    positive = local("08:00", YESTERDAY).strftime("%Y-%m-%d %H:%M")
    assert f"positive challenge at {positive}" in said, said
    assert f"{YESTERDAY}T" not in said and "reference 5" not in said, said
    assert "(naltrexone-tablet-label)" in said, said


def test_a_walk_refuses_the_rechallenge_hours_as_a_flag(run: Run, tmp_path: Path) -> None:
    session = "pt-w"
    walk_positive(run, session)
    result = run(
        "walk",
        "--resume",
        "--session",
        session,
        "--no-input",
        "--now",
        at("09:40", YESTERDAY),
        "--answer",
        "naloxone_rechallenge_hours=0.5",
        "--acknowledge",
        "all",
    )
    no_traceback(result)
    assert result.exit_code == 2, result.output
    assert "naloxone_rechallenge_hours" in result.stderr, result.output
    assert "derived from the recorded times" in flat(result.stderr), result.output


# -- reference 5.2: a challenge is done only when the patient shows no withdrawal ---------


def threshold() -> int:
    from xrntx_guide.pack.load import load_guide

    return int(load_guide().setting_values["cows_threshold"])


def test_a_rechallenge_after_a_rating_at_the_threshold_is_refused_naming_it(run: Run) -> None:
    none, some = threshold() - 1, threshold() + 3
    answers = challenged(
        cows_ratings=[
            {"at": at("07:30"), "total": none},
            {"at": at("08:10"), "total": some},
            {"at": at("09:30"), "total": none},
        ],
        naloxone_challenges=[
            {"at": at("08:00"), "started": at("07:40"), "result": "positive"},
            {
                "at": at("09:00"),
                "started": at("08:30"),
                "kind": "rechallenge",
                "result": "negative",
            },
        ],
    )
    code, text = check_file(run, answers)
    assert code == 2, text
    assert "08:10" in text and f"total {some}" in text and "withdrawal" in text, text


def test_a_challenge_with_no_rating_before_its_start_is_refused(run: Run) -> None:
    answers = challenged(
        cows_ratings=[{"at": at("09:30"), "total": threshold() - 1}],
        naloxone_challenges=[{"at": at("09:00"), "started": at("08:30"), "result": "negative"}],
    )
    code, text = check_file(run, answers)
    assert code == 2, text
    assert "no COWS rating" in text and "08:30" in text, text


def test_a_challenge_just_after_a_rating_showing_withdrawal_is_refused(run: Run) -> None:
    answers = challenged(
        cows_ratings=[
            {"at": at("08:00"), "total": threshold()},
            {"at": at("09:30"), "total": 0},
        ],
        naloxone_challenges=[{"at": at("08:40"), "started": at("08:10"), "result": "negative"}],
    )
    code, text = check_file(run, answers)
    assert code == 2, text
    assert f"total {threshold()}" in text, text


def test_a_challenge_after_a_rating_without_withdrawal_counts(run: Run) -> None:
    answers = challenged(
        cows_ratings=[{"at": at("08:00"), "total": threshold() - 1}],
        naloxone_challenges=[{"at": at("08:40"), "started": at("08:10"), "result": "negative"}],
    )
    result = run(
        "check", "--json", "--now", at("11:00"), "--answers", "-", input=json.dumps(answers)
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == "ready", result.output


def test_a_walk_refuses_a_challenge_after_its_rating_showing_withdrawal(
    run: Run, tmp_path: Path
) -> None:
    session = "pt-c"  # --session takes the label of the patient's one session
    base = ["walk", "--no-input", "--acknowledge", "all"]
    first = run(
        *base,
        "--now",
        at("09:00"),
        "--label",
        session,
        "--answers",
        "-",
        "--answer",
        f"cows_total={threshold() + 7}",
        input=json.dumps(challenged()),
    )
    no_traceback(first)
    again = run(
        "walk",
        "--resume",
        "--session",
        session,
        "--no-input",
        "--now",
        at("09:30"),
        "--answer",
        f"cows_total={threshold() - 4}",
        "--answer",
        "naloxone_challenge=negative",
        "--answer",
        "naloxone_challenge_started=25 minutes ago",
        "--acknowledge",
        "all",
    )
    no_traceback(again)
    assert again.exit_code == 2, again.output
    assert f"total {threshold() + 7}" in flat(again.stderr), again.output


# -- messages that say what the entry is and what to do ------------------------------------


def test_a_rechallenge_correction_before_the_positive_is_refused_as_such(guide: Guide) -> None:
    """A correction is a new entry: one timed before the positive challenge is refused as
    what it is, never recorded (and then refused by a key nobody gave, the hours)."""
    held = Results()
    take_result(guide, held, Offered("challenge", "positive", local("08:00"), origin="file"))
    take_result(guide, held, Offered("rechallenge", "not_done", local("08:30"), origin="file"))
    fix = Offered(
        "rechallenge",
        "negative",
        local("07:50"),
        origin="file",
        corrects=local("08:30"),
        reason="typed not_done by mistake",
    )
    with pytest.raises(InvalidAnswer, match="not after the positive challenge"):
        take_result(guide, held, fix, TODAY)
    assert [c.result for c in held.naloxone_challenges] == ["positive", "not_done"]


def test_a_new_challenge_after_the_window_is_that_days_challenge(guide: Guide) -> None:
    """Reference 5.2: a repeat more than the window after the positive is a new challenge
    on a new visit day: taken as that day's challenge, never refused as invalid."""
    window = float(guide.setting_values["naloxone_rechallenge_window_hours"])
    held = Results()
    take_result(guide, held, Offered("challenge", "positive", local("08:00"), origin="file"))
    later = local("08:00") + dt.timedelta(hours=window + 2)
    day = later.astimezone().date()
    taken = take_result(guide, held, Offered("challenge", "negative", later, origin="file"), day)
    assert taken is not None
    assert [(c.kind, c.result) for c in held.naloxone_challenges] == [
        ("challenge", "positive"),
        ("challenge", "negative"),
    ]


def test_the_text_note_shows_when_the_naloxone_was_given(run: Run, tmp_path: Path) -> None:
    answers = challenged(
        cows_ratings=RATED,
        naloxone_challenges=[{"at": at("08:40"), "started": at("08:10"), "result": "negative"}],
    )
    result = run(
        "walk", "--no-input", "--now", at("09:00"), "--label", "nt-s", "--answers", "-",
        "--acknowledge", "all", input=json.dumps(answers),
    )  # fmt: skip
    no_traceback(result)
    text = run("note", "nt-s", "--format", "text").stdout
    line = next(x for x in text.splitlines() if "challenge: negative" in x)
    assert "08:10" in line, text


@pytest.mark.usefixtures("at_a_terminal")
def test_a_rechallenge_started_before_the_positive_is_refused_at_the_prompt(
    run: Run, tmp_path: Path, _isolated_home: Path
) -> None:
    answers = json_answers(
        ready_patient(
            last_opioid_use=TODAY - dt.timedelta(days=10),
            naloxone_challenge=None,
            kit_storage_ok=None,
        )
    ) | {"injection_date": DAY}
    path = tmp_path / "a.json"
    path.write_text(json.dumps(answers))
    r = run(
        "walk", "--label", "pr", "--now", at("09:30"), "--answers", str(path), "--plain",
        input="positive\nstart 07:30\nnegative\nquit\n",
    )  # fmt: skip
    no_traceback(r)
    assert "not after the positive challenge" in flat(r.stdout + r.stderr), r.output
    kept = session_of(_isolated_home)["naloxone_challenges"]
    assert [(c["kind"], c["result"]) for c in kept] == [("challenge", "positive")], kept


def test_a_bare_checked_challenge_says_its_rating_before_is_not_known(run: Run) -> None:
    answers = challenged(cows_total=1, naloxone_challenge="negative")
    result = run("check", "--now", at("11:00"), "--answers", "-", input=json.dumps(answers))
    no_traceback(result)
    assert "taken as reported" in flat(result.stdout + result.stderr), result.output
    assert "COWS rating without withdrawal came before" in flat(result.stdout + result.stderr)


# -- a rating's time: given with it, or stamped when it was recorded ---------------------


def _first_sitting(run: Run, now: str, *given: str, data: object = None) -> StoredSession:
    """A first sitting of label tg, left before the challenge; the session it stored."""
    r = run(
        "walk", "--no-input", "--label", "tg", "--now", at(now),
        "--acknowledge", "all", "--answers", "-", *given, input=json.dumps(data or challenged()),
    )  # fmt: skip
    no_traceback(r)
    assert r.exit_code == 4, r.output  # the challenge is still to come
    (session,) = stored_sessions("tg")
    return StoredSession(session)


def _challenge_by_flag(run: Run, session: str, now: str, started: str) -> tuple[int, str]:
    r = run(
        "walk", "--resume", "--session", session, "--no-input", "--now", at(now),
        "--acknowledge", "all", "-a", "naloxone_challenge=negative",
        "-a", f"naloxone_challenge_started={started}",
    )  # fmt: skip
    no_traceback(r)
    return r.exit_code, flat(r.stdout + r.stderr)


def test_a_walks_challenge_with_only_timed_ratings_after_its_start_is_refused(
    run: Run, tmp_path: Path
) -> None:
    """The rule holds for every rating whose time was given, whatever route recorded it:
    a file's rating kept in the session, then a challenge given by flag on resume."""
    rated = challenged(cows_ratings=[{"at": at("09:30"), "total": threshold() - 1}])
    session = _first_sitting(run, "09:35", data=rated)

    code, text = _challenge_by_flag(run, session, "09:40", "09:05")

    assert code == 2, text
    assert "no COWS rating" in text and "09:05" in text, text
    data = json.loads(session.read_text())
    assert data["naloxone_challenges"] == [], data  # never recorded


def test_a_rating_stamped_when_given_by_flag_is_never_read_as_taken_after_the_naloxone(
    run: Run, tmp_path: Path
) -> None:
    """A total given by flag carries no time: it is stamped when recorded, and may have
    been taken before the naloxone; it neither counts as after the start nor is refused."""
    session = _first_sitting(run, "09:30", "-a", f"cows_total={threshold() - 1}")

    code, text = _challenge_by_flag(run, session, "09:40", "09:05")

    assert code in (0, 1, 4), text  # taken: not refused for a rating "after" the start
    data = json.loads(session.read_text())
    assert [c["result"] for c in data["naloxone_challenges"]] == ["negative"], data
    assert [r["time_given"] for r in data["cows_ratings"]] == [False], data


def test_the_note_marks_a_stamped_rating_beside_ratings_given_with_their_times(
    run: Run, tmp_path: Path
) -> None:
    rated = challenged(cows_ratings=[{"at": at("08:00"), "total": threshold() - 1}])
    session = _first_sitting(run, "09:00", data=rated)
    again = run(
        "walk", "--resume", "--session", session, "--no-input", "--now", at("09:30"),
        "--acknowledge", "all", "-a", f"cows_total={threshold() - 2}",
    )  # fmt: skip
    assert again.exit_code == 4, again.output

    note = run("note", session, "--format", "json")
    text = run("note", session, "--format", "text").stdout

    assert note.exit_code == 0, note.output
    ratings = json.loads(note.stdout)["cows_ratings"]
    assert [(r["total"], r["time_given"]) for r in ratings] == [
        (threshold() - 1, True),
        (threshold() - 2, False),
    ], ratings
    lines = [x for x in text.splitlines() if " baseline " in x or " repeat " in x]
    assert len(lines) == 2 and "~" not in lines[0] and "~09:30" in lines[1], text
    assert "~ = given without its time" in text, text


# -- a start is refused when it is given, by the rule its result obeys -------------------


def _at_the_prompt(run: Run, tmp_path: Path, typed: str) -> str:
    answers = json_answers(
        ready_patient(
            last_opioid_use=TODAY - dt.timedelta(days=10),
            naloxone_challenge=None,
            kit_storage_ok=None,
        )
    ) | {"injection_date": DAY}
    path = tmp_path / "a.json"
    path.write_text(json.dumps(answers))
    r = run(
        "walk", "--label", "st", "--now", at("09:30"), "--answers", str(path), "--plain",
        input=typed,
    )  # fmt: skip
    no_traceback(r)
    return flat(r.stdout + r.stderr)


@pytest.mark.usefixtures("at_a_terminal")
def test_a_rechallenge_start_before_the_positive_is_refused_when_typed(
    run: Run, tmp_path: Path, _isolated_home: Path
) -> None:
    said = _at_the_prompt(run, tmp_path, "positive\nstart 07:30\nquit\n")

    assert "start: the naloxone rechallenge" in said and "not after" in said, said
    assert "timer started" not in said, said
    assert "naloxone_rechallenge" not in session_of(_isolated_home)["timers"]


@pytest.mark.usefixtures("at_a_terminal")
def test_a_challenge_start_on_another_day_is_refused_when_typed(
    run: Run, tmp_path: Path, _isolated_home: Path
) -> None:
    said = _at_the_prompt(run, tmp_path, f"start {YESTERDAY}T09:00\nquit\n")

    assert "start: the naloxone challenge" in said and "not on the day" in said, said
    assert session_of(_isolated_home)["timers"] == {}


def test_a_start_too_many_minutes_ago_is_out_of_range_naming_the_range(run: Run) -> None:
    from xrntx_guide.visit.clock import A_DAY_IN_MINUTES

    for minutes in (A_DAY_IN_MINUTES + 1, 10**30):
        answers = challenged(
            cows_ratings=RATED,
            naloxone_challenge="negative",
            naloxone_challenge_started=f"{minutes} minutes ago",
        )
        code, text = check_file(run, answers)
        assert code == 2, text
        assert "out of range" in text and f"0 to {A_DAY_IN_MINUTES} minutes" in text, text
        assert "not a time" not in text, text
