"""A first injection has no earlier dose: an allergic reaction "after the last dose" or a
reaction found at "the previous injection site" given beside it contradicts the visit
type (safety invariant 10, like a last injection date on a first injection). Ignored,
either would let a hypersensitivity contraindication or a severe-site stop pass unseen; so
each is refused on every route, naming both answers (exit 2)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import TODAY, Run, after_injection, answer_flags, check, flat
from xrntx_guide.errors import ExitCode

FOUND = [
    ("reaction_after_last_dose", True),
    ("injection_site_reaction", "severe"),
    ("injection_site_reaction", "mild"),
]


def first(**changes: Any) -> dict[str, Any]:
    return {k: v for k, v in after_injection(**changes).items() if v is not None}


@pytest.mark.parametrize(("key", "value"), FOUND)
def test_check_refuses_a_reaction_to_a_dose_on_a_first_injection(
    run: Run, key: str, value: Any
) -> None:
    out = check(run, first(**{key: value}))
    assert out.exit_code == ExitCode.USAGE, out.output
    data = json.loads(out.stdout or out.stderr)
    assert data["key"] == key and "visit=first_injection" in flat(data["message"])


@pytest.mark.parametrize(("key", "value"), FOUND)
def test_a_batch_line_and_a_walk_refuse_it_too(
    run: Run, tmp_path: Path, key: str, value: Any
) -> None:
    line = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in first().items()}
    batch = tmp_path / "lines.jsonl"
    batch.write_text(json.dumps({**line, key: value}) + "\n")
    out = run("check", "--batch", str(batch), "--today", TODAY.isoformat())
    assert json.loads(out.stdout.splitlines()[0])["status"] == "error", out.stdout
    walked = run(
        "walk",
        "--no-input",
        "--no-save",
        "--today",
        TODAY.isoformat(),
        *answer_flags(first(**{key: value})),
    )
    assert walked.exit_code == ExitCode.USAGE, walked.output
    assert key in walked.stderr


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("reaction_after_last_dose", False),
        ("injection_site_reaction", "none"),
        ("injection_site_reaction", "not_examined"),
    ],
)
def test_a_first_injection_with_nothing_found_is_not_refused(
    run: Run, key: str, value: Any
) -> None:
    out = check(run, first(**{key: value}))
    assert out.exit_code == ExitCode.OK, out.output
    assert key in json.loads(out.stdout)["ignored"]
