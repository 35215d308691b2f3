"""Invariant 9: point-in-time results are appended, never replaced.

A recorded positive naloxone challenge stays in the record and the note whatever is given
after it (a second "challenge", a correction, a single answer by flag or file, a resume),
and only a negative rechallenge within the window, after its observation, lifts it. The
sittings run through ``walk --no-input --resume`` and ``note``, the public commands; the
verdict after each is checked against the independent oracle (:mod:`tests.oracle`).
"""

from __future__ import annotations

from hypothesis import given

from tests.strategies import timed


@timed.bounded(25)
@given(timed.appended_results())
def _a_positive_is_never_removed(case: tuple[timed.Timed, list[timed.Sitting]]) -> None:
    first, sittings = case
    found = timed.sittings_violation(first, sittings)
    assert found is None, found


def test_inv9_appending_results_never_removes_a_recorded_positive_challenge() -> None:
    """After a positive challenge, any later sittings (flags, files, resumes; a second
    challenge, a correction, a rechallenge a minute short of its observation): the walk
    completes only when the oracle finds nothing standing, and the note keeps the
    positive with its time."""
    timed.require_the_interfaces()
    _a_positive_is_never_removed()
