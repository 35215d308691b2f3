"""The safety invariants of reference 4.4, checked over random patients against an
independent oracle.

The oracle (:mod:`tests.oracle`) reads the reference, not the pack's expressions; the
patients come from :mod:`tests.strategies`. Each property runs through the engine and
through the ways a patient reaches it: the single ``check``, a ``check --batch`` line and
an unattended session answered over several sittings. The runs are derandomised and
bounded, so CI is reproducible and quick; ``bench/fuzz_safety.py`` runs the same
generator for a million patients.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests import oracle
from tests.helpers import STEPS, TODAY, ready_patient
from tests.strategies import patients as gen
from tests.strategies import timed
from tests.strategies.patients import pool_guide
from xrntx_guide.cli.app import app
from xrntx_guide.errors import PackError

SETTINGS: dict[str, Any] = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "print_blob": False,
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.filter_too_much,
    ],
}


def fast(n: int) -> settings:
    """Bounded and derandomised: CI runs the same examples every time, quietly."""
    return settings(max_examples=n, **SETTINGS)


def report(case: gen.Case, run: gen.Run, problems: list[str], path: str) -> str:
    lines = [f"{path}: status {run.status!r} for {case!r}", *(f"  - {p}" for p in problems)]
    return "\n".join(lines)


# --- The oracle itself -----------------------------------------------------------------


def test_oracle_finds_nothing_against_the_ready_patient(guide: Any) -> None:
    """The conftest patient is ready per the reference too (else the oracle is wrong)."""
    assert oracle.must_not_be_ready(guide, ready_patient(), TODAY) == []


@pytest.mark.parametrize(
    ("change", "gate", "severity", "state"),
    [
        ({"opioid_analgesics": True}, "opioid_analgesics", "contraindication", "holds"),
        ({"consent": None}, "consent", "contraindication", "undecided"),
        ({"uds_buprenorphine": "positive"}, "urine_drug_screen", "contraindication", "holds"),
        ({"uds_oxycodone": "not_done"}, "urine_drug_screen", "stop", "holds"),
        ({"pregnancy_test": "positive"}, "pregnancy", "stop", "holds"),
        ({"last_opioid_kind": oracle.BUP_ER}, "opioid_free_interval", "contraindication", "holds"),
        ({"last_opioid_use": TODAY}, "opioid_free_interval", "contraindication", "holds"),
        ({"injection_date": TODAY + dt.timedelta(days=1)}, "answers", "refused", "holds"),
        ({"visit": None}, "visit", "contraindication", "undecided"),
        ({"cows_total": None}, "withdrawal", "contraindication", "undecided"),
    ],
)
def test_oracle_reads_the_reference(
    guide: Any, change: dict[str, Any], gate: str, severity: str, state: str
) -> None:
    found = oracle.findings(guide, ready_patient(**change), TODAY)
    assert any((f.gate, f.severity, f.state) == (gate, severity, state) for f in found), found


def test_oracle_binds_an_override_of_every_stop_of_the_pack(guide: Any) -> None:
    """Every gate of the shipped pack that can fail as a stop can be overridden (4.1), so
    the oracle knows the answers an override of it binds to (invariant 6), and the random
    patients override it: a stop the oracle lacked read every valid override of it as
    none (the indication, added to the pack later), and was seldom overridden at all."""
    stops = {gate.id for gate in guide.gates for r in gate.rules if r.spec.severity == "stop"}
    assert stops <= set(oracle.GATE_INPUTS), stops - set(oracle.GATE_INPUTS)
    answers = ready_patient(oud_diagnosis=False)
    assert oracle.override_binds("indication", answers, TODAY, answers, TODAY)
    changed = {**answers, "oud_diagnosis": True}
    assert not oracle.override_binds("indication", answers, TODAY, changed, TODAY)


def test_oracle_rapid_pathway_waives_only_the_buprenorphine_screen(guide: Any) -> None:
    rapid = ready_patient(
        last_opioid_use=TODAY - dt.timedelta(days=2),
        pathway="supervised_rapid",
        uds_buprenorphine="positive",
        **dict.fromkeys(oracle.RAPID_KEYS, True),
    )
    assert oracle.contraindication_holds(guide, rapid, TODAY) == []
    assert any(f.gate == "rapid_pathway" for f in oracle.findings(guide, rapid, TODAY))
    rapid["uds_methadone"] = "positive"
    assert oracle.contraindication_holds(guide, rapid, TODAY) != []


def test_earliest_date_is_last_use_plus_the_minimum(guide: Any) -> None:
    last = dt.date(2026, 11, 1)
    minimum = guide.setting_values["min_opioid_free_days"]["short_acting"]
    assert oracle.earliest_injection_date(guide, last, "short_acting") == last + dt.timedelta(
        days=minimum
    )
    assert oracle.earliest_injection_date(guide, last, oracle.BUP_ER) is None
    assert oracle.earliest_injection_date(guide, dt.date.max, "short_acting") is None


# --- The oracle over time (reference 4.4 items 8-12, 5.1, 5.2, 6, 7) -----------------------

NOW = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)


def at(hours: float, day: dt.date = TODAY) -> str:
    """An ISO time ``hours`` after midnight UTC of ``day`` (negative: the day before)."""
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)
    return (midnight + dt.timedelta(hours=hours)).isoformat()


def gates_found(guide: Any, answers: dict[str, Any], **over_time: Any) -> set[tuple[str, str]]:
    return {(f.gate, f.state) for f in oracle.findings(guide, answers, TODAY, now=NOW, **over_time)}


def test_oracle_reads_the_latest_cows_rating_of_the_day_and_none_after_now(guide: Any) -> None:
    rated = ready_patient(
        cows_total=None, cows_ratings=[{"at": at(8), "total": 9}, {"at": at(11), "total": 1}]
    )
    assert oracle.must_not_be_ready(guide, rated, TODAY, now=NOW) == []
    rated["cows_ratings"] = [{"at": at(8), "total": 1}, {"at": at(11), "total": 9}]
    assert ("withdrawal", "holds") in gates_found(guide, rated)
    # A low rating later than now is refused; one of yesterday never counts.
    rated["cows_ratings"].append({"at": at(23.5), "total": 0})
    assert oracle.refused(guide, rated, TODAY, now=NOW)
    yesterday = ready_patient(cows_total=None, cows_ratings=[{"at": at(-2), "total": 0}])
    assert ("withdrawal", "undecided") in gates_found(guide, yesterday)


def test_oracle_keeps_a_positive_challenge_until_a_negative_rechallenge_in_the_window(
    guide: Any,
) -> None:
    window = guide.setting_values["naloxone_rechallenge_window_hours"]
    positive = {"at": at(-3), "kind": "challenge", "result": "positive"}

    def rechallenge(hours: float, started: float | None = None) -> dict[str, Any]:
        entry = {"at": at(-3 + hours), "kind": "rechallenge", "result": "negative"}
        if started is not None:
            entry["started"] = at(-3 + started)
        return entry

    def blocked(*entries: dict[str, Any], **over_time: Any) -> bool:
        answers = ready_patient(naloxone_challenge=None, naloxone_challenges=list(entries))
        return ("naloxone_challenge", "holds") in gates_found(guide, answers, **over_time)

    assert blocked(positive)
    assert not blocked(positive, rechallenge(10, started=9))
    # Past the window, on a new day: not a rechallenge but that day's new challenge (5.2);
    # "not done" that late leaves the positive standing.
    late = rechallenge(window + 0.5, started=window)
    assert not blocked(positive, late)
    assert blocked(positive, {**late, "result": "not_done"})
    # A correction, or a second "challenge", never lifts the positive.
    assert blocked(
        positive,
        {"at": at(9), "kind": "challenge", "result": "negative", "corrects": at(-3), "reason": "x"},
    )
    assert blocked(positive, {"at": at(9), "kind": "challenge", "result": "negative"})
    # In a visit record a negative needs the time the naloxone was given.
    assert blocked(positive, rechallenge(10), in_record=True)
    assert not blocked(positive, rechallenge(10))  # check: a bare result as reported
    # A negative called before the observation minimum is refused.
    early = ready_patient(
        naloxone_challenge=None, naloxone_challenges=[positive, rechallenge(10, 9.9)]
    )
    assert oracle.refused(guide, early, TODAY, now=NOW)


def test_oracle_measures_the_window_in_absolute_time_across_daylight_saving(guide: Any) -> None:
    """America/New_York falls back on 2026-11-01, a day of 25 hours: from 00:30 EDT to
    23:45 EST the same day reads 23:15 on the wall and is 24:15 of real time. Past the
    24-hour window it is no rechallenge, and on the positive's own day no new challenge
    either: the positive stands."""
    from zoneinfo import ZoneInfo

    ny = ZoneInfo("America/New_York")
    window = guide.setting_values["naloxone_rechallenge_window_hours"]
    positive = dt.datetime(2026, 11, 1, 0, 30, tzinfo=ny)
    again = (positive.astimezone(dt.UTC) + dt.timedelta(hours=window, minutes=15)).astimezone(ny)
    assert again.date() == positive.date() and again.hour == 23
    now = again + dt.timedelta(minutes=5)
    answers = ready_patient(
        injection_date=now.date(),
        last_opioid_use=now.date() - dt.timedelta(days=14),
        naloxone_challenge=None,
        naloxone_challenges=[
            {"at": positive.isoformat(), "kind": "challenge", "result": "positive"},
            {
                "at": again.astimezone(dt.timezone(dt.timedelta(hours=-5))).isoformat(),
                "started": (again - dt.timedelta(minutes=25)).isoformat(),
                "kind": "rechallenge",
                "result": "negative",
            },
        ],
    )
    found = oracle.findings(guide, answers, now.date(), now=now)
    assert any(f.gate == "naloxone_challenge" and f.state == "holds" for f in found), found


def rapid_days(last: int, oral: set[int], on: dt.date = TODAY) -> list[dict[str, Any]]:
    return [
        {
            "day": n,
            "date": (on - dt.timedelta(days=last - n)).isoformat(),
            "given": "as the protocol directs",
            "naltrexone_given": n in oral,
            "tolerated": True,
            "cows": [{"time": "09:00", "total": 1}],
            **({"injection_day": True} if n == last else {}),
        }
        for n in range(1, last + 1)
    ]


@pytest.mark.parametrize(
    ("ratings", "withdrawal"),
    [([9, 1], False), ([1, 9], True)],
    ids=["treated-then-calm", "calm-then-withdrawal"],
)
def test_oracle_reads_the_day_records_ratings_as_the_injection_days_series(
    guide: Any, ratings: list[int], withdrawal: bool
) -> None:
    """The ratings of the injection day are one series whatever route recorded them: the
    day record's latest rating is the one the withdrawal gate reads, as the series' is."""
    cows = [(t, withdrawn(guide, r)) for t, r in zip(("08:30", "10:00"), ratings, strict=True)]
    found = ("withdrawal", "holds") in gates_found(guide, pathway_injection_day(guide, cows))
    assert found is withdrawal


@pytest.mark.parametrize(
    ("record", "series", "blocks"),
    [(9, 1, False), (1, 9, True)],
    ids=["record-withdrawal-then-series-calm", "record-calm-then-series-withdrawal"],
)
def test_oracle_reads_the_pathway_days_cows_as_the_latest_of_the_days_series(
    guide: Any, record: int, series: int, blocks: bool
) -> None:
    """Section 6's "COWS rating on the injection day" is the latest of the day's one
    series: a later rating in ``cows_ratings`` than the day record's is the one read."""
    later = [{"at": f"{TODAY.isoformat()}T10:00", "total": withdrawn(guide, series)}]
    answers = pathway_injection_day(
        guide, [("08:30", withdrawn(guide, record))], cows_ratings=later
    )
    found = {g for g, _ in gates_found(guide, answers)}
    assert ("rapid_pathway" in found) is blocks


