"""``xrntx-guide validate`` and ``schema steps``: every problem at once, each with its file,
line, column and key path; warnings that fail only ``--strict``; a JSON Schema of step files
that the shipped files pass."""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import STEPS, Run, SchemaError, conform, copy_steps, doc, make_pack
from xrntx_guide.errors import ExitCode, Problem
from xrntx_guide.pack.load import validate_pack


def place_of(text: str, needle: str, inside: str | None = None) -> tuple[int, int]:
    """The 1-based line and column of ``needle`` (of the last ``inside`` within it)."""
    offset = text.index(needle) + (needle.rindex(inside) if inside else 0)
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


# Ten ways to break a copy of the shipped pack: (file, text, replacement, the key path of the
# problem, what the message says, where the place is: the replacement's first character or
# the part of it named).
BREAKAGES: list[tuple[str, str, str, str, str, str | None]] = [
    (
        "20-history.toml",
        'help = "The opioid used most recently',
        'hlep = "The opioid used most recently',
        r"step\[0\]\.question\[1\]\.hlep",
        "did you mean 'help'?",
        None,
    ),
    (
        "70-injection.toml",
        "requires_clear = true",
        'requires_clear = "yes"',
        r"step\[0\]\.requires_clear",
        "valid boolean",
        None,
    ),
    (
        "30-medical.toml",
        'fails_when = "breastfeeding"',
        'fails_when = "breastfeeding and"',
        r"gate\[\d+\]\.rule\[0\]\.fails_when",
        "unexpected 'the end'",
        '"',
    ),
    (
        "30-medical.toml",
        'fails_when = "bleeding_risk"',
        'fails_when = "bleeding_rsk"',
        r"gate\[\d+\]\.rule\[0\]\.fails_when",
        "unknown name 'bleeding_rsk'",
        "bleeding_rsk",
    ),
    (
        "50-readiness.toml",
        'before = "uds"',
        'before = "udss"',
        r"gate\[\d+\]\.before",
        "'udss' is not a step id",
        None,
    ),
    (
        "50-readiness.toml",
        '\nmessage = "opioid-free {days_opioid_free}',
        '\nmessage = "opioid-free {days_opiod_free}',
        r"gate\[\d+\]\.rule\[\d+\]\.message",
        "unknown placeholder {days_opiod_free}",
        "{days_opiod_free}",
    ),
    (
        "50-readiness.toml",
        "Opioid-free: {days_opioid_free} on",
        "Opioid-free: {days_opioid_fre} on",
        r"step\[0\]\.instructions",
        "unknown placeholder {days_opioid_fre}",
        "{days_opioid_fre}",
    ),
    (
        "20-history.toml",
        'sources = ["pcss-guide"]',
        'sources = ["pcss-gude"]',
        r"step\[0\]\.sources\[0\]",
        "unknown source 'pcss-gude'",
        '"pcss-gude"',
    ),
    (
        "20-history.toml",
        'when = "new_induction"',
        'when = "new_induction and consent"',
        r"step\[0\]\.when",
        "when reads 'consent', which is asked at or after this step",
        None,
    ),
    (
        "00-guide.toml",
        "[settings.cows_threshold]\nvalue = 5",
        "[settings.cows_threshold]\nvalue = 6",
        r"settings\.cows_threshold\.value",
        "the default 6 is above 5",
        "value = 6",
    ),
]


def broken_copy(tmp_path: Path) -> tuple[Path, list[tuple[str, int, int, str, str]]]:
    """The shipped pack with the ten breakages; what each should be reported as."""
    folder = copy_steps(tmp_path)
    expected = []
    for name, old, new, path, says, inside in BREAKAGES:
        file = folder / name
        text = file.read_text(encoding="utf-8")
        assert text.count(old) >= 1, f"test setup: {old!r} is not in {name}"
        text = text.replace(old, new, 1)
        file.write_text(text, encoding="utf-8")
        line, column = place_of(text, new, inside)
        if inside is None or inside == "value = 6":
            column = 1  # the key's own place
        expected.append((name, line, column, path, says))
    return folder, expected


