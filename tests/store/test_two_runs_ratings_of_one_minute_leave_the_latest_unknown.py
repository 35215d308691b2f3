"""Two runs save one visit at once: one records a COWS rating given to the minute (a
file's 9 "at 10:00", a pathway day's), the other a rating it stamps when typed (a 2 at
10:00:20). The given 9 was taken at some moment of 10:00, no later than when its run
recorded it. Recorded before the 2 was typed, it came first and the 2 is the latest (the
walk's rule). Recorded after, which of the two came later is not known: the merge must
neither drop the 9 (the old merge refused it, and the 2 read) nor read the 2 by its
seconds (a dose counted on it). The record keeps both and reads no rating until a new one
is taken (safety invariants 2 and 9: undecided is never ready; a recorded result is never
lost); a rating typed then is the latest and is read."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest

from tests.helpers import STEPS, TODAY, Run, ready_patient, the_store
from xrntx_guide.engine.evaluate import evaluate
from xrntx_guide.errors import InvalidAnswer
from xrntx_guide.pack.guide import Guide
from xrntx_guide.pack.load import load_guide
from xrntx_guide.store import Store
from xrntx_guide.store.saver import Saver
from xrntx_guide.visit.entries import ChallengeResult, CowsRating, visit_results
from xrntx_guide.visit.rapid import parse_days
from xrntx_guide.visit.results import Offered, note_rating, take_given, take_result
from xrntx_guide.visit.series import series_data, series_lines
from xrntx_guide.visit.session import SessionRecord, new_session

TYPED_AT = dt.datetime.combine(TODAY, dt.time(10, 0, 20), dt.UTC)


def at(hh: int, mm: int, ss: int = 0) -> dt.datetime:
    return dt.datetime.combine(TODAY, dt.time(hh, mm, ss), dt.UTC)


def opened(store: Store, guide: Guide) -> tuple[Saver, Saver]:
    """A visit ready but for its COWS rating, stored; two runs that loaded it."""
    record = new_session(guide, "PAT", at(9, 0), TODAY)
    for key, value in ready_patient(cows_total=None, injection_date=TODAY).items():
        record.set_answer(key, value, "flag", at(9, 0))
    store.create(record, "dr-a")
    return (
        Saver.loaded(store, "dr-a", *store.load(record.id), guide=guide),
        Saver.loaded(store, "dr-b", *store.load(record.id), guide=guide),
    )


def given_nine(guide: Guide, saver: Saver, recorded: dt.datetime) -> SessionRecord:
    record = saver.base.model_copy(deep=True)  # type: ignore[union-attr]
    offered = Offered("cows", 9, at(10, 0), "file", day=TODAY)
    assert take_result(guide, record, offered, TODAY, recorded) is not None
    return record


def typed_two(guide: Guide, saver: Saver) -> SessionRecord:
    record = saver.base.model_copy(deep=True)  # type: ignore[union-attr]
    offered = Offered("cows", 2, TYPED_AT, "typed", day=TODAY, stamped=True)
    assert take_result(guide, record, offered, TODAY, TYPED_AT) is not None
    return record


def merged(store: Store, guide: Guide, recorded: dt.datetime, given_first: bool) -> SessionRecord:
    """Each run records its rating; the one saving second merges the other's."""
    typing, giving = opened(store, guide)
    records = [(giving, given_nine(guide, giving, recorded)), (typing, typed_two(guide, typing))]
    for saver, record in records if given_first else reversed(records):
        saver.save(record)
    kept, _ = store.load(typing.record_id)
    return kept


def withdrawal(guide: Guide, record: SessionRecord) -> tuple[object, str]:
    inputs = record.inputs(guide, TODAY)
    return inputs.answers.get("cows_total"), evaluate(guide, inputs).gates["withdrawal"].outcome


@pytest.mark.parametrize("given_first", [True, False], ids=["given-saved-first", "typed-first"])
def test_a_rating_given_to_the_minute_recorded_after_a_stamped_one_leaves_no_rating_read(
    store: Store, guide: Guide, given_first: bool
) -> None:
    kept = merged(store, guide, at(10, 0, 50), given_first)
    assert sorted(r.total for r in kept.cows_ratings) == [2, 9], "both ratings are kept"
    total, outcome = withdrawal(guide, kept)
    assert total is None, f"the gate read {total} where the latest is not known"
    assert outcome != "pass"