def withdrawn(guide: Any, total: int) -> int:
    """``total`` as written (9: withdrawal, 1: none), kept at or above the pack's threshold
    when it is above it."""
    threshold = int(guide.setting_values["cows_threshold"])
    return threshold + 4 if total > threshold else total


def pathway_injection_day(
    guide: Any, cows: list[tuple[str, int]], **changes: Any
) -> dict[str, Any]:
    """A ready patient on the rapid pathway's injection day (today), the day record
    complete, its last day's COWS ratings ``cows`` (time, total)."""
    last = int(guide.setting_values["rapid_naltrexone_days_required"]) + 3
    days = rapid_days(last, set(range(3, last)))
    days[-1]["cows"] = [{"time": t, "total": total} for t, total in cows]
    return ready_patient(
        **dict.fromkeys(oracle.RAPID_KEYS, True),
        pathway=oracle.RAPID,
        last_opioid_use=TODAY - dt.timedelta(days=last - 1),
        uds_buprenorphine="positive",
        naloxone_challenge="not_done",
        rapid_days=days,
        cows_total=None,
        **changes,
    )


class Settings:
    """The pack with some numbers in force changed: the oracle reads only those."""

    def __init__(self, guide: Any, **values: object) -> None:
        self.guide = guide
        self.setting_values = {**guide.setting_values, **values}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.guide, name)


