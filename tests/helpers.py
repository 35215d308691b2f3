"""What the tests share, in one place: the fixed date, the ready patient, the one mini-pack
builder, the CLI result and the helpers that drive the commands, and the tables of the
clinical basis (docs/clinical-basis.md) that the pack is checked against.

Fixtures live in ``conftest.py``; everything a test imports by name lives here, so no test
module imports another.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import pytest

    from xrntx_guide.pack.guide import Guide

TODAY = dt.date(2026, 11, 24)
NOW = "2026-11-24T23:30"
"""Late on TODAY, as ``--now``: results a test times on TODAY are all before it (a
``--today`` run's clock reads the real time of day, so a 09:00 result may be ahead)."""
REPO = Path(__file__).resolve().parent.parent
STEPS = REPO / "steps"
# The clinical basis lives in the repository so that a clone alone can run the tests.
CLINICAL_BASIS = REPO / "docs" / "clinical-basis.md"
# The user documentation: the README and the documents under docs/ it leads to.
DOC_FILES = (REPO / "README.md", *sorted((REPO / "docs").glob("*.md")))


def doc(name: str) -> str:
    """One document's text: ``"README.md"`` or a file under ``docs/`` (``"scripting.md"``)."""
    path = REPO / name if name == "README.md" else REPO / "docs" / name
    return path.read_text(encoding="utf-8")


def all_docs() -> str:
    """The README and every document under docs/, as one text."""
    return "\n".join(path.read_text(encoding="utf-8") for path in DOC_FILES)


# The installed console script, for the tests that drive it in a pseudo-terminal.
EXE = Path(sys.executable).with_name("xrntx-guide")


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


# -- the clinical basis ----------------------------------------------------------------------


def basis_table(heading: str) -> list[dict[str, str]]:
    """The rows of the first table under a heading of the clinical basis.

    Args:
        heading: the heading's text without its ``#`` marks (any level).

    Returns:
        One dict per row, keyed by the table's column headers.
    """
    lines = CLINICAL_BASIS.read_text(encoding="utf-8").splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("#")]
    found = [i for i in starts if lines[i].lstrip("#").strip() == heading]
    if not found:
        raise LookupError(f"{CLINICAL_BASIS.name} has no heading {heading!r}")
    header: list[str] | None = None
    rows: list[dict[str, str]] = []
    for line in lines[found[0] + 1 :]:
        if line.startswith("#") or (header is not None and not line.startswith("|")):
            break
        if not line.startswith("|"):
            continue
        # An escaped pipe (\|) belongs to the cell's text, not to the table.
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        if header is None:
            header = cells
        elif not re.fullmatch(r"[-: ]*", "".join(cells)):
            rows.append(dict(zip(header, cells, strict=True)))
    if not rows:
        raise LookupError(f"{CLINICAL_BASIS.name}: no table rows under {heading!r}")
    return rows


def backticked(cell: str) -> list[str]:
    """The `code` spans of a table cell, in order: keys, ids, setting names."""
    return re.findall(r"`([^`]+)`", cell)


def basis_gate_rows() -> dict[str, dict[str, str]]:
    """Gate id -> its row in the Gates table of the clinical basis."""
    return {backticked(row["gate"])[0]: row for row in basis_table("Gates")}


def basis_severities(row: dict[str, str]) -> set[str]:
    """The severities a Gates row names (its comma-separated "severities" cell)."""
    return {word.strip() for word in row["severities"].split(",")}


BASIS_GATES = list(basis_gate_rows())


# -- patients --------------------------------------------------------------------------------


MONTHLY_VISIT: dict[str, Any] = {
    "end_of_treatment": False,
    "injection_site_reaction": "none",
    "reaction_after_last_dose": False,
    "lft_within_interval": True,
    "respiratory_symptoms": False,
    "suicidal_thoughts": False,
}
"""What a repeat visit asks beyond a first injection (the monthly visit), all clear."""


REPEAT_WITHOUT_USE: dict[str, Any] = {
    "visit": "repeat_injection",
    "opioid_use_since_last_injection": False,
    "last_opioid_use": None,
    "last_opioid_kind": None,
    "abstinence_evidence": None,
    "fentanyl_used_30_days": None,
    "cows_total": None,
    "naloxone_challenge": None,
    "uds_opiates": None,
    "uds_fentanyl": None,
    "uds_buprenorphine": None,
    "uds_methadone": None,
    "uds_oxycodone": None,
}
"""A repeat visit with no opioid use since the last injection: ``ready_patient`` changes
that leave out what such a visit does not ask (the first induction's history, the screen,
the COWS rating and the challenge)."""


