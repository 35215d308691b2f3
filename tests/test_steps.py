"""The shipped step pack: vocabulary, sources, and clinical cases from the clinical basis.

The clinical basis is docs/clinical-basis.md, inside the repository. Clinical numbers are
read from the pack's settings, never restated here, so a test pins how the engine applies
the pack, and the pack's numbers are pinned in one place
(``test_default_policy_matches_the_clinical_basis``).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import (
    REPO,
    TODAY,
    backticked,
    basis_gate_rows,
    basis_severities,
    basis_table,
    days_ago,
    ready_patient,
)
from xrntx_guide.engine.evaluate import Inputs, State, evaluate
from xrntx_guide.engine.next_action import Ask, GateStop, next_action
from xrntx_guide.pack.guide import Guide

# The public answer keys and the computed values the clinical basis lists.
VOCABULARY = [backticked(row["key"])[0] for row in basis_table("Answer vocabulary")]
DERIVED = [backticked(row["name"])[0] for row in basis_table("Computed values")]


def ready(**changes: Any) -> dict[str, Any]:
    """A patient 14 days after short-acting use with nothing standing in the way."""
    return ready_patient(**{"injection_date": TODAY, **changes})


def check(guide: Guide, **changes: Any) -> State:
    return evaluate(guide, Inputs(ready(**changes), TODAY))


def setting(guide: Guide, name: str) -> Any:
    return guide.setting_values[name]


# -- the pack as data ---------------------------------------------------------------------


def test_every_gate_of_the_clinical_basis_exists_with_its_severities(guide: Guide) -> None:
    rows = basis_gate_rows()
    # A guard against a table that parses to nothing: the gates of reference 4.2 the pack
    # holds, the one line that says a repeat visit became a new induction, the wallet card's
    # caution after the injection, and the end of treatment.
    monthly = {"injection_site_reaction", "overdue_dose", "monitoring", "planned_surgery"}
    later = {"indication", "wallet_card", "end_of_treatment", "repeat_as_new_induction"}
    assert monthly | later <= rows.keys()
    assert len(rows) >= 28
    pack = {g.id for g in guide.gates}
    for gate_id, row in rows.items():
        assert gate_id in pack, f"{gate_id} is not in the pack"
        severities = {r.spec.severity for r in guide.gate(gate_id).rules}
        # Each severity the basis names for the gate is one of its rules' severities.
        for word in basis_severities(row):
            assert word in severities, (gate_id, word, severities)


def test_every_answer_key_and_computed_value_of_the_basis_exists(guide: Guide) -> None:
    assert len(VOCABULARY) >= 40 and len(DERIVED) >= 7
    for key in VOCABULARY:
        assert key in guide.questions, key
    for name in DERIVED:
        assert name in guide.derived or name in guide.questions, name


def test_every_source_key_of_the_basis_is_in_the_pack(guide: Guide) -> None:
    keys = [backticked(row["key"])[0] for row in basis_table("Sources")]
    assert len(keys) >= 15
    assert set(keys) <= set(guide.sources)


def test_every_gate_setting_and_derived_value_cites_a_known_source(guide: Guide) -> None:
    for gate in guide.gates:
        assert gate.spec.sources, gate.id
        for key in [*gate.spec.sources, *(s for r in gate.rules for s in r.spec.sources)]:
            assert key in guide.sources, (gate.id, key)
    for name, s in guide.settings.items():
        # A value no source gives is local practice, said so, and cites nothing.
        assert s.sources or s.local_practice, name
        assert set(s.sources) <= set(guide.sources), name
    for name, d in guide.derived.items():
        assert set(d.spec.sources) <= set(guide.sources), name


def test_no_clinical_number_lives_in_python() -> None:
    """The pack's characteristic numbers must not appear as literals in the engine code."""
    pattern = re.compile(r"(?<![\w.])(?:7|14|28|380|0\.8|20|48)(?![\w.])")
    for path in (REPO / "src" / "xrntx_guide").rglob("*.py"):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if '"""' in code or code.strip().startswith(("'", '"')):
                continue
            assert not pattern.search(code), f"{path.name}:{n}: {line.strip()}"


