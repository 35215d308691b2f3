"""A visit as FHIR R4 (``note --format fhir``): one Bundle that a FHIR model library reads
without a complaint, for every shipped scenario's visit as the presenter plays it to the
end and for random visits; every standard code in it is one the clinical basis confirms;
and no FHIR library is loaded on a command's path (the bundle is plain data)."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from hypothesis import HealthCheck, given, settings

from tests.helpers import TODAY, Run, after_injection, walk
from tests.strategies.patients import Options, Patient, patients, shipped_guide
from xrntx_guide import scenarios as sc
from xrntx_guide.engine.evaluate import evaluate
from xrntx_guide.env import Clock
from xrntx_guide.errors import ExitCode
from xrntx_guide.output.fhir import GLUTEUS_MAXIMUS, INJECTION, LOCAL, fhir_bundle, questionnaire
from xrntx_guide.output.note.data import note_data
from xrntx_guide.pack.guide import Guide
from xrntx_guide.visit.session import SessionRecord, new_session

CONFIRMED = {
    (INJECTION["system"], INJECTION["code"]),
    (GLUTEUS_MAXIMUS["system"], GLUTEUS_MAXIMUS["code"]),
}
"""The standard codes the clinical basis confirms for data exchange."""
FHIR_OWN = "http://terminology.hl7.org/"
NOW = dt.datetime(2026, 11, 24, 23, 0, tzinfo=dt.UTC)


def validated(bundle: dict[str, Any]) -> None:
    """The Bundle, each resource in it and each contained resource, read by the R4B models
    (structurally R4 for these resources); raises on anything they refuse."""
    get_fhir_model_class("Bundle").model_validate(bundle)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        for inner in resource.get("contained", []):
            get_fhir_model_class(inner["resourceType"]).model_validate(inner)


def codings(value: Any) -> Iterator[dict[str, Any]]:
    """Every coding in a piece of FHIR JSON."""
    if isinstance(value, dict):
        if "system" in value and "code" in value:
            yield value
        for item in value.values():
            yield from codings(item)
    elif isinstance(value, list):
        for item in value:
            yield from codings(item)


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def check_bundle(
    guide: Guide, bundle: dict[str, Any], record: SessionRecord, data: Mapping[str, Any]
) -> None:
    """What a receiving health record relies on, beyond the structure."""
    validated(bundle)
    # The answers follow the guide's Questionnaire: its groups, and questions within them.
    form = {g["linkId"]: {i["linkId"] for i in g["item"]} for g in questionnaire(guide)["item"]}
    (response,) = resources(bundle, "QuestionnaireResponse")
    assert response["questionnaire"] == f"{questionnaire(guide)['url']}|{guide.meta.version}"
    for group in response.get("item", []):
        assert {i["linkId"] for i in group["item"]} <= form[group["linkId"]], group["linkId"]
    assert bundle["type"] == "collection"
    for coding in codings(bundle):
        system = coding["system"]
        assert system.startswith((LOCAL, FHIR_OWN)) or (system, coding["code"]) in CONFIRMED, (
            f"a standard code the clinical basis does not confirm: {coding}"
        )
    given = resources(bundle, "MedicationAdministration")
    assert len(given) == (1 if data["injection_given"] is True else 0)
    for admin in given:
        medication = admin["contained"][0]
        assert medication["code"]["coding"] == [INJECTION]
        assert admin["dosage"]["site"]["coding"] == [GLUTEUS_MAXIMUS]
        assert str(data["side"]) in admin["dosage"]["site"]["text"]
    cows = [
        o
        for o in resources(bundle, "Observation")
        if o["code"]["coding"][0]["code"] == "cows-total"
    ]
    assert len(cows) == (len(record.cows_ratings) or len(cows))
    assert [o["valueInteger"] for o in cows[: len(record.cows_ratings)]] == [
        r.total for r in record.cows_ratings
    ]
    assert len(resources(bundle, "Procedure")) == len(record.naloxone_challenges)
    flagged = {g["id"] for g in data["gates"] if g["outcome"] in ("fail", "overridden")}
    issues = {i["code"]["coding"][0]["code"] for i in resources(bundle, "DetectedIssue")}
    assert issues == flagged
    for gate in data["overrides"]:
        (issue,) = [
            i
            for i in resources(bundle, "DetectedIssue")
            if i["code"]["coding"][0]["code"] == gate["gate"]
        ]
        action = issue["mitigation"][0]["action"]
        assert action["coding"][0]["code"] == gate["code"] and action["text"] == gate["comment"]
    (provenance,) = resources(bundle, "Provenance")
    urls = {e["fullUrl"] for e in bundle["entry"]} - {
        e["fullUrl"] for e in bundle["entry"] if e["resource"] is provenance
    }
    assert {t["reference"] for t in provenance["target"]} == urls
    plans = resources(bundle, "CarePlan")
    due = data["next_dose_due"] if data["injection_given"] is True else None
    assert [p["activity"][0]["detail"]["scheduledPeriod"]["start"] for p in plans] == (
        [due] if due else []
    )


# -- every shipped scenario, played to its end as the presenter plays it ---------------------


def played(case: sc.Scenario, tmp_path: Path) -> tuple[Guide, SessionRecord, Any]:
    """The case's visit as ``demo`` walks it (the presenter answering from the case), with
    the record the walk kept and the state the case ends in."""
    from xrntx_guide.cli.demo import Presenter
    from xrntx_guide.cli.ui import UI
    from xrntx_guide.cli.walkthrough import Walkthrough
    from xrntx_guide.engine.drive import Prefill
    from xrntx_guide.store import open_store
    from xrntx_guide.store.saver import Saver
    from xrntx_guide.visit.presets import parse_overrides
    from xrntx_guide.visit.rapid import ANSWERS_KEY, parse_days

    guide = sc.guide_for(case, None, None)
    start = dt.datetime.combine(case.today, dt.time(9, 0), tzinfo=dt.UTC)
    clock = Clock().starting_at(start).sped_up(3600)
    record = new_session(guide, f"case-{case.id}", start, case.today)
    if ANSWERS_KEY in case.answers:
        record.set_rapid_days(parse_days(guide, case.answers[ANSWERS_KEY], case.today, "x"), start)
    earlier = sc.from_history(guide, case)
    prefills = {
        key: Prefill(fill.value, "history", "from the case's earlier visit")
        for key, fill in (earlier.prefills if earlier is not None else {}).items()
        if key not in case.answers
    }
    ui = UI(plain=True, out=io.StringIO(), err=io.StringIO(), terminal=False)
    presenter = Presenter(case, 0, record=earlier)
    w = Walkthrough(
        ui,
        guide,
        record,
        Saver(open_store(None, tmp_path / "store"), "test", record.id),
        case.today,
        clock,
        flag_overrides={r.gate: r for r in parse_overrides(guide, case.overrides)},
        responder=presenter,
        prefills=prefills,
    )
    w.run()
    return guide, record, presenter.ends(w)


@pytest.mark.parametrize("case", sc.read_all(sc.default_dir()), ids=lambda c: c.id)
def test_every_scenarios_visit_exports_as_a_valid_bundle(case: sc.Scenario, tmp_path: Path) -> None:
    guide, record, _ = played(case, tmp_path)
    state = evaluate(guide, record.inputs(guide, case.today))
    data = note_data(state, record)
    bundle = fhir_bundle(guide, record, data, NOW)
    check_bundle(guide, bundle, record, data)
    json.dumps(bundle)  # plain data: writable as JSON as it is


# -- random visits ---------------------------------------------------------------------------


GUIDE = shipped_guide()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(patients(GUIDE, Options(odd=False, override_faults=False)))
def test_random_visits_export_as_valid_bundles(p: Patient) -> None:
    record = new_session(GUIDE, "random", NOW, p.today)
    for key, value in p.answers.items():
        record.set_answer(key, value, "typed", NOW)
    state = evaluate(GUIDE, record.inputs(GUIDE, p.today))
    record.summarise(state, NOW)
    data = note_data(state, record)
    check_bundle(GUIDE, fhir_bundle(GUIDE, record, data, NOW), record, data)


# -- the command -----------------------------------------------------------------------------


def test_note_format_fhir_writes_the_bundle(run: Run) -> None:
    assert walk(run, after_injection(kit_lot="LOT-42")).exit_code == ExitCode.OK
    result = run("note", "pt-1", "--format", "fhir")
    assert result.exit_code == ExitCode.OK, result.output
    bundle = json.loads(result.stdout)
    validated(bundle)
    (admin,) = resources(bundle, "MedicationAdministration")
    assert admin["contained"][0]["batch"]["lotNumber"] == "LOT-42"
    assert admin["dosage"]["site"]["text"] == "left gluteus maximus"
    assert admin["contained"][1]["type"]["text"] == "2-inch needle"
    assert admin["effectiveDateTime"].startswith(TODAY.isoformat())


@pytest.mark.parametrize(
    "args",
    [["note", "pt-1", "--format", "fhir"], ["export", "--format", "fhir-questionnaire"]],
    ids=["note", "export"],
)
def test_no_fhir_library_is_loaded_on_the_commands_path(run: Run, args: list[str]) -> None:
    """The FHIR output is plain dictionaries: the FHIR models are a test dependency only."""
    assert walk(run, after_injection()).exit_code == ExitCode.OK
    script = (
        "import sys\n"
        "from xrntx_guide.cli.app import main\n"
        f"code = main({args!r})\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('fhir', 'fhir_core'))\n"
        "sys.stderr.write(repr((code, loaded)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.stderr.endswith("(0, [])"), done.stderr[-2000:]
    assert json.loads(done.stdout)["resourceType"] in ("Bundle", "Questionnaire")
