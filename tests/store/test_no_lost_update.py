"""No lost update: two runs on one visit never silently overwrite each other. A save over
a newer revision merges the other run's changes (each run's answers kept), and a key both
changed is settled by the clinician or refused, saying what and who."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.helpers import EXE, TODAY, Run, stored_record
from xrntx_guide.pack.guide import Guide
from xrntx_guide.store import Store, StoreError
from xrntx_guide.store.saver import Clash, Saver
from xrntx_guide.visit.session import new_session

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


def _two_runs(store: Store, guide: Guide) -> tuple[Saver, Saver, str]:
    record = new_session(guide, "PAT", NOW, TODAY)
    store.create(record, "dr-a")
    a = Saver.loaded(store, "dr-a", *store.load(record.id))
    b = Saver.loaded(store, "dr-b", *store.load(record.id))
    return a, b, record.id


def test_answers_of_both_runs_are_kept(store: Store, guide: Guide) -> None:
    a, b, visit = _two_runs(store, guide)
    mine = a.base.model_copy(deep=True)  # type: ignore[union-attr]
    theirs = b.base.model_copy(deep=True)  # type: ignore[union-attr]
    theirs.set_answer("consent", True, "typed", NOW)
    assert b.save(theirs) == []
    mine.set_answer("age", 34, "typed", NOW)
    said = a.save(mine)
    assert said and "dr-b" in said[0] and "consent" in said[0]
    kept, _ = store.load(visit)
    assert kept.answers["age"].value == 34 and kept.answers["consent"].value is True
    assert {e.by for e in kept.events if e.key in ("age", "consent")} == {"dr-a", "dr-b"}


def test_a_key_both_changed_is_refused_without_a_decision(store: Store, guide: Guide) -> None:
    a, b, visit = _two_runs(store, guide)
    mine = a.base.model_copy(deep=True)  # type: ignore[union-attr]
    theirs = b.base.model_copy(deep=True)  # type: ignore[union-attr]
    theirs.set_answer("age", 40, "typed", NOW)
    b.save(theirs)
    mine.set_answer("age", 34, "typed", NOW)
    with pytest.raises(StoreError, match=r"age: this run 34, stored 40") as refused:
        a.save(mine)
    assert "dr-b" in refused.value.message
    assert store.load(visit)[0].answers["age"].value == 40, "the stored answer stands"


@pytest.mark.parametrize(("keep_mine", "expected"), [(True, 34), (False, 40)])
def test_a_key_both_changed_is_settled_as_decided(
    store: Store, guide: Guide, keep_mine: bool, expected: int
) -> None:
    a, b, visit = _two_runs(store, guide)
    asked: list[Clash] = []
    a.decide = lambda clash: asked.append(clash) or keep_mine  # type: ignore[func-returns-value]
    mine = a.base.model_copy(deep=True)  # type: ignore[union-attr]
    theirs = b.base.model_copy(deep=True)  # type: ignore[union-attr]
    theirs.set_answer("age", 40, "typed", NOW)
    b.save(theirs)
    mine.set_answer("age", 34, "typed", NOW)
    a.save(mine)
    assert [(c.key, c.mine, c.theirs, c.by) for c in asked] == [("age", 34, 40, "dr-b")]
    assert store.load(visit)[0].answers["age"].value == expected


def _walk(home: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "XRNTX_GUIDE_HOME": str(home), "NO_COLOR": "1"}
    return subprocess.Popen(
        [str(EXE), "walk", "--no-input", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_processes_resuming_one_visit_lose_no_answer(_isolated_home: Path) -> None:
    """The race of two real processes, 20 times: every answer of both is stored."""
    for n in range(20):
        made = _walk(_isolated_home, "--json", "--label", f"R{n}", "-a", "visit=first_injection")
        out, _ = made.communicate(timeout=60)
        visit = json.loads(out)["session"]
        runs = [
            _walk(_isolated_home, "--resume", "--session", visit, "-a", answer)
            for answer in ("age=34", "consent=yes")
        ]
        for r in runs:
            _, err = r.communicate(timeout=60)
            assert r.returncode in (0, 1, 4), err  # blocked or incomplete: never refused
        answers = stored_record(visit).answers
        assert answers["age"].value == 34, f"run {n}: age lost"
        assert answers["consent"].value is True, f"run {n}: consent lost"


def test_a_walk_at_a_prompt_keeps_what_another_run_saved_meanwhile(
    store: Store, guide: Guide
) -> None:
    """A walk waits at a prompt while another run saves the visit: its next save keeps
    the other run's answer, adds its own, and the screen says so."""
    import io

    from xrntx_guide.cli.ui import UI
    from xrntx_guide.cli.walkthrough import Clock, Walkthrough

    a, b, visit = _two_runs(store, guide)
    out = io.StringIO()
    record = a.base.model_copy(deep=True)  # type: ignore[union-attr]
    w = Walkthrough(UI(plain=True, out=out, err=out, stdin=io.StringIO()), guide, record, a, TODAY,
             Clock())  # fmt: skip
    theirs = b.base.model_copy(deep=True)  # type: ignore[union-attr]
    theirs.set_answer("consent", True, "typed", NOW)
    b.save(theirs)
    w.record.set_answer("age", 34, "typed", NOW)
    w.save(w.state())
    kept, _ = store.load(visit)
    assert kept.answers["age"].value == 34 and kept.answers["consent"].value is True
    assert w.record.answers["consent"].value is True, "the walk goes on with both"
    assert "saved by dr-b" in out.getvalue()


