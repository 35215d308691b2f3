"""Benchmark: how long validation takes on large packs, and that nothing grows quadratically.

Prints figures; asserts nothing. Run: ``.venv/bin/python bench/validate.py [--runs N]``.

- a generated pack of 1,000 steps (3,000 questions, 250 gates, 250 derived values, in
  10 files) loaded without the cache, and validated with every warning (target: well
  under a second);
- the same for 2,000 and 4,000 steps, to show the growth is linear;
- a step file with 20,000 misspelled keys (25.7 s in an early version), and 5,000;
- a chain of 1,000 derived values, refused with a message naming it (it used to crash);
- the shipped guide's evaluation depth against the limit.
"""

from __future__ import annotations

import argparse
import functools
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
sys.path.insert(0, str(SRC))

from xrntx_guide.errors import PackError  # noqa: E402
from xrntx_guide.pack.checks import MAX_EVALUATION_DEPTH, deepest_chain  # noqa: E402
from xrntx_guide.pack.load import load_guide, validate_pack  # noqa: E402

GUIDE = """\
[guide]
id = "bench"
title = "Bench"
version = "1"
status = "bench"
reviewed = 2026-01-01
statement = "Bench only."
date_key = "visit_date"
date_search_days = 30
override_codes = [{ code = "judgement", label = "Judgement" }]
phases = [{ id = "main", title = "Main" }]

[guide.report]
injection_given = "given"

[sources.ref]
title = "Reference"
citation = "A reference."

[settings.limit]
value = 10
description = "A limit"
sources = ["ref"]
site_min = 10
limit_sources = ["ref"]

[[step]]
id = "start"
phase = "main"
title = "Start"

[[step.question]]
key = "visit_date"
type = "date"
prompt = "Date"
default = "today"
max = "today"
"""

# The injection step, with the answer that records the dose.
INJECT = (
    '\n[[step]]\nid = "inject"\nphase = "main"\ntitle = "Inject"\nrequires_clear = true\n'
    '\n[[step.question]]\nkey = "given"\ntype = "bool"\nprompt = "Given?"\noptional = true\n'
)


