"""Two runs of one visit that each recorded a challenge result (one room the positive,
the other, which had the visit open, a negative) are merged by the series' rule: the
positive stands, and the negative is said not recorded from this run. Before, the walk
also asked "Keep which for naloxone_challenge? [mine/theirs]" of the answer the series
decides, and 'mine' said "kept this run's value ('negative')" beside "not recorded from
this run": a choice that decided nothing, in words that contradicted each other."""

from __future__ import annotations

import datetime as dt

from tests.helpers import TODAY
from xrntx_guide.pack import keys
from xrntx_guide.pack.guide import Guide
from xrntx_guide.store.saver import clashes, merge
from xrntx_guide.visit.entries import visit_results
from xrntx_guide.visit.results import Offered, take_result
from xrntx_guide.visit.session import new_session


def at(hh: int, mm: int) -> dt.datetime:
    return dt.datetime.combine(TODAY, dt.time(hh, mm)).astimezone()


def test_a_challenge_result_of_two_runs_is_no_clash_and_the_positive_stands(
    guide: Guide,
) -> None:
    base = new_session(guide, "TWO-PANES", at(8, 0), TODAY)
    theirs, mine = base.model_copy(deep=True), base.model_copy(deep=True)
    # Each as the prompt records it: the result in the series, and the answer.
    take_result(guide, theirs, Offered("challenge", "positive", at(9, 0), "typed"), TODAY, at(9, 0))
    theirs.set_answer(keys.CHALLENGE, "positive", "typed", at(9, 0))
    negative = Offered("challenge", "negative", at(9, 1), "typed", started=at(8, 30))
    take_result(guide, mine, negative, TODAY, at(9, 1))
    mine.set_answer(keys.CHALLENGE, "negative", "typed", at(9, 1))
    assert mine.answers[keys.CHALLENGE].value != theirs.answers[keys.CHALLENGE].value
    found = clashes(base, mine, theirs, "dr-b", guide)
    assert keys.CHALLENGE not in [c.key for c in found], found
    said: list[str] = []
    kept = merge(base, mine, theirs, guide=guide, said=said)
    read = visit_results(guide, kept.cows_ratings, kept.naloxone_challenges, TODAY)
    assert read.answers.get(keys.CHALLENGE) == "positive"
    assert any("not recorded from this run" in line for line in said), said