def test_validate_json_gives_ten_precise_problems_for_ten_breakages(
    run: Run, tmp_path: Path
) -> None:
    """Shape problems (a misspelled key, a value of the wrong type) do not hide the
    others: every problem is found in one run, each at its line and column."""
    folder, expected = broken_copy(tmp_path)
    result = run("validate", "--steps", str(folder), "--json")
    assert result.exit_code == ExitCode.INVALID_PACK, result.output
    problems = json.loads(result.stdout)
    errors = [p for p in problems if p["severity"] == "error"]
    assert len(errors) == len(BREAKAGES), json.dumps(errors, indent=1)
    for name, line, column, path, says in expected:
        hits = [
            p
            for p in errors
            if p["file"].endswith(name) and re.fullmatch(path, p["path"]) and says in p["message"]
        ]
        assert len(hits) == 1, (name, path, says, json.dumps(errors, indent=1))
        assert (hits[0]["line"], hits[0]["column"]) == (line, column), (name, says, hits[0])
    assert all(
        set(p) == {"file", "line", "column", "path", "severity", "message"} for p in problems
    )


def test_validate_text_gives_one_line_per_problem_with_file_line_and_column(
    run: Run, tmp_path: Path
) -> None:
    folder, expected = broken_copy(tmp_path)
    result = run("validate", "--steps", str(folder))
    assert result.exit_code == ExitCode.INVALID_PACK, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    for name, line, column, _, says in expected:
        assert any(f"{name}:{line}:{column}: " in x and says in x for x in lines), (name, says)
    assert "10 errors" in result.stderr
    assert result.stdout == ""


def test_the_shipped_pack_validates_with_warnings_only(run: Run) -> None:
    result = run("validate", "--json")
    assert result.exit_code == ExitCode.OK, result.output
    problems = json.loads(result.stdout)
    assert problems, "the shipped pack marks facts verify: they are warnings"
    assert {p["severity"] for p in problems} == {"warning"}
    assert all(p["line"] and p["column"] for p in problems)
    assert any("marked verify" in p["message"] for p in problems)


def test_warnings_fail_only_with_strict(run: Run) -> None:
    result = run("validate")
    assert result.exit_code == ExitCode.OK, result.output
    assert "OK" in result.stdout
    assert "warning: " in result.stderr
    strict = run("validate", "--strict")
    assert strict.exit_code == ExitCode.INVALID_PACK, strict.output
    assert "--strict" in strict.stderr
    strict_json = run("validate", "--strict", "--json")
    assert strict_json.exit_code == ExitCode.INVALID_PACK, strict_json.output
    assert json.loads(strict_json.stdout)


def test_a_clean_pack_passes_strict(run: Run, tmp_path: Path) -> None:
    result = run("validate", "--strict", "--json", "--steps", str(make_pack(tmp_path)))
    assert result.exit_code == ExitCode.OK, result.output
    assert json.loads(result.stdout) == []


def test_a_source_nothing_cites_is_a_warning(run: Run, tmp_path: Path) -> None:
    folder = make_pack(tmp_path, append='\n[sources.spare]\ntitle = "Spare"\ncitation = "S."\n')
    result = run("validate", "--json", "--steps", str(folder))
    assert result.exit_code == ExitCode.OK, result.output
    (problem,) = json.loads(result.stdout)
    assert problem["severity"] == "warning"
    assert problem["path"] == "sources.spare"
    assert "cited by nothing" in problem["message"]
    assert run("validate", "--strict", "--steps", str(folder)).exit_code == ExitCode.INVALID_PACK


def test_a_file_that_cannot_be_read_is_a_problem_without_a_line(run: Run, tmp_path: Path) -> None:
    result = run("validate", "--json", "--steps", str(tmp_path / "nowhere"))
    assert result.exit_code == ExitCode.INVALID_PACK, result.output
    (problem,) = json.loads(result.stdout)
    assert problem["line"] is None and problem["column"] is None and problem["path"] == ""
    assert "no such folder" in problem["message"]


def test_problem_text_is_file_line_column_path_message() -> None:
    assert str(Problem("a.toml", 3, 7, "step[0].when", "bad")) == "a.toml:3:7: step[0].when: bad"
    assert str(Problem("a.toml", None, None, "", "unreadable")) == "a.toml: unreadable"
    assert Problem("a", 1, 2, "p", "m", "warning").to_json()["severity"] == "warning"


