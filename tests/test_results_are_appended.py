"""Invariant 9: point-in-time results are appended, never replaced.

A recorded positive naloxone challenge stays in the record and the note whatever is given
after it (a second "challenge", a correction, a single answer by flag or file, a resume),
and only a negative rechallenge within the window, after its observation, lifts it. The
sittings run through ``walk --no-input --resume`` and ``note``, the public commands; the
verdict after each is checked against the independent oracle (:mod:`tests.oracle`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given

from tests import oracle
from tests.strategies import timed
from tests.strategies.patients import pool_guide, to_flag


def _as_entries(given: dict[str, Any], now: dt.datetime) -> list[dict[str, Any]]:
    """What a sitting adds to the record: a series' entries, or a single answer as a
    result at the sitting's time (appended)."""
    if oracle.CHALLENGES in given:
        return list(given[oracle.CHALLENGES])
    kinds = {"naloxone_challenge": "challenge", "naloxone_rechallenge": "rechallenge"}
    return [
        {"at": timed.stamp(now), "kind": kinds[key], "result": value}
        for key, value in given.items()
        if key in kinds
    ]


@timed.bounded(25)
@given(timed.appended_results())
def _a_positive_is_never_removed(case: tuple[timed.Timed, list[timed.Sitting]]) -> None:
    first, sittings = case
    guide = pool_guide(0)
    routes = timed.Routes()
    label = routes.patient(first)
    v = timed.with_injection(first)
    verdict = routes.walk(v, label)
    if verdict.status == "refused":
        return  # nothing recorded (the visit's other answers are refused)
    label = str(verdict.data["label"])
    session = str(verdict.data["session"])
    entries = list(v.answers[oracle.CHALLENGES])
    positive = entries[0]
    history = [f"first: {verdict.status}"]
    for sitting in sittings:
        at = timed.Timed(sitting.now, v.answers, v.record)
        if sitting.how == "flag":
            flags = [x for k, val in sitting.given.items() for x in ("-a", f"{k}={to_flag(val)}")]
            verdict = routes.walk(at, label, *flags, resume=True, answers={})
        else:
            verdict = routes.walk(at, label, resume=True, answers=sitting.given)
        history.append(f"{sitting.how} {sitting.given}: {verdict.status}")
        if verdict.status != "refused":
            entries += _as_entries(sitting.given, sitting.now)
        answers = {**v.answers, oracle.CHALLENGES: entries}
        found = oracle.findings(
            guide, answers, sitting.now.date(), now=sitting.now, record=v.record, in_record=True
        )
        if verdict.ready:
            assert not found, f"complete, but {[str(f) for f in found]}: {history}\n{first!r}"
        note = routes.note(session)
        kept = [x for x in note.splitlines() if "positive" in x and positive["at"][11:16] in x]
        assert kept, (
            f"the positive challenge of {positive['at']} is gone from the note: {history}\n{note}"
        )
        if verdict.ready:
            return  # a finished walk is not resumed


def test_inv9_appending_results_never_removes_a_recorded_positive_challenge() -> None:
    """After a positive challenge, any later sittings (flags, files, resumes; a second
    challenge, a correction, a rechallenge a minute short of its observation): the walk
    completes only when the oracle finds nothing standing, and the note keeps the
    positive with its time."""
    timed.require_the_interfaces()
    _a_positive_is_never_removed()