@pytest.mark.parametrize("given_first", [True, False], ids=["given-saved-first", "typed-first"])
def test_a_rating_given_to_the_minute_recorded_before_the_stamp_came_first(
    store: Store, guide: Guide, given_first: bool
) -> None:
    """Recorded at 10:00:10, the 9 was taken by then: the 2 typed at 10:00:20 is later."""
    kept = merged(store, guide, at(10, 0, 10), given_first)
    assert withdrawal(guide, kept) == (2, "pass")


def test_a_rating_typed_after_the_merge_is_the_latest(store: Store, guide: Guide) -> None:
    """The walk asks for a rating again; the 2 typed at 10:01:30 is recorded (though it
    repeats the stamped 2's total) and read."""
    kept = merged(store, guide, at(10, 0, 50), given_first=False)
    now = at(10, 1, 30)
    kept.set_answer("cows_total", 2, "typed", now)
    state = evaluate(guide, kept.inputs(guide, TODAY))
    added = note_rating(guide, kept, state, TODAY, now)
    assert isinstance(added, CowsRating) and added.at == now, kept.cows_ratings
    assert withdrawal(guide, kept) == (2, "pass")


def test_a_stored_answer_from_before_the_merge_is_not_read_as_a_new_rating(
    store: Store, guide: Guide
) -> None:
    """The typed 2's own answer (typed at 10:00:20) is not a rating typed since."""
    kept = merged(store, guide, at(10, 0, 50), given_first=True)
    kept.set_answer("cows_total", 2, "typed", TYPED_AT)
    assert withdrawal(guide, kept)[0] is None


# --- the pathway's day record, read into the visit day's series -------------------------------


DAY7 = dt.date(2026, 11, 28)


def day_seven_recorded(recorded: dt.datetime) -> tuple[Guide, SessionRecord]:
    """The shipped scenario's day 7 (the injection day) without its ratings: a 2 typed at
    10:00:20, then day 7's record, COWS 9 at 10:00, recorded at ``recorded`` and not
    taken into the series (a day recorded while the visit had another date, or by another
    run: visit/session.py visit_ratings reads it into the series)."""
    from tests.test_a_pathway_day_rating_is_a_rating_of_the_visit_day import SCENARIO, SITE

    guide = load_guide(STEPS, Path(SITE))
    raw = tomllib.loads(SCENARIO.read_text(encoding="utf-8"))["answers"]
    days = raw.pop("rapid_days")
    days[-1]["cows"] = [{"time": dt.time(10, 0), "total": 9}]
    start = dt.datetime.combine(DAY7, dt.time(8), dt.UTC)
    record = new_session(guide, "RAPID", start, DAY7)
    for key, value in raw.items():
        if key not in ("cows_total", "naloxone_challenge", "injection_given"):
            record.set_answer(key, value, "flag", start)
    record.set_answer("injection_date", DAY7, "flag", start)
    record.set_answer("naloxone_challenge", "not_done", "flag", start)
    typed = dt.datetime.combine(DAY7, dt.time(10, 0, 20), dt.UTC)
    offered = Offered("cows", 2, typed, "typed", day=DAY7, stamped=True)
    assert take_result(guide, record, offered, DAY7, typed) is not None
    for n, day in enumerate(parse_days(guide, days, DAY7, None), 1):
        record.record_day(day, recorded if n == len(days) else start)
    return guide, record


@pytest.mark.parametrize(("second", "known"), [(50, False), (10, True)])
def test_a_pathway_days_rating_of_the_minute_is_read_by_when_it_was_recorded(
    second: int, known: bool
) -> None:
    """Recorded at 10:00:50, day 7's 9 of 10:00 may be the later: neither gate reads a
    rating (the pathway's gate read the 2 and passed). Recorded at 10:00:10, the 2 typed
    after it is the latest, for both."""
    guide, record = day_seven_recorded(dt.datetime.combine(DAY7, dt.time(10, 0, second), dt.UTC))
    inputs = record.inputs(guide, DAY7)
    read = (inputs.answers.get("cows_total"), inputs.answers.get("rapid_day_cows"))
    assert read == ((2, 2) if known else (None, None)), read
    state = evaluate(guide, inputs)
    assert state.gates["rapid_pathway"].outcome == ("pass" if known else "unknown")
    assert state.gates["withdrawal"].outcome == ("pass" if known else "unknown")