def ready_patient(**changes: Any) -> dict[str, Any]:
    """A patient 14 days after short-acting use with nothing standing in the way of a first
    injection on TODAY; ``changes`` vary it (a value of None leaves that answer out)."""
    answers: dict[str, Any] = {
        "visit": "first_injection",
        "oud_diagnosis": True,
        "last_opioid_kind": "short_acting",
        "last_opioid_use": TODAY - dt.timedelta(days=14),
        "fentanyl_used_30_days": False,
        "opioid_analgesics": False,
        "hypersensitivity": False,
        "age": 34,
        "pregnancy_test": "not_applicable",
        "breastfeeding": False,
        "acute_hepatitis": False,
        "lft_multiple_uln": 1.0,
        "bleeding_risk": False,
        "mood_concern": False,
        "renal_or_severe_hepatic_impairment": False,
        "medication_guide_given": True,
        "consent": True,
        "overdose_counselled": True,
        "reversal_agent_offered": True,
        "abstinence_evidence": "supervised",
        "uds_opiates": "negative",
        "uds_fentanyl": "negative",
        "uds_buprenorphine": "negative",
        "uds_methadone": "negative",
        "uds_oxycodone": "negative",
        "cows_total": 2,
        "naloxone_challenge": "not_done",
        "kit_storage_ok": True,
        "body_habitus": "average",
        "planned_surgery_within_28_days": False,
    }
    if changes.get("visit") == "repeat_injection":
        answers.update(MONTHLY_VISIT)
    answers.update(changes)
    return {k: v for k, v in answers.items() if v is not None}


def after_injection(**changes: Any) -> dict[str, Any]:
    """The ready patient plus the answers recorded once the injection is given."""
    return ready_patient(
        injection_given=True,
        injection_side_used="left",
        needle_used="2-inch",
        observation_minutes=30,
        overdose_counselled=True,
        reversal_agent_offered=True,
        wallet_card_given=True,
        **changes,
    )


# -- the one mini-pack builder ---------------------------------------------------------------

PACK_FILE = "10-mini.toml"

# The [guide] table, one source and one setting: the head of every mini pack. Tests that
# write all their own steps start from it alone (``make_pack(root, base=PACK_HEAD, ...)``).
PACK_HEAD = """\
[guide]
id = "mini"
title = "Mini guide"
version = "0.1"
status = "test"
reviewed = 2026-01-01
statement = "Test only."
date_key = "visit_date"
date_search_days = 30
override_codes = [{ code = "judgement", label = "Clinical judgement" }]

[[guide.phases]]
id = "intake"
title = "Intake"

[sources.ref]
title = "Reference"
citation = "A reference."

[settings.min_age]
value = 18
unit = "years"
description = "Minimum age"
sources = ["ref"]
site_min = 18
limit_sources = ["ref"]
"""

# The smallest valid pack: an intake step, the injection step (with the answer that records
# the dose, at the end: the lines before it stay where tests name them) and one gate
# before it.
MINIMAL = (
    PACK_HEAD
    + """
[[step]]
id = "intake"
phase = "intake"
title = "Intake"
sources = ["ref"]
instructions = "Ask the patient; the minimum age is {settings.min_age}."

[[step.question]]
key = "visit_date"
type = "date"
prompt = "Date of the visit"
default = "today"
max = "today"

[[step.question]]
key = "allergic"
type = "bool"
prompt = "Allergic to the drug?"

[[step]]
id = "inject"
phase = "intake"
title = "Give the injection"
requires_clear = true

[[gate]]
id = "allergy"
title = "Allergy"
before = "inject"
sources = ["ref"]

[[gate.rule]]
severity = "contraindication"
fails_when = "allergic"
message = "Allergic: do not inject."

[[step.question]]  # the injection step's, as the last [[step]] above
key = "given"
type = "bool"
prompt = "Injection given?"

[guide.report]
injection_given = "given"
"""
)


