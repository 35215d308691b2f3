"""A visit resumed on a later day keeps its answers, but some no longer apply there: the
pathway chosen while the opioid-free interval was not met, met by the new day. It is said
(as the walk says what an edit leaves unused), never dropped in silence: the chart note
read "pathway: not answered" where the clinician had chosen one. The last use answered
on the old day is kept, and said, so that a use since then is asked about."""

from __future__ import annotations

import datetime as dt

from tests.helpers import Run, at_noon, ready_patient, walk_at


def test_a_pathway_chosen_before_the_interval_was_met_is_named_when_it_no_longer_applies(
    run: Run,
) -> None:
    first = dt.date(2026, 12, 8)
    answers = ready_patient(
        last_opioid_use=first - dt.timedelta(days=2), naloxone_challenge=None, pathway="standard"
    )
    blocked = walk_at(run, "PW1", at_noon(first), answers)
    assert blocked.exit_code == 1, blocked.output  # the interval is not met: blocked

    later = first + dt.timedelta(days=7)
    resumed = run("walk", "--no-input", "--resume", "--label", "PW1", "--now", at_noon(later))
    said = " ".join(resumed.stderr.split())
    assert f"On {later.isoformat()} these answers of {first.isoformat()} no longer apply" in said
    assert "not used (kept in the record): pathway." in said, resumed.stderr


def test_nothing_is_said_when_every_kept_answer_still_applies(run: Run) -> None:
    first = dt.date(2026, 12, 8)
    answers = ready_patient(last_opioid_use=first - dt.timedelta(days=20), cows_total=None)
    walk_at(run, "PW2", at_noon(first), answers)
    later = first + dt.timedelta(days=1)
    resumed = run("walk", "--no-input", "--resume", "--label", "PW2", "--now", at_noon(later))
    assert "no longer apply" not in resumed.stderr, resumed.stderr


def test_the_last_use_kept_from_an_earlier_day_is_said_so_a_use_since_is_asked_about(
    run: Run,
) -> None:
    """Resumed a week later, the visit keeps the last use answered then (the interval counts
    from it), and a use since then would make it wrong: the clinician is told to ask."""
    first = dt.date(2026, 12, 8)
    used = first - dt.timedelta(days=2)
    answers = ready_patient(last_opioid_use=used, naloxone_challenge=None, pathway="standard")
    walk_at(run, "PW3", at_noon(first), answers)
    later = first + dt.timedelta(days=7)
    resumed = run("walk", "--no-input", "--resume", "--label", "PW3", "--now", at_noon(later))
    said = " ".join(resumed.stderr.split())
    assert "The last opioid use this visit holds is kept" in said, said
    assert f"last_opioid_use = {used.isoformat()}, answered {first.isoformat()}" in said, said
    assert "used since" in said, said


def test_a_resume_that_gives_the_last_use_hears_what_is_kept_judged_with_it(run: Run) -> None:
    """Resumed a week later without a terminal, with the new last use given by flag: the
    visit is not said to keep the old last use (this run gave another), and the pathway,
    which the new use makes apply again, is not said to be unused. What the move keeps
    is judged once the run's answers are in, never before them."""
    first = dt.date(2026, 12, 8)
    answers = ready_patient(
        last_opioid_use=first - dt.timedelta(days=2), naloxone_challenge=None, pathway="standard"
    )
    walk_at(run, "PW4", at_noon(first), answers)
    later = first + dt.timedelta(days=7)
    again = later - dt.timedelta(days=1)
    resumed = run("walk", "--no-input", "--resume", "--label", "PW4", "--now", at_noon(later),
                  "--answer", f"last_opioid_use={again.isoformat()}")  # fmt: skip
    said = " ".join(resumed.stderr.split())
    assert "The visit moves from" in said, said  # the move itself is still said
    assert "is kept (last_opioid_use" not in said, said
    assert "no longer apply" not in said, said