def test_default_policy_matches_the_clinical_basis(guide: Guide) -> None:
    """The one place the pack's numbers are written out, as the clinical basis gives them:
    the default minimum by last opioid, the site settings' defaults, the fixed values."""
    assert setting(guide, "min_opioid_free_days") == {
        "short_acting": 7,
        "fentanyl": 7,
        "methadone": 14,
        "buprenorphine": 14,
        "unknown": 14,
    }
    assert "buprenorphine_extended_release" not in setting(guide, "min_opioid_free_days")
    assert setting(guide, "cows_threshold") == 5
    assert setting(guide, "challenge_required_within_days") == 14
    assert (setting(guide, "liver_caution_multiple"), setting(guide, "liver_stop_multiple")) == (
        3,
        5,
    )
    assert setting(guide, "naloxone_observation_minutes") == 20
    assert setting(guide, "dose_interval_days") == 28
    assert guide.settings["post_injection_observation_minutes"].local_practice


def test_verify_marked_facts_are_flagged(guide: Guide) -> None:
    assert guide.settings["minimum_age"].verify
    assert guide.gate("bleeding_risk").spec.verify


def test_step_files_hold_no_executable_markers() -> None:
    for path in Path(REPO / "steps").glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        for marker in ("__import__", "{{", "{%", "eval(", "exec("):
            assert marker not in text, (path.name, marker)


# -- clinical cases -----------------------------------------------------------------------


def test_the_ready_patient_is_ready_and_gets_needle_side_and_next_dose(guide: Guide) -> None:
    state = check(guide)
    assert state.status == "ready", [(g.id, g.outcome, g.reason) for g in state.gates.values()]
    assert state.blocking == []
    assert state.value("next_dose_due") == TODAY + dt.timedelta(
        days=setting(guide, "dose_interval_days")
    )
    assert state.value("injection_side") == "either"


@pytest.mark.parametrize(
    "kind", ["short_acting", "fentanyl", "methadone", "buprenorphine", "unknown"]
)
def test_interval_passes_exactly_at_the_minimum_and_fails_one_day_before(
    guide: Guide, kind: str
) -> None:
    minimum = setting(guide, "min_opioid_free_days")[kind]
    at = check(guide, last_opioid_kind=kind, last_opioid_use=days_ago(minimum))
    assert at.gates["opioid_free_interval"].outcome == "pass"
    before = check(
        guide,
        last_opioid_kind=kind,
        last_opioid_use=days_ago(minimum - 1),
        naloxone_challenge="negative",
    )
    g = before.gates["opioid_free_interval"]
    assert (g.outcome, g.severity) == ("fail", "contraindication")
    assert before.status == "blocked"
    assert before.blocking == ["opioid_free_interval"]
    assert str(minimum - 1) in g.reason and str(minimum) in g.reason
    # The earliest date is the date of last use plus the minimum (basis: opioid-free interval).
    assert g.earliest_date == days_ago(minimum - 1) + dt.timedelta(days=minimum)
    assert before.earliest_injection_date == g.earliest_date
    assert any(g.earliest_date.isoformat() in text for text in g.instead)


def test_four_days_after_heroin_is_blocked_until_the_computed_date(guide: Guide) -> None:
    state = check(guide, last_opioid_use=days_ago(4))
    g = state.gates["opioid_free_interval"]
    # The challenge (required this early, and not done) blocks too, as a stop.
    assert state.blocking == ["opioid_free_interval", "naloxone_challenge"]
    assert "4" in g.reason and "label" in g.sources
    assert g.earliest_date == days_ago(4) + dt.timedelta(
        days=setting(guide, "min_opioid_free_days")["short_acting"]
    )
    # Waiting is the only way past the contraindication; the stop has other ways out.
    assert state.earliest_injection_date == g.earliest_date


def test_extended_release_buprenorphine_always_fails_and_says_consult(guide: Guide) -> None:
    state = check(
        guide, last_opioid_kind="buprenorphine_extended_release", last_opioid_use=days_ago(200)
    )
    g = state.gates["opioid_free_interval"]
    assert g.outcome == "fail" and g.severity == "contraindication"
    assert "specialist" in g.reason
    assert g.earliest_date is None and state.earliest_injection_date is None