def make_pack(
    root: Path,
    *,
    base: str = MINIMAL,
    replace: dict[str, str] | None = None,
    append: str = "",
    files: dict[str, str] | None = None,
) -> Path:
    """Write a mini pack under ``root/steps`` with one change; return the folder.

    Args:
        root: the folder to write ``steps/`` in (a test's ``tmp_path``).
        base: the text to start from: :data:`MINIMAL`, or :data:`PACK_HEAD` for a test
            that writes every step itself.
        replace: text of ``base`` -> its replacement; each must occur, so a test cannot
            silently change nothing.
        append: added at the end of the main file.
        files: more files for the folder, by name.
    """
    text = base
    for old, new in (replace or {}).items():
        assert old in text, f"test setup: {old!r} is not in the mini pack"
        text = text.replace(old, new, 1)
    folder = root / "steps"
    folder.mkdir(exist_ok=True)
    (folder / PACK_FILE).write_text(text + append, encoding="utf-8")
    for name, content in (files or {}).items():
        (folder / name).write_text(content, encoding="utf-8")
    return folder


def copy_steps(root: Path) -> Path:
    """A copy of the shipped pack under ``root/steps``, to break or change; the folder."""
    folder = root / "steps"
    shutil.copytree(STEPS, folder)
    return folder


def clinic_copy(
    root: Path, old: str, new: str, *, guide_id: str | None = "clinic_copy", keys: bool = True
) -> Path:
    """A clinic's copy of the shipped pack under ``root/steps``: the name ``old`` (an
    answer, and wherever the pack names it) is ``new`` throughout; under the guide id
    ``guide_id`` (None: the shipped id kept). ``keys`` False leaves a TOML key of that
    name (``old = ...``) as it is. The folder."""
    steps = copy_steps(root)
    pattern = rf"\b{old}\b" if keys else rf"\b{old}\b(?!\s*=[^=])"
    for path in steps.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        if guide_id is not None:
            text = text.replace('id = "xrntx_induction"', f'id = "{guide_id}"', 1)
        path.write_text(re.sub(pattern, new, text), encoding="utf-8")
    return steps


# -- driving the commands --------------------------------------------------------------------


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return f"--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


class Run(Protocol):
    """The ``run`` fixture: ``run("check", "--answer", "x=1")``."""

    def __call__(self, *args: str, input: str | None = None) -> Result: ...


def flag_value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def answer_flags(answers: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    for key, value in answers.items():
        out += ["--answer", f"{key}={flag_value(value)}"]
    return out


def json_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in answers.items()}


def check(run: Run, answers: Mapping[str, Any], *extra: str) -> Result:
    """``check --json`` on TODAY with these answers as flags."""
    return run("check", "--json", "--today", TODAY.isoformat(), *answer_flags(answers), *extra)


NOON = dt.time(12)
"""The time of day of a visit the helpers walk on a day: noon, whatever the real time (an
observation given as "30 minutes ago" then lies on the visit's day, also when the tests
run just after midnight)."""


def at_noon(day: dt.date) -> str:
    """``--now`` for a visit on ``day``."""
    return dt.datetime.combine(day, NOON).isoformat(timespec="minutes")


def walk(run: Run, answers: Mapping[str, Any], label: str = "pt-1") -> Result:
    """An unattended ``walk`` on TODAY (at noon) with these answers as flags."""
    return run(
        "walk", "--no-input", "--label", label, "--now", at_noon(TODAY), *answer_flags(answers)
    )


def walk_visit(
    run: Run, label: str, day: dt.date, answers: Mapping[str, Any], *extra: str
) -> Result:
    """An unattended ``walk`` of the patient ``label`` on ``day``, every caution
    acknowledged: one visit of a patient's record."""
    return run(
        "walk", "--no-input", "--label", label, "--now", at_noon(day),
        "--acknowledge", "all", *extra, *answer_flags(answers),
    )  # fmt: skip


def walk_at(run: Run, label: str, at: str, answers: Mapping[str, Any], *extra: str) -> Result:
    """An unattended ``walk`` of the patient ``label`` at the instant ``at`` (``--now``),
    every caution acknowledged: one visit of a day of the patient's record."""
    return run(
        "walk", "--no-input", "--label", label, "--now", at, "--acknowledge", "all",
        *extra, *answer_flags(answers),
    )  # fmt: skip


