"""Two runs hold one visit: one moves it to another day (its results of the old day are
asked again there, and kept as that day's), the other corrects the old day's screen
meanwhile. The merge of the two saves files each run's results under the day that run
described (clinical basis, safety invariant 3): the correction stays a result of the old
day, for every other visit of the patient that day, and never sits in the visit moved to
the new day as if taken there. Before, the two were asked as one clash, and either answer
lost the correction: a new visit of the old day with a negative screen was then judged
ready beside the positive the other run had recorded for it."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings

from tests.helpers import (
    STEPS,
    TODAY,
    Run,
    answer_flags,
    flat,
    no_traceback,
    ready_patient,
    the_store,
)
from tests.strategies import merges
from xrntx_guide.pack.guide import Guide
from xrntx_guide.pack.load import load_guide
from xrntx_guide.store import Store, open_store
from xrntx_guide.store.saver import Clash, Saver
from xrntx_guide.visit.resume import (
    clear_results_of_another_day,
    results_of_the_day,
    taken_on_the_new_day,
)
from xrntx_guide.visit.session import SessionRecord, new_session

LABEL = "TWORUNS"
YESTERDAY = TODAY - dt.timedelta(days=1)


def at(hh: int, mm: int) -> dt.datetime:
    return dt.datetime.combine(TODAY, dt.time(hh, mm), dt.UTC)


def moved_while_corrected(
    guide: Guide,
    mover_saves_last: bool,
    decide: Callable[[Clash], bool] | None,
    mover_answers_again: str | None = None,
) -> tuple[SessionRecord, list[str]]:
    """A visit of TODAY with a negative screen typed at 09:00. One run moves it to
    YESTERDAY at 10:00 (optionally giving YESTERDAY's screen there), the other corrects
    the screen to positive at 10:05; ``mover_saves_last`` says which saves second, and so
    merges. The stored record, and what the merging save said."""
    store: Store = the_store()
    record = new_session(guide, LABEL, at(9, 0), TODAY)
    record.set_answer(guide.meta.date_key, TODAY, "typed", at(9, 0))
    record.set_answer("uds_fentanyl", "negative", "typed", at(9, 0))
    store.create(record, "dr-a")
    mover = Saver.loaded(store, "dr-a", *store.load(record.id), guide=guide)
    corrector = Saver.loaded(store, "dr-b", *store.load(record.id), guide=guide)
    mover.decide = corrector.decide = decide

    moved = mover.base.model_copy(deep=True)  # type: ignore[union-attr]
    moved.set_answer(guide.meta.date_key, YESTERDAY, "typed", at(10, 0))
    lines = clear_results_of_another_day(
        guide, moved, TODAY.isoformat(), YESTERDAY.isoformat(), at(10, 0)
    )
    assert lines, "the move clears the old day's screen"
    if mover_answers_again is not None:
        moved.set_answer("uds_fentanyl", mover_answers_again, "typed", at(10, 2))
    corrected = corrector.base.model_copy(deep=True)  # type: ignore[union-attr]
    corrected.set_answer("uds_fentanyl", "positive", "typed", at(10, 5))

    first, second = (corrector, mover) if mover_saves_last else (mover, corrector)
    first_record, second_record = (corrected, moved) if mover_saves_last else (moved, corrected)
    first.save(first_record)
    said = second.save(second_record)
    kept, _ = store.load(record.id)  # the store's load checks the record's audit trail
    return kept, said


@pytest.mark.parametrize("mover_saves_last", [True, False], ids=["mover-last", "corrector-last"])
@pytest.mark.parametrize("decide", [None, lambda c: True, lambda c: False],
                         ids=["no-one-asked", "keep-this-run", "keep-stored"])  # fmt: skip
def test_the_correction_stays_the_old_days_and_never_moves_with_the_visit(
    guide: Guide, mover_saves_last: bool, decide: Callable[[Clash], bool] | None
) -> None:
    kept, said = moved_while_corrected(guide, mover_saves_last, decide)
    assert kept.answers[guide.meta.date_key].value == YESTERDAY.isoformat()
    assert "uds_fentanyl" not in kept.answers, (kept.answers, said)  # asked again there
    assert "positive" in kept.day_results[TODAY.isoformat()]["uds_fentanyl"], said
    assert any("positive" in line and TODAY.isoformat() in line for line in said), said
    if not mover_saves_last:  # the corrector is told its visit is now of another day
        assert any(f"now of {YESTERDAY.isoformat()}" in line for line in said), said


def test_the_mover_s_own_screen_of_the_new_day_stays_in_the_visit(guide: Guide) -> None:
    """The run that moved the visit gave its new day's screen: that one is the visit's,
    the other run's correction the old day's; neither replaces the other."""
    for mover_saves_last in (True, False):
        kept, said = moved_while_corrected(guide, mover_saves_last, None, "not_done")
        assert kept.answers["uds_fentanyl"].value == "not_done", said
        assert "positive" in kept.day_results[TODAY.isoformat()]["uds_fentanyl"], said
        the_store().delete(kept.id)


def test_two_runs_of_one_day_still_clash_on_the_screen(guide: Guide) -> None:
    """The control: both runs describe the same day, so two screens are one clash, and a
    save that may ask no one is refused, nothing of it saved."""
    store: Store = the_store()
    record = new_session(guide, LABEL, at(9, 0), TODAY)
    record.set_answer(guide.meta.date_key, TODAY, "typed", at(9, 0))
    store.create(record, "dr-a")
    one = Saver.loaded(store, "dr-a", *store.load(record.id), guide=guide)
    two = Saver.loaded(store, "dr-b", *store.load(record.id), guide=guide)
    mine = one.base.model_copy(deep=True)  # type: ignore[union-attr]
    mine.set_answer("uds_fentanyl", "negative", "typed", at(10, 0))
    theirs = two.base.model_copy(deep=True)  # type: ignore[union-attr]
    theirs.set_answer("uds_fentanyl", "positive", "typed", at(10, 5))
    two.save(theirs)
    with pytest.raises(Exception, match="uds_fentanyl"):
        one.save(mine)


def test_a_new_visit_of_the_old_day_reads_the_correction(guide: Guide, run: Run) -> None:
    moved_while_corrected(guide, True, lambda c: False)
    now = dt.datetime.combine(TODAY, dt.time(11, 0)).isoformat(timespec="minutes")
    checked = run("check", "--json", "--label", LABEL, "--now", now,
                  *answer_flags(ready_patient()))  # fmt: skip
    no_traceback(checked)
    assert checked.exit_code == 2, checked.output
    said = flat(checked.output)
    assert "uds_fentanyl" in said and "positive" in said, checked.output
    history = json.loads(run("history", LABEL, "--json").stdout)
    assert history["injections"] == [], history


def walked_to_the_injection(run: Run) -> str:
    """A first visit of TODAY, every answer given but the dose's: its session."""
    now = dt.datetime.combine(TODAY, dt.time(9, 0)).isoformat(timespec="minutes")
    walked = run("walk", "--no-input", "--json", "--label", LABEL, "--now", now,
                 "--acknowledge", "all", *answer_flags(ready_patient()))  # fmt: skip
    return str(json.loads(walked.stdout)["session"])


@pytest.mark.parametrize("said_new_days", [False, True], ids=["asked-again", "said-new-days"])
@pytest.mark.parametrize("mover_saves_last", [True, False], ids=["mover-last", "giver-last"])
def test_a_visit_whose_dose_another_run_recorded_never_moves(
    guide: Guide, run: Run, mover_saves_last: bool, said_new_days: bool
) -> None:
    """One run moves the visit to YESTERDAY while the other records the dose given TODAY:
    the dose stands on TODAY, with TODAY's results, whichever saves last. Before, the
    mover saving last moved the counted dose to a day nothing was judged, and the giver
    saving last lost the dose (its next visit would read no injection). When the mover
    said the results were YESTERDAY's (typed under the wrong date), the audit trail's last
    word on them says they are TODAY's, as the visit that stays there holds them."""
    from tests.test_invariants_given_answers_and_record import DOSE
    from xrntx_guide.engine.evaluate import evaluate
    from xrntx_guide.visit.answers import parse_value

    store: Store = the_store()
    session = walked_to_the_injection(run)
    mover = Saver.loaded(store, "dr-a", *store.load(session), guide=guide)
    giver = Saver.loaded(store, "dr-b", *store.load(session), guide=guide)
    screen = mover.base.answers["uds_fentanyl"].value  # type: ignore[union-attr]

    moved = mover.base.model_copy(deep=True)  # type: ignore[union-attr]
    moved.set_answer(guide.meta.date_key, YESTERDAY, "typed", at(10, 0))
    old, new = TODAY.isoformat(), YESTERDAY.isoformat()
    carried = (
        taken_on_the_new_day(moved, results_of_the_day(guide, moved), old, new, at(10, 0))
        if said_new_days
        else frozenset()
    )
    clear_results_of_another_day(guide, moved, old, new, at(10, 0), carried)
    moved.summarise(evaluate(guide, moved.inputs(guide, TODAY)), at(10, 0))
    given = giver.base.model_copy(deep=True)  # type: ignore[union-attr]
    for key, value in DOSE.items():
        typed = parse_value(guide.questions[key], value, today=TODAY)
        given.set_answer(key, typed, "typed", at(10, 5))
    given.summarise(evaluate(guide, given.inputs(guide, TODAY)), at(10, 5))
    assert given.injection_given is True, "the dose counts in the giver's run alone"

    (first, first_record), (last, last_record) = (
        ((giver, given), (mover, moved)) if mover_saves_last else ((mover, moved), (giver, given))
    )
    first.save(first_record)
    said = last.save(last_record)
    # As a walk does after a merge: the merged record judged again, and saved.
    last_record.summarise(evaluate(guide, last_record.inputs(guide, TODAY)), at(10, 6))
    last.save(last_record)

    kept, _ = store.load(session)
    assert kept.answers[guide.meta.date_key].value == TODAY.isoformat(), said
    assert kept.injection_given is True, said
    assert kept.answers["uds_fentanyl"].value == screen, said  # the day's own screen
    assert any("stays on" in line and YESTERDAY.isoformat() in line for line in said), said
    history = json.loads(run("history", LABEL, "--json", "--today", TODAY.isoformat()).stdout)
    # The walk left before its last steps: the history shows the visit's dose on its day.
    shown = [(v["date"], v["injection_given"]) for v in history["visits"]]
    assert shown == [(TODAY.isoformat(), True)], history
    last_word = [e.detail or "" for e in kept.events if e.key == "uds_fentanyl"][-1]
    assert YESTERDAY.isoformat() not in last_word or f"stays on {old}" in last_word, last_word


SCREEN_KEYS = ("uds_fentanyl", "pregnancy_test")
shipped_guide = functools.cache(lambda: load_guide(STEPS))
VALUES = {"uds_fentanyl": ("negative", "positive"), "pregnancy_test": ("negative", "positive")}


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    base_results=merges.base_results(),
    mine=merges.a_runs_changes(),
    theirs=merges.a_runs_changes(),
    keep_mine=merges.clash_settled_for_mine(),
)
def test_no_result_of_a_day_is_lost_or_filed_under_another(
    tmp_path_factory: pytest.TempPathFactory,
    base_results: dict[str, str],
    mine: tuple[int | None, dict[str, str]],
    theirs: tuple[int | None, dict[str, str]],
    keep_mine: bool,
) -> None:
    """Two runs of one visit, each perhaps moving it and typing results, merged (a clash
    of one day settled either way): every result a run typed stands for the day that run
    described (in the visit if the visit is of that day, else kept as that day's), the
    base's results stay their day's, and the visit holds no result of another day."""
    guide = shipped_guide()  # not a fixture: a failing example is printed without it
    store = open_store(None, tmp_path_factory.mktemp("merge"))
    record = new_session(guide, LABEL, at(9, 0), TODAY)
    record.set_answer(guide.meta.date_key, TODAY, "typed", at(9, 0))
    for key, value in base_results.items():
        record.set_answer(key, value, "typed", at(9, 0))
    store.create(record, "dr-a")
    savers = [Saver.loaded(store, who, *store.load(record.id), guide=guide) for who in ("a", "b")]
    for saver in savers:
        saver.decide = lambda c: keep_mine
    runs = []
    for minute, (saver, (move, typed)) in enumerate(
        zip(savers, (theirs, mine), strict=True), start=1
    ):
        held = saver.base.model_copy(deep=True)  # type: ignore[union-attr]
        now = at(10, minute)
        if move is not None:
            to = TODAY - dt.timedelta(days=move)
            held.set_answer(guide.meta.date_key, to, "typed", now)
            clear_results_of_another_day(guide, held, TODAY.isoformat(), to.isoformat(), now)
        for key, value in typed.items():
            held.set_answer(key, value, "typed", now)
        runs.append(held)
    savers[0].save(runs[0])  # theirs
    savers[1].save(runs[1])  # mine, merged
    kept, _ = store.load(record.id)  # the audit trail holds
    day = kept.dated(guide)
    days = [r.dated(guide) for r in runs]
    apart = days[0] != days[1]

    def stands(on: str | None, key: str, value: str) -> bool:
        in_visit = day == on and key in kept.answers and kept.answers[key].value == value
        return in_visit or value in kept.day_results.get(str(on), {}).get(key, [])

    for key, value in base_results.items():
        if day != TODAY.isoformat():
            assert stands(TODAY.isoformat(), key, value), (key, value, kept.day_results)
    for on, (_, typed) in zip(days, (theirs, mine), strict=True):
        for key, value in typed.items():
            if apart or on != day:
                assert stands(on, key, value), (key, value, on, day, kept.day_results)
    if apart:
        own = runs[days.index(day)] if day in days else None
        for key in SCREEN_KEYS:
            if key in kept.answers:
                assert own is not None and key in own.answers, (key, day, days)
                assert kept.answers[key].value == own.answers[key].value, (key, day, days)
    store.close()
