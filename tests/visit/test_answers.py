"""Reading one answer: numbers, dates, choices and ``KEY=VALUE`` flags (visit/answers.py)."""

from __future__ import annotations

import pytest

from tests.helpers import Run, check, ready_patient
from xrntx_guide.errors import ExitCode


@pytest.mark.parametrize(
    ("key", "value"), [("age", "٣٥"), ("age", "３５"), ("lft_multiple_uln", "1_0"), ("age", "3_5")]
)
def test_numbers_take_plain_digits_only(run: Run, key: str, value: str) -> None:
    result = check(run, ready_patient(**{key: value}))
    assert result.exit_code == ExitCode.USAGE, result.output
    assert key in result.stderr