DOSE_GIVEN: dict[str, Any] = {
    "injection_given": True,
    "injection_side_used": "left",
    "needle_used": "2-inch",
    "observation_minutes": 30,
    "wallet_card_given": True,
}
"""What a visit records of the dose it gave, through the card."""


def at_today(hh_mm: str) -> str:
    """A time of TODAY as ``--now`` and a series take it: ``2026-11-24T09:30``."""
    return f"{TODAY.isoformat()}T{hh_mm}"


def cows_threshold(guide: Guide) -> int:
    """The pack's COWS total from which withdrawal is present (never restated in a test)."""
    value = guide.setting_values["cows_threshold"]
    assert isinstance(value, int)
    return value


def opened(run: Run, label: str, hh_mm: str, answers: Mapping[str, Any]) -> str:
    """A visit of ``label`` walked unattended at ``hh_mm`` of TODAY with ``answers``, every
    caution acknowledged, and left (done, blocked or waiting): its stored session's id."""
    first = walk_at(run, label, at_today(hh_mm), answers)
    assert first.exit_code in (0, 1, 4), first.output
    (stored,) = stored_sessions(label)
    return str(json.loads(stored.read_text())["id"])


def resume_at(run: Run, session: str, hh_mm: str, *args: str) -> Any:
    """The stored ``session`` resumed unattended at ``hh_mm`` of TODAY, every caution
    acknowledged."""
    return run(
        "walk", "--no-input", "--resume", "--session", session, "--now", at_today(hh_mm),
        "--acknowledge", "all", *args,
    )  # fmt: skip


def json_file(tmp_path: Path, name: str, data: Mapping[str, Any]) -> str:
    """``data`` written as a JSON file ``name`` under ``tmp_path``: its path."""
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


END_OF_TREATMENT: dict[str, Any] = {
    "end_of_treatment": True,
    "end_of_treatment_reason": "patient_choice",
    "end_of_treatment_comment": "wants to stop",
    "end_overdose_counselled": True,
    "end_reversal_agent_prescribed": True,
}
"""What a visit that ends the treatment answers (the patient's choice, counselled, a
reversal agent prescribed)."""


def first_dose_on(run: Run, label: str, day: dt.date) -> None:
    """The patient's first injection at noon on ``day``, two weeks after short-acting use:
    the dose the visits of a test follow."""
    given = after_injection(last_opioid_use=day - dt.timedelta(days=14), injection_date=day)
    out = walk_at(run, label, f"{day.isoformat()}T12:00", given)
    assert out.exit_code == 0, out.output


def gate(result: Mapping[str, Any], gate_id: str) -> dict[str, Any]:
    """The one gate of this id in a check result."""
    found = [g for g in result["gates"] if g["id"] == gate_id]
    assert len(found) == 1, f"gate {gate_id} not in the result"
    return dict(found[0])


def flat(text: str) -> str:
    """Messages with any line wrapping undone (words joined by single spaces)."""
    return " ".join(text.split())


BIG = "4" * 400
"""A number of 400 digits: more than any answer may have, fewer than Python refuses."""


def without(answers: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    """The answers without ``keys``."""
    return {k: v for k, v in answers.items() if k not in keys}


def toml_answers(answers: Mapping[str, Any]) -> str:
    """TOML with native booleans, numbers and dates (not strings)."""
    lines = []
    for key, value in answers.items():
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, int | float | dt.date):
            text = value.isoformat() if isinstance(value, dt.date) else repr(value)
        else:
            text = json.dumps(value)
        lines.append(f"{key} = {text}")
    return "\n".join(lines) + "\n"


def one_json_object(stdout: str) -> dict[str, Any]:
    """stdout holds exactly one JSON object on one line, nothing else."""
    assert stdout.endswith("\n") and stdout.count("\n") == 1, stdout
    data = json.loads(stdout)
    assert isinstance(data, dict)
    return data


