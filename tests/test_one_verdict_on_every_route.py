"""One visit core: the verdict does not depend on the route.

The same answers, clock and record give the same decision through ``check``, a line of
``check --batch`` and ``walk --no-input``: ready on one exactly when ready on the others,
refused on one exactly when refused on the others. Where a walk must ask more than a check
by design (a negative challenge in a visit record needs the time its naloxone was given,
and a walk refuses one without it even where the challenge does not apply), the visit is
left out.
A scenario (``scenarios test`` with the visit's answers, its date and the record as its
earlier visits) is compared too, for the visits whose results carry no time of day: a
scenario has a date, not a clock.
"""

from __future__ import annotations

from hypothesis import given

from tests import oracle
from tests.strategies import timed
from tests.strategies.patients import pool_guide


@timed.bounded(40)
@given(timed.timed_visits())
def _one_verdict(v: timed.Timed) -> None:
    guide = pool_guide(v.site)
    if v.bare_negative() or v.findings(guide, in_record=True) != v.findings(guide):
        return  # a walk asks more here by design: the time the naloxone was given
    routes = timed.Routes()
    label = routes.patient(v)
    verdicts = [
        routes.check(v, label),
        routes.batch([(v, label)])[0],
        routes.walk(timed.with_injection(v), label),
    ]
    said = "; ".join(f"{x.route}: {x.status} {x.stderr.strip()[:160]}" for x in verdicts)
    assert len({x.ready for x in verdicts}) == 1, f"ready on one route only: {said}\n{v!r}"
    refused = {x.status == "refused" for x in verdicts}
    assert len(refused) == 1, f"refused on one route only: {said}\n{v!r}"
    timeless = not any(k in v.answers for k in oracle.SERIES_KEYS)
    if timeless and verdicts[0].status != "refused":
        # A scenario has a date, not a clock: only a visit whose results carry no time.
        assert routes.scenario(v, verdicts[0].status), f"the scenario differs: {said}\n{v!r}"


def test_the_verdict_does_not_depend_on_the_route() -> None:
    timed.require_the_interfaces()
    _one_verdict()


@timed.bounded(20)
@given(timed.timed_visits())
def _blocked_on_every_route(v: timed.Timed) -> None:
    guide = pool_guide(v.site)
    if v.bare_negative() or v.findings(guide, in_record=True) != v.findings(guide):
        return  # as above: a walk asks more here by design
    routes = timed.Routes()
    label = routes.patient(v)
    checked = routes.check(v, label)
    if checked.status != "blocked":
        return
    walked = routes.walk(timed.with_injection(v), label)
    # A contraindication stands: whatever gate the walk stopped at first, it never offers
    # an override or an acknowledgement as the way on.
    assert walked.status != "needs_override", f"{walked.data} beside check: blocked\n{v!r}"


def test_a_contraindication_is_blocked_on_every_route() -> None:
    timed.require_the_interfaces()
    _blocked_on_every_route()