def test_a_new_visit_whose_id_is_taken_draws_another(store: Store, guide: Guide) -> None:
    """Ids are short enough to type, so with many visits two are drawn alike: the new
    visit takes another id, never the stored visit's place and never an error."""
    stored = new_session(guide, "FIRST", NOW, TODAY)
    store.create(stored, "dr-a")
    record = new_session(guide, "SECOND", NOW, TODAY)
    record.id = stored.id
    saver = Saver(store, "dr-b", record.id)
    saver.save(record)
    assert record.id != stored.id and str(saver) == record.id
    assert store.load(stored.id)[0].label == "FIRST"
    assert store.load(record.id)[0].label == "SECOND"


def test_a_result_both_runs_recorded_alike_leaves_the_visit_readable(
    store: Store, guide: Guide
) -> None:
    """Two runs take the same result (the same entry, as from one results file) into one
    visit: the merged record still agrees with its audit trail, so it loads, and the
    positive challenge stands once."""
    from xrntx_guide.visit.entries import ChallengeResult

    a, b, visit = _two_runs(store, guide)
    given = NOW + dt.timedelta(minutes=30)
    for saver, minutes in ((b, 1), (a, 2)):
        record = saver.base.model_copy(deep=True)  # type: ignore[union-attr]
        entry = ChallengeResult(
            at=given, day=TODAY, kind="challenge", result="positive",
            started=NOW, origin="file",
        )  # fmt: skip
        record.naloxone_challenges.append(entry)
        record.note_result(entry, given + dt.timedelta(minutes=minutes))
        saver.save(record)
    kept, _ = store.load(visit)
    assert [(c.result, c.at) for c in kept.naloxone_challenges] == [("positive", given)]