def main_run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The program through ``main()``: the argument handling the installed command has.
    Returns the exit code, stdout and stderr."""
    from xrntx_guide.cli.app import main

    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def program(*args: str, **kwargs: Any) -> Any:
    """The installed program in a process of its own (closed streams, pipes, signals)."""
    return subprocess.run(
        [sys.executable, "-m", "xrntx_guide", *args],
        capture_output=kwargs.pop("capture_output", True),
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
        **kwargs,
    )


def no_traceback(result: Result) -> None:
    for stream in (result.stdout, result.stderr):
        assert "Traceback" not in stream, result.output
        assert "internal error" not in stream, result.output


# -- JSON Schema ------------------------------------------------------------------------------


class SchemaError(AssertionError):
    """A value that does not fit the JSON Schema :func:`conform` checks it against."""


ANNOTATIONS = frozenset({"title", "description", "default", "$schema", "$id", "$defs"})


def conform(value: Any, schema: dict[str, Any], root: dict[str, Any], where: str = "") -> None:
    """A small JSON Schema validator for the keywords ``schema steps`` uses; a keyword it
    does not know fails the test, so the schema cannot grow past what is checked here."""
    if "$ref" in schema:
        target = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        conform(value, target, root, where)
    for key, arg in schema.items():
        if key in ANNOTATIONS or key == "$ref":
            continue
        if key == "type":
            kinds: dict[str, type | tuple[type, ...]] = {
                "object": dict,
                "array": list,
                "string": str,
                "boolean": bool,
                "integer": int,
                "number": (int, float),
            }
            ok = isinstance(value, kinds[arg]) and not (
                arg in ("integer", "number") and isinstance(value, bool)
            )
            if not ok:
                raise SchemaError(f"{where}: {value!r} is not {arg}")
        elif key == "properties":
            for name, sub in arg.items():
                if isinstance(value, dict) and name in value:
                    conform(value[name], sub, root, f"{where}.{name}")
        elif key == "patternProperties":
            for pattern, sub in arg.items():
                for name, item in value.items() if isinstance(value, dict) else ():
                    if re.search(pattern, name):
                        conform(item, sub, root, f"{where}.{name}")
        elif key == "additionalProperties":
            if not isinstance(value, dict):
                continue
            known = set(schema.get("properties", {}))
            patterns = list(schema.get("patternProperties", {}))
            for name, item in value.items():
                if name in known or any(re.search(p, name) for p in patterns):
                    continue
                if arg is False:
                    raise SchemaError(f"{where}: unexpected key {name!r}")
                conform(item, arg, root, f"{where}.{name}")
        elif key == "propertyNames":
            for name in value if isinstance(value, dict) else ():
                conform(name, arg, root, f"{where} key {name!r}")
        elif key == "required":
            missing = [k for k in arg if isinstance(value, dict) and k not in value]
            if missing:
                raise SchemaError(f"{where}: missing {missing}")
        elif key == "items":
            for i, item in enumerate(value if isinstance(value, list) else ()):
                conform(item, arg, root, f"{where}[{i}]")
        elif key == "anyOf":
            errors = []
            for option in arg:
                try:
                    conform(value, option, root, where)
                    break
                except SchemaError as exc:
                    errors.append(str(exc))
            else:
                raise SchemaError(f"{where}: fits no option: {errors}")
        elif key == "enum":
            if value not in arg:
                raise SchemaError(f"{where}: {value!r} not in {arg}")
        elif key == "pattern":
            if isinstance(value, str) and not re.search(arg, value):
                raise SchemaError(f"{where}: {value!r} does not match {arg}")
        elif key == "maxLength":
            if isinstance(value, str) and len(value) > arg:
                raise SchemaError(f"{where}: longer than {arg}")
        elif key == "minItems":
            if isinstance(value, list) and len(value) < arg:
                raise SchemaError(f"{where}: fewer than {arg} items")
        elif key == "maxItems":
            if isinstance(value, list) and len(value) > arg:
                raise SchemaError(f"{where}: more than {arg} items")
        elif key == "minimum":
            if isinstance(value, int | float) and value < arg:
                raise SchemaError(f"{where}: below {arg}")
        elif key == "maximum":
            if isinstance(value, int | float) and value > arg:
                raise SchemaError(f"{where}: above {arg}")
        elif key == "format":
            assert arg == "date", f"unexpected format {arg}"
            if isinstance(value, str):
                dt.date.fromisoformat(value)
        else:
            raise AssertionError(f"the test's validator does not know {key!r}: extend it")


def wrapping(pattern: str) -> str:
    """A prompt's pattern that matches it also when the terminal wraps it: a prompt
    leaves room for the answer after it, so a long one goes on the next line. Each
    space of the pattern matches any run of spaces and line breaks, and a run of
    anything but a line break (``[^\\n]*``) may go on to the next line."""
    return pattern.replace(" ", r"\s+").replace(r"[^\n]*", r"[^\n]*(?:\r?\n[^\n]*)?")


# -- the store of sessions -------------------------------------------------------------------


def the_store() -> Any:
    """The test's store (the isolated home's SQLite file), opened."""
    import os

    from xrntx_guide.store import open_store

    return open_store(None, Path(os.environ["XRNTX_GUIDE_HOME"]))


def stored_ids() -> list[str]:
    """The ids of the stored sessions, the latest changed first."""
    store = the_store()
    try:
        return [r.id for r in store.rows()]
    finally:
        store.close()


def only_session() -> str:
    """The id of the one stored session (fails when there is not exactly one)."""
    (found,) = stored_ids()
    return found


def stored_record(ref: str) -> Any:
    """The stored record with id ``ref``."""
    store = the_store()
    try:
        return store.load(ref)[0]
    finally:
        store.close()


def store_record(record: Any) -> str:
    """Put a record straight into the test's store (as a saved walk would); its id."""
    store = the_store()
    try:
        if store.by_id(record.id) is None:
            store.create(record, "test")
        else:
            store.save(record, store.load(record.id)[1], "test")
        return str(record.id)
    finally:
        store.close()


