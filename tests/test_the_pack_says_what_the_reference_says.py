"""The shipped steps say what the clinical basis says, with the basis it gives.

Each test reads the shipped pack through the engine or the command line, as a clinician
or a script would meet it: the words on the screen, the sources a failing gate cites, and
whether a fact the basis marks verify is flagged. Numbers are read from the pack's
settings, never restated.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any

from tests.helpers import TODAY, Result, check, days_ago, flat, gate, ready_patient
from xrntx_guide.engine.evaluate import Inputs, State, evaluate
from xrntx_guide.engine.next_action import instructions
from xrntx_guide.pack.guide import Guide

Run = Callable[..., Result]


def state(guide: Guide, **changes: Any) -> State:
    return evaluate(guide, Inputs(ready_patient(injection_date=TODAY, **changes), TODAY))


def repeat_visit(**changes: Any) -> dict[str, Any]:
    """A repeat visit on time with nothing in the way, the history not taken again."""
    answers = ready_patient(
        visit="repeat_injection",
        last_injection_date=days_ago(28),
        last_injection_side="left",
        opioid_use_since_last_injection=False,
    )
    for key in ("last_opioid_kind", "last_opioid_use", "oud_diagnosis", "naloxone_challenge"):
        answers.pop(key)
    answers.update(changes)
    return {k: v for k, v in answers.items() if v is not None}


# -- the indication ----------------------------------------------------------------------


def test_a_patient_without_a_confirmed_diagnosis_is_stopped_at_the_indication(run: Run) -> None:
    result = check(run, ready_patient(oud_diagnosis=False))
    assert result.exit_code == 1, result.output
    out = json.loads(result.stdout)
    assert out["status"] == "needs_override", out
    assert out["blocking"] == ["indication"], out
    indication = gate(out, "indication")
    assert indication["severity"] == "stop" and "label" in indication["sources"], indication
    assert "opioid use disorder" in indication["reason"], indication


def test_a_confirmed_diagnosis_passes_the_indication(run: Run) -> None:
    result = check(run, ready_patient())
    assert result.exit_code == 0, result.output
    assert gate(json.loads(result.stdout), "indication")["outcome"] == "pass"


# -- the last injection's side -----------------------------------------------------------


def test_none_is_read_as_an_unknown_last_side(run: Run) -> None:
    result = check(run, repeat_visit(last_injection_side="none"))
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)["derived"]["injection_side"]
    assert "examine both" in shown and "unaffected" in shown, shown


def test_an_unknown_last_side_says_to_examine_both_buttocks(guide: Guide) -> None:
    help_text = flat(guide.questions["last_injection_side"].spec.help or "")
    assert "examine both buttocks" in help_text and "unaffected side" in help_text
    used = flat(guide.questions["injection_side_used"].spec.help or "")
    assert "examine both buttocks" in used, used


# -- counselling before the injection ----------------------------------------------------


def test_a_check_shows_the_counselling_caution_before_any_injection(run: Run) -> None:
    for missing in ("overdose_counselled", "reversal_agent_offered"):
        out = json.loads(check(run, ready_patient(**{missing: False})).stdout)
        assert "counselling" in out["cautions"], (missing, out)
        assert gate(out, "counselling")["outcome"] == "fail", out


def test_counselling_is_decided_before_the_injection_step_and_only_the_card_after(
    guide: Guide,
) -> None:
    order = [s.id for s in guide.steps]
    inject = order.index("inject")
    step_of = {cq.key: step.id for step in guide.steps for cq in step.questions}
    counselling = guide.gate("counselling")
    assert order.index(counselling.spec.before) <= inject
    for key in ("overdose_counselled", "reversal_agent_offered", "medication_guide_given"):
        assert order.index(step_of[key]) < inject, key
        assert key in counselling.inputs, key
    assert order.index(step_of["wallet_card_given"]) > inject
    assert "wallet_card_given" not in counselling.inputs


# -- citations ---------------------------------------------------------------------------


def test_breastfeeding_cites_the_medication_guide_marked_verify(guide: Guide) -> None:
    g = state(guide, breastfeeding=True).gates["breastfeeding"]
    assert g.outcome == "fail" and "medguide" in g.sources and g.verify, g
    assert "Medication Guide" in g.reason, g.reason


def test_the_liver_caution_cites_the_tablet_label_marked_verify(guide: Guide) -> None:
    caution = guide.setting_values["liver_caution_multiple"]
    g = state(guide, lft_multiple_uln=caution + 0.5).gates["liver"]
    assert g.severity == "caution", g
    assert "naltrexone-tablet-label" in g.sources and g.verify, g
    setting = guide.settings["liver_caution_multiple"]
    assert setting.verify and setting.sources == ["naltrexone-tablet-label"], setting


def test_the_extended_release_buprenorphine_rule_cites_only_its_labels(run: Run) -> None:
    answers = ready_patient(last_opioid_kind="buprenorphine_extended_release")
    out = json.loads(check(run, answers).stdout)
    interval = gate(out, "opioid_free_interval")
    assert interval["sources"] == ["xr-bup-labels"], interval
    assert interval.get("verify") is True, interval


def test_the_post_injection_observation_is_local_practice_without_a_source(
    guide: Guide,
) -> None:
    setting = guide.settings["post_injection_observation_minutes"]
    assert setting.local_practice and setting.sources == [], setting


def test_the_rechallenge_settings_are_marked_verify(guide: Guide) -> None:
    for name in ("naloxone_rechallenge_window_hours", "naloxone_rechallenge_dose_mg"):
        assert guide.settings[name].verify, name
    source = guide.sources["naltrexone-tablet-label"]
    assert source.locator and "naloxone challenge" in source.locator, source


def test_the_minimum_interval_cites_its_basis_for_every_kind(guide: Guide) -> None:
    derived = guide.derived["required_opioid_free_days"].spec
    assert "huhn-2020" in derived.sources, derived.sources
    for kind in ("fentanyl", "unknown", "methadone"):
        assert kind in derived.description, kind


# -- after extended-release buprenorphine ------------------------------------------------


def test_after_extended_release_buprenorphine_no_interval_and_no_challenge_apply(
    guide: Guide, run: Run
) -> None:
    patient = dict(last_opioid_kind="buprenorphine_extended_release", last_opioid_use=days_ago(40))
    s = state(guide, **patient)
    text = flat(instructions(s, guide.step("readiness_interval")))
    assert "cannot start XR-naltrexone" in text, text
    assert "Naloxone challenge required: not applicable" in text, text
    assert not re.search(r"challenge required: (no|false)\b", text, re.IGNORECASE), text
    out = json.loads(check(run, ready_patient(**patient)).stdout)
    assert out["derived"]["naloxone_challenge_required"] is None, out["derived"]
    plain = run(
        "check", "--plain", "--today", TODAY.isoformat(),
        *(f"--answer={k}={v.isoformat() if isinstance(v, dt.date) else v}"
          for k, v in ready_patient(**patient).items()),
    )  # fmt: skip
    assert "no interval is established" in flat(plain.stdout), plain.output
    assert "cannot start XR-naltrexone" in flat(plain.stdout), plain.output


# -- a repeat visit that becomes a new induction inside the blockade ---------------------


def test_a_challenge_under_residual_naltrexone_is_said_to_be_hard_to_read(guide: Guide) -> None:
    blockade = guide.setting_values["blockade_days"]
    inside = repeat_visit(
        last_injection_date=days_ago(blockade - 2),
        opioid_use_since_last_injection=True,
        opioid_use_significant=True,
        last_opioid_use=days_ago(1),
        last_opioid_kind="short_acting",
    )
    s = evaluate(guide, Inputs(inside, TODAY))
    text = flat(instructions(s, guide.step("naloxone_challenge")))
    assert "residual naltrexone is hard to interpret (verify)" in text, text
    first = flat(instructions(state(guide), guide.step("naloxone_challenge")))
    assert "residual naltrexone" not in first


# -- smaller wording ---------------------------------------------------------------------


def test_bleeding_risk_names_what_the_label_names(guide: Guide) -> None:
    reason = flat(state(guide, bleeding_risk=True).gates["bleeding_risk"].reason)
    assert "Thrombocytopenia or a coagulation disorder" in reason, reason
    assert "anticoagulant therapy by extension" in reason, reason


def test_organ_impairment_gives_its_reason(guide: Guide) -> None:
    g = state(guide, renal_or_severe_hepatic_impairment=True).gates["organ_impairment"]
    assert "not studied" in g.reason and "not known" in g.reason, g.reason


def test_the_readiness_text_says_oral_naltrexone_is_not_required(guide: Guide) -> None:
    text = flat(instructions(state(guide), guide.step("readiness_interval")))
    assert "Oral naltrexone before the first injection is not required" in text, text
