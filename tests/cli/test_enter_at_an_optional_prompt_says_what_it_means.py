"""Enter at a prompt always says what it took: a default is echoed as the value it means
(``Enter -> 2026-12-06``), and Enter at an optional question as ``Enter -> skipped``, so
the clinician sees that the question was left empty on purpose, whichever optional
question it is."""

from __future__ import annotations

import datetime as dt

from tests.cli.test_edit_open_questions import walk
from tests.helpers import TODAY, ready_patient
from xrntx_guide.pack.guide import Guide

SKIPPED = "Enter -> skipped"


def _after(screen: str, prompt: str) -> str:
    """What the screen shows after the first ``prompt`` up to the next question."""
    assert prompt in screen, screen
    return screen.split(prompt, 1)[1]


def test_enter_at_the_agonist_question_says_it_is_skipped(guide: Guide) -> None:
    key = "agonist_since_last_injection"
    after_blockade = TODAY - dt.timedelta(days=int(guide.setting_values["blockade_days"]) + 2)
    answers = ready_patient(
        visit="repeat_injection",
        injection_date=TODAY,
        last_injection_date=after_blockade,
        last_injection_side="left",
    )
    assert key not in answers

    record, screen = walk(guide, answers, "\nquit\n")

    assert key in record.skipped
    shown = _after(screen, guide.questions[key].spec.prompt)
    nxt = shown.index("since the last injection? (yes/no)")
    assert SKIPPED in shown[:nxt], shown


def test_enter_at_another_optional_question_says_the_same(guide: Guide) -> None:
    key = "naloxone_rechallenge"
    assert guide.questions[key].spec.optional
    answers = ready_patient(naloxone_challenge="positive", injection_date=TODAY)

    record, screen = walk(guide, answers, "\nquit\n")

    assert key in record.skipped
    assert SKIPPED in _after(screen, guide.questions[key].spec.prompt), screen


def test_a_required_question_never_says_skipped(guide: Guide) -> None:
    answers = ready_patient(injection_date=TODAY, consent=None)
    assert not guide.questions["consent"].spec.optional

    record, screen = walk(guide, answers, "\nquit\n")

    assert "consent" not in record.skipped
    assert SKIPPED not in screen
    assert "an answer is needed here" in screen


def test_enter_at_the_cows_total_says_it_is_worked_out_from_the_items(guide: Guide) -> None:
    """The total's own help says Enter rates the eleven items one by one: it is not
    skipped, and the echo said it was."""
    key = "cows_total"
    assert guide.questions[key].spec.optional and guide.questions[key].computed is not None
    answers = ready_patient(injection_date=TODAY, cows_total=None)

    _, screen = walk(guide, answers, "\nquit\n")

    shown = _after(screen, guide.questions[key].spec.prompt)
    prompt_line = shown.split("\n", 1)[0]  # the prompt offers what Enter does
    assert "[Enter: worked out from the answers asked next]" in prompt_line, shown
    assert "Enter -> worked out from the answers asked next" in shown, shown
    assert SKIPPED not in shown.split("COWS", 1)[0], shown
