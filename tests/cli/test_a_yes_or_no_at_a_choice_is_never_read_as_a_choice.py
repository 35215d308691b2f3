"""A yes or a no typed at a question of choices is never read as the start of a choice.

The prompt takes a choice's number, its value, an alias, or an unambiguous start of its
value ("neg" for negative). "no" at the pregnancy test was read that way as
``not_applicable`` ("cannot become pregnant"): a clinician who meant "not pregnant" had
the record say the patient cannot become pregnant. A yes or a no is a yes/no question's
answer: at a choice it is refused, naming the choices, unless a choice takes it as its
alias (``none``, alias ``no``, at the agonist question).
"""

from __future__ import annotations

import pytest

from tests.helpers import TODAY
from xrntx_guide.errors import InvalidAnswer
from xrntx_guide.pack.guide import Guide
from xrntx_guide.visit.answers import parse_value


@pytest.mark.parametrize("typed", ["no", "n", "yes", "y", "NO"])
def test_a_yes_or_no_at_the_pregnancy_test_is_refused_naming_the_choices(
    guide: Guide, typed: str
) -> None:
    with pytest.raises(InvalidAnswer) as refused:
        parse_value(guide.questions["pregnancy_test"], typed, today=TODAY, interactive=True)
    assert "not_applicable" in str(refused.value) and "negative" in str(refused.value)


def test_the_start_of_a_choice_is_still_taken(guide: Guide) -> None:
    """Control: 'neg' and 'not' are starts of one value each."""
    cq = guide.questions["pregnancy_test"]
    assert parse_value(cq, "neg", today=TODAY, interactive=True) == "negative"
    assert parse_value(cq, "not", today=TODAY, interactive=True) == "not_applicable"


def test_a_choice_whose_alias_is_no_takes_it(guide: Guide) -> None:
    cq = guide.questions["agonist_since_last_injection"]
    assert parse_value(cq, "no", today=TODAY, interactive=True) == "none"