@pytest.mark.parametrize(("need", "site_challenge"), [(3, False), (5, True)])
def test_oracle_reads_the_rapid_pathway_as_clarified(
    guide: Any, need: int, site_challenge: bool
) -> None:
    """Whatever number of oral naltrexone days is in force, and whether the site requires
    the challenge on the pathway's injection day."""
    guide = Settings(
        guide, rapid_naltrexone_days_required=need, rapid_challenge_required=site_challenge
    )
    base = dict.fromkeys(oracle.RAPID_KEYS, True) | {"pathway": oracle.RAPID}
    last = need + 3  # day 1 buprenorphine, day 2 none, then the oral days
    ready = ready_patient(
        **base,
        last_opioid_use=TODAY - dt.timedelta(days=last - 1),
        uds_buprenorphine="positive",
        naloxone_challenge="not_done",  # not required on the pathway's injection day...
        rapid_days=rapid_days(last, set(range(3, last))),
        cows_total=None,  # the day record rates the injection day: its latest counts
    )
    if site_challenge:  # ...unless the site requires it
        assert ("naloxone_challenge", "holds") in gates_found(guide, ready)
        ready["naloxone_challenge"] = "negative"
    assert oracle.must_not_be_ready(guide, ready, TODAY, now=NOW) == []
    short = {**ready, "rapid_days": rapid_days(last, set(range(4, last)))}
    assert ("rapid_pathway", "undecided") in gates_found(guide, short)
    day_one = {**ready, "last_opioid_use": TODAY, "rapid_days": rapid_days(1, set())}
    assert oracle.must_not_be_ready(guide, day_one, TODAY, now=NOW)
    used = {**ready, "last_opioid_use": TODAY - dt.timedelta(days=1)}
    assert ("rapid_pathway", "holds") in gates_found(guide, used)
    bup_er = {**ready, "last_opioid_kind": oracle.BUP_ER}
    assert ("opioid_free_interval", "holds") in gates_found(guide, bup_er)
    # Chosen, the pathway stays chosen once the interval is met: its record still rules.
    waited = {**short, "last_opioid_use": TODAY - dt.timedelta(days=30)}
    assert ("rapid_pathway", "undecided") in gates_found(guide, waited)


