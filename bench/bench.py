"""Benchmarks: start-up of `check --json` against the import floor, and batch throughput.

Prints figures; asserts nothing. Run: ``.venv/bin/python bench/bench.py [--runs N]``.
Targets (issue 3): a single check within 1.5x of ``python -c "import typer, rich, pydantic"``;
batch at least 5,000 records per second.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

TODAY = dt.date(2026, 11, 24)
HERE = Path(__file__).resolve().parent


def timed(cmd: list[str], runs: int, stdin: bytes | None = None) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            cmd, input=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
        )
        out.append(time.perf_counter() - start)
    return out


def record(rng: random.Random, i: int) -> dict[str, object]:
    days = rng.randint(0, 30)
    kind = rng.choice(
        [
            "short_acting",
            "fentanyl",
            "methadone",
            "buprenorphine",
            "unknown",
            "buprenorphine_extended_release",
        ]
    )

    def neg() -> str:
        return rng.choice(["negative"] * 8 + ["positive", "not_done"])

    return {
        "id": i,
        "visit": "first_injection",
        "injection_date": TODAY.isoformat(),
        "oud_diagnosis": True,
        "last_opioid_kind": kind,
        "last_opioid_use": (TODAY - dt.timedelta(days=days)).isoformat(),
        "fentanyl_used_30_days": rng.random() < 0.3,
        "opioid_analgesics": rng.random() < 0.05,
        "hypersensitivity": False,
        "age": rng.randint(16, 70),
        "pregnancy_test": rng.choice(["negative", "not_applicable"]),
        "breastfeeding": False,
        "acute_hepatitis": False,
        "lft_multiple_uln": round(rng.uniform(0.5, 6), 1),
        "bleeding_risk": False,
        "mood_concern": rng.random() < 0.2,
        "renal_or_severe_hepatic_impairment": rng.random() < 0.05,
        "medication_guide_given": True,
        "consent": True,
        "abstinence_evidence": rng.choice(["supervised", "self_report"]),
        "uds_opiates": neg(),
        "uds_fentanyl": neg(),
        "uds_buprenorphine": neg(),
        "uds_methadone": neg(),
        "uds_oxycodone": neg(),
        "cows_total": rng.randint(0, 8),
        "naloxone_challenge": rng.choice(["negative", "not_done"]),
        "kit_storage_ok": True,
        "body_habitus": rng.choice(["lean", "average", "more_subcutaneous_tissue"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--records", type=int, default=20_000)
    args = parser.parse_args()
    exe = shutil.which("xrntx-guide", path=str(Path(sys.executable).parent)) or shutil.which(
        "xrntx-guide"
    )
    if exe is None:
        sys.exit("xrntx-guide is not installed in this environment")
    env = dict(os.environ, XRNTX_GUIDE_HOME=tempfile.mkdtemp())
    os.environ.update(env)
    # Time the program as installed: pip compiles an installed package's bytecode, but an
    # editable install under PYTHONDONTWRITEBYTECODE would recompile every module on every
    # run (about 20 ms), which no user sees. The floor's packages are compiled too.
    import xrntx_guide

    compileall.compile_dir(Path(xrntx_guide.__file__).parent, quiet=1)
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in ("typer", "rich", "pydantic"))
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores; {versions}")

    floor = timed([sys.executable, "-c", "import typer, rich, pydantic"], args.runs)
    check = timed(
        [
            exe,
            "check",
            "--today",
            TODAY.isoformat(),
            "--json",
            "-a",
            "visit=first_injection",
            "-a",
            "last_opioid_kind=short_acting",
            "-a",
            "last_opioid_use=2026-11-20",
        ],
        args.runs,
    )
    f, c = statistics.median(floor), statistics.median(check)
    print(
        f"python -c 'import typer, rich, pydantic': median {f * 1000:.0f} ms over {args.runs} runs"
    )
    print(
        f"xrntx-guide check --json:                 median {c * 1000:.0f} ms "
        f"({c / f:.2f}x the import floor; target <= 1.5x)"
    )

    rng = random.Random(7)
    lines = "".join(json.dumps(record(rng, i)) + "\n" for i in range(args.records)).encode()
    start = time.perf_counter()
    proc = subprocess.run(
        [exe, "check", "--today", TODAY.isoformat(), "--batch", "-"],
        input=lines,
        capture_output=True,
        check=False,
    )
    took = time.perf_counter() - start
    results = proc.stdout.decode().splitlines()
    statuses: dict[str, int] = {}
    for line in results:
        s = json.loads(line)["status"]
        statuses[s] = statuses.get(s, 0) + 1
    print(
        f"check --batch: {len(results)} records in {took:.2f} s = "
        f"{len(results) / took:,.0f} records/s (target >= 5,000); statuses {statuses}"
    )


if __name__ == "__main__":
    main()