def test_unknown_opioid_requires_the_challenge(guide: Guide) -> None:
    state = check(guide, last_opioid_kind="unknown", last_opioid_use=days_ago(30))
    assert state.value("naloxone_challenge_required") is True
    assert state.gates["naloxone_challenge"].severity == "stop"
    assert state.status == "needs_override"


def test_challenge_required_below_the_setting_and_optional_from_it(guide: Guide) -> None:
    within = setting(guide, "challenge_required_within_days")
    inside = check(guide, last_opioid_use=days_ago(within - 1))
    assert inside.value("naloxone_challenge_required") is True
    assert inside.blocking == ["naloxone_challenge"]
    outside = check(guide, last_opioid_use=days_ago(within))
    assert outside.value("naloxone_challenge_required") is False
    assert outside.gates["naloxone_challenge"].outcome == "pass"


def test_self_report_without_a_challenge_is_a_caution_not_a_block(guide: Guide) -> None:
    state = check(guide, abstinence_evidence="self_report")
    assert state.status == "ready"
    assert "naloxone_challenge" in state.cautions


def test_fentanyl_needs_the_challenge_and_carries_a_caution(guide: Guide) -> None:
    state = check(
        guide, last_opioid_kind="fentanyl", fentanyl_used_30_days=None, last_opioid_use=days_ago(20)
    )
    assert "fentanyl" in state.cautions
    assert state.value("naloxone_challenge_required") is True
    recent = check(guide, fentanyl_used_30_days=True)
    assert "fentanyl" in recent.cautions


@pytest.mark.parametrize(
    "assay", ["uds_opiates", "uds_fentanyl", "uds_buprenorphine", "uds_methadone", "uds_oxycodone"]
)
def test_any_positive_assay_is_a_contraindication_and_not_done_a_stop(
    guide: Guide, assay: str
) -> None:
    positive = check(guide, **{assay: "positive"})
    assert positive.gates["urine_drug_screen"].severity == "contraindication"
    assert positive.status == "blocked"
    missing = check(guide, **{assay: "not_done"})
    assert missing.gates["urine_drug_screen"].severity == "stop"
    assert missing.status == "needs_override"


def test_withdrawal_fails_at_the_threshold_and_passes_below(guide: Guide) -> None:
    threshold = setting(guide, "cows_threshold")
    assert check(guide, cows_total=threshold).blocking == ["withdrawal"]
    assert check(guide, cows_total=threshold - 1).gates["withdrawal"].outcome == "pass"


def test_cows_items_add_up_to_the_total(guide: Guide) -> None:
    items = {k: 0 for k in guide.questions if k.startswith("cows_") and k != "cows_total"}
    assert len(items) == 11
    items["cows_pulse"] = 2
    items["cows_yawning"] = 2
    state = check(guide, cows_total=None, **items)
    assert state.value("cows_total") == 4
    assert state.value("cows_band") == "none"
    items["cows_gooseflesh"] = 3
    state = check(guide, cows_total=None, **items)
    assert state.value("cows_total") == 7
    assert state.value("cows_band") == "mild"
    assert state.blocking == ["withdrawal"]


def test_a_positive_challenge_is_a_contraindication(guide: Guide) -> None:
    assert check(guide, naloxone_challenge="positive").blocking == ["naloxone_challenge"]


@pytest.mark.parametrize(
    ("changes", "gate", "severity"),
    [
        ({"opioid_analgesics": True}, "opioid_analgesics", "contraindication"),
        ({"hypersensitivity": True}, "hypersensitivity", "contraindication"),
        ({"consent": False}, "consent", "contraindication"),
        ({"kit_storage_ok": False}, "kit_storage", "contraindication"),
        ({"pregnancy_test": "positive"}, "pregnancy", "stop"),
        ({"breastfeeding": True}, "breastfeeding", "stop"),
        ({"acute_hepatitis": True}, "liver", "stop"),
        ({"body_habitus": "unsuitable"}, "body_habitus", "stop"),
    ],
)
def test_each_hard_gate_blocks_with_its_severity(
    guide: Guide, changes: dict[str, Any], gate: str, severity: str
) -> None:
    state = check(guide, **changes)
    g = state.gates[gate]
    assert (g.outcome, g.severity) == ("fail", severity)
    assert gate in state.blocking
    assert g.sources