def test_the_merge_says_why_no_rating_is_read(store: Store, guide: Guide) -> None:
    """The run saving second is told, naming both ratings and what to do."""
    typing, giving = opened(store, guide)
    typing.save(typed_two(guide, typing))
    said = " ".join(giving.save(given_nine(guide, giving, at(10, 0, 50))))
    assert "which of the two came later is not known" in said, said
    assert "total 9" in said and "total 2" in said and "a new one is taken" in said, said


@pytest.mark.usefixtures("at_a_terminal")
def test_a_walk_resumed_on_such_a_record_says_why_and_reads_the_rating_typed_then(
    run: Run, guide: Guide
) -> None:
    """Resumed at the terminal a minute later: the walk says why no rating is read and
    asks for one; the 2 typed (the same total as the stamped one) is recorded and read,
    and the walk goes on past the withdrawal gate (to the challenge)."""
    store = the_store()
    try:
        typing, giving = opened(store, guide)
        record = typed_two(guide, typing)
        record.set_answer("cows_total", 2, "typed", TYPED_AT)  # as the walk stores it
        typing.save(record)
        giving.save(given_nine(guide, giving, at(10, 0, 50)))
    finally:
        store.close()
    walked = run("walk", "--resume", "--label", "PAT", "--plain", "--now", "2026-11-24T10:02",
                 input="2\nquit\n")  # fmt: skip
    said = " ".join(walked.output.split())
    assert "which of the two came later is not known" in said, walked.output
    assert walked.stdout.count("COWS total (0-48)") == 1, walked.output
    assert "Naloxone challenge result" in said, walked.output
    kept = the_store()
    try:
        resumed, _ = kept.load(typing.record_id)
    finally:
        kept.close()
    assert [r.total for r in resumed.cows_ratings][-1] == 2
    assert withdrawal(guide, resumed) == (2, "pass")


@pytest.mark.parametrize("kind", ["challenge", "rechallenge"])
def test_a_negative_challenge_after_a_pair_of_unknown_order_does_not_count(
    store: Store, guide: Guide, kind: str
) -> None:
    """The naloxone given at 10:05, after the given 9 and the stamped 2 of 10:00 whose
    order is not known: the rating before it may be the 9, so the negative does not count
    (a rechallenge after a positive of 08:40 does not lift it)."""
    kept = merged(store, guide, at(10, 0, 50), given_first=True)
    if kind == "rechallenge":
        kept.naloxone_challenges.append(
            ChallengeResult(
                at=at(8, 40),
                day=TODAY,
                kind="challenge",
                result="positive",
                started=at(8, 10),
                origin="typed",
            )
        )
    kept.naloxone_challenges.append(
        ChallengeResult(
            at=at(10, 30),
            day=TODAY,
            kind=kind,
            result="negative",
            started=at(10, 5),
            origin="typed",
        )
    )
    kept.set_answer("cows_total", 2, "typed", at(10, 40))  # a rating typed since: read
    assert note_rating(guide, kept, evaluate(guide, kept.inputs(guide, TODAY)), TODAY, at(10, 40))
    state = evaluate(guide, kept.inputs(guide, TODAY))
    assert state.gates["withdrawal"].outcome == "pass"
    assert state.gates["naloxone_challenge"].outcome != "pass", state.gates["naloxone_challenge"]
    read = visit_results(guide, kept.cows_ratings, kept.naloxone_challenges, TODAY,
                         recorded=kept.recorded_at)  # fmt: skip
    ((_, why),) = [(c, w) for c, w in read.uncounted if c.kind == kind]
    assert why.unordered and why.rating is not None and why.rating.total == 9


def test_a_rating_given_with_seconds_before_the_given_one_was_recorded_is_refused(
    store: Store, guide: Guide
) -> None:
    """A file's 2 given for 10:00:30, while the 9 given for 10:00 was recorded at
    10:00:50: the 9 may be the later one, so the 2 is refused, and nothing is read."""
    kept = merged(store, guide, at(10, 0, 50), given_first=True)
    offered = Offered("cows", 2, at(10, 0, 30), "file", day=TODAY)
    with pytest.raises(InvalidAnswer, match="which of the two came later is not known"):
        take_result(guide, kept, offered, TODAY, at(10, 1))
    assert withdrawal(guide, kept)[0] is None


