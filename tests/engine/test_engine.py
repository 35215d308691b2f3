"""The engine's mechanisms, on small packs written for each test and on the shipped pack."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.helpers import PACK_HEAD, TODAY, Run, answer_flags, make_pack, ready_patient
from tests.strategies.patients import ANSWERS, SHIPPED, SKIP_OPTIONAL, answer_values
from xrntx_guide.engine.evaluate import Inputs, Override, evaluate
from xrntx_guide.engine.next_action import Ask, Confirm, Done, GateStop, next_action, prune
from xrntx_guide.errors import ExitCode
from xrntx_guide.expr.values import Scalar
from xrntx_guide.pack.guide import Guide
from xrntx_guide.pack.load import load_guide


def mini(tmp_path: Path, body: str) -> Guide:
    """The mini pack's head with these steps and gates (and a ``wait_days`` setting)."""
    return load_guide(make_pack(tmp_path, base=PACK_HEAD, append=textwrap.dedent(body)))


TIMED = """
[settings.wait_days]
value = 5
description = "days to wait"
sources = ["ref"]
site_min = 5
limit_sources = ["ref"]

[[step]]
id = "one"
phase = "intake"
title = "One"

[[step.question]]
key = "visit_date"
type = "date"
prompt = "Visit date"
default = "today"
max = "today"

[[step.question]]
key = "event"
type = "date"
prompt = "Event"
max = "today"

[[step.question]]
key = "flag"
type = "bool"
prompt = "Flag"

[[step.question]]
key = "detail"
type = "int"
prompt = "Detail"
when = "flag"

[[step]]
id = "two"
phase = "intake"
title = "Two"
requires_clear = true

[[step.question]]
key = "done"
type = "bool"
prompt = "Done"

[[gate]]
id = "waited"
title = "Waited"
before = "two"
sources = ["ref"]

[[gate.rule]]
severity = "contraindication"
fails_when = "days_between(event, visit_date) < settings.wait_days"
message = "waited {visit_date}"
instead = ["come back on {earliest_date}"]

[[gate]]
id = "flagged"
title = "Flagged"
before = "two"
sources = ["ref"]

[[gate.rule]]
severity = "stop"
fails_when = "flag and detail > 2"
message = "detail {detail}"

[[gate.rule]]
severity = "caution"
fails_when = "flag"
message = "flag set"

[guide.report]
injection_given = "done"
"""


def test_earliest_date_is_found_by_re_evaluating_any_time_dependent_gate(tmp_path: Path) -> None:
    guide = mini(tmp_path, TIMED)
    event = TODAY - dt.timedelta(days=2)
    state = evaluate(guide, Inputs({"event": event, "flag": False}, TODAY))
    g = state.gates["waited"]
    assert g.time_dependent and g.outcome == "fail"
    wait = guide.setting_values["wait_days"]
    assert g.earliest_date == event + dt.timedelta(days=wait)
    assert state.earliest_injection_date == g.earliest_date
    assert g.instead == (f"come back on {g.earliest_date.isoformat()}",)


def test_a_gate_that_never_passes_in_the_horizon_has_no_earliest_date(tmp_path: Path) -> None:
    guide = mini(tmp_path, TIMED.replace("< settings.wait_days", "< 1000"))
    state = evaluate(guide, Inputs({"event": TODAY, "flag": False}, TODAY))
    assert state.gates["waited"].earliest_date is None
    assert "no date within" in state.gates["waited"].instead[0]


def test_missing_answers_make_a_gate_unknown_never_passed(tmp_path: Path) -> None:
    guide = mini(tmp_path, TIMED)
    state = evaluate(guide, Inputs({}, TODAY))
    assert state.gates["waited"].outcome == "unknown"
    assert "event" in state.gates["waited"].missing
    assert state.status == "incomplete"


def test_an_undecided_gate_names_only_what_can_be_answered_now(guide: Guide) -> None:
    """Before any challenge the rechallenge (asked only after a positive one) and the
    rapid pathway's day 1 (never typed) are not named as needed: only the challenge."""
    answers = ready_patient(naloxone_challenge=None, kit_storage_ok=None)
    state = evaluate(guide, Inputs(answers, TODAY))
    gate = state.gates["naloxone_challenge"]
    assert gate.outcome == "unknown"
    assert gate.missing == ("naloxone_challenge",), gate.missing
    assert gate.reason == "not decided yet: needs naloxone_challenge"
    assert state.gates["kit_storage"].missing == ("kit_storage_ok",)


