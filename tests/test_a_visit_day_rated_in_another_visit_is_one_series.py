"""The COWS ratings of a visit day are one series, whichever visit of the patient recorded
them (clinical basis, safety invariants 1 and 9): withdrawal rated in one session is never
passed over by another session or a check of the same patient and day that holds an
earlier, calmer rating.

The first visit rates withdrawal at 10:02 (blocked). Until now, a second walk of the same
patient that day with a rating of 10:00 from a file, or ``check --label`` with it, read
that 10:00 rating as the latest and reached the injection (READY)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import TODAY, Run, answer_flags, json_file, ready_patient, walk_at
from tests.helpers import at_today as at
from tests.helpers import cows_threshold as threshold
from xrntx_guide.pack.guide import Guide

LABEL = "ONE-DAY"


def first_visit(run: Run, total: int) -> str:
    """The first visit of the day, rated ``total`` at 10:02: its session."""
    walked = walk_at(run, LABEL, at("10:02"), ready_patient(cows_total=total))
    assert walked.exit_code in (0, 1, 4), walked.output
    (row,) = json.loads(run("sessions", "--json").stdout)
    return str(row["id"])


def earlier_rating(tmp_path: Path) -> str:
    """A ready patient's answers with a calm COWS rating taken at 10:00."""
    answers = {
        k: (v.isoformat() if hasattr(v, "isoformat") else v)
        for k, v in ready_patient(cows_total=None).items()
    }
    rated = {"cows_ratings": [{"at": at("10:00"), "context": "baseline", "total": 2}]}
    return json_file(tmp_path, "answers.json", {**answers, **rated})


def outcome(out: Any) -> dict[str, Any]:
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def second_walk(run: Run, hh_mm: str, *given: str) -> Any:
    """Another walk of the patient that day, at ``hh_mm``, unattended, with ``given``."""
    return run(
        "walk", "--no-input", "--json", "--label", LABEL, "--now", at(hh_mm),
        "--acknowledge", "all", *given,
    )  # fmt: skip


