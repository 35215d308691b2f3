"""Safety invariants 10 and 11 at the one rule (visit/contradiction.py) and the label
comparison (visit/labels.py), without going through a command."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from tests.helpers import days_ago
from xrntx_guide.pack.guide import Guide
from xrntx_guide.visit.contradiction import contradiction
from xrntx_guide.visit.history import Timeline, VisitEntry
from xrntx_guide.visit.labels import clean_label, label_key

REPEAT = {"visit": "repeat_injection", "opioid_use_since_last_injection": False}


def record_with_dose(day: dt.date) -> Timeline:
    dose = VisitEntry(
        session="s1",
        status="complete",
        training=False,
        updated=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        date=day.isoformat(),
        injection_given=True,
    )
    return Timeline("PAT", days_ago(0), [dose], source=dose)


@pytest.mark.parametrize(
    ("answers", "key", "named"),
    [
        ({**REPEAT, "last_injection_date": days_ago(35), "last_opioid_use": days_ago(1)},
         "last_opioid_use", "opioid_use_since_last_injection"),
        ({"visit": "first_injection", "last_injection_date": days_ago(3)},
         "last_injection_date", "visit"),
        ({"visit": "first_injection", "last_injection_side": "left"},
         "last_injection_side", "visit"),
    ],
    ids=["no_use_since_beside_a_later_use", "first_with_a_date", "first_with_a_side"],
)  # fmt: skip
def test_an_answer_contradicting_the_path_is_found_naming_both(
    guide: Guide, answers: dict[str, Any], key: str, named: str
) -> None:
    found = contradiction(guide, answers)
    assert found is not None and found.key == key
    assert named in found.message


@pytest.mark.parametrize(
    "answers",
    [
        {**REPEAT, "last_injection_date": days_ago(35), "last_opioid_use": days_ago(35)},
        {**REPEAT, "last_injection_date": days_ago(35), "last_opioid_use": days_ago(40)},
        {**REPEAT, "opioid_use_since_last_injection": True, "last_injection_date": days_ago(35),
         "last_opioid_use": days_ago(1)},
        {"visit": "first_injection", "last_opioid_use": days_ago(14)},
        {**REPEAT, "last_injection_date": days_ago(3)},
    ],
    ids=["use_on_the_day", "use_before", "use_since_said", "first", "repeat"],
)  # fmt: skip
def test_answers_that_agree_are_not_refused(guide: Guide, answers: dict[str, Any]) -> None:
    assert contradiction(guide, answers) is None


def test_the_record_refuses_a_first_injection_and_an_older_date_but_not_a_later_one(
    guide: Guide,
) -> None:
    record = record_with_dose(days_ago(3))
    first = contradiction(guide, {"visit": "first_injection"}, record)
    assert first is not None and days_ago(3).isoformat() in first.message
    older = contradiction(guide, {**REPEAT, "last_injection_date": days_ago(28)}, record)
    assert older is not None and older.key == "last_injection_date"
    assert days_ago(3).isoformat() in older.message
    # A dose given since, elsewhere (a later date than the record's), is the last one.
    assert contradiction(guide, {**REPEAT, "last_injection_date": days_ago(1)}, record) is None


def test_the_recorded_dose_stands_for_a_last_injection_not_given(guide: Guide) -> None:
    """A repeat visit leaving the last injection to the record: a use after the recorded
    dose beside "no use since" is refused, naming the session."""
    record = record_with_dose(days_ago(35))
    found = contradiction(guide, {**REPEAT, "last_opioid_use": days_ago(1)}, record)
    assert found is not None and found.key == "last_opioid_use" and "s1" in found.message


@pytest.mark.parametrize(
    "typed", ["PAT", "pat", "ＰＡＴ", "ｐａｔ", " PAT", "P AT", "P-A-T", "p_a.t", "\u00a0PAT"]
)
def test_labels_differing_in_case_width_or_separators_are_one(typed: str) -> None:
    assert label_key(clean_label(typed)) == label_key("PAT")


@pytest.mark.parametrize(
    ("typed", "named"),
    [
        ("ᏢᎪᎢ", "U+13E2"), ("ꓑꓮꓔ", "U+A4D1"), ("ⲢⲀⲦ", "U+2CA2"), ("ᴘᴀᴛ", "U+1D18"),
        ("Pɑt", "U+0251"), ("KıM", "U+0131"), ("KİM", "U+0130"), ("ЈОҮ", "U+0408"),
        ("ԀОС", "U+0500"), ("P\u200bAT", "U+200B"), ("PAT\u3164", "U+3164"),
        ("PAT\u2800", "U+2800"), ("AB\u201012", "U+2010"), ("AB–12", "U+2013"),
        ("AB−12", "U+2212"), ("PΑT", "U+0391"), ("PАT", "U+0410"), ("ΡΑΤ", "U+03A1"),
        ("Zoë-12", "U+00EB"), ("O'Brien 3", "U+0027"), ("A\tB", "U+0009"),
    ],
)  # fmt: skip
def test_a_label_of_anything_but_plain_letters_digits_and_separators_is_refused(
    typed: str, named: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(named)) as refused:
        clean_label(typed)
    assert "plain letters and digits" in str(refused.value)
    assert "'-'" in str(refused.value)


@pytest.mark.parametrize("typed", ["AB-12", "ab 12", "x/7#3", "jd_01.2", "ＡＢ１２"])
def test_a_label_of_plain_letters_digits_and_separators_is_accepted(typed: str) -> None:
    assert label_key(clean_label(typed)) in ("ab12", "x73", "jd012")


@pytest.mark.parametrize("typed", ["MRN#123", "MRN/123", "mrn 123", "MRN-123"])
def test_every_separator_a_label_may_hold_is_ignored_when_labels_are_compared(
    typed: str,
) -> None:
    """`#` and `/` are taken in a label, so they are separators like `-`: `MRN#123` and
    `MRN123` are one patient."""
    assert label_key(clean_label(typed)) == label_key("MRN123")


def test_use_since_the_last_injection_dated_before_it_is_refused(guide: Guide) -> None:
    """ "Use since the last injection" beside a last use dated before that injection: the
    date cannot be the use since, so one of the two is wrong (refused, naming both)."""
    answers = {
        **REPEAT,
        "opioid_use_since_last_injection": True,
        "opioid_use_significant": False,
        "last_injection_date": days_ago(20),
        "last_opioid_use": days_ago(25),
    }
    found = contradiction(guide, answers)
    assert found is not None and found.key == "last_opioid_use"
    assert "opioid_use_since_last_injection" in found.message
    assert days_ago(20).isoformat() in found.message
    record = record_with_dose(days_ago(20))
    left_to_record = {k: v for k, v in answers.items() if k != "last_injection_date"}
    from_record = contradiction(guide, left_to_record, record)
    assert from_record is not None and "session s1" in from_record.message


def test_a_side_contradicting_the_record_is_refused_naming_the_session(guide: Guide) -> None:
    from xrntx_guide.engine.drive import Prefill

    dose = record_with_dose(days_ago(28))
    record = Timeline(
        dose.label, dose.day, dose.visits,
        {"last_injection_side": Prefill("left", "history", "from session s1")},
        dose.source,
    )  # fmt: skip
    found = contradiction(guide, {**REPEAT, "last_injection_side": "right"}, record)
    assert found is not None and found.key == "last_injection_side"
    assert "s1" in found.message and "left" in found.message
    same = {**REPEAT, "last_injection_side": "left", "last_injection_date": days_ago(28)}
    assert contradiction(guide, same, record) is None
    # A later injection given elsewhere is another injection: its side is its own.
    later = {**REPEAT, "last_injection_side": "right", "last_injection_date": days_ago(2)}
    assert contradiction(guide, later, record) is None


def test_a_date_as_the_record_shows_it_is_named_from_its_session(guide: Guide) -> None:
    record = record_with_dose(days_ago(35))
    answers = {**REPEAT, "last_injection_date": days_ago(35), "last_opioid_use": days_ago(1)}
    found = contradiction(guide, answers, record)
    assert found is not None and "from session s1" in found.message
    assert "given)" not in found.message


@pytest.mark.parametrize(
    "answers",
    [
        {**REPEAT, "last_injection_date": days_ago(35), "last_opioid_use": days_ago(1)},
        {**REPEAT, "opioid_use_since_last_injection": True,
         "last_injection_date": days_ago(20), "last_opioid_use": days_ago(25)},
        {"visit": "first_injection", "last_injection_date": days_ago(3)},
        {**REPEAT, "last_injection_date": days_ago(40)},
        {"visit": "first_injection"},
    ],
    ids=["use_after", "use_before", "first_with_a_date", "older_than_record", "first_on_record"],
)  # fmt: skip
def test_a_refusal_at_a_prompt_gives_a_fix_that_can_be_followed_there(
    guide: Guide, answers: dict[str, Any]
) -> None:
    found = contradiction(guide, answers, record_with_dose(days_ago(35)))
    assert found is not None
    said = found.at_prompt
    assert "leave" not in said.lower() and "=" not in said.split(": ", 1)[1], said
    assert "type" in said or "edit" in said or "answer" in said, said