def test_kleene_logic_decides_a_gate_when_the_known_part_suffices(tmp_path: Path) -> None:
    guide = mini(tmp_path, TIMED)
    # flag is false: 'flag and detail > 2' is false whatever detail is.
    state = evaluate(guide, Inputs({"event": TODAY - dt.timedelta(days=9), "flag": False}, TODAY))
    assert state.gates["flagged"].outcome == "pass"


def test_the_worst_failing_rule_sets_the_severity(tmp_path: Path) -> None:
    guide = mini(tmp_path, TIMED)
    base: dict[str, Scalar] = {"event": TODAY - dt.timedelta(days=9), "flag": True}
    assert evaluate(guide, Inputs({**base, "detail": 5}, TODAY)).gates["flagged"].severity == (
        "stop"
    )
    low = evaluate(guide, Inputs({**base, "detail": 1}, TODAY)).gates["flagged"]
    assert (low.outcome, low.severity) == ("fail", "caution")


def test_an_override_holds_only_for_the_answers_it_was_given_for(tmp_path: Path) -> None:
    guide = mini(tmp_path, TIMED)
    answers: dict[str, Scalar] = {"event": TODAY - dt.timedelta(days=9), "flag": True, "detail": 5}
    first = evaluate(guide, Inputs(answers, TODAY))
    fp = first.gates["flagged"].fingerprint
    override = {"flagged": Override("judgement", "discussed", fp)}
    same = evaluate(guide, Inputs(answers, TODAY, overrides=override))
    assert same.gates["flagged"].outcome == "overridden"
    assert same.status == "ready"
    changed = evaluate(guide, Inputs({**answers, "detail": 7}, TODAY, overrides=override))
    assert changed.gates["flagged"].outcome == "fail"
    assert changed.status == "needs_override"


def test_an_override_cannot_lift_a_contraindication(tmp_path: Path) -> None:
    guide = mini(tmp_path, TIMED)
    answers: dict[str, Scalar] = {"event": TODAY, "flag": False}
    fp = evaluate(guide, Inputs(answers, TODAY)).gates["waited"].fingerprint
    state = evaluate(
        guide,
        Inputs(answers, TODAY, overrides={"waited": Override("judgement", "no", fp)}),
    )
    assert state.gates["waited"].outcome == "fail"
    assert state.status == "blocked"


def test_a_caution_must_be_acknowledged_before_the_walk_goes_on(tmp_path: Path) -> None:
    guide = mini(tmp_path, TIMED)
    answers: dict[str, Scalar] = {
        "visit_date": TODAY,
        "event": TODAY - dt.timedelta(days=9),
        "flag": True,
        "detail": 1,
    }
    state = evaluate(guide, Inputs(answers, TODAY, use_defaults=False))
    action = next_action(state)
    assert isinstance(action, GateStop) and action.kind == "acknowledge"
    acked = evaluate(
        guide, Inputs(answers, TODAY, use_defaults=False, acks={"flagged": action.gate.fingerprint})
    )
    action = next_action(acked)
    assert isinstance(action, Ask) and action.question.key == "done"


def test_the_walk_asks_in_order_and_skips_questions_that_do_not_apply(tmp_path: Path) -> None:
    guide = mini(tmp_path, TIMED)
    answers: dict[str, Any] = {}
    asked = []
    for _ in range(10):
        state = evaluate(guide, Inputs(answers, TODAY, use_defaults=False))
        action = next_action(state)
        if not isinstance(action, Ask):
            break
        key = action.question.key
        asked.append(key)
        answers[key] = {
            "visit_date": TODAY,
            "event": TODAY - dt.timedelta(days=9),
            "flag": False,
            "done": True,
        }[key]
    assert asked == ["visit_date", "event", "flag", "done"]
    assert isinstance(action, Done)


def test_prune_clears_answers_that_no_longer_apply(tmp_path: Path) -> None:
    guide = mini(tmp_path, TIMED)
    kept, cleared = prune(guide, {"flag": False, "detail": 3, "event": TODAY}, TODAY)
    assert cleared == ["detail"]
    assert "detail" not in kept and kept["event"] == TODAY


