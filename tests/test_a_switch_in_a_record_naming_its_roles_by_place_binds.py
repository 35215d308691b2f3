"""A visit that ended the treatment with a switch to buprenorphine binds the patient's
later visits: "no opioid use since the last injection" beside it is refused (safety
invariants 10 and 11), whichever pack recorded it. A record keeps its pack's names of the
roles the timeline reads. The first version that kept them named each by its place
under ``[guide.report]`` ('report.history.after_end.0.from_answer'); later versions name
a carried answer by the question it fills in, and read a record written before the names
were kept by the reading pack's names, and one without its last injection's role by the
rest of its names. A record of that first version (an export imported) is read by
neither: a clinic's copy that named the end visit's agonist answer otherwise
('switch_agonist') has its switch dropped, and a plain repeat dose two months on reads
ready, though the same record with its names by the question binds."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

from tests.helpers import (
    MONTHLY_VISIT,
    TODAY,
    Run,
    after_injection,
    answer_flags,
    copy_steps,
    days_ago,
    walk_visit,
)
from xrntx_guide.pack.load import load_guide
from xrntx_guide.visit.integrity import NAMES, names_logged

LABEL = "NAMES-BY-PLACE"


def copy_naming_the_end_answer(root: Path) -> Path:
    steps = copy_steps(root)
    for path in steps.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"\bagonist_after_naltrexone\b", "switch_agonist", text)
        path.write_text(text.replace('id = "xrntx_induction"', 'id = "clinic_copy"', 1))
    return steps


def names_by_place(steps: Path) -> dict[str, str]:
    """The pack's names as the first version kept them: every name under
    ``[guide.report]`` by where it stands, and the visit date."""
    guide = load_guide(steps)
    out = {"meta.date_key": guide.meta.date_key}

    def walk(value: object, at: str) -> None:
        if isinstance(value, str):
            out[at] = value
        elif isinstance(value, list | tuple):
            for i, item in enumerate(value):
                walk(item, f"{at}.{i}")
        elif dataclasses.is_dataclass(value):
            for f in dataclasses.fields(value):
                walk(getattr(value, f.name), f"{at}.{f.name}")

    walk(guide.meta.report, "report")
    return out


def switched_with_the_copy(run: Run, tmp_path: Path, by_place: bool) -> None:
    """An injection 84 days ago; 60 days ago a visit walked with the copy ended the
    treatment with a switch to buprenorphine. Its record is exported, taken out and
    imported again (with its names by place, as the first version kept them, when
    ``by_place``)."""
    dose = walk_visit(run, LABEL, days_ago(84), after_injection(last_opioid_use=days_ago(98)))
    assert dose.exit_code == 0, dose.output
    steps = copy_naming_the_end_answer(tmp_path)
    ended: dict[str, Any] = {
        "visit": "repeat_injection",
        "opioid_use_since_last_injection": False,
        "end_of_treatment": True,
        "end_of_treatment_reason": "switch_to_agonist",
        "switch_agonist": "buprenorphine",
        "end_overdose_counselled": True,
        "end_reversal_agent_prescribed": True,
    }
    end = walk_visit(run, LABEL, days_ago(60), ended, "--steps", str(steps))
    assert end.exit_code == 1, end.output  # the end gate ends the walk, no dose
    (row,) = [s for s in json.loads(run("sessions", "--json").stdout) if s["status"] != "complete"]
    data = json.loads(run("sessions", "export", row["id"]).stdout)
    if by_place:
        data["names"] = names_by_place(steps)
        for event in data["events"]:
            if event["kind"] == NAMES:
                event["value"] = names_logged(data["names"])
    assert run("sessions", "--delete", row["id"], "--yes").exit_code == 0
    path = tmp_path / "visit.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    imported = run("sessions", "import", str(path))
    assert imported.exit_code == 0, imported.output


def plain_repeat_dose_today(run: Run) -> str:
    """Today's repeat visit with the shipped pack: no opioid use since the last
    injection, the rest clear. Its status (a refusal: 'refused')."""
    answers = after_injection(**MONTHLY_VISIT, opioid_use_since_last_injection=False)
    for key in ("visit", "last_opioid_use", "last_opioid_kind", "injection_given"):
        answers.pop(key)
    checked = run(
        "check", "--json", "--label", LABEL, "--today", TODAY.isoformat(), *answer_flags(answers)
    )
    return str(json.loads(checked.stdout or "{}").get("status", "refused"))


def test_the_control_the_record_naming_its_roles_by_the_question_binds(
    run: Run, tmp_path: Path
) -> None:
    switched_with_the_copy(run, tmp_path, by_place=False)
    assert plain_repeat_dose_today(run) != "ready"


def test_the_record_naming_its_roles_by_place_binds(run: Run, tmp_path: Path) -> None:
    switched_with_the_copy(run, tmp_path, by_place=True)
    assert plain_repeat_dose_today(run) != "ready"
