"""`edit KEY` asks a question that applies and has no answer yet: one left empty with
Enter (a rechallenge not done yet), or one 'jump' went past (the instructions of the
opioid-free interval say "go back to the 'pathway' question")."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from tests.helpers import TODAY, ready_patient
from xrntx_guide.cli.ui import UI
from xrntx_guide.cli.walkthrough import Walkthrough
from xrntx_guide.env import Clock
from xrntx_guide.pack.guide import Guide
from xrntx_guide.visit import session as store
from xrntx_guide.visit.results import offered_answers, take_results

NOW = dt.datetime.combine(TODAY, dt.time(10), tzinfo=dt.UTC)


def walk(guide: Guide, answers: dict[str, object], typed: str) -> tuple[store.SessionRecord, str]:
    """An interactive walk (a dry run) of a record holding ``answers``; what it showed."""
    record = store.new_session(guide, "E", NOW, TODAY)
    # Results go into the record's series, as every route takes them (the gate reads the
    # series, never a stored answer without its entry: safety invariant 9).
    take_results(guide, record, offered_answers(guide, answers, NOW, "flag"), TODAY)
    for key, value in answers.items():
        record.set_answer(key, value, "flag", NOW)  # type: ignore[arg-type]
    out = io.StringIO()
    ui = UI(plain=True, out=out, err=out, stdin=io.StringIO(typed))
    clock = Clock(source=lambda: NOW)
    Walkthrough(ui, guide, record, Path("/nonexistent"), TODAY, clock, dry_run=True).run()
    return record, out.getvalue()


def test_edit_asks_a_rechallenge_left_empty(guide: Guide) -> None:
    answers = ready_patient(naloxone_challenge="positive", injection_date=TODAY)

    record, screen = walk(guide, answers, "\nedit naloxone_rechallenge\nquit\n")

    assert "naloxone_rechallenge" in record.skipped
    assert "not an answered key" not in screen
    assert screen.count("Naloxone rechallenge result") >= 2, screen


def test_edit_pathway_after_jump_asks_the_pathway(guide: Guide) -> None:
    readiness = ("uds_", "cows", "naloxone", "kit", "body", "abstinence")
    four_days = ready_patient(last_opioid_use=TODAY - dt.timedelta(days=4), injection_date=TODAY)
    answers = {k: v for k, v in four_days.items() if not k.startswith(readiness)}

    _, screen = walk(guide, answers, "jump\nedit pathway\nquit\n")

    assert "go back to the" in screen  # the instruction this follows
    after = screen.split("edit pathway", 1)[1]
    assert "Which pathway?" in after, after
    assert "not an answered key" not in after


def test_edit_of_a_question_that_does_not_apply_is_refused_saying_so(guide: Guide) -> None:
    answers = ready_patient(naloxone_challenge="negative", injection_date=TODAY)

    _, screen = walk(guide, answers, "edit naloxone_rechallenge\nquit\n")

    assert "nor a question that applies now" in " ".join(screen.split()), screen


def test_the_start_of_a_key_left_empty_will_do(guide: Guide) -> None:
    """docs/clinicians.md: "the start of a key will do", for a question left empty too."""
    answers = ready_patient(naloxone_challenge="positive", injection_date=TODAY)

    _, screen = walk(guide, answers, "\nedit naloxone_re\nquit\n")

    assert "naloxone_re -> naloxone_rechallenge" in screen, screen
    assert screen.count("Naloxone rechallenge result") >= 2, screen


def test_enter_at_which_answer_edits_nothing(guide: Guide) -> None:
    answers = ready_patient(naloxone_challenge="positive", injection_date=TODAY)

    _, screen = walk(guide, answers, "\nedit\n\nquit\n")

    assert "nothing edited" in screen, screen
    assert "is not an answered key" not in screen, screen