def test_age_below_the_minimum_is_a_stop(guide: Guide) -> None:
    minimum = setting(guide, "minimum_age")
    assert check(guide, age=minimum - 1).gates["age"].severity == "stop"
    assert check(guide, age=minimum).gates["age"].outcome == "pass"


def test_liver_caution_and_stop_thresholds(guide: Guide) -> None:
    caution = setting(guide, "liver_caution_multiple")
    stop = setting(guide, "liver_stop_multiple")
    assert check(guide, lft_multiple_uln=float(caution)).gates["liver"].outcome == "pass"
    mid = check(guide, lft_multiple_uln=(caution + stop) / 2).gates["liver"]
    assert (mid.outcome, mid.severity) == ("fail", "caution")
    high = check(guide, lft_multiple_uln=stop + 0.5).gates["liver"]
    assert (high.outcome, high.severity) == ("fail", "stop")


@pytest.mark.parametrize(
    ("gate", "answer"), [("bleeding_risk", "bleeding_risk"), ("mood", "mood_concern")]
)
def test_cautions_are_listed_but_do_not_block(guide: Guide, gate: str, answer: str) -> None:
    state = check(guide, **{answer: True})
    assert state.status == "ready"
    assert gate in state.cautions


@pytest.mark.parametrize(
    ("habitus", "word"),
    [("lean", "1.5"), ("more_subcutaneous_tissue", "2-inch"), ("average", "or")],
)
def test_needle_follows_body_habitus(guide: Guide, habitus: str, word: str) -> None:
    assert word in str(check(guide, body_habitus=habitus).value("needle"))


def test_repeat_visit_without_use_skips_the_readiness_gates(guide: Guide) -> None:
    answers = ready(
        visit="repeat_injection",
        last_injection_date=days_ago(28),
        last_injection_side="left",
        opioid_use_since_last_injection=False,
    )
    state = evaluate(guide, Inputs(answers, TODAY))
    assert state.value("new_induction") is False
    for gate in ("opioid_free_interval", "urine_drug_screen", "withdrawal", "naloxone_challenge"):
        assert state.gates[gate].outcome == "not_applicable", gate
    assert state.value("injection_side") == "right"
    assert "last_opioid_use" in state.not_applicable_answers


def test_repeat_visit_still_checks_consent_although_its_step_is_hidden(guide: Guide) -> None:
    """The consent gate guards a readiness step that repeat visits skip; it still applies."""
    answers = ready(
        visit="repeat_injection",
        last_injection_date=days_ago(28),
        last_injection_side="left",
        opioid_use_since_last_injection=False,
        consent=False,
    )
    state = evaluate(guide, Inputs(answers, TODAY))
    assert state.gates["consent"].outcome == "fail"
    assert state.status == "blocked"
    walk = evaluate(guide, Inputs(answers, TODAY, use_defaults=False))
    action = next_action(walk)
    assert isinstance(action, GateStop) and action.gate.id == "consent"


def test_repeat_visit_with_use_after_the_blockade_is_a_new_induction(guide: Guide) -> None:
    blockade = setting(guide, "blockade_days")
    answers = ready(
        visit="repeat_injection",
        last_injection_date=days_ago(blockade + 10),
        last_injection_side="right",
        opioid_use_since_last_injection=True,
        last_opioid_use=days_ago(3),
    )
    state = evaluate(guide, Inputs(answers, TODAY))
    assert state.value("new_induction") is True
    assert state.gates["opioid_free_interval"].outcome == "fail"
    assert state.value("injection_side") == "left"


