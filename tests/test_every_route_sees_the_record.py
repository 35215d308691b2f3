"""Invariants 10 and 11: every route sees the patient's record, and an answer that
contradicts the path taken is refused, never silently ignored.

The record is written as a clinician writes it (a finished ``walk`` with the injection
given, under a label); the visit is then judged by ``check --label``, a batch line with
``label`` and ``walk --no-input --label``. The oracle (:mod:`tests.oracle`) reads the
record's injections beside the answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from hypothesis import given

from tests import oracle
from tests.helpers import TODAY, after_injection
from tests.strategies import timed
from tests.strategies.patients import pool_guide


def _on_every_route(v: timed.Timed) -> tuple[list[timed.Verdict], str]:
    """The visit judged by ``check --label``, a batch line with its label and a walk to
    its dose, the patient's record written first; and the verdicts in words."""
    routes = timed.Routes()
    label = routes.patient(v)
    assert label is not None
    verdicts = [
        routes.check(v, label),
        routes.batch([(v, label)])[0],
        routes.walk(timed.with_injection(v), label),
    ]
    said = "; ".join(f"{x.route}: {x.status} {x.stderr.strip()[:160]}" for x in verdicts)
    return verdicts, said


@timed.bounded(30)
@given(timed.visits_with_a_record())
def _the_record_on_every_route(v: timed.Timed) -> None:
    guide = pool_guide(v.site)
    verdicts, said = _on_every_route(v)
    refused = [f for f in v.findings(guide) if f.severity == oracle.REFUSED]
    if refused:
        # Item 10: refused on every route, never ready, never silently ignored.
        assert all(x.status == "refused" for x in verdicts), f"{refused}: {said}\n{v!r}"
        return
    for x in verdicts:
        found = v.findings(guide, in_record=x.route.startswith("walk"))
        assert not (x.ready and found), f"{x.route} ready, but {found}: {said}\n{v!r}"
    if not v.bare_negative() and v.findings(guide, in_record=True) == v.findings(guide):
        # Item 11: a check with --label decides what a walk decides for the same answers.
        assert verdicts[0].ready == verdicts[2].ready, f"check and walk differ: {said}\n{v!r}"


def test_inv11_every_route_reads_the_record_and_refuses_what_contradicts_it() -> None:
    """A dose at the edges of the dose timing (3, 7, 21, 28, 35 days), the visit answered
    as a repeat with the record's date, none, an older or a later one, or as a first
    injection; the last use before the dose or, with "no use since", after it."""
    timed.require_the_interfaces()
    _the_record_on_every_route()


def fullwidth(label: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in label)


@pytest.mark.parametrize(
    "variant",
    [str, str.lower, fullwidth, lambda s: s.replace("P", "\u03a1")],
    ids=["same", "case", "width", "greek-look-alike"],
)
def test_inv11_a_label_that_differs_in_case_width_or_script_cannot_bypass_the_record(
    variant: Callable[[str], str],
) -> None:
    """A dose three days ago under ``P<n>``, then a "first injection" under the same label,
    in lower case, in full width, or with a Greek look-alike letter: refused by ``check
    --label`` and a batch line, never ready (the record is seen, or the label refused)."""
    timed.require_the_interfaces()
    routes = timed.Routes()
    answers = {k: v for k, v in after_injection().items() if k not in timed.AFTER_INJECTION}
    now = dt.datetime.combine(TODAY, dt.time(10))
    visit = timed.Timed(now, answers, (TODAY - dt.timedelta(days=3),))
    label = routes.patient(visit)
    assert label is not None
    other = variant(label)
    for verdict in (routes.check(visit, other), routes.batch([(visit, other)])[0]):
        assert verdict.status == "refused", (other, verdict)


@timed.bounded(30)
@given(timed.visits_beside_other_visits())
def _the_other_visits_on_every_route(v: timed.Timed) -> None:
    guide = pool_guide(v.site)
    verdicts, said = _on_every_route(v)
    for x in verdicts:
        found = v.findings(guide, in_record=x.route.startswith("walk"))
        assert not (x.ready and found), f"{x.route} ready, but {found}: {said}\n{v!r}"


def test_inv11_every_route_reads_what_the_other_visits_reported() -> None:
    """Another visit of the patient typed a later last injection than any dose the record
    holds (a dose given elsewhere), or recorded a positive urine screen or pregnancy test
    on this visit's day: judged with it on every route, never ready past it."""
    timed.require_the_interfaces()
    _the_other_visits_on_every_route()
