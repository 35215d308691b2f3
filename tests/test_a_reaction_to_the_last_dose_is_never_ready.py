"""Sections 9 and 4.2 over random patients: a severe reaction at the previous injection
site is never ready without its override bound to these answers, and an allergic reaction
after the last dose (hypersensitivity, a contraindication) is never ready at all, on the
engine, the single check and a batch line. The oracle's reading (tests/oracle.py) holds
too."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings

from tests import oracle
from tests.strategies import patients as gen

SETTINGS: dict[str, Any] = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "print_blob": False,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much],
}


def _site_override_holds(run: gen.Run, case: gen.Case) -> bool:
    b = run.bases.get("injection_site_reaction")
    return (
        b is not None
        and b.answers is not None
        and oracle.override_is_valid(case.guide, b.code, b.comment)
        and oracle.override_binds(
            "injection_site_reaction", b.answers, b.today, run.answers, run.today
        )
    )


def _judge(case: gen.Case, kind: str, run: gen.Run, path: str) -> None:
    where = f"{path}: status {run.status!r} for {kind}: {case!r}"
    if kind == "allergic reaction after the last dose":
        assert run.status != "ready", where
        if run.state is not None:
            assert run.state.gates["hypersensitivity"].outcome == "fail", where
    else:
        assert run.status != "ready" or _site_override_holds(run, case), where
    assert not gen.ready_violations(case.guide, run), where


@settings(max_examples=300, **SETTINGS)
@given(gen.with_a_reaction())
def test_the_engine_never_readies_a_reaction_to_the_last_dose(pair: tuple[gen.Case, str]) -> None:
    case, kind = pair
    _judge(case, kind, gen.engine_run(case.guide, case.patient), "engine")


@settings(max_examples=150, **SETTINGS)
@given(gen.with_a_reaction())
def test_check_and_batch_never_ready_a_reaction_to_the_last_dose(
    pair: tuple[gen.Case, str],
) -> None:
    case, kind = pair
    _judge(case, kind, gen.check_run(case.guide, case.patient), "check")
    _judge(case, kind, gen.batch_run(case.guide, case.patient), "check --batch")


def test_the_oracle_reads_both_reactions(guide: Any) -> None:
    """The oracle is not silent about them (else the properties above prove nothing)."""
    from tests.helpers import TODAY, ready_patient

    base = ready_patient(
        visit="repeat_injection",
        last_injection_date=TODAY - dt.timedelta(days=28),
        last_injection_side="left",
        opioid_use_since_last_injection=False,
        last_opioid_use=None,
    )
    assert oracle.must_not_be_ready(guide, base, TODAY) == []
    severe = oracle.findings(guide, {**base, "injection_site_reaction": "severe"}, TODAY)
    assert [(f.gate, f.severity) for f in severe] == [("injection_site_reaction", oracle.STOP)]
    allergic = oracle.findings(guide, {**base, "reaction_after_last_dose": True}, TODAY)
    assert [(f.gate, f.severity) for f in allergic] == [
        ("hypersensitivity", oracle.CONTRAINDICATION)
    ]
