"""The monthly visit, the end of treatment and the emergency card (reference sections 9,
10), through the public commands as a clinician or a script meets them."""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path
from typing import Any

from tests.helpers import (
    TODAY,
    Run,
    after_injection,
    check,
    days_ago,
    flat,
    gate,
    walk_visit,
)
from xrntx_guide.errors import ExitCode

LABEL = "MV-1"


def first_visit(day: dt.date) -> dict[str, Any]:
    return after_injection(last_opioid_use=day - dt.timedelta(days=14), kit_lot="LOT9")


def repeat(**changes: Any) -> dict[str, Any]:
    """A monthly visit on TODAY, 28 days after the last injection, all clear."""
    answers = after_injection(
        visit="repeat_injection",
        **{
            "last_injection_date": days_ago(28),
            "last_injection_side": "right",
            "opioid_use_since_last_injection": False,
            **changes,
        },
    )
    for key in ("last_opioid_use", "last_opioid_kind", "uds_opiates"):
        answers.pop(key, None)
    return {k: v for k, v in answers.items() if v is not None}


def walk_on(run: Run, day: dt.date, answers: dict[str, Any], *extra: str) -> Any:
    return walk_visit(run, LABEL, day, answers, *extra)


def result(run: Run, answers: dict[str, Any]) -> dict[str, Any]:
    out = check(run, answers)
    data: dict[str, Any] = json.loads(out.stdout)
    return data


# -- the previous injection site ------------------------------------------------------------


def test_the_monthly_visit_is_clear_when_nothing_is_found(run: Run) -> None:
    data = result(run, repeat())
    assert data["status"] == "ready", data
    for gate_id in ("injection_site_reaction", "overdue_dose", "monitoring", "planned_surgery"):
        assert gate(data, gate_id)["outcome"] == "pass", gate_id


def test_a_severe_site_reaction_stops_and_points_to_surgery_and_the_other_buttock(
    run: Run,
) -> None:
    data = result(run, repeat(injection_site_reaction="severe"))
    g = gate(data, "injection_site_reaction")
    assert data["status"] == "needs_override", data
    assert (g["outcome"], g["severity"]) == ("fail", "stop")
    advice = flat(" ".join(g["instead"]))
    assert "surgical evaluation" in advice
    assert "other buttock (left)" in advice  # the last injection was in the right one


def test_a_mild_site_reaction_is_a_caution_suggesting_the_other_buttock(run: Run) -> None:
    data = result(run, repeat(injection_site_reaction="mild"))
    g = gate(data, "injection_site_reaction")
    assert data["status"] == "ready"
    assert (g["outcome"], g["severity"]) == ("fail", "caution")
    assert "other buttock (left)" in flat(g["reason"])


def test_a_site_not_examined_leaves_the_gate_undecided_and_never_ready(run: Run) -> None:
    data = result(run, repeat(injection_site_reaction="not_examined"))
    assert data["status"] == "incomplete", data
    g = gate(data, "injection_site_reaction")
    assert g["outcome"] == "unknown"
    assert "answered 'not examined'" in flat(g["reason"])
    assert "injection_site_reaction" not in data["missing"]  # answered, but undecided


def test_an_allergic_reaction_after_the_last_dose_is_a_contraindication(run: Run) -> None:
    data = result(run, repeat(reaction_after_last_dose=True))
    g = gate(data, "hypersensitivity")
    assert data["status"] == "blocked"
    assert (g["outcome"], g["severity"]) == ("fail", "contraindication")
    out = check(
        run,
        repeat(reaction_after_last_dose=True),
        "--override",
        "hypersensitivity=clinical_judgement: x",
    )
    # A contraindication has no override: the flag is refused or changes nothing.
    assert out.exit_code != ExitCode.OK, out.output
    assert '"status": "ready"' not in out.stdout


# -- late visits, monitoring, surgery, pregnancy ---------------------------------------------


