"""A result this run recorded while another run saved the same visit is taken into the
merged record by the rule every route follows (clinical basis, safety invariant 9;
visit/results.py), read against what the other run saved: a negative naloxone challenge
after the other run's positive, or after its COWS rating of withdrawal before the
naloxone, is never recorded, so it can never count later (a calmer rating taken after
it); the screen says why. A result the rule takes is kept beside the other run's."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.helpers import TODAY
from xrntx_guide.pack.guide import Guide
from xrntx_guide.store import Store
from xrntx_guide.store.saver import Saver
from xrntx_guide.visit.entries import ChallengeResult, CowsRating, visit_results
from xrntx_guide.visit.results import Offered, take_result
from xrntx_guide.visit.session import SessionRecord, new_session


def at(hh: int, mm: int) -> dt.datetime:
    return dt.datetime.combine(TODAY, dt.time(hh, mm), dt.UTC)


def rating(when: dt.datetime, total: int) -> CowsRating:
    return CowsRating(at=when, day=TODAY, context="repeat", total=total, origin="file",
                      time_given=True)  # fmt: skip


SAVED_MEANWHILE: dict[str, CowsRating | ChallengeResult] = {
    "positive_challenge": ChallengeResult(
        at=at(9, 55),
        day=TODAY,
        kind="challenge",
        result="positive",
        started=at(9, 30),
        origin="file",
    ),
    "withdrawal_rating": rating(at(9, 20), 8),
    "calm_rating": rating(at(9, 20), 2),
}


def merged_after(store: Store, guide: Guide, saved: str) -> tuple[list[str], SessionRecord]:
    """The other run saves ``saved``; this run, which had the visit open, types a negative
    challenge (the naloxone given at 09:30) and saves: what the save says, and the record."""
    record = new_session(guide, "PAT", at(9, 0), TODAY)
    base = rating(at(9, 0), 1)
    record.cows_ratings.append(base)
    record.note_result(base, at(9, 0))
    store.create(record, "dr-a")
    mine = Saver.loaded(store, "dr-a", *store.load(record.id), guide=guide)
    other = Saver.loaded(store, "dr-b", *store.load(record.id), guide=guide)

    theirs = other.base.model_copy(deep=True)  # type: ignore[union-attr]
    entry = SAVED_MEANWHILE[saved]
    if isinstance(entry, CowsRating):
        theirs.cows_ratings.append(entry)
    else:
        theirs.naloxone_challenges.append(entry)
    theirs.note_result(entry, at(10, 1))
    other.save(theirs)

    typed = mine.base.model_copy(deep=True)  # type: ignore[union-attr]
    offered = Offered("challenge", "negative", at(10, 0), "typed", day=TODAY,
                      started=at(9, 30), stamped=True)  # fmt: skip
    assert take_result(guide, typed, offered, TODAY) is not None, "taken by this run alone"
    said = mine.save(typed)
    kept, _ = store.load(record.id)
    return said, kept


@pytest.mark.parametrize("saved", ["positive_challenge", "withdrawal_rating"])
def test_a_negative_challenge_the_other_runs_result_refuses_is_never_recorded(
    store: Store, guide: Guide, saved: str
) -> None:
    said, kept = merged_after(store, guide, saved)
    results = [c.result for c in kept.naloxone_challenges]
    assert "negative" not in results, said
    assert any("not recorded" in line and "negative" in line for line in said), said
    # Later the patient is calmer: the refused negative still never counts.
    kept.cows_ratings.append(rating(at(10, 30), 2))
    read = visit_results(guide, kept.cows_ratings, kept.naloxone_challenges, TODAY)
    assert read.answers.get("naloxone_challenge") != "negative", read.answers


def test_a_negative_challenge_the_rule_takes_is_kept_beside_the_other_runs_rating(
    store: Store, guide: Guide
) -> None:
    said, kept = merged_after(store, guide, "calm_rating")
    assert [c.result for c in kept.naloxone_challenges] == ["negative"], said
    assert [r.total for r in kept.cows_ratings] == [1, 2]
    assert not any("not recorded" in line for line in said), said