def test_a_second_walk_reads_the_withdrawal_the_first_rated_later(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    first_visit(run, threshold(guide) + 4)
    second = second_walk(run, "10:06", "--answers", earlier_rating(tmp_path))
    assert outcome(second)["status"] == "blocked", second.output
    assert "withdrawal" in outcome(second)["blocking"], second.output


def test_the_control_a_calm_rating_taken_after_it_is_read(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    first_visit(run, threshold(guide) + 4)
    second = second_walk(run, "10:30", *answer_flags(ready_patient(cows_total=2)))
    assert "withdrawal" not in outcome(second)["blocking"], second.output
    assert outcome(second)["status"] == "incomplete", second.output  # at the injection


def test_a_check_of_the_label_is_refused_beside_withdrawal_another_visit_rated(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    session = first_visit(run, threshold(guide) + 4)
    checked = run(
        "check", "--json", "--label", LABEL, "--now", at("10:05"),
        "--answers", earlier_rating(tmp_path),
    )  # fmt: skip
    assert checked.exit_code == 2, checked.output
    assert session in json.loads(checked.stderr)["message"], checked.output


def test_the_control_a_calm_rating_in_another_visit_leaves_the_check_as_it_was(
    run: Run, tmp_path: Path
) -> None:
    first_visit(run, 1)
    checked = run(
        "check", "--json", "--label", LABEL, "--now", at("10:05"),
        "--answers", earlier_rating(tmp_path),
    )  # fmt: skip
    assert outcome(checked)["status"] == "ready", checked.output


def test_a_batch_line_of_the_label_is_refused_beside_it(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    first_visit(run, threshold(guide) + 4)
    line = json.loads(Path(earlier_rating(tmp_path)).read_text()) | {"label": LABEL}
    batch = run(
        "check", "--batch", "-", "--now", at("10:05"), input=json.dumps(line) + "\n"
    )  # fmt: skip
    (result,) = [json.loads(x) for x in batch.stdout.splitlines()]
    assert result.get("status") != "ready" and result.get("code") == "invalid_answer", result


def test_the_day_is_read_whole_on_the_visit_date(run: Run, guide: Guide, tmp_path: Path) -> None:
    """A withdrawal rated on another day is another day's: it does not refuse this one."""
    first_visit(run, threshold(guide) + 4)
    tomorrow = TODAY.toordinal() + 1
    day = type(TODAY).fromordinal(tomorrow).isoformat()
    checked = run(
        "check", "--json", "--label", LABEL, "--now", f"{day}T10:05",
        *answer_flags(ready_patient(cows_total=2)),
    )  # fmt: skip
    assert outcome(checked).get("status") == "ready", checked.output


def test_the_note_of_the_second_visit_judges_it_as_its_walk_did(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    first = first_visit(run, threshold(guide) + 4)
    second = second_walk(run, "10:06", "--answers", earlier_rating(tmp_path))
    session = outcome(second)["session"]
    assert session != first
    note = run("note", session, "--format", "json")
    assert note.exit_code == 0, note.output
    assert json.loads(note.stdout)["readiness"] == "blocked", note.stdout


def test_another_visits_correction_is_read_in_its_own_visit(guide: Guide) -> None:
    """A correction names an entry of its own visit: read into another visit's series, it
    stands in the place of the rating it corrects there, as a plain rating, so that it
    can never name (and hide) a rating of the visit reading it at the same minute."""
    import datetime as dt

    from xrntx_guide.visit.entries import CowsRating
    from xrntx_guide.visit.history import ratings_elsewhere
    from xrntx_guide.visit.session import new_session

    ten = dt.datetime.combine(TODAY, dt.time(10), tzinfo=dt.UTC)
    other = new_session(guide, LABEL, ten, TODAY)
    other.cows_ratings = [
        CowsRating(at=ten, day=TODAY, context="baseline", total=9, time_given=True),
        CowsRating(
            at=ten + dt.timedelta(minutes=30), day=TODAY, context="baseline", total=2,
            corrects=ten, reason="typed in the wrong row",
        ),
    ]  # fmt: skip
    read = [(r.at, r.total, r.corrects) for r, _ in ratings_elsewhere([other], None)]
    assert read == [(ten, 2, None)], read


def test_a_rating_after_this_walks_clock_is_not_read(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    """Another visit's rating of 10:30 is not read by a walk at 10:00 (one clock: nothing
    after now), which reads its own withdrawal of 09:55."""
    assert walk_at(run, LABEL, at("10:30"), ready_patient(cows_total=2)).exit_code in (0, 1, 4)
    answers = json.loads(Path(earlier_rating(tmp_path)).read_text())
    answers["cows_ratings"] = [{"at": at("09:55"), "total": threshold(guide) + 4}]
    second = second_walk(run, "10:00", "--answers", json_file(tmp_path, "own.json", answers))
    assert "withdrawal" in outcome(second)["blocking"], second.output


def test_a_finished_visit_resumed_reads_the_day_as_its_dose_did(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    """A visit that counted its dose on another visit's later calm rating is read with it
    when resumed to add an answer: never turned back to withdrawal."""
    high = threshold(guide) + 4
    first = walk_at(run, LABEL, at("10:00"), ready_patient(cows_total=high, injection_date=TODAY))
    assert first.exit_code in (1, 4), first.output
    (row,) = json.loads(run("sessions", "--json").stdout)
    assert walk_at(run, LABEL, at("10:10"), ready_patient(cows_total=2)).exit_code in (0, 4)
    given = [
        "-a", "injection_given=yes", "-a", "injection_side_used=left",
        "-a", "needle_used=2-inch", "-a", "observation_minutes=30", "-a", "wallet_card_given=yes",
    ]  # fmt: skip
    dosed = run(
        "walk", "--no-input", "--resume", "--session", row["id"], "--now", at("10:20"),
        "--acknowledge", "all", *given,
    )  # fmt: skip
    assert dosed.exit_code == 0, dosed.output
    again = run(
        "walk", "--no-input", "--json", "--resume", "--session", row["id"], "--now", at("10:40"),
        "--acknowledge", "all", "-a", "observation_minutes=45",
    )  # fmt: skip
    assert again.exit_code == 0, again.output


def test_a_refusal_beside_a_visit_moved_since_says_to_walk_the_day_not_resume_it(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    """The visit that rated withdrawal today was moved to yesterday since (resumed with
    yesterday's date): its rating stays one of today, and the refusal of today's check
    names it. Before, it said to resume that session "to go on with this visit day",
    which would go on with yesterday's visit; it now says where that visit is and to walk
    the patient for today, and the walk it names reads the rating and goes on."""
    import datetime as dt

    session = first_visit(run, threshold(guide) + 4)
    yesterday = (TODAY - dt.timedelta(days=1)).isoformat()
    moved = run(
        "walk", "--no-input", "--json", "--resume", "--session", session, "--now", at("10:04"),
        "--answer", f"injection_date={yesterday}",
    )  # fmt: skip
    assert moved.exit_code in (1, 4), moved.output
    checked = run(
        "check", "--json", "--label", LABEL, "--now", at("10:05"),
        "--answers", earlier_rating(tmp_path),
    )  # fmt: skip
    assert checked.exit_code == 2, checked.output
    message = json.loads(checked.stderr)["message"]
    assert session in message and f"now of {yesterday}" in message, message
    assert f"walk --label {LABEL}" in message and "--resume" not in message, message
    walked = second_walk(run, "10:06", "--answers", earlier_rating(tmp_path))
    assert "withdrawal" in outcome(walked)["blocking"], walked.output


def test_a_refusal_beside_a_visit_of_the_same_day_says_to_resume_it(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    session = first_visit(run, threshold(guide) + 4)
    checked = run(
        "check", "--json", "--label", LABEL, "--now", at("10:05"),
        "--answers", earlier_rating(tmp_path),
    )  # fmt: skip
    message = json.loads(checked.stderr)["message"]
    assert f"--resume --session {session}" in message and "now of" not in message, message