def test_a_step_without_questions_asks_for_confirmation(tmp_path: Path) -> None:
    guide = mini(
        tmp_path,
        TIMED
        + """
[[step]]
id = "three"
phase = "intake"
title = "Read this"
instructions = "Read."
""",
    )
    answers: dict[str, Scalar] = {
        "visit_date": TODAY,
        "event": TODAY - dt.timedelta(days=9),
        "flag": False,
        "done": True,
    }
    state = evaluate(guide, Inputs(answers, TODAY, use_defaults=False))
    assert isinstance(next_action(state), Confirm)
    assert isinstance(next_action(state, confirmed=frozenset({"three"})), Done)


def test_placeholders_show_values_and_never_run_code(tmp_path: Path) -> None:
    guide = mini(tmp_path, TIMED)
    state = evaluate(guide, Inputs({"event": TODAY, "flag": False}, TODAY))
    assert state.render("{event} / {settings.wait_days} / {x.__class__}") == (
        f"{TODAY.isoformat()} / 5 / not answered"
    )


# -- properties on the shipped pack ---------------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANSWERS)
def test_any_answers_evaluate_deterministically_without_error(answers: dict[str, Any]) -> None:
    a = evaluate(SHIPPED, Inputs(answers, TODAY))
    b = evaluate(SHIPPED, Inputs(dict(answers), TODAY))
    assert a.status == b.status and a.blocking == b.blocking
    assert a.status in ("ready", "blocked", "needs_override", "incomplete")
    if a.status == "ready":
        assert all(g.outcome != "unknown" for g in a.readiness_gates())


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_walk_with_random_answers_ends_and_never_shows_the_injection_while_blocked(
    data: st.DataObject,
) -> None:
    answers: dict[str, Any] = {}
    skipped: set[str] = set()
    confirmed: set[str] = set()
    acks: dict[str, str] = {}
    inject = SHIPPED.step("inject").index
    refused = 0
    for _ in range(200):
        state = evaluate(SHIPPED, Inputs(answers, TODAY, acks=acks, use_defaults=False))
        action = next_action(state, frozenset(skipped), frozenset(confirmed))
        if isinstance(action, Ask) and action.step.index >= inject:
            assert not any(g.blocking or g.outcome == "unknown" for g in state.readiness_gates())
        if isinstance(action, Ask):
            if action.question.spec.optional and data.draw(SKIP_OPTIONAL):
                skipped.add(action.question.key)
            else:
                key = action.question.key
                answers[key] = data.draw(answer_values(key))
                if key in evaluate(SHIPPED, Inputs(answers, TODAY, use_defaults=False)).invalid:
                    del answers[key]  # the prompt refuses it (its bounds), as a person sees
                    refused += 1
                    assume(refused < 20)  # a person would type something else in the end
        elif isinstance(action, Confirm):
            confirmed.add(action.step.id)
        elif isinstance(action, GateStop) and action.kind in ("acknowledge", "notice"):
            acks[action.gate.id] = action.gate.fingerprint
        else:
            break
    else:
        raise AssertionError("the walk did not end in 200 actions")


# ---------------------------------------------------------------------------------------
# Speed-ups must not change a result


def test_gate_result_make_sets_every_field_as_init_would(guide: Guide) -> None:
    """``GateResult.make`` fills the instance directly; a field it forgot would be missing
    (AttributeError) or differ from what ``__init__`` builds from the same values."""
    import dataclasses

    from xrntx_guide.engine.evaluate import GateResult

    state = evaluate(guide, Inputs(ready_patient(uds_fentanyl="not_done", cows_total=9), TODAY))
    outcomes = {g.outcome for g in state.gates.values()}
    assert {"pass", "fail", "not_applicable"} <= outcomes
    for made in state.gates.values():
        values = {f.name: getattr(made, f.name) for f in dataclasses.fields(GateResult)}
        assert GateResult(**values) == made
        assert set(values) <= set(vars(made))


def test_the_end_of_the_calendar_is_not_a_crash(run: Run) -> None:
    result = run(
        "check",
        "--today",
        "9999-12-31",
        "--json",
        *answer_flags(ready_patient(last_opioid_use="9999-12-28", injection_date="9999-12-31")),
    )
    # --today is held to the years the program computes with: a clear usage error
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "out of range" in result.stderr and "internal error" not in result.stderr