def test_rapid_pathway_replaces_the_interval_rule_with_its_requirements(guide: Guide) -> None:
    # The last use is on day 1 of the pathway (day 7 is today), not after: the pathway starts
    # after it, with buprenorphine on day 1 only.
    base = {"last_opioid_use": days_ago(6), "naloxone_challenge": "negative"}
    setting = {
        "pathway": "supervised_rapid",
        "rapid_supervised_setting": True,
        "rapid_protocol_on_file": True,
    }
    # What the visit layer works out from the daily record (visit/rapid.py), as given to
    # the engine: day 3 of a protocol whose injection day is day 7.
    record = {
        "rapid_day": 3,
        "rapid_day_date": TODAY,
        "rapid_injection_day": 7,
        "rapid_record_complete": True,
        "rapid_doses_tolerated": True,
        "rapid_day_cows": 1,
        "rapid_naltrexone_days": guide.setting_values["rapid_naltrexone_days_required"],
    }
    missing = check(guide, **{**setting, "rapid_protocol_on_file": False}, **base)
    # The interval gate still applies (its extended-release buprenorphine rule holds on
    # every pathway); only its interval rule gives way to the pathway's own gate.
    assert missing.gates["opioid_free_interval"].outcome == "pass"
    assert missing.blocking == ["rapid_pathway"]
    # The setting alone is not readiness: the protocol's injection day and the oral
    # naltrexone doses tolerated are still to be recorded (reference section 6).
    undecided = check(guide, **setting, **base)
    assert undecided.status == "incomplete"
    assert undecided.gates["rapid_pathway"].outcome == "unknown"
    not_yet = check(guide, **setting, **record, **base)
    assert not_yet.status == "blocked" and not_yet.blocking == ["rapid_pathway"]
    ok = check(guide, **setting, **{**record, "rapid_day": 7}, **base)
    assert ok.status == "ready"
    for change in (
        {"rapid_day_date": days_ago(1)},
        {"rapid_record_complete": False},
        {"rapid_doses_tolerated": False},
        {"rapid_day_cows": 48},
        {"rapid_day": 8},
        {"last_opioid_use": days_ago(2)},  # opioid use after day 1
    ):
        answers = {**base, **setting, **record, "rapid_day": 7, **change}
        assert check(guide, **answers).status == "blocked", change


# -- the walk on the shipped pack -----------------------------------------------------------


def test_the_walk_never_asks_an_injection_question_while_a_gate_blocks(guide: Guide) -> None:
    answers = ready(last_opioid_use=days_ago(3), pathway="standard")
    state = evaluate(guide, Inputs(answers, TODAY, use_defaults=False))
    action = next_action(state)
    assert isinstance(action, GateStop) and action.kind == "blocked"
    assert action.gate.id == "opioid_free_interval"


def test_the_walk_of_a_ready_patient_reaches_the_injection_step(guide: Guide) -> None:
    state = evaluate(guide, Inputs(ready(), TODAY, use_defaults=False))
    action = next_action(state)
    assert isinstance(action, Ask) and action.step.id == "inject"


def test_an_injection_recorded_for_a_blocked_patient_is_ignored(guide: Guide) -> None:
    answers = ready(
        last_opioid_use=days_ago(3),
        naloxone_challenge="negative",
        injection_given=True,
        injection_side_used="left",
    )
    state = evaluate(guide, Inputs(answers, TODAY))
    assert state.status == "blocked"
    assert state.value("injection_given") is expr_unknown()
    assert "injection_given" in state.not_applicable_answers


def test_the_injection_step_is_shown_once_an_override_settles_the_stop(guide: Guide) -> None:
    answers = ready(uds_fentanyl="not_done", injection_given=True, injection_side_used="left")
    blocked = evaluate(guide, Inputs(answers, TODAY))
    assert blocked.value("injection_given") is expr_unknown()
    from xrntx_guide.engine.evaluate import Override

    fp = blocked.gates["urine_drug_screen"].fingerprint
    done = evaluate(
        guide,
        Inputs(
            answers,
            TODAY,
            overrides={"urine_drug_screen": Override("assay_unavailable", "no assay on site", fp)},
        ),
    )
    assert done.value("injection_given") is True


def test_dates_at_the_end_of_the_calendar_do_not_crash(guide: Guide) -> None:
    end = dt.date.max
    state = evaluate(
        guide, Inputs(ready(injection_date=end, last_opioid_use=end - dt.timedelta(days=3)), end)
    )
    assert state.status == "blocked"
    assert state.gates["opioid_free_interval"].earliest_date is None


