"""Two runs of one visit, for the merge's properties: what each run does to the visit
(perhaps moves it to an earlier day, then types results for the day it then describes),
and the results the visit held before either."""

from __future__ import annotations

from hypothesis import strategies as st

SCREEN_KEYS = ("uds_fentanyl", "pregnancy_test")
"""One-answer results of a visit's day (visit/answers.py ``one_answer_results``)."""
VALUES = {"uds_fentanyl": ("negative", "positive"), "pregnancy_test": ("negative", "positive")}


def base_results() -> st.SearchStrategy[dict[str, str]]:
    """The results the visit held before either run opened it."""
    return st.fixed_dictionaries({k: st.sampled_from(VALUES[k]) for k in SCREEN_KEYS})


@st.composite
def a_runs_changes(draw: st.DrawFn) -> tuple[int | None, dict[str, str]]:
    """What one run does to the visit: a move to 1 or 2 days before (or none), then
    results typed (for the day it then describes)."""
    move = draw(st.sampled_from([None, 1, 2]))
    typed = {k: draw(st.sampled_from(VALUES[k])) for k in SCREEN_KEYS if draw(st.booleans())}
    return move, typed


def clash_settled_for_mine() -> st.SearchStrategy[bool]:
    """How the clinician settles a clash of one day's answer: for this run, or the stored."""
    return st.booleans()