class StoredSession(str):
    """A stored session as the tests handle it: its id (what ``--session`` takes), and
    its JSON record read and written as text, as a file's once was. ``write_text`` puts
    the text into the store as it is (a hand-edited record, valid or not), as a new
    revision: every read checks it."""

    def read_text(self, encoding: str = "utf-8") -> str:
        import sqlite3

        db = sqlite3.connect(_database())
        try:
            (text,) = db.execute("SELECT record FROM visits WHERE id = ?", (str(self),)).fetchone()
        finally:
            db.close()
        return str(text)

    @property
    def name(self) -> str:
        """How messages name it: its id."""
        return str(self)

    def write_text(self, text: str, encoding: str = "utf-8") -> int:
        import json
        import sqlite3

        from xrntx_guide.visit.labels import label_key

        try:
            label = json.loads(text).get("label")
        except (ValueError, AttributeError, RecursionError):
            label = None
        db = sqlite3.connect(_database())
        try:
            db.execute(
                "UPDATE visits SET record = ?, revision = revision + 1 WHERE id = ?",
                (text, str(self)),
            )
            if isinstance(label, str):
                db.execute(
                    "UPDATE visits SET label = ?, label_key = ? WHERE id = ?",
                    (label, label_key(label), str(self)),
                )
            db.commit()
        finally:
            db.close()
        return len(text)

    def exists(self) -> bool:
        return str(self) in stored_ids()


def _database() -> Path:
    import os

    from xrntx_guide.store import DATABASE_FILE

    return Path(os.environ["XRNTX_GUIDE_HOME"]) / DATABASE_FILE


def stored_sessions(label: str | None = None) -> list[Any]:
    """The stored sessions (of ``label``, by the label rule), oldest first, each as a
    :class:`StoredSession`."""
    if not _database().exists():
        return []
    store = the_store()
    try:
        rows = store.rows() if label is None else store.find(label)
        return [StoredSession(r.id) for r in reversed(rows)]
    finally:
        store.close()


def walked_and_exported(run: Run, label: str, answers: Mapping[str, Any]) -> dict[str, Any]:
    """A visit of ``label`` walked unattended on TODAY with ``answers`` (to its end or to
    its block), exported as its JSON record, and deleted from the store: a file to import."""
    run(
        "walk", "--no-input", "--today", TODAY.isoformat(), "--label", label,
        "--acknowledge", "all", *answer_flags(answers),
    )  # fmt: skip
    listed = json.loads(run("sessions", "--json").stdout)
    rows = listed["sessions"] if isinstance(listed, dict) else listed
    (visit,) = [r for r in rows if r["label"] == label]
    out = run("sessions", "export", str(visit["id"]))
    assert out.exit_code == 0, out.output
    gone = run("sessions", "--delete", label, "--yes")
    assert gone.exit_code == 0, gone.output
    return dict(json.loads(out.stdout))
