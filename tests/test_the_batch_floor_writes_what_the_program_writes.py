"""The yardstick of ``check --batch`` does the program's job: on the records the benchmark
makes, ``bench/batch_floor.py`` (the gates judged by hand) writes the very result lines the
program writes, byte for byte.

A floor that wrote less (verdicts only) would flatter the program's ratio; one that drifted
from the program when the guide's words change would measure another job. The floor reads
its numbers and words from the guide, so a changed text changes both; a changed rule that
the hand-written comparisons do not follow shows here as a differing line.
"""

from __future__ import annotations

import importlib.util
import io
import json
import random
import re
from types import ModuleType

import pytest

from tests.helpers import REPO, TODAY, program
from xrntx_guide.pack.load import load_guide

RECORDS = 200


def bench_module(name: str) -> ModuleType:
    """A script of bench/ as a module (the folder is not a package)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", REPO / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bench_records(n: int) -> bytes:
    """The benchmark's own records (bench.py's ``record``), as its batch figure makes them."""
    bench = bench_module("bench")
    threshold = load_guide(None, None).setting_values["cows_threshold"]
    rng = random.Random(7)
    return "".join(json.dumps(bench.record(rng, i, threshold)) + "\n" for i in range(n)).encode()


def floor_lines(lines: bytes, *, whole: bool = True) -> list[str]:
    out = io.BytesIO()
    bench_module("batch_floor").run(io.BytesIO(lines), out.write, TODAY, whole)
    return out.getvalue().decode("utf-8").splitlines()


def test_the_floor_writes_the_programs_result_line_for_every_record() -> None:
    lines = bench_records(RECORDS)
    made = program("check", "--today", TODAY.isoformat(), "--batch", "-", input=lines.decode())
    assert made.returncode == 0, made.stderr
    want = made.stdout.splitlines()
    got = floor_lines(lines)
    assert len(want) == len(got) == RECORDS
    differ = [n for n, (w, g) in enumerate(zip(want, got, strict=True), 1) if w != g]
    assert not differ, (
        f"{len(differ)} of {RECORDS} lines differ; the first, line {differ[0]}:\n"
        f"program: {want[differ[0] - 1]}\nfloor:   {got[differ[0] - 1]}"
    )
    # The records reach every outcome the floor writes by hand: a floor that matched only
    # on easy records would prove little.
    outcomes = {(g["id"], g["outcome"]) for line in got for g in json.loads(line)["gates"]}
    statuses = {json.loads(line)["status"] for line in got}
    assert statuses == {"ready", "needs_override", "blocked"}
    for gate in ("opioid_free_interval", "naloxone_challenge", "urine_drug_screen", "liver"):
        assert {(gate, "pass"), (gate, "fail")} <= outcomes, gate


def test_the_verdicts_alone_agree_with_the_whole_result() -> None:
    """``--verdicts-only`` (the gates alone, the benchmark's second floor) gives each
    record the status, blocking gates and cautions of the whole result."""
    lines = bench_records(RECORDS)
    whole = [json.loads(x) for x in floor_lines(lines)]
    brief = [json.loads(x) for x in floor_lines(lines, whole=False)]
    for w, b in zip(whole, brief, strict=True):
        assert (w["id"], w["status"], w["blocking"], w["cautions"]) == (
            b["id"],
            b["status"],
            b["blocking"],
            b["cautions"],
        )


def test_the_floor_refuses_a_record_it_does_not_judge() -> None:
    """A repeat visit is not the floor's kind of record: it stops, naming the line, rather
    than write a result it has not worked out."""
    first = json.loads(bench_records(1))
    line = json.dumps({**first, "visit": "repeat_injection"}).encode() + b"\n"
    with pytest.raises(SystemExit, match="line 1: not a record this floor judges"):
        floor_lines(line)


def test_the_floor_reads_its_words_from_the_guide() -> None:
    """No gate's message, pass message or advice is written in the floor: they are the
    guide's (a changed text changes the floor's line and the program's alike)."""
    text = (REPO / "bench" / "batch_floor.py").read_text(encoding="utf-8")
    words = [
        piece
        for gate in load_guide(None, None).gates
        for piece in (
            gate.spec.pass_message or "",
            *(r.message for r in gate.spec.rule),
            *(t for r in gate.spec.rule for t in r.instead),
        )
    ]
    assert len(words) > 50
    # Each text, and each stretch of it between placeholders long enough to be words.
    written = [
        stretch
        for piece in words
        for stretch in re.split(r"\{[^}]*\}", piece)
        if len(stretch) > 24 and stretch in text
    ]
    assert not written, written