def test_oracle_reads_the_patients_record(guide: Any) -> None:
    three_days = [TODAY - dt.timedelta(days=3)]
    first = ready_patient()
    assert oracle.refused(guide, first, TODAY, record=three_days)
    repeat = ready_patient(
        visit=oracle.REPEAT, opioid_use_since_last_injection=False, last_injection_side="left"
    )
    assert ("dose_timing", "holds") in gates_found(guide, repeat, record=three_days)
    older = {**repeat, "last_injection_date": TODAY - dt.timedelta(days=28)}
    assert oracle.refused(guide, older, TODAY, record=three_days)
    beside = {**first, "last_injection_date": TODAY - dt.timedelta(days=3)}
    assert oracle.refused(guide, beside, TODAY)
    used_after = {
        **repeat,
        "last_injection_date": TODAY - dt.timedelta(days=35),
        "last_opioid_use": TODAY - dt.timedelta(days=1),
    }
    assert oracle.refused(guide, used_after, TODAY)


def test_oracle_finds_a_note_line_the_answers_contradict(guide: Any) -> None:
    answers = ready_patient(uds_buprenorphine="positive")
    note = "- urine_drug_screen (contraindication): pass - all five assays negative [label]\n"
    assert oracle.note_contradictions(guide, note, answers, TODAY, "complete")
    given = "- Given: 380 mg, left buttock, needle 2-inch\n"
    assert oracle.note_contradictions(guide, given, ready_patient(), TODAY, "incomplete")
    assert not oracle.note_contradictions(
        guide, given, ready_patient(injection_given=True), TODAY, "complete"
    )