def test_the_step_format_documents_validate_json() -> None:
    section = doc("pack-format.md")
    assert "validate --json" in section
    assert "--strict" in section
    assert '"line":' in section, "an example of the JSON"


# ---------------------------------------------------------------------------------------
# schema steps


def as_json(value: Any) -> Any:
    """TOML data as an editor checks it against a JSON Schema: dates as ISO text."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@pytest.fixture(scope="module")
def steps_schema() -> dict[str, Any]:
    from typer.testing import CliRunner

    from xrntx_guide.cli.app import app

    result = CliRunner().invoke(app, ["schema", "steps"])
    assert result.exit_code == 0, result.output
    schema: dict[str, Any] = json.loads(result.stdout)
    return schema


def test_schema_steps_is_draft_2020_12_with_descriptions(steps_schema: dict[str, Any]) -> None:
    assert steps_schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    question = steps_schema["$defs"]["Question"]
    assert question["description"]
    undescribed = [
        f"{name}.{field}"
        for name, definition in steps_schema["$defs"].items()
        for field, spec in definition.get("properties", {}).items()
        if not spec.get("description")
    ]
    assert undescribed == [], "every key says what it is, for the editor to show"


@pytest.mark.parametrize("file", sorted(STEPS.glob("*.toml")), ids=lambda p: p.name)
def test_every_shipped_step_file_passes_the_schema(
    steps_schema: dict[str, Any], file: Path
) -> None:
    data = as_json(tomllib.loads(file.read_text(encoding="utf-8")))
    conform(data, steps_schema, steps_schema)


@pytest.mark.parametrize(
    "change",
    [
        {"step": [{"id": "x", "phase": "p", "titel": "T"}]},
        {"step": [{"id": "x", "phase": "p", "title": "T", "requires_clear": "yes"}]},
        {"step": [{"id": "Bad Id", "phase": "p", "title": "T"}]},
        {"sources": {"Bad Key": {"title": "T", "citation": "C"}}},
        {"gate": [{"id": "g", "title": "G", "before": "x", "sources": [], "rule": []}]},
        {"nothing": 1},
    ],
    ids=["misspelled", "wrong-type", "bad-id", "bad-source-key", "empty-lists", "unknown-table"],
)
def test_the_schema_refuses_what_the_loader_refuses(
    steps_schema: dict[str, Any], change: dict[str, Any]
) -> None:
    with pytest.raises(SchemaError):
        conform(change, steps_schema, steps_schema)


def test_a_site_file_problem_names_its_line_and_column(run: Run, tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text('site = "x"\n\n[settings]\nmin_age = 16\nnope = 1\n', encoding="utf-8")
    result = run("validate", "--json", "--steps", str(make_pack(tmp_path)), "--site", str(site))
    assert result.exit_code == ExitCode.INVALID_PACK, result.output
    found = {(p["path"], p["line"], p["column"]) for p in json.loads(result.stdout)}
    assert found == {("settings.min_age", 4, 1), ("settings.nope", 5, 1)}


def test_one_run_reports_every_phase_of_problems(run: Run, tmp_path: Path) -> None:
    """A file that is not TOML and another with a value of the wrong type do not hide the
    cross-references of the files that did parse (a before naming no step, an unknown
    name in a condition, an unknown source): one run shows every problem."""
    folder = copy_steps(tmp_path)
    breakages = [
        ("20-history.toml", 'sources = ["pcss-guide"]', 'sources = ["pcss-guide"'),
        ("70-injection.toml", "requires_clear = true", 'requires_clear = "yes"'),
        ("50-readiness.toml", 'before = "uds"', 'before = "udss"'),
        ("30-medical.toml", 'fails_when = "bleeding_risk"', 'fails_when = "bleeding_rsk"'),
        ("40-consent.toml", 'sources = ["medguide"]', 'sources = ["medgide"]'),
    ]
    for name, old, new in breakages:
        file = folder / name
        text = file.read_text(encoding="utf-8")
        assert old in text, f"test setup: {old!r} is not in {name}"
        file.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = run("validate", "--steps", str(folder), "--json")
    assert result.exit_code == ExitCode.INVALID_PACK, result.output
    errors = [p for p in json.loads(result.stdout) if p["severity"] == "error"]

    def found(name: str, says: str) -> list[dict[str, Any]]:
        return [p for p in errors if p["file"].endswith(name) and says in p["message"]]

    assert found("20-history.toml", "not valid TOML"), errors
    assert found("70-injection.toml", "valid boolean"), errors
    assert found("50-readiness.toml", "'udss' is not a step id"), errors
    assert found("30-medical.toml", "unknown name 'bleeding_rsk'"), errors
    assert found("40-consent.toml", "unknown source 'medgide'"), errors
    # What the file that is not TOML defines (its steps, questions, derived values) is
    # not reported as missing where the other files use it: five breakages, five errors.
    assert len(errors) == len(breakages), json.dumps(errors, indent=1)


def test_a_name_only_an_unread_file_could_define_is_reported_with_that_file(
    tmp_path: Path,
) -> None:
    """A step file that cannot be read at all (here: too large) hides nothing of the
    others; what they use that no file read defines is reported, saying that the unread
    file may define it, and nothing else is."""
    folder = copy_steps(tmp_path)
    big = folder / "20-history.toml"
    big.write_text(big.read_text(encoding="utf-8") + "#" * (2 * 1024 * 1024), encoding="utf-8")
    result = validate_pack(folder)
    assert result.guide is None
    whole = [p for p in result.errors if p.file.endswith("20-history.toml")]
    assert len(whole) == 1 and "larger than" in whole[0].message, whole
    others = [p for p in result.errors if p not in whole]
    assert others, "the questions of 20-history.toml are used by other files"
    assert all(
        p.message.endswith("(unless 20-history.toml, which could not be read, defines it)")
        for p in others
    ), [p.message for p in others]


def test_a_name_the_program_reads_must_hold_what_it_reads(run: Run, tmp_path: Path) -> None:
    """The COWS total given as a number, or the observation minutes as a fraction: the
    program reads them as whole numbers, so the pack is refused at their places, not
    misread at a visit."""
    folder = copy_steps(tmp_path)
    for name, old, new in (
        (
            "55-cows-challenge.toml",
            'key = "cows_total"\npoint_in_time = true\ntype = "int"',
            'key = "cows_total"\npoint_in_time = true\ntype = "number"',
        ),
        (
            "00-guide.toml",
            "[settings.naloxone_observation_minutes]\nvalue = 20",
            "[settings.naloxone_observation_minutes]\nvalue = 20.5",
        ),
    ):
        file = folder / name
        text = file.read_text(encoding="utf-8")
        assert old in text, f"test setup: {old!r} is not in {name}"
        file.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = run("validate", "--steps", str(folder), "--json")
    assert result.exit_code == ExitCode.INVALID_PACK, result.output
    errors = [p for p in json.loads(result.stdout) if p["severity"] == "error"]
    assert len(errors) == 2, json.dumps(errors, indent=1)
    total, minutes = sorted(errors, key=lambda p: p["file"], reverse=True)
    assert total["file"].endswith("55-cows-challenge.toml")
    assert total["path"].endswith(".type") and "must be of type int, not number" in total["message"]
    assert minutes["path"] == "settings.naloxone_observation_minutes.value"
    assert "must be of type int, not number" in minutes["message"]


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ('pathway_opioid = "buprenorphine"', 'pathway_opioid = "morphine"'),
        ('unnamed_kind = "unknown"', 'unnamed_kind = "not_named"'),
        ('kind = "fentanyl", days', 'kind = "carfentanil", days'),
        ('days = "fentanyl_history_days"', 'days = "cows_threshold_typo"'),
        ('days = "fentanyl_history_days"', 'days = "naloxone_challenge_route"'),
    ],
)
def test_what_bounds_a_later_visit_names_the_packs_own_values(
    run: Run, tmp_path: Path, line: str, said: str
) -> None:
    """The pathway's opioid, the opioid an unnamed recorded use is judged as and the opioid
    of a recent-use history question are each one of the last-opioid choices, and the
    days that question looks back over a setting of whole days of the pack: otherwise the
    pack is refused (exit 3), naming the field."""
    steps = copy_steps(tmp_path)
    head = steps / "00-guide.toml"
    text = head.read_text(encoding="utf-8")
    assert line in text
    head.write_text(text.replace(line, said, 1), encoding="utf-8")
    result = run("validate", "--steps", str(steps))
    assert result.exit_code == 3, result.output
    assert said.split(" = ")[0] in result.output, result.output
