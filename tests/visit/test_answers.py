"""Reading one answer: numbers, dates, choices and ``KEY=VALUE`` flags (visit/answers.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.helpers import TODAY, Run, check, ready_patient
from xrntx_guide.errors import ExitCode, InvalidAnswer, UsageError
from xrntx_guide.pack.guide import Guide
from xrntx_guide.visit.answers import parse_date, parse_pairs, parse_value, suggest_key


@pytest.mark.parametrize(
    ("key", "value"), [("age", "٣٥"), ("age", "３５"), ("lft_multiple_uln", "1_0"), ("age", "3_5")]
)
def test_numbers_take_plain_digits_only(run: Run, key: str, value: str) -> None:
    result = check(run, ready_patient(**{key: value}))
    assert result.exit_code == ExitCode.USAGE, result.output
    assert key in result.stderr


def test_date_phrases_count_back_from_today() -> None:
    assert parse_date("today", TODAY) == TODAY
    assert parse_date("Yesterday", TODAY) == TODAY - dt.timedelta(days=1)
    assert parse_date("14 days ago", TODAY) == TODAY - dt.timedelta(days=14)
    assert parse_date("2026-11-01", TODAY) == dt.date(2026, 11, 1)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("next week", "YYYY-MM-DD"),
        ("2026-02-30", "not a real calendar date"),
        ("1/2/26", "'today'"),
    ],
)
def test_a_date_that_is_not_one_says_what_to_type(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_date(text, TODAY)


def test_a_choice_outside_the_list_names_the_question_and_a_close_value(guide: Guide) -> None:
    with pytest.raises(InvalidAnswer) as info:
        parse_value(guide.questions["last_opioid_kind"], "short_actin", today=TODAY)
    assert info.value.key == "last_opioid_kind"
    assert "short_acting" in info.value.message


def test_yes_and_no_are_read_for_a_yes_no_question(guide: Guide) -> None:
    cq = guide.questions["consent"]
    assert parse_value(cq, "yes", today=TODAY) is True
    assert parse_value(cq, "no", today=TODAY) is False
    with pytest.raises(InvalidAnswer):
        parse_value(cq, "maybe", today=TODAY)


def test_an_answer_flag_splits_at_the_first_equals_sign() -> None:
    assert parse_pairs(["note=a=b", " age = 34 "]) == [("note", "a=b"), ("age", "34")]
    with pytest.raises(UsageError, match="KEY=VALUE"):
        parse_pairs(["age"])


def test_a_misspelt_key_suggests_the_real_one(guide: Guide) -> None:
    assert suggest_key(guide, "consnet") == "consent"
    assert suggest_key(guide, "zzzz") is None
