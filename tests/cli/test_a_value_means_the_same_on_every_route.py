"""One rule for a value, wherever it comes from: a value in a JSON or TOML file or a batch
line means what the same text typed as `--answer KEY=TEXT` means (docs/scripting.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import TODAY, Run, check, json_answers, ready_patient, toml_answers, without
from xrntx_guide.errors import ExitCode

SAME_VALUES = [
    ("lft_multiple_uln", "1e0", 1.0),
    ("lft_multiple_uln", ".5", 0.5),
    ("lft_multiple_uln", "1.5", 1.5),
    ("lft_multiple_uln", "2", 2),
    ("age", "34.0", 34.0),
    ("age", "34", 34),
    ("consent", "1", 1),
    ("consent", "true", True),
    ("consent", "no", False),
]
REFUSED_VALUES = [
    ("age", "34.5", 34.5),
    ("consent", "2", 2),
    ("consent", "1.0", 1.0),
    ("lft_multiple_uln", "nan", float("nan")),
    ("lft_multiple_uln", "true", True),
    ("age", "true", True),
]


@pytest.mark.parametrize(("key", "text", "typed"), SAME_VALUES + REFUSED_VALUES)
def test_a_value_means_the_same_as_a_flag_in_json_and_in_toml(
    run: Run, tmp_path: Path, key: str, text: str, typed: Any
) -> None:
    """A JSON or TOML value is read as its text would be: `-a age=34.0` and JSON `34.0`
    are one answer, `-a consent=1` and JSON `1` too (docs/scripting.md)."""
    as_json = tmp_path / "a.json"
    as_json.write_text(json.dumps({key: typed}), encoding="utf-8")
    as_toml = tmp_path / "a.toml"
    as_toml.write_text(toml_answers({key: typed}), encoding="utf-8")
    others = without(ready_patient(), key)  # flags beat a file: the key comes only one way
    results = [
        check(run, others, "--answer", f"{key}={text}"),
        check(run, others, "--answers", str(as_json)),
        check(run, others, "--answers", str(as_toml)),
        run(
            "check",
            "--today",
            TODAY.isoformat(),
            "--batch",
            "-",
            input=json.dumps({**json_answers(ready_patient()), key: typed}),
        ),
    ]
    if (key, text, typed) in REFUSED_VALUES:
        for result in results:
            assert result.exit_code == ExitCode.USAGE, (key, text, result.output)
        return
    for result in results:
        assert result.exit_code in (ExitCode.OK, ExitCode.BLOCKED), (key, text, result.output)
    # The batch's result carries its input line number; the rest is the same answer.
    parsed = [{k: v for k, v in json.loads(r.stdout).items() if k != "line"} for r in results]
    assert all(p == parsed[0] for p in parsed), (key, text)
