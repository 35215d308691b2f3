"""Benchmarks: every figure against its floor, measured side by side, in one run.

Prints ratios; asserts nothing. Run: ``.venv/bin/python bench/bench.py [--runs N]``
(``--only batch`` and the like: one part).

Each figure is the CPU time (user + sys, the operating system's account of each finished
child process) of a command against another, run in turn (A B A B ...) so that both see
the same load; the ratio is the median of the per-pair ratios. On a shared machine CPU
time drifts less than wall time, and a ratio less than either.

- ``check --json`` on a warm cache against ``python -c "import typer"`` (goal <= 1.0x);
- ``--version``, ``questions --json``, ``gates --json``, ``schema``: whether rich is
  imported (goal: never), and each against ``import typer, rich, pydantic``;
- ``check --batch`` per record against ``bench/batch_floor.py``, which writes the same
  result lines (byte for byte: the figure counts the lines that are) with the gates
  written by hand in plain Python, on the same records (goal <= 3x); what reading a line
  and writing its result costs alone; and the same floor writing the verdicts only
  (status, blocking gates, cautions: the gates alone, no goal);
- ``validate`` of a generated 5,000-step pack, and of 2,500 (goal < 1.5 s; linear: the
  ratio of the two about 2);
- the long safety fuzz through the engine on one core, patients per CPU second (a short
  run taken from a long one, as for the batch), beside its own wall-clock figure
  (goal >= 2,000).
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
from pathlib import Path

from pydantic_core import to_json

TODAY = dt.date(2026, 11, 24)
HERE = Path(__file__).resolve().parent
PY = sys.executable
FUZZ = ["--paths", "engine", "--workers", "1"]
FLOOR_REPEAT = 10
PARTS = ["check", "commands", "batch", "validate", "fuzz"]
UDS = ("uds_opiates", "uds_fentanyl", "uds_buprenorphine", "uds_methadone", "uds_oxycodone")


def cpu(cmd: list[str], stdin: bytes | None = None) -> float:
    """The CPU seconds (user + sys) of one run of ``cmd``."""
    with tempfile.TemporaryFile() as feed:
        if stdin is not None:
            feed.write(stdin)
            feed.seek(0)
        proc = subprocess.Popen(
            cmd,
            stdin=feed if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _, _, usage = os.wait4(proc.pid, 0)
        proc.returncode = 0  # reaped here
    return float(usage.ru_utime + usage.ru_stime)


def paired(
    a: list[str],
    b: list[str],
    runs: int,
    stdin_a: bytes | None = None,
    stdin_b: bytes | None = None,
) -> tuple[float, float, float]:
    """Median CPU of A, of B, and the median of the per-pair ratios A/B (one warm-up)."""
    (ta, tb), ratios = in_turn([(a, stdin_a), (b, stdin_b)], runs)
    return ta, tb, ratios[0]


def in_turn(
    commands: list[tuple[list[str], bytes | None]], runs: int
) -> tuple[list[float], list[float]]:
    """Each command run in turn (A B C A B C ...; one warm-up round): the median CPU of
    each, and for each command after the first the median of the per-round ratios of the
    first to it."""
    for cmd, stdin in commands:
        cpu(cmd, stdin)
    rounds = [[cpu(cmd, stdin) for cmd, stdin in commands] for _ in range(runs)]
    medians = [statistics.median(r[i] for r in rounds) for i in range(len(commands))]
    ratios = [statistics.median(r[0] / r[i] for r in rounds) for i in range(1, len(commands))]
    return medians, ratios


def record(rng: random.Random, i: int, cows_threshold: int) -> dict[str, object]:
    """One first-injection record with every answer, as a clinic's export might hold it."""
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

    screens = {k: neg() for k in UDS}
    cows = rng.randint(0, 8)
    # A challenge is not done beside a positive screen or withdrawal: the guide refuses a
    # negative one recorded there, and a clinic's export holds what was done.
    withheld = "positive" in screens.values() or cows >= cows_threshold
    challenge = "not_done" if withheld else rng.choice(["negative", "not_done"])
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
        "planned_surgery_within_28_days": rng.random() < 0.05,
        "medication_guide_given": True,
        "consent": True,
        "overdose_counselled": rng.random() < 0.95,
        "reversal_agent_offered": rng.random() < 0.9,
        "abstinence_evidence": rng.choice(["supervised", "self_report"]),
        **screens,
        "cows_total": cows,
        "naloxone_challenge": challenge,
        "kit_storage_ok": True,
        "body_habitus": rng.choice(["lean", "average", "more_subcutaneous_tissue"]),
    }