@pytest.mark.parametrize("need", [3, 4])
def test_oracle_refuses_a_protocol_table_whose_injection_day_comes_too_early(
    guide: Any, need: int
) -> None:
    guide = Settings(guide, rapid_naltrexone_days_required=need)
    rows: list[dict[str, object]] = [{"day": 1, "given": "buprenorphine"}]
    rows += [{"day": n, "given": "oral", "oral_naltrexone": True} for n in range(2, need + 2)]
    rows.append({"day": need + 2, "given": "XR-NTX", "injection": True})
    assert oracle.protocol_problems(guide, rows) == []
    assert oracle.protocol_problems(guide, [{"day": 1, "given": "x", "injection": True}])
    assert oracle.protocol_problems(guide, [*rows[:-2], {"day": need + 1, "injection": True}])


# --- (a) ready means the reference finds nothing standing ----------------------------------


@fast(1000)
@given(gen.cases())
def test_inv1_engine_ready_means_the_reference_finds_nothing(case: gen.Case) -> None:
    run = gen.engine_run(case.guide, case.patient)
    problems = gen.ready_violations(case.guide, run)
    assert not problems, report(case, run, problems, "engine")


@fast(400)
@given(gen.cases())
def test_inv1_check_ready_means_the_reference_finds_nothing(case: gen.Case) -> None:
    run = gen.check_run(case.guide, case.patient)
    problems = gen.ready_violations(case.guide, run)
    assert not problems, report(case, run, problems, "check")


@fast(400)
@given(gen.cases())
def test_inv1_batch_ready_means_the_reference_finds_nothing(case: gen.Case) -> None:
    run = gen.batch_run(case.guide, case.patient)
    problems = gen.ready_violations(case.guide, run)
    assert not problems, report(case, run, problems, "check --batch")


@fast(100)
@given(gen.session_cases())
def test_inv1_session_ready_means_the_reference_finds_nothing(
    sc: tuple[gen.Case, list[gen.Sitting]],
) -> None:
    """Answered over sittings in any order, edited, resumed on a later day, with overrides
    and acknowledgements by flag: the record's verdict obeys the oracle all the same."""
    case, sittings = sc
    run = gen.session_run(case.guide, case.patient, sittings)
    problems = gen.ready_violations(case.guide, run)
    assert not problems, report(case, run, problems, f"session {sittings!r}")


def test_oracle_stops_a_patient_without_a_confirmed_diagnosis(guide: Any) -> None:
    """4.2 `indication`: the guide is for opioid use disorder."""
    found = oracle.must_not_be_ready(guide, ready_patient(oud_diagnosis=False), TODAY)
    assert any("indication" in str(f) for f in found), found


@fast(150)
@given(gen.without_the_diagnosis())
def test_no_route_is_ready_without_a_confirmed_diagnosis(case: gen.Case) -> None:
    """Never ready with ``oud_diagnosis = no`` unless the indication stop is overridden."""
    for path, run in (
        ("engine", gen.engine_run(case.guide, case.patient)),
        ("check", gen.check_run(case.guide, case.patient)),
        ("check --batch", gen.batch_run(case.guide, case.patient)),
    ):
        assert run.status != "ready", f"{path}: ready without the diagnosis: {case!r}"