def test_the_chart_and_the_note_mark_no_rating_as_read(store: Store, guide: Guide) -> None:
    """Neither the chart nor the note's data says the gate reads the stamped 2."""
    kept = merged(store, guide, at(10, 0, 50), given_first=True)
    data = series_data(kept.cows_ratings, TODAY, kept.recorded_at)
    assert [r["used"] for r in data] == [False, False], data
    lines = series_lines(kept.cows_ratings, 5, TODAY, 48, kept.recorded_at)
    assert not any(line.startswith(">") for line in lines), lines
    assert any("none read" in line for line in lines), lines
    known = merged(store, guide, at(10, 0, 10), given_first=True)
    assert [r["used"] for r in series_data(known.cows_ratings, TODAY, known.recorded_at)] == [
        False,
        True,
    ]


def test_the_chart_names_two_ratings_of_one_minute_by_their_seconds(
    store: Store, guide: Guide
) -> None:
    """At HH:MM the two look alike (10:00 and ~10:00): the chart lists each by its seconds,
    as a correction names one."""
    kept = merged(store, guide, at(10, 0, 10), given_first=True)
    lines = series_lines(kept.cows_ratings, 5, TODAY, 48, kept.recorded_at)
    held = [line for line in lines if " holds " in line]
    assert len(held) == 1 and "10:00:00 (9)" in held[0] and "10:00:20 (2)" in held[0], lines
    assert all(len(line) <= 78 for line in lines), lines


def test_rate_again_never_takes_another_runs_answers_as_the_new_rating(
    store: Store, guide: Guide
) -> None:
    """Room A's typed 2 (its answer merged in) and room B's `rate again` at 10:00:59: the
    new rating is what B types since, never A's answer, which would be recorded as a
    typed rating of B's clock and read as the latest (a dose counted on it)."""
    kept = merged(store, guide, at(10, 0, 50), given_first=False)
    kept.set_answer("cows_total", 2, "typed", TYPED_AT)  # A's answer, merged in
    kept.cows_next_context, kept.cows_next_at = "repeat", at(10, 0, 59)  # B: rate again
    state = evaluate(guide, kept.inputs(guide, TODAY))
    assert note_rating(guide, kept, state, TODAY, at(10, 1, 0)) is None, kept.cows_ratings
    assert withdrawal(guide, kept)[0] is None
    kept.set_answer("cows_total", 3, "typed", at(10, 1, 5))  # B types its rating
    state = evaluate(guide, kept.inputs(guide, TODAY))
    added = note_rating(guide, kept, state, TODAY, at(10, 1, 6))
    assert added is not None and added.total == 3 and added.context == "repeat"
    assert withdrawal(guide, kept) == (3, "pass")


def test_two_rooms_ratings_given_for_one_minute_are_both_kept_and_neither_read(
    store: Store, guide: Guide
) -> None:
    """Room A's file gives 2 "at 10:00", room B's 9 "at 10:00": the run saving second had
    its rating dropped ("never replaced") and read the other's 2. Both are kept; neither
    is read until a new rating is taken."""
    first, second = opened(store, guide)
    for saver, total in ((first, 2), (second, 9)):
        record = saver.base.model_copy(deep=True)  # type: ignore[union-attr]
        offered = Offered("cows", total, at(10, 0), "file", day=TODAY)
        assert take_result(guide, record, offered, TODAY, at(10, 0, 40)) is not None
        saver.save(record)
    kept, _ = store.load(first.record_id)
    assert sorted(r.total for r in kept.cows_ratings) == [2, 9]
    assert withdrawal(guide, kept)[0] is None


def test_items_given_while_the_latest_is_not_known_are_refused(store: Store, guide: Guide) -> None:
    """One item given on resume keeps the latest rating's other items; while which rating
    is the latest is not known, it has none to keep: refused (it kept the stamped one's)."""
    kept = merged(store, guide, at(10, 0, 50), given_first=True)
    given = {"cows_pulse": (1, "flag")}
    with pytest.raises(InvalidAnswer, match="is not known"):
        take_given(guide, kept, given, None, TODAY, at(10, 5))
    assert withdrawal(guide, kept)[0] is None