def batch_figures(exe: str, day: list[str], runs_all: int, records: int) -> None:
    """``check --batch`` per record against the hand-written floor that writes the same
    result lines (bench/batch_floor.py), and against that floor's verdicts alone."""
    from xrntx_guide.pack.load import load_guide

    threshold = load_guide(None, None).setting_values["cows_threshold"]
    rng = random.Random(7)
    lines = "".join(json.dumps(record(rng, i, threshold)) + "\n" for i in range(records)).encode()
    one = lines.split(b"\n", 1)[0] + b"\n"
    batch = [exe, "check", *day, "--batch", "-"]
    floor = [PY, str(HERE / "batch_floor.py"), *day]
    verdicts = [*floor, "--verdicts-only"]
    runs = max(3, runs_all // 3)
    # The floors read the same records ten times over: their time per record is then well
    # above the noise of their start-up, which the run of one record takes away.
    many, _ = in_turn(
        [(batch, lines), (floor, lines * FLOOR_REPEAT), (verdicts, lines * FLOOR_REPEAT)], runs
    )
    single, _ = in_turn([(batch, one), (floor, one), (verdicts, one)], runs)
    per = [
        (many[0] - single[0]) / (records - 1),
        (many[1] - single[1]) / (records * FLOOR_REPEAT - 1),
        (many[2] - single[2]) / (records * FLOOR_REPEAT - 1),
    ]
    got = subprocess.run(batch, input=lines, capture_output=True, check=False).stdout
    want = subprocess.run(floor, input=lines, capture_output=True, check=False).stdout
    got_lines, want_lines = got.splitlines(), want.splitlines()
    same = sum(x == y for x, y in zip(got_lines, want_lines, strict=False))
    differ = [n for n, (x, y) in enumerate(zip(got_lines, want_lines, strict=False), 1) if x != y]
    print(
        f"{'check --batch, per record / batch_floor.py':<44} {per[0] * 1e6:9.0f} us "
        f"{per[1] * 1e6:9.0f} us {per[0] / per[1]:7.2f}x   <= 3x "
        f"(the same result line, byte for byte, on {same:,} of {records:,}"
        + (f"; first differing line {differ[0]}" if differ else "")
        + (f"; the floor wrote {len(want_lines):,} lines" if len(want_lines) != records else "")
        + ")"
    )
    # Of the floor's work, reading a line and writing its result (about 5 kB: every gate
    # with its reason, sources and what to do instead) costs this much per record alone.
    results = [json.loads(x) for x in got_lines]
    inputs = lines.splitlines()
    spent = []
    for _ in range(3):
        start = time.process_time()
        for x, r in zip(inputs, results, strict=True):
            json.loads(x)
            to_json(r)
        spent.append((time.process_time() - start) / records)
    print(
        f"{'  of which reading a line, writing its result':<44} {min(spent) * 1e6:9.0f} us "
        f"{'':>12} {min(spent) / per[1]:7.2f}x   of the floor "
        f"(result bytes per record: {len(got) // records:,})"
    )
    brief = subprocess.run(verdicts, input=lines, capture_output=True, check=False).stdout
    print(
        f"{'check --batch / the gates alone':<44} {per[0] * 1e6:9.0f} us "
        f"{per[2] * 1e6:9.0f} us {per[0] / per[2]:7.2f}x   no goal "
        f"(batch_floor.py --verdicts-only: status, blocking gates and cautions, "
        f"{len(brief) // records:,} bytes per record)"
    )


def row(name: str, a: float, b: float, ratio: float, goal: str) -> None:
    print(f"{name:<44} {a * 1000:9.1f} ms {b * 1000:9.1f} ms {ratio:7.2f}x   {goal}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--records", type=int, default=2_000)
    parser.add_argument("--patients", type=int, default=4_000, help="for the fuzz figure")
    parser.add_argument(
        "--only",
        action="append",
        choices=PARTS,
        help="measure only this part (may be given more than once); default: every part",
    )
    args = parser.parse_args()
    parts = args.only or PARTS
    exe = shutil.which("xrntx-guide", path=str(Path(PY).parent)) or shutil.which("xrntx-guide")
    if exe is None:
        sys.exit("xrntx-guide is not installed in this environment")
    os.environ["XRNTX_GUIDE_HOME"] = tempfile.mkdtemp()
    # Time the program as installed: pip compiles an installed package's bytecode, but an
    # editable install under PYTHONDONTWRITEBYTECODE would recompile every module on every
    # run, which no user sees.
    import xrntx_guide

    compileall.compile_dir(Path(xrntx_guide.__file__).parent, quiet=1)
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores, {dt.date.today()}")
    print(f"{'':<44} {'A (CPU)':>12} {'floor (CPU)':>12} {'A/floor':>8}   goal")

    day = ["--today", TODAY.isoformat()]
    if "check" in parts:
        check = [exe, "check", *day, "--json", "-a", "visit=first_injection"]
        check += ["-a", "last_opioid_kind=short_acting", "-a", "last_opioid_use=2026-11-20"]
        cpu(check)  # fills the cache: the figure is a warm check
        typer_floor = [PY, "-c", "import typer"]
        row(
            "check --json (warm cache) / import typer",
            *paired(check, typer_floor, args.runs),
            "<= 1.0x",
        )

    if "commands" in parts:
        heavy = [PY, "-c", "import typer, rich, pydantic"]
        for extra in (
            ["--version"],
            ["questions", "--json"],
            ["gates", "--json"],
            ["schema", "answers"],
        ):
            probe = (
                "import sys\n"
                f"sys.argv = ['xrntx-guide', *{extra!r}]\n"
                "from xrntx_guide.cli import main\n"
                "try:\n    main()\nexcept SystemExit:\n    pass\n"
                "sys.stderr.write(str('rich' in sys.modules))\n"
            )
            rich = subprocess.run([PY, "-c", probe], capture_output=True, text=True, check=False)
            loaded = "imports rich" if rich.stderr.strip().endswith("True") else "no rich"
            name = " ".join(extra) + " / import typer, rich, pydantic"
            row(name, *paired([exe, *extra], heavy, args.runs), f"{loaded} (goal: no rich)")

    if "batch" in parts:
        batch_figures(exe, day, args.runs, args.records)

    if "validate" in parts:
        sys.path.insert(0, str(HERE))
        from validate import big_pack

        with tempfile.TemporaryDirectory() as tmp:
            figures = {}
            for n in (2_500, 5_000):
                folder = big_pack(Path(tmp) / str(n), n)
                code = (
                    "import sys\n"
                    "from pathlib import Path\n"
                    "from xrntx_guide.pack.load import validate_pack\n"
                    f"validate_pack(Path({str(folder)!r}), None)\n"
                )
                env = {**os.environ, "XRNTX_GUIDE_NO_CACHE": "1"}
                times = []
                for _ in range(max(3, args.runs // 4)):
                    proc = subprocess.Popen([PY, "-c", code], env=env, stdout=subprocess.DEVNULL)
                    _, _, usage = os.wait4(proc.pid, 0)
                    proc.returncode = 0
                    times.append(usage.ru_utime + usage.ru_stime)
                figures[n] = statistics.median(times)
            print(
                f"{'validate, 5,000-step pack / goal 1.5 s':<44} {figures[5_000] * 1000:9.0f} ms "
                f"{1500:9.0f} ms {figures[5_000] / 1.5:7.2f}x   <= 1.0x; "
                f"5,000 / 2,500 steps {figures[5_000] / figures[2_500]:.2f}x (linear: about 2)"
            )

    if "fuzz" in parts:
        # The fuzz's own figure is patients per second of wall time, which a busy machine
        # slows. Patients per CPU second is the steadier figure on a shared machine, as every
        # other figure here is CPU; as for the batch, a short run is taken from the long one,
        # so that its start-up (loading the guides of its site pool) is not counted.
        def fuzz(patients: int) -> tuple[float, str]:
            with tempfile.TemporaryFile() as out:
                proc = subprocess.Popen(
                    [PY, str(HERE / "fuzz_safety.py"), "--patients", str(patients), *FUZZ],
                    stdout=out,
                    stderr=subprocess.DEVNULL,
                )
                _, _, usage = os.wait4(proc.pid, 0)
                proc.returncode = 0
                out.seek(0)
                return usage.ru_utime + usage.ru_stime, out.read().decode()

        short = max(1, args.patients // 20)
        (long_cpu, text), (short_cpu, _) = fuzz(args.patients), fuzz(short)
        rate = [ln for ln in text.splitlines() if "patients/s" in ln]
        print(
            f"{'safety fuzz, engine path, one core':<44} "
            f"{(args.patients - short) / (long_cpu - short_cpu):9,.0f} patients per CPU second "
            f"(its own figure: {rate[-1] if rate else 'no summary: ' + text[-300:]})"
        )
        print("  (goal: at least 2,000 patients/s)")


if __name__ == "__main__":
    main()