@pytest.mark.parametrize("kind", gen.CONTRADICTIONS)
@fast(40)
@given(data=st.data())
def test_inv3_inv4_answers_the_reference_refuses_are_never_ready(
    kind: str, data: st.DataObject
) -> None:
    """Invariants 4.4.3 and 4.4.4: a future injection date, a last use or a last injection
    after the injection, use "since the last injection" dated before it, a COWS total its
    item scores contradict, a score the scale does not have: refused by the command line,
    never counted by the engine."""
    case = data.draw(gen.contradicted(kind))
    p = case.patient
    assert oracle.refused(case.guide, p.answers, p.today), f"the oracle misses it: {case!r}"
    for path, run in (
        ("engine", gen.engine_run(case.guide, p)),
        ("check", gen.check_run(case.guide, p)),
        ("check --batch", gen.batch_run(case.guide, p)),
    ):
        assert run.status != "ready", f"{path}: ready with {kind}: {case!r}"


# --- (a) over time: visits with timed results, the pathway's record, the patient's record


@timed.bounded(50)
@given(timed.timed_visits())
def _ready_over_time(v: timed.Timed) -> None:
    guide = pool_guide(v.site)
    routes = timed.Routes()
    label = routes.patient(v)
    for verdict, in_record in (
        (routes.check(v, label), False),
        (routes.batch([(v, label)])[0], False),
        (routes.walk(timed.with_injection(v), label), True),
    ):
        if verdict.ready:
            found = v.findings(guide, in_record=in_record)
            assert not found, f"{verdict.route} ready, but {[str(f) for f in found]}\n{v!r}"


def test_ready_over_time_means_the_reference_finds_nothing() -> None:
    """Series, challenges, the pathway's record and the patient's record, on ``check``, a
    batch line and ``walk --no-input``: ready only when the oracle finds nothing standing
    (invariants 1, 2 and 8-11 together)."""
    timed.require_the_interfaces()
    _ready_over_time()


# --- (b) a missing answer that a gate needs is never ready --------------------------------


@fast(300)
@given(gen.with_a_needed_answer_left_out())
def test_inv2_a_missing_answer_a_gate_needs_is_never_ready(pair: tuple[gen.Case, str]) -> None:
    case, key = pair
    if not key:
        return
    p = case.patient
    answers = {k: v for k, v in p.answers.items() if k != key}
    left_out = gen.Patient(p.today, answers, answers, p.overrides, p.acks)
    for path, run in (
        ("engine", gen.engine_run(case.guide, left_out)),
        ("check", gen.check_run(case.guide, left_out)),
        ("check --batch", gen.batch_run(case.guide, left_out)),
    ):
        assert run.status != "ready", f"{path}: ready without {key!r}: {case!r}"


# --- The earliest date (reference 3.3) -----------------------------------------------------


@fast(200)
@given(gen.cases(gen.Options(odd=False, drops=False, overrides=False)))
def test_the_earliest_date_shown_is_the_last_use_plus_the_minimum(case: gen.Case) -> None:
    """Whenever the interval gate blocks and names a date, it is last use + minimum."""
    a = case.patient.answers
    state = gen.engine_run(case.guide, case.patient).state
    assert state is not None
    gate = state.gates.get("opioid_free_interval")
    if gate is None or gate.outcome != "fail" or gate.earliest_date is None:
        return
    kind, last = a.get("last_opioid_kind"), a.get("last_opioid_use")
    assert isinstance(kind, str) and isinstance(last, dt.date), repr(case)
    expected = oracle.earliest_injection_date(case.guide, last, kind)
    assert gate.earliest_date == expected, f"{gate.earliest_date} != {expected}: {case!r}"


# --- (c) blocked means a contraindication holds ---------------------------------------------


@fast(500)
@given(gen.cases())
def test_blocked_means_a_contraindication_holds(case: gen.Case) -> None:
    for path, run in (
        ("engine", gen.engine_run(case.guide, case.patient)),
        ("check", gen.check_run(case.guide, case.patient)),
    ):
        problems = gen.blocked_violations(case.guide, run)
        assert not problems, report(case, run, problems, path)


