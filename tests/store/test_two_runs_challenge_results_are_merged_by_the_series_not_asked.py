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


def test_a_negative_never_stands_beside_a_naloxone_another_run_gave_meanwhile(
    guide: Guide,
) -> None:
    """This run gave the rechallenge's naloxone at 09:40 and its negative at 10:30; the
    other run, meanwhile, gave a naloxone at 10:25. The two timers clash, and at a
    terminal the clinician settles it: before, either answer let the negative stand
    beside the other room's naloxone of five minutes before, and the dose counted.
    Whichever timer is kept, the negative is left out, saying why."""
    base = new_session(guide, "TWO-ROOMS", at(8, 0), TODAY)
    calm = Offered("cows", 1, at(9, 0), "typed", context="before_challenge")
    take_result(guide, base, calm, TODAY, at(9, 0))
    take_result(guide, base, Offered("challenge", "positive", at(9, 30), "typed"), TODAY, at(9, 30))
    theirs, mine = base.model_copy(deep=True), base.model_copy(deep=True)
    theirs.start_timer(keys.RECHALLENGE, at(10, 25), at(10, 25), at(10, 25))
    mine.start_timer(keys.RECHALLENGE, at(9, 40), at(9, 40), at(10, 30))
    negative = Offered("rechallenge", "negative", at(10, 30), "flag", started=at(9, 40))
    take_result(guide, mine, negative, TODAY, at(10, 30))
    found = clashes(base, mine, theirs, "dr-b", guide)
    assert [(c.part, c.key) for c in found] == [("timers", keys.RECHALLENGE)], found
    for keep in (frozenset(), frozenset({("timers", keys.RECHALLENGE)})):
        said: list[str] = []
        kept = merge(base, mine, theirs, keep_mine=keep, guide=guide, said=said)
        assert not any(c.result == "negative" for c in kept.naloxone_challenges), keep
        assert any("another run gave this rechallenge's naloxone" in line for line in said), said