def expr_unknown() -> object:
    from xrntx_guide.expr import UNKNOWN

    return UNKNOWN


def test_the_side_injected_is_suggested_but_never_assumed(guide: Guide) -> None:
    from xrntx_guide.engine.evaluate import usable_default

    repeat = ready(
        visit="repeat_injection",
        last_injection_date=days_ago(28),
        last_injection_side="left",
        opioid_use_since_last_injection=False,
        injection_given=True,
    )
    state = evaluate(guide, Inputs(repeat, TODAY))
    cq = guide.questions["injection_side_used"]
    assert usable_default(cq, state) == "right"  # offered at the prompt
    assert state.value("injection_side_used") is expr_unknown()  # never filled in by itself
    first = evaluate(guide, Inputs(ready(injection_given=True), TODAY))
    assert usable_default(cq, first) is expr_unknown()  # 'either' is not a side to offer


# ---------------------------------------------------------------------------------------
# Site files against the shipped pack


def _site(tmp_path: Path, settings: str) -> Path:
    site = tmp_path / "site.toml"
    site.write_text(f'site = "Test clinic"\n[settings]\n{settings}\n', encoding="utf-8")
    return site


def test_only_the_settings_of_the_site_limits_table_are_site_adjustable(guide: Guide) -> None:
    # The basis's Site limits: minimum days per opioid kind; the COWS threshold; when the
    # naloxone challenge is required; liver thresholds; post-injection observation; route.
    listed = {backticked(row["setting"])[0] for row in basis_table("Site limits")}
    assert {"min_opioid_free_days", "naloxone_challenge_route"} <= listed
    adjustable = {name for name, s in guide.settings.items() if s.site_adjustable}
    assert adjustable == listed


def test_a_site_cannot_shorten_the_interval_after_short_acting_opioids(
    guide: Guide, tmp_path: Path
) -> None:
    from xrntx_guide.errors import PackError
    from xrntx_guide.pack.load import load_guide

    floor = guide.settings["min_opioid_free_days"].site_min
    assert isinstance(floor, dict)
    for kind in ("short_acting", "fentanyl"):
        site = _site(tmp_path, f"min_opioid_free_days = {{ {kind} = {floor[kind] - 1} }}")
        with pytest.raises(PackError) as info:
            load_guide(REPO / "steps", site)
        assert any(f"{kind} = {floor[kind] - 1} is below" in str(p) for p in info.value.problems), (
            info.value.problems
        )
        # nan would pass every comparison with the floor: it is not a number of days.
        site = _site(tmp_path, f"min_opioid_free_days = {{ {kind} = nan }}")
        with pytest.raises(PackError) as info:
            load_guide(REPO / "steps", site)
        assert any("finite number" in str(p) for p in info.value.problems), info.value.problems
    # Longer is the site's call.
    site = _site(tmp_path, "min_opioid_free_days = { short_acting = 10, methadone = 21 }")
    values = load_guide(REPO / "steps", site).setting_values["min_opioid_free_days"]
    assert (values["short_acting"], values["methadone"]) == (10, 21)


def test_the_label_minimum_is_the_floor_for_short_acting_opioids(guide: Guide) -> None:
    # The basis's default minimum: at least 7 days after a short-acting opioid (label).
    rows = basis_table("Default minimum by last opioid")
    row = next(r for r in rows if backticked(r["last opioid"]) == ["short_acting"])
    assert "`label`" in row["basis"]
    label_minimum = int(row["minimum whole days opioid-free"])
    floor = guide.settings["min_opioid_free_days"].site_min
    assert isinstance(floor, dict)
    assert floor["short_acting"] == label_minimum
    assert "label" in guide.settings["min_opioid_free_days"].limit_sources


def test_a_site_cannot_change_the_dose_interval(tmp_path: Path) -> None:
    from xrntx_guide.errors import PackError
    from xrntx_guide.pack.load import load_guide

    with pytest.raises(PackError) as info:
        load_guide(REPO / "steps", _site(tmp_path, "dose_interval_days = 21"))
    assert any(
        "dose_interval_days: a site may not change it" in str(p) for p in info.value.problems
    )