@pytest.mark.parametrize("kind", gen.EDGES)
@fast(40)
@given(data=st.data())
def test_an_edge_the_reference_lets_pass_does_not_block(kind: str, data: st.DataObject) -> None:
    """(c) at the edges: buprenorphine in the urine on the rapid pathway (section 6), the
    interval met to the day (3.3), a COWS total just under the threshold (3.4)."""
    case = data.draw(gen.at_an_edge(kind))
    for path, run in (
        ("engine", gen.engine_run(case.guide, case.patient)),
        ("check", gen.check_run(case.guide, case.patient)),
    ):
        problems = gen.blocked_violations(case.guide, run)
        assert not problems, report(case, run, problems, f"{path}, {kind}")


# --- (d) a batch line is the single check ---------------------------------------------------


@fast(300)
@given(gen.cases())
def test_batch_line_equals_the_single_check(case: gen.Case) -> None:
    """Same answers and the same overrides: the same result, or both refused. Where the
    check accepts the answers, the engine agrees."""
    single = gen.check_run(case.guide, case.patient)
    line = gen.batch_run(case.guide, case.patient)
    assert line.status == single.status, f"batch {line.status} != check {single.status}: {case!r}"
    if single.result is not None:
        assert line.result == single.result, f"batch line differs from the check: {case!r}"
    plain = gen.check_run(case.guide, case.patient, with_overrides=False)
    if plain.status != "refused":
        p = case.patient
        engine = gen.engine_run(case.guide, gen.Patient(p.today, p.answers, p.earlier))
        assert engine.status == plain.status, f"engine {engine.status}: {case!r}"


@fast(60)
@given(gen.cases(shipped_only=True))
def test_the_check_command_is_the_check_path(case: gen.Case) -> None:
    """The real ``check --json`` command ends as the in-process check path says, so what
    the properties find through that path holds for the command."""
    p = case.patient
    args = ["check", "--json", "--today", p.today.isoformat(), "--steps", str(STEPS)]
    for key, value in p.answers.items():
        args += ["--answer", f"{key}={gen.to_flag(value)}"]
    for spec in p.overrides:
        if spec.basis == "now":
            args += ["--override", spec.flag()]
    got = CliRunner().invoke(app, args, env={"NO_COLOR": "1", "COLUMNS": "100"})
    expected = gen.check_run(case.guide, p)
    code = {"ready": 0, "blocked": 1, "needs_override": 1, "incomplete": 4, "refused": 2}
    assert got.exit_code == code[expected.status], f"{got.stderr}\n{case!r}"
    if expected.result is not None:
        assert json.loads(got.stdout) == expected.result, repr(case)


# --- Overrides: bound to their answers, coded (invariant 4.4.6) -------------------------------


@fast(100)
@given(gen.with_a_faulty_override())
def test_inv6_an_override_without_a_known_code_and_a_comment_never_counts(
    pair: tuple[gen.Case, gen.OverrideSpec],
) -> None:
    """An unknown reason code, or none, is refused and never mapped to a default; an
    override without a comment records no why (invariant 4.4.6)."""
    case, spec = pair
    for path, run in (
        ("engine", gen.engine_run(case.guide, case.patient)),
        ("check", gen.check_run(case.guide, case.patient)),
    ):
        gate = None if run.state is None else run.state.gates.get(spec.gate)
        assert gate is None or gate.outcome != "overridden", (
            f"{path}: the override {spec.flag()!r} counted: {case!r}"
        )


# --- Site files (reference 4.3) -------------------------------------------------------------


@fast(40)
@given(gen.site_files())
def test_a_site_beyond_the_limits_is_refused(values: dict[str, object]) -> None:
    """Stricter than the sources loads, with its values in force; looser is refused."""
    problems = oracle.site_problems(gen.shipped_guide(), values)
    try:
        guide = gen.load_site(values)
    except PackError as exc:
        assert problems, f"a site inside the 4.3 limits was refused: {values!r}\n{exc}"
        return
    assert not problems, f"a site beyond the 4.3 limits loaded: {values!r}: {problems}"
    for name, value in values.items():
        got = guide.setting_values[name]
        if isinstance(value, dict):
            got = {k: got[k] for k in value}
        assert got == value, f"{name}: site value {value!r} not in force ({got!r})"