def big_pack(folder: Path, steps: int, files: int = 10) -> Path:
    """A pack of ``steps`` steps: each asks a yes/no, a choice and a number; in each block
    of ten, the first step's answers decide whether the other nine are shown; every fourth
    step has a derived value and a gate."""
    folder.mkdir(parents=True, exist_ok=True)
    per_file = max(1, steps // files)
    chunks: list[list[str]] = [[] for _ in range(files)]
    for i in range(steps):
        head = i - i % 10
        when = f"when = \"coalesce(flag_{head}, true) or kind_{head} == 'b'\"\n" if i % 10 else ""
        text = (
            f'\n[[step]]\nid = "s{i}"\nphase = "main"\ntitle = "Step {i}"\n{when}'
            f'sources = ["ref"]\ninstructions = "Step {i}: limit {{settings.limit}}."\n'
            f'\n[[step.question]]\nkey = "flag_{i}"\ntype = "bool"\nprompt = "Flag?"\n'
            f'\n[[step.question]]\nkey = "kind_{i}"\ntype = "choice"\nprompt = "Kind?"\n'
            'choices = [{ value = "a", label = "A" }, { value = "b", label = "B" }]\n'
            f'\n[[step.question]]\nkey = "n_{i}"\ntype = "int"\nprompt = "N?"\nmin = 0\n'
            "max = 100\noptional = true\n"
        )
        if i % 4 == 3:
            text += (
                f'\n[[derived]]\nname = "d_{i}"\nlabel = "D"\n'
                f'expr = "coalesce(n_{i}, 0) + coalesce(n_{i - 1}, 0)"\n'
                f'\n[[gate]]\nid = "g{i}"\ntitle = "Gate {i}"\nbefore = "s{i}"\n'
                f'sources = ["ref"]\n\n[[gate.rule]]\nseverity = "caution"\n'
                f'fails_when = "d_{i} > settings.limit and flag_{i - 1}"\n'
                f'message = "Too high: {{d_{i}}}."\n'
            )
        chunks[min(i // per_file, files - 1)].append(text)
    inject = (
        INJECT + '\n[[gate]]\nid = "last"\ntitle = "Last"\nbefore = "inject"\nsources = ["ref"]\n'
        '\n[[gate.rule]]\nseverity = "contraindication"\nfails_when = "flag_0"\n'
        'message = "No."\n'
    )
    (folder / "00-guide.toml").write_text(GUIDE, encoding="utf-8")
    for n, chunk in enumerate(chunks):
        tail = inject if n == files - 1 else ""
        (folder / f"{n + 10:02d}-steps.toml").write_text("".join(chunk) + tail, "utf-8")
    return folder


def misspelled(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    bad = "".join(f"titel_{i} = 1\n" for i in range(count))
    (folder / "00-guide.toml").write_text(GUIDE.replace('title = "Start"\n', bad), "utf-8")
    return folder


def chain(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    parts = ['\n[[derived]]\nname = "d0"\nlabel = "D"\nexpr = "1"\n']
    parts += [
        f'\n[[derived]]\nname = "d{i}"\nlabel = "D"\nexpr = "d{i - 1} + 1"\n'
        for i in range(1, count)
    ]
    gate = (
        INJECT + '\n[[gate]]\nid = "deep"\ntitle = "Deep"\nbefore = "inject"\nsources = ["ref"]\n'
        f'\n[[gate.rule]]\nseverity = "caution"\nfails_when = "d{count - 1} > 5"\n'
        'message = "Deep."\n'
    )
    (folder / "00-guide.toml").write_text(GUIDE + gate + "".join(parts), "utf-8")
    return folder


def best(runs: int, fn: Callable[[], object]) -> tuple[float, float]:
    """(median, best) seconds of ``runs`` calls, each after a full garbage collection (as in
    a fresh process: the guides of earlier runs are not the next run's work)."""
    times = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def ms(figures: tuple[float, float]) -> str:
    return f"{figures[0] * 1000:.0f} ms (best {figures[1] * 1000:.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"median of {args.runs} runs (best in brackets), Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for steps in (1000, 2000, 4000):
            folder = big_pack(root / f"pack{steps}", steps)
            guide = load_guide(folder, use_cache=False)
            result = validate_pack(folder)
            assert not result.problems, result.problems[:3]
            load = best(args.runs, functools.partial(load_guide, folder, use_cache=False))
            check = best(args.runs, functools.partial(validate_pack, folder))
            print(
                f"{steps:>5} steps ({len(guide.questions)} questions, {len(guide.gates)} gates, "
                f"{len(guide.derived)} derived): load {ms(load)}, validate with warnings "
                f"{ms(check)}"
            )
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "xrntx_guide", "validate", "--steps", str(folder)],
                env={**os.environ, "XRNTX_GUIDE_NO_CACHE": "1", "PYTHONPATH": str(SRC)},
                stdout=subprocess.DEVNULL,
                check=True,
            )
            took = time.perf_counter() - start
            print(f"      `xrntx-guide validate` as a command, start-up included: {took:.2f} s")
        for count in (5000, 20000):
            folder = misspelled(root / f"keys{count}", count)
            found = len(validate_pack(folder).problems)
            figures = best(args.runs, functools.partial(validate_pack, folder))
            print(f"{count:>5} misspelled keys: {found} problems in {ms(figures)}")
        folder = chain(root / "chain", 1000)
        start = time.perf_counter()
        try:
            load_guide(folder, use_cache=False)
            print("chain of 1,000 derived values: loaded (unexpected)")
        except PackError as exc:
            took = time.perf_counter() - start
            print(f"chain of 1,000 derived values: refused in {took * 1000:.0f} ms:")
            print(f"  {exc.problems[0].message[:110]}...")
    depth, names = deepest_chain(load_guide(use_cache=False))
    print(
        f"shipped guide: evaluation depth {depth} of at most {MAX_EVALUATION_DEPTH} "
        f"({len(names)} definitions in its deepest chain)"
    )


if __name__ == "__main__":
    main()
