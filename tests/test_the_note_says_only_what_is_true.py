"""Invariant 12: the record says only what is true.

Every property-test visit is walked to the end (``walk --no-input`` with the answers after
the injection) and its chart note rendered (``note --format text``); no line of it may be
contradicted by the answers: a screen said to be all negative beside an assay that is not
(the rapid pathway's expected buprenorphine included), an injection said to be given or a
next dose due when the walk did not finish, a contraindication said to pass that the
oracle (:mod:`tests.oracle`) finds failing.
"""

from __future__ import annotations

from hypothesis import given

from tests import oracle
from tests.strategies import timed
from tests.strategies.patients import pool_guide


@timed.bounded(40)
@given(timed.timed_visits())
def _the_note_is_true(v: timed.Timed) -> None:
    guide = pool_guide(v.site)
    routes = timed.Routes()
    label = routes.patient(v)
    walked = timed.with_injection(v)
    verdict = routes.walk(walked, label)
    if verdict.status == "refused":
        return  # nothing recorded, no note
    note = routes.note(str(verdict.data["session"]))
    raw = str(verdict.data.get("status"))
    wrong = oracle.note_contradictions(
        guide, note, walked.answers, v.today, raw, now=v.now, record=v.record, in_record=True
    )
    assert not wrong, f"the note says {wrong}\n{v!r}\n{note}"


def test_inv12_no_line_of_the_note_contradicts_the_answers() -> None:
    timed.require_the_interfaces()
    _the_note_is_true()
