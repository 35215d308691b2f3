"""``[guide.report]``: the values results, summaries and notes show are the pack's data.

The program holds no clinical name of its own: a pack that names its values differently
shows them, and a name there that the pack does not define is refused where it stands.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.helpers import TODAY, Run, copy_steps, ready_patient
from xrntx_guide.errors import PackError
from xrntx_guide.pack.load import load_guide


def _edit(folder: Path, old: str, new: str) -> None:
    path = folder / "00-guide.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} is not in 00-guide.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ('result = [\n  "days_opioid_free",', 'result = [\n  "days_opioid_fre",', "result"),
        ('injection_given = "injection_given"', 'injection_given = "consent_given"', "injection"),
        ('next_dose_due = "next_dose_due"', 'next_dose_due = "needle"', "next_dose_due"),
        ('repeat_visit = "repeat_injection"', 'repeat_visit = "second"', "repeat_visit"),
        ('{ question = "last_injection_date"', '{ question = "last_jab_date"', "carry"),
        ('use_since = "opioid_use_since_last_injection"', 'use_since = "visit"', "use_since"),
        ('last_use = "last_opioid_use"', 'last_use = "last_opioid_used"', "last_use"),
    ],
)
def test_a_report_name_the_pack_does_not_define_is_refused_at_its_place(
    tmp_path: Path, old: str, new: str, where: str
) -> None:
    folder = copy_steps(tmp_path)
    _edit(folder, old, new)
    with pytest.raises(PackError) as caught:
        load_guide(folder, use_cache=False)
    problems = [p for p in caught.value.problems if "report" in str(p)]
    assert problems, caught.value.problems
    (problem,) = problems
    assert problem.file is not None and Path(problem.file).name == "00-guide.toml"
    assert problem.line is not None, "located: an author can go to it"
    assert where in str(problem)


def test_results_show_what_the_pack_lists_not_a_list_in_python(run: Run, tmp_path: Path) -> None:
    """Take cows_band out of the result list and put it in the summary: the JSON loses
    it, the short report gains it."""
    folder = copy_steps(tmp_path)
    _edit(folder, '  "cows_band",\n', "")
    _edit(folder, 'summary = ["days_opioid_free",', 'summary = ["cows_band", "days_opioid_free",')
    answers = ready_patient()
    flags = [f"{k}={v.isoformat() if hasattr(v, 'isoformat') else v}" for k, v in answers.items()]
    args = ["check", "--steps", str(folder), "--today", TODAY.isoformat()]
    for flag in flags:
        args += ["-a", flag]
    shipped = json.loads(run(*args[:1], *args[3:], "--json").stdout)
    changed = json.loads(run(*args, "--json").stdout)
    assert "cows_band" in shipped["derived"]
    assert "cows_band" not in changed["derived"]
    text = run(*args).stdout
    band_label = re.search(r"^(COWS[^:]*band[^:]*):", text, re.M | re.I)
    assert band_label is not None, text


def test_a_pack_that_offers_a_contraindication_from_the_record_is_refused(tmp_path: Path) -> None:
    """A fact offered from the last visit is taken unless the clinician changes it; a
    contraindication (a new allergy) can change between visits, so a pack offering one
    would let a repeat visit pass it unasked."""
    folder = copy_steps(tmp_path)
    _edit(
        folder,
        '  { question = "oud_diagnosis", from_answer = "oud_diagnosis" },\n',
        '  { question = "oud_diagnosis", from_answer = "oud_diagnosis" },\n'
        '  { question = "hypersensitivity", from_answer = "hypersensitivity" },\n',
    )
    with pytest.raises(PackError) as caught:
        load_guide(folder, use_cache=False)
    (problem,) = caught.value.problems
    assert problem.file is not None and Path(problem.file).name == "00-guide.toml"
    assert problem.line is not None, "located: an author can go to it"
    assert "hypersensitivity" in str(problem) and "contraindication" in str(problem)
    assert "offer" in str(problem)


def test_the_shipped_pack_offers_no_question_a_contraindication_reads() -> None:
    guide = load_guide()
    offered = {o.question for o in guide.meta.report.history.offer}
    assert offered, "the shipped pack offers facts from the record"
    for g in guide.gates:
        for rule in g.rules:
            if rule.spec.severity == "contraindication":
                read = set().union(*(guide.answer_inputs(n) for n in rule.fails.reads))
                assert not offered & read, (g.id, offered & read)
