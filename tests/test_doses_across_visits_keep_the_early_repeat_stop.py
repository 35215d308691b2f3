"""Over a patient's visits on real days, no two doses are counted closer together than the
pack's early-repeat stop, and the history lists every finished dose (safety invariants 1,
11 and 12).

A random sequence of visits after a first dose, each some days after the one before it:
a repeat visit walked to its dose; one that waits for its observation (the dose counted,
the visit unfinished); one entered late (its dose dated up to three days before the run);
one giving the last injection's date itself (the record's, or an older one); one that
reports use since the last injection; one that ends the treatment; one started and left
before the injection, then resumed on a later day to finish, to give the dose without a
date, or to move to that day and give it; and ``check --label`` of a repeat dose that day.
No override is ever given, every caution is acknowledged. After each visit: no traceback,
every pair of counted doses at least the stop apart, ``check --label`` ready only that far
from every counted dose, and ``history --json`` listing exactly the finished doses.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from typing import Any

from hypothesis import HealthCheck, given, note, settings

from tests.helpers import (
    DOSE_GIVEN,
    END_OF_TREATMENT,
    MONTHLY_VISIT,
    STEPS,
    TODAY,
    Result,
    Run,
    after_injection,
    answer_flags,
    first_dose_on,
    stored_record,
    stored_sessions,
    walk_at,
)
from tests.strategies import timed
from xrntx_guide.errors import ExitCode
from xrntx_guide.pack.load import load_guide

PATIENTS = itertools.count()
KINDS = (
    "walk",
    "waits_for_observation",
    "entered_late",
    "gives_last_injection",
    "reports_use",
    "ends",
    "left_before_the_dose",
    "resumed_to_finish",
    "resumed_with_the_dose",
    "resumed_and_moved",
    "check",
)
VISITS = timed.visits_on_days(KINDS)


def repeat(day: dt.date, **changes: Any) -> dict[str, Any]:
    """A repeat visit on ``day`` with no use since the last injection, its dose given; the
    last injection left to the record; ``changes`` vary it (None leaves an answer out)."""
    answers = after_injection(
        **MONTHLY_VISIT, opioid_use_since_last_injection=False, injection_date=day
    )
    for key in ("visit", "last_opioid_use", "last_opioid_kind"):
        answers.pop(key)
    answers.update(changes)
    return {k: v for k, v in answers.items() if v is not None}


NO_DOSE = dict.fromkeys(DOSE_GIVEN)
STOP = load_guide(STEPS).setting_values["early_repeat_stop_days"]
assert isinstance(STOP, int)


def doses(label: str, *, finished: bool = False) -> list[dt.date]:
    """The dates of the doses the stored visits of ``label`` count (finished ones only)."""
    out = []
    for session in stored_sessions(label):
        record = stored_record(str(session))
        if record.injection_given and (record.status == "complete" or not finished):
            out.append(dt.date.fromisoformat(str(record.answers["injection_date"].value)))
    return sorted(out)


def unfinished(label: str) -> list[Any]:
    records = [stored_record(str(s)) for s in stored_sessions(label)]
    return [r for r in records if r.status != "complete"]


def visit(run: Run, label: str, day: dt.date, kind: str, extra: int) -> Result | None:
    at = f"{day.isoformat()}T12:00"
    if kind == "walk":
        return walk_at(run, label, at, repeat(day))
    if kind == "waits_for_observation":
        return walk_at(
            run, label, at, repeat(day, observation_minutes=None, wallet_card_given=None)
        )
    if kind == "entered_late":
        return walk_at(run, label, at, repeat(day - dt.timedelta(days=extra)))
    if kind == "gives_last_injection":
        counted = doses(label)
        last = counted[-1] - dt.timedelta(days=extra) if counted else day
        return walk_at(run, label, at, repeat(day, last_injection_date=last))
    if kind == "reports_use":
        used = repeat(
            day,
            opioid_use_since_last_injection=True,
            last_opioid_use=day - dt.timedelta(days=extra + 1),
            last_opioid_kind="short_acting",
            opioid_use_significant=False,
        )
        return walk_at(run, label, at, used)
    if kind == "ends":
        ending = {"visit": "repeat_injection", "opioid_use_since_last_injection": False}
        return walk_at(run, label, at, ending | END_OF_TREATMENT)
    if kind == "left_before_the_dose":
        return walk_at(run, label, at, repeat(day, **NO_DOSE))
    if kind == "check":
        return run("check", "--json", "--label", label, "--now", at, *answer_flags(repeat(day)))
    open_visits = unfinished(label)
    if kind == "resumed_and_moved":  # a counted dose is never moved here (pinned elsewhere)
        open_visits = [r for r in open_visits if not r.injection_given]
    if not open_visits:
        return None
    more: dict[str, Any] = dict(DOSE_GIVEN)
    if kind == "resumed_to_finish":
        more = {"observation_minutes": 30, "wallet_card_given": True}
    elif kind == "resumed_and_moved":
        more["injection_date"] = day
    return run(
        "walk", "--no-input", "--resume", "--session", open_visits[-1].id, "--now", at,
        "--acknowledge", "all", *answer_flags(more),
    )  # fmt: skip


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(visits=VISITS)
def test_counted_doses_keep_the_stop_apart_and_the_history_lists_them(
    run: Run, visits: list[tuple[int, str, int]]
) -> None:
    stop = STOP
    label = f"DAYS-{next(PATIENTS)}"
    day = TODAY - dt.timedelta(days=250)
    first_dose_on(run, label, day)
    for gap, kind, extra in visits:
        day += dt.timedelta(days=gap)
        before = doses(label)
        out = visit(run, label, day, kind, extra)
        if out is None:
            continue
        note(f"{kind} on {day} (+{extra}): exit {out.exit_code} {out.stderr[:160]!r}")
        assert out.exit_code != ExitCode.INTERNAL, out.output
        if kind == "check" and out.exit_code == ExitCode.OK:
            near = [d for d in before if (day - d).days < stop]
            assert not near, f"check --label ready on {day} beside the doses of {near}"
        counted = doses(label)
        close = [(a, b) for a, b in itertools.pairwise(counted) if (b - a).days < stop]
        assert not close, f"doses counted fewer than {stop} days apart: {close}"
        shown = run("history", "--json", label, "--now", f"{day.isoformat()}T23:00")
        assert shown.exit_code == ExitCode.OK, shown.output
        listed = sorted(
            dt.date.fromisoformat(i["date"]) for i in json.loads(shown.stdout)["injections"]
        )
        assert listed == doses(label, finished=True), shown.stdout
