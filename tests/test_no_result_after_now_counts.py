"""Invariant 8, one clock, over random visits: a result timed after the visit's ``now`` is
refused on every route and never counts.

Visits over time come from :mod:`tests.strategies.timed` (timed COWS series, challenges
and rechallenges, the rapid pathway's record, the patient's earlier injections) and are
judged through the public commands against the independent oracle (:mod:`tests.oracle`).
The clock's examples (``--now``, offsets, daylight saving) are pinned one by one in
``tests/test_one_clock.py``.
"""

from __future__ import annotations

from hypothesis import given

from tests import oracle
from tests.strategies import timed
from tests.strategies.patients import pool_guide


def describe(v: timed.Timed, verdicts: list[timed.Verdict]) -> str:
    said = "; ".join(f"{x.route}: {x.status} {x.stderr.strip()[:200]}" for x in verdicts)
    return f"{said}\n{v!r}"


# --- The generator and the oracle read every visit over time ---------------------------


@timed.bounded(150)
@given(timed.timed_visits())
def test_the_oracle_reads_every_visit_over_time(v: timed.Timed) -> None:
    """Every shape is drawn and read without error; a visit with a result after its clock
    is refused by the oracle (so the properties below test something)."""
    found = v.findings(pool_guide(v.site))
    if "after_now" in v.shapes:
        assert any(f.severity == oracle.REFUSED and "after now" in f.text for f in found), v


# --- A result timed after now is refused -----------------------------------------------


@timed.bounded(25)
@given(timed.visits_with_a_result_after_now())
def _after_now_is_refused(case: tuple[timed.Timed, str]) -> None:
    v, what = case
    routes = timed.Routes()
    label = routes.patient(v)
    verdicts = [
        routes.check(v, label),
        routes.batch([(v, label)])[0],
        routes.walk(timed.with_injection(v), label),
    ]
    for verdict in verdicts:
        assert verdict.status == "refused", f"{what} not refused: {describe(v, verdicts)}"


def test_inv8_a_result_timed_after_now_is_refused_on_every_route() -> None:
    """A COWS rating, a challenge result or the time its naloxone was given, later than
    ``--now``: ``check``, a batch line and ``walk --no-input`` refuse it (exit 2, an error
    line), never count it."""
    timed.require_the_interfaces()
    _after_now_is_refused()