def test_a_late_visit_says_how_late_and_asks_for_the_urine_screen(run: Run) -> None:
    late = repeat(last_injection_date=days_ago(36))
    data = result(run, late)
    assert data["status"] == "incomplete"
    assert "uds_opiates" in data["missing"]
    g = gate(data, "overdue_dose")
    assert (g["outcome"], g["severity"]) == ("fail", "caution")
    assert "8 days after the due date" in flat(g["reason"])
    screened = result(run, {**late, "uds_opiates": "negative"})
    assert screened["status"] == "ready", screened
    positive = result(run, {**late, "uds_opiates": "negative", "uds_fentanyl": "positive"})
    assert positive["status"] == "blocked"


def test_monitoring_and_planned_surgery_are_cautions_with_their_reasons(run: Run) -> None:
    data = result(
        run,
        repeat(
            respiratory_symptoms=True,
            lft_within_interval=False,
            planned_surgery_within_28_days=True,
        ),
    )
    assert data["status"] == "ready"
    assert {"monitoring", "planned_surgery"} <= set(data["cautions"])
    assert "eosinophilic pneumonia" in flat(" ".join(gate(data, "monitoring")["instead"]))
    assert "within 28 days after this injection" in flat(gate(data, "planned_surgery")["reason"])


def test_pregnancy_on_a_repeat_visit_speaks_of_continuing_or_switching(run: Run) -> None:
    data = result(run, repeat(pregnancy_test="positive"))
    reason = flat(gate(data, "pregnancy")["reason"])
    assert "on XR-naltrexone" in reason and "obstetrics" in reason
    first = result(run, after_injection(pregnancy_test="positive"))
    assert "obstetrics" not in flat(gate(first, "pregnancy")["reason"])


# -- facts offered from the record, and the visit type ---------------------------------------


def test_a_repeat_visit_takes_the_visit_type_and_the_unchanging_facts_from_the_record(
    run: Run,
) -> None:
    assert walk_on(run, days_ago(28), first_visit(days_ago(28))).exit_code == ExitCode.OK
    today = repeat()
    for key in ("visit", "age", "last_injection_date", "last_injection_side"):
        today.pop(key)
    done = walk_on(run, TODAY, today)
    assert done.exit_code == ExitCode.OK, done.output
    assert "visit: repeat_injection (the record holds an injection of" in flat(done.stdout)
    assert "age: 34 (from the history" in flat(done.stdout)


def test_an_offered_fact_answered_differently_is_taken_not_refused(run: Run) -> None:
    """A new allergy since the last visit must count: never refused as contradicting it."""
    assert walk_on(run, days_ago(28), first_visit(days_ago(28))).exit_code == ExitCode.OK
    today = repeat(hypersensitivity=True)
    today.pop("last_injection_date")
    today.pop("last_injection_side")
    blocked = walk_on(run, TODAY, today)
    assert blocked.exit_code == ExitCode.BLOCKED, blocked.output
    assert "hypersensitivity" in blocked.stdout + blocked.stderr


# -- the end of treatment -----------------------------------------------------------------


END = {
    "end_of_treatment": True,
    "end_of_treatment_reason": "switch_to_agonist",
    "agonist_after_naltrexone": "buprenorphine",
    "end_overdose_counselled": True,
    "end_reversal_agent_prescribed": True,
}


def ending(**changes: Any) -> dict[str, Any]:
    return {
        "visit": "repeat_injection",
        "opioid_use_since_last_injection": False,
        **END,
        **changes,
    }


def test_ending_treatment_gives_no_injection_and_says_the_dates(
    run: Run, _isolated_home: Path
) -> None:
    assert walk_on(run, days_ago(26), first_visit(days_ago(26))).exit_code == ExitCode.OK
    ended = walk_on(run, TODAY, ending())
    assert ended.exit_code == ExitCode.BLOCKED, ended.output
    said = flat(ended.stdout)
    blockade_end = (days_ago(26) + dt.timedelta(days=28)).isoformat()
    assert f"The blockade ends about {blockade_end}" in said
    assert f"Earliest start of buprenorphine: {blockade_end}" in said
    assert "xrntx-guide card" in said  # the end screen offers the card
    history = run("history", LABEL, "--today", TODAY.isoformat(), "--plain")
    assert "Off treatment: XR-naltrexone ended at the visit of" in flat(history.stdout)
    data = json.loads(run("history", LABEL, "--json", "--today", TODAY.isoformat()).stdout)
    assert data["off_treatment"]["reason"] == "switch_to_agonist"
    session = data["off_treatment"]["session"]
    note = flat(run("note", session, "--format", "text").stdout)
    assert "End of treatment" in note
    assert f"Blockade ends about: {blockade_end}" in note
    assert "Reversal agent discussed and prescribed: yes" in note
    calendar = run("note", session, "--format", "ics")
    assert calendar.exit_code == ExitCode.USAGE, calendar.output
    assert "ended the treatment" in flat(calendar.stderr), calendar.stderr


