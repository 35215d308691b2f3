"""A batch line that cannot be read, decoded, converted or echoed is an error line of its
own: the lines before and after it are checked, and the run never crashes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import BIG, TODAY, Run, json_answers, no_traceback, ready_patient
from xrntx_guide.errors import ExitCode


def test_a_batch_goes_on_past_lines_it_cannot_read_or_echo(run: Run) -> None:
    """Odd ids are echoed as they were read, and a line that cannot be read (or whose id
    cannot be written back) is an error line: never a crash that loses the lines after."""
    good = json_answers(ready_patient())
    deep: Any = 1
    for _ in range(300):  # deeper than pydantic's JSON encoder goes
        deep = [deep]
    lines = [
        json.dumps({"id": deep, **good}),
        json.dumps({"id": "\ud800", **good}),  # a lone surrogate, written as an escape
        '{"id": NaN, "age": 34}',
        '{"id": 4, "age": ' + "9" * 5000 + "}",  # more digits than Python converts
        "[" * 100_000 + "]" * 100_000,  # nested deeper than Python reads
        json.dumps({"id": 10**30, **good}),
        json.dumps({"id": "last", **good}),
    ]
    result = run("check", "--today", TODAY.isoformat(), "--batch", "-", input="\n".join(lines))

    assert result.exit_code == ExitCode.USAGE, result.output
    no_traceback(result)
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("line") for o in out] == [1, 2, 3, 4, 5, 6, 7]  # results and errors alike
    assert out[0]["id"] == deep and out[0]["status"] == "ready"
    assert out[1]["id"] == "\ud800" and out[1]["status"] == "ready"
    # NaN is not JSON: the id cannot be written back, so the line is an error line.
    assert out[2]["id"] is None and out[2]["code"] == "id_unwritable"
    assert [o["status"] for o in out[2:5]] == ["error"] * 3
    assert out[5]["id"] == 10**30 and out[6]["id"] == "last"


def test_a_number_of_400_digits_in_a_batch_is_that_line_s_error(run: Run) -> None:
    good = json.dumps(json_answers(ready_patient()))
    others = json.dumps(
        json_answers({k: v for k, v in ready_patient().items() if k != "lft_multiple_uln"})
    )
    lines = [good, others[:-1] + f', "lft_multiple_uln": {BIG}}}', good]
    result = run("check", "--today", TODAY.isoformat(), "--batch", "-", input="\n".join(lines))
    assert result.exit_code == ExitCode.USAGE, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["status"] for o in out] == ["ready", "error", "ready"]
    assert (out[1]["key"], out[1]["code"]) == ("lft_multiple_uln", "invalid_answer")


def test_one_invalid_utf8_byte_spoils_one_batch_line(run: Run, tmp_path: Path) -> None:
    good = json.dumps(json_answers(ready_patient())).encode()
    path = tmp_path / "batch.jsonl"
    path.write_bytes(good + b"\n" + good[:-1] + b', "kit_lot": "\xff"}\n' + good + b"\n")
    result = run("check", "--today", TODAY.isoformat(), "--batch", str(path))
    assert result.exit_code == ExitCode.USAGE, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["status"] for o in out] == ["ready", "error", "ready"]
    assert (out[1]["line"], out[1]["code"]) == (2, "not_utf8")
    no_traceback(result)
