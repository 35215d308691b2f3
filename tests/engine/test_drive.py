"""The walk with nobody to ask (core), on the shipped pack."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.helpers import TODAY, after_injection, ready_patient
from xrntx_guide.engine.drive import walk_unattended
from xrntx_guide.engine.evaluate import OverrideRequest
from xrntx_guide.pack.guide import Guide
from xrntx_guide.visit.results import offered_answers, take_results
from xrntx_guide.visit.session import SessionRecord, new_session

NOW = dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.UTC)


def session_with(guide: Guide, answers: dict[str, Any]) -> SessionRecord:
    record = new_session(guide, "test", NOW, TODAY)
    # Results go into the record's series as every route takes them: the gate reads the
    # series, never a stored answer without its entry (safety invariant 9).
    take_results(guide, record, offered_answers(guide, answers, NOW, "flag"), TODAY)
    for key, value in answers.items():
        record.set_answer(key, value, "flag", NOW)
    return record


def test_missing_answers_are_all_listed_in_walk_order(guide: Guide) -> None:
    answers = ready_patient()
    del answers["age"], answers["cows_total"]
    record = session_with(guide, answers)

    outcome = walk_unattended(guide, record, TODAY, {}, (), NOW)

    assert outcome.kind == "missing"
    # Without a total, the COWS is asked item by item: every item is missing.
    items = [k for k in guide.questions if k.startswith("cows_") and k != "cows_total"]
    assert {"age", *items} <= set(outcome.missing)
    order = [cq.key for step in guide.steps for cq in step.questions]
    assert outcome.missing == sorted(outcome.missing, key=order.index)
    assert record.status == "in_progress"


def test_a_default_is_recorded_as_a_default(guide: Guide) -> None:
    defaulted = [cq.key for cq in guide.questions.values() if cq.default is not None]
    answers = {k: v for k, v in ready_patient().items() if k not in defaulted}
    record = session_with(guide, answers)

    walk_unattended(guide, record, TODAY, {}, (), NOW)

    taken = [k for k in defaulted if k in record.answers]
    assert taken, "the shipped pack's ready patient takes at least one default"
    assert all(record.answers[k].origin == "default" for k in taken)


def test_a_contraindication_stops_the_walk_whatever_the_flags(guide: Guide) -> None:
    record = session_with(guide, ready_patient(last_opioid_use=TODAY - dt.timedelta(days=3)))
    everything = {g.id: OverrideRequest(g.id, "clinical_judgement", "test") for g in guide.gates}

    outcome = walk_unattended(guide, record, TODAY, everything, ("all",), NOW)

    assert outcome.kind == "stop" and outcome.stop is not None
    assert (outcome.stop.kind, outcome.stop.gate.id) == ("blocked", "opioid_free_interval")
    assert record.status == "blocked"
    assert not record.overrides


def test_a_stop_waits_for_its_override_flag(guide: Guide) -> None:
    answers = ready_patient(uds_fentanyl="not_done")

    held = walk_unattended(guide, session_with(guide, answers), TODAY, {}, (), NOW)
    assert held.kind == "stop" and held.stop is not None
    assert (held.stop.kind, held.stop.gate.id) == ("override", "urine_drug_screen")

    record = session_with(guide, answers)
    flag = OverrideRequest("urine_drug_screen", "assay_unavailable", "no fentanyl assay")
    walk_unattended(guide, record, TODAY, {"urine_drug_screen": flag}, (), NOW)
    saved = record.overrides["urine_drug_screen"]
    assert (saved.code, saved.comment, saved.origin) == (
        "assay_unavailable",
        "no fentanyl assay",
        "flag",
    )


def test_a_caution_waits_for_its_acknowledgement(guide: Guide) -> None:
    answers = ready_patient(mood_concern=True)

    held = walk_unattended(guide, session_with(guide, answers), TODAY, {}, (), NOW)
    assert held.kind == "stop" and held.stop is not None
    assert (held.stop.kind, held.stop.gate.id) == ("acknowledge", "mood")

    for acknowledge in (["mood"], ["all"]):
        record = session_with(guide, answers)
        outcome = walk_unattended(guide, record, TODAY, {}, acknowledge, NOW)
        assert "mood" in record.acks
        assert outcome.stop is None or outcome.stop.gate.id != "mood"


def test_a_finished_visit_is_done(guide: Guide) -> None:
    record = session_with(guide, after_injection())

    outcome = walk_unattended(guide, record, TODAY, {}, (), NOW)

    assert outcome.kind == "done", outcome
    assert record.status == "complete"
    assert outcome.state.status == "ready"