def test_ending_treatment_without_the_counselling_says_what_is_missing_first(run: Run) -> None:
    out = check(run, ending(last_injection_date=days_ago(20), end_reversal_agent_prescribed=False))
    g = gate(json.loads(out.stdout), "end_of_treatment")
    assert "not yet done" in flat(g["reason"])
    assert "reversal agent discussed and prescribed no" in flat(g["reason"])


def test_a_later_injection_puts_the_patient_back_on_treatment(run: Run) -> None:
    assert walk_on(run, days_ago(60), first_visit(days_ago(60))).exit_code == ExitCode.OK
    assert walk_on(run, days_ago(40), ending()).exit_code == ExitCode.BLOCKED
    restart = first_visit(TODAY)
    restart.update(
        visit="repeat_injection",
        opioid_use_since_last_injection=True,
        last_opioid_use=days_ago(14),
        **{
            k: v
            for k, v in repeat().items()
            if k
            in (
                "end_of_treatment",
                "injection_site_reaction",
                "reaction_after_last_dose",
                "lft_within_interval",
                "respiratory_symptoms",
                "suicidal_thoughts",
            )
        },
    )
    back = walk_on(run, TODAY, restart)
    assert back.exit_code == ExitCode.OK, back.output
    data = json.loads(run("history", LABEL, "--json", "--today", TODAY.isoformat()).stdout)
    assert [v["date"] for v in data["injections"]] == [days_ago(60).isoformat(), TODAY.isoformat()]
    assert data["off_treatment"] is None


# -- the emergency card ---------------------------------------------------------------------


def test_the_card_has_the_dates_and_the_pain_advice_and_no_name_unless_typed(
    run: Run, tmp_path: Path
) -> None:
    assert walk_on(run, days_ago(3), first_visit(days_ago(3))).exit_code == ExitCode.OK
    text = run("card", LABEL)
    assert text.exit_code == ExitCode.OK, text.output
    assert f"Last injection: {days_ago(3).isoformat()}" in text.stdout
    assert f"ends about: {(days_ago(3) + dt.timedelta(days=28)).isoformat()}" in text.stdout
    assert "regional anaesthesia or non-opioid analgesics" in flat(text.stdout)
    assert "Name:" not in text.stdout
    assert max(len(line) for line in text.stdout.splitlines()) <= 80
    page = tmp_path / "card.html"
    page.write_text("old")
    page.chmod(0o644)
    made = run("card", LABEL, "--format", "html", "-o", str(page), "--name", "Sam <Doe>")
    assert made.exit_code == ExitCode.OK, made.output
    assert stat.S_IMODE(page.stat().st_mode) == 0o600
    html = page.read_text()
    assert "@media print" in html and "Name: Sam &lt;Doe&gt;" in html
    assert made.stdout == ""


def test_no_card_without_an_injection_on_record_nor_from_an_unfinished_visit(run: Run) -> None:
    blocked = walk_on(run, TODAY, after_injection(last_opioid_use=days_ago(2)))
    assert blocked.exit_code == ExitCode.BLOCKED
    refused = run("card", LABEL)
    assert refused.exit_code == ExitCode.USAGE, refused.output
    assert "holds no injection" in flat(refused.stderr)
    bad = run("card", LABEL, "--format", "pdf")
    assert bad.exit_code == ExitCode.USAGE and "choose html or text" in bad.stderr


def test_an_unfinished_visit_gives_no_card(run: Run) -> None:
    partial = after_injection()
    partial.pop("consent")
    assert walk_on(run, TODAY, partial).exit_code == ExitCode.INCOMPLETE
    refused = run("card", LABEL)
    assert refused.exit_code == ExitCode.USAGE, refused.output
    assert "is not finished" in flat(refused.stderr)