def test_two_runs_taking_their_first_logged_results_into_an_older_record_keep_it_readable(
    store: Store, guide: Guide
) -> None:
    """A record written before results were logged holds a rating no event logs; each run
    that takes a result logs the rating too (adopts it). Merged, the rating is logged
    once, both runs' results are kept, and the record loads."""
    from xrntx_guide.visit.entries import ChallengeResult, CowsRating

    old = new_session(guide, "PAT", NOW, TODAY)
    old.cows_ratings.append(CowsRating(at=NOW, day=TODAY, context="before_challenge", total=2))
    store.create(old, "dr-a")
    a = Saver.loaded(store, "dr-a", *store.load(old.id))
    b = Saver.loaded(store, "dr-b", *store.load(old.id))
    for saver, result, minutes in ((b, "negative", 30), (a, "positive", 31)):
        record = saver.base.model_copy(deep=True)  # type: ignore[union-attr]
        at = NOW + dt.timedelta(minutes=minutes)
        entry = ChallengeResult(at=at, day=TODAY, kind="challenge", result=result, started=NOW)
        record.naloxone_challenges.append(entry)
        record.note_result(entry, at)
        saver.save(record)
    kept, _ = store.load(old.id)
    assert sorted(c.result for c in kept.naloxone_challenges) == ["negative", "positive"]
    assert [r.total for r in kept.cows_ratings] == [2]


@pytest.mark.parametrize("keep_mine", [True, False])
def test_a_positive_challenge_another_run_recorded_survives_the_merge_and_blocks(
    run: Run, keep_mine: bool
) -> None:
    """One run records a positive naloxone challenge, another (which had the visit open) a
    negative one after it; whichever answer the clinician keeps at the clash, the merged
    visit holds the positive and the injection is blocked by it."""
    from tests.helpers import answer_flags, ready_patient, the_store
    from xrntx_guide.visit.entries import ChallengeResult

    start = f"{TODAY.isoformat()}T09:00"
    made = run("walk", "--no-input", "--json", "--label", "PAT", "--now", start,
               *answer_flags(ready_patient(naloxone_challenge=None)))  # fmt: skip
    visit = json.loads(made.stdout)["session"]
    store = the_store()
    a = Saver.loaded(store, "dr-a", *store.load(visit))
    b = Saver.loaded(store, "dr-b", *store.load(visit))
    given = dt.datetime.combine(TODAY, dt.time(9, 40), dt.UTC)
    for saver, result, at in (
        (b, "positive", given),
        (a, "negative", given + dt.timedelta(minutes=5)),
    ):
        record = saver.base.model_copy(deep=True)  # type: ignore[union-attr]
        entry = ChallengeResult(
            at=at, day=TODAY, kind="challenge", result=result,
            started=at - dt.timedelta(minutes=25),
        )  # fmt: skip
        record.naloxone_challenges.append(entry)
        record.note_result(entry, at)
        record.set_answer("naloxone_challenge", result, "typed", at)
        saver.decide = lambda clash: keep_mine
        saver.save(record)
    store.close()
    resumed = run("walk", "--resume", "--session", visit, "--no-input", "--json",
                  "--now", f"{TODAY.isoformat()}T10:00")  # fmt: skip
    out = json.loads(resumed.stdout)
    assert out["status"] == "blocked" and "naloxone_challenge" in out["blocking"], out


def test_two_runs_that_each_move_the_visits_status_leave_it_readable(
    store: Store, guide: Guide
) -> None:
    """Each save logs the record's status as it is stored (visit/integrity.py SUMMARY):
    merged, the record holds the stored run's status, and its audit trail ends in it, so
    the merged record is read again (a trail that ended in this run's status would make
    it unreadable: a patient's record lost to a merge)."""
    a, b, visit = _two_runs(store, guide)
    mine = a.base.model_copy(deep=True)  # type: ignore[union-attr]
    theirs = b.base.model_copy(deep=True)  # type: ignore[union-attr]
    theirs.status = "blocked"
    b.save(theirs)
    mine.status, mine.visit_date = "complete", TODAY.isoformat()
    a.save(mine)
    kept, _ = store.load(visit)
    last = next(e.detail for e in reversed(kept.events) if e.kind == "summary")
    assert last is not None
    logged = json.loads(last)
    assert logged == {
        "status": kept.status,
        "visit_date": kept.visit_date,
        "next_dose_due": kept.next_dose_due,
    }
