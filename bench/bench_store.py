"""The store at a clinic's scale: 100,000 visits in the SQLite store, and what each
command costs with them. Prints figures; asserts nothing (not a timed test).

Run: ``.venv/bin/python bench/bench_store.py [--visits N] [--runs N] [--main PATH]``.
Each command is timed by its program (a plain command line runs without typer:
cli/direct.py) and, in turn with it, through the typer app (the route every command
took before), with the ratio of each pair; wall time and CPU time (user + system), whose
ratio a busy machine disturbs less.
``--main`` must be a version that reads this store's schema (3 or later: a version before
it refuses the newer store); compare with an older one on a store it generated.
Targets: with 100,000 stored visits, ``walk`` reaches its first prompt in under 0.3 s,
``history LABEL`` takes under 0.1 s, ``sessions`` lists a page in under 0.2 s with under
100 MB of memory, a save takes under 10 ms; ``walk`` on an empty store starts no slower
than 1.1x the previous version (``--main``: its installed program, if given).
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import os
import platform
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
EXE = Path(sys.executable).with_name("xrntx-guide")
STEPS = HERE.parent / "steps"
APP = [sys.executable, "-c", "import sys\nfrom xrntx_guide.cli.app import main\nsys.exit(main())"]
"""The same program through the typer app: the route every command took before."""


def generate(home: Path, visits: int) -> str:
    """``visits`` visits of visits/12 patients, a year of monthly visits; a label."""
    from xrntx_guide.pack.load import load_guide
    from xrntx_guide.store import open_store
    from xrntx_guide.visit.session import new_session

    guide = load_guide(STEPS)
    store = open_store(None, home)
    rng = random.Random(7)
    start = dt.datetime(2025, 11, 24, 9, 0, tzinfo=dt.UTC)
    db = store._db  # type: ignore[attr-defined]  # one transaction for the bulk load
    db.execute("BEGIN")
    patients = max(1, visits // 12)
    for i in range(visits):
        at = start + dt.timedelta(days=rng.randrange(365), minutes=rng.randrange(600))
        record = new_session(guide, f"P{i % patients:05d}", at, at.date())
        record.set_answer("visit", "repeat_injection", "typed", at)
        record.set_answer("injection_date", at.date().isoformat(), "typed", at)
        record.set_answer("age", rng.randrange(18, 80), "typed", at)
        record.status = rng.choice(["complete", "complete", "complete", "blocked", "in_progress"])
        record.visit_date = at.date().isoformat()
        while store.by_id(record.id) is not None:  # as a save draws another id
            record.id = secrets.token_hex(4)
        store.create(record, "bench")
    db.execute("COMMIT")
    store.close()
    return "P00042"


def clock(cmd: list[str], env: dict[str, str], runs: int) -> float:
    """The median wall time of a command, in seconds."""
    return statistics.median(timed(cmd, env)[0] for _ in range(runs))


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """One run of a command: its wall time and its CPU time (user + system), seconds."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    begin = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - begin
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu


def in_turn(runs: int, routes: dict[str, Any]) -> str:
    """Each route's run (giving wall and CPU seconds) in turn, ``runs`` times: the first
    route's medians, and each other's with the median ratio of the first to it, pair by
    pair (the machine's load drifts alike for both), as a line."""
    got: dict[str, list[tuple[float, float]]] = {name: [] for name in routes}
    for _ in range(runs):
        for name, run in routes.items():
            got[name].append(run())
    first_name, *others = routes
    first = got[first_name]
    words = [
        f"{statistics.median(w for w, _ in first):.3f} s "
        f"(CPU {statistics.median(c for _, c in first):.3f} s)"
    ]
    for name in others:
        it = got[name]
        wall = statistics.median(a[0] / b[0] for a, b in zip(first, it, strict=True))
        cpu = statistics.median(a[1] / b[1] for a, b in zip(first, it, strict=True) if b[1])
        words.append(
            f"{name} {statistics.median(w for w, _ in it):.3f} s (CPU "
            f"{statistics.median(c for _, c in it):.3f} s): {wall:.2f}x wall, {cpu:.2f}x CPU"
        )
    return "; ".join(words)


def peak_mb(cmd: list[str], env: dict[str, str]) -> float:
    """The peak resident memory of a command, in MB (its own process)."""
    probe = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], "
        "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, *cmd], env=env, capture_output=True, text=True
    )
    return int(out.stdout.strip()) / 1024


def first_prompt(cmd: list[str], env: dict[str, str], label: str) -> tuple[float, float]:
    """Seconds from starting ``walk --label L`` in a terminal to its first question, and
    the CPU seconds the program used (it waits at the prompt until it is ended)."""
    import resource

    import pexpect

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    begin = time.perf_counter()
    child = pexpect.spawn(
        cmd[0], [*cmd[1:], "walk", "--plain", "--label", label], env=env, timeout=300
    )
    child.expect(r"\(number or value\)")
    wall = time.perf_counter() - begin
    child.terminate(force=True)
    child.close()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def one_save(home: Path, runs: int) -> float:
    """The median time of one save (load excluded), in seconds."""
    from xrntx_guide.store import open_store

    store = open_store(None, home)
    visit = store.rows(1)[0].id
    record, revision = store.load(visit)
    times = []
    for n in range(runs):
        record.set_answer("age", 30 + n % 40, "typed", dt.datetime.now(dt.UTC))
        begin = time.perf_counter()
        revision = store.save(record, revision, "bench")
        times.append(time.perf_counter() - begin)
    store.close()
    return statistics.median(times)


def in_process(home: Path, label: str, runs: int) -> dict[str, float]:
    """The store's own share of each command, without the program's start-up (median,
    seconds): one label's history, and one page of the listing with its count."""
    from xrntx_guide.store import open_store

    def median(fn: object) -> float:
        times = []
        for _ in range(runs):
            begin = time.perf_counter()
            fn()  # type: ignore[operator]
            times.append(time.perf_counter() - begin)
        return statistics.median(times)

    begin = time.perf_counter()
    store = open_store(None, home)
    opened = time.perf_counter() - begin
    out = {
        "open": opened,
        "history": median(lambda: store.history(label)),
        "page": median(lambda: (store.rows(50, 0), store.count())),
        "find": median(lambda: store.find(label)),
    }
    store.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--visits", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--main", help="the previous version's xrntx-guide, to compare")
    args = parser.parse_args()
    # Time the program as installed: pip compiles an installed package's bytecode, but an
    # editable install under PYTHONDONTWRITEBYTECODE would recompile every module on every
    # run (about a third of a walk's start), which no user sees.
    import xrntx_guide

    compileall.compile_dir(Path(xrntx_guide.__file__).parent, quiet=1)
    print(f"{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs")
    print(f"date: {dt.date.today().isoformat()}")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        env = {**os.environ, "XRNTX_GUIDE_HOME": str(home), "NO_COLOR": "1"}
        env.pop("XRNTX_GUIDE_DATABASE", None)
        begin = time.perf_counter()
        label = generate(home, args.visits)
        print(f"generated {args.visits:,} visits in {time.perf_counter() - begin:.1f} s")
        size = (home / "visits.sqlite3").stat().st_size / 1e6
        print(f"store: {size:.0f} MB")
        parts = in_process(home, label, max(args.runs, 5))
        print(
            "in the store (no start-up): open {open:.4f} s, history {history:.4f} s, "
            "a page and its count {page:.4f} s, find a label {find:.4f} s".format(**parts)
        )
        exe = str(EXE)
        runs = args.runs
        baselines: dict[str, list[str]] = {"through the app": APP}
        if args.main:
            baselines["--main"] = [args.main]
        # A walk saves its new visit: each route adds one per run.
        prompt = in_turn(
            runs,
            {
                "this": lambda: first_prompt([exe], env, label),
                **{n: (lambda c=c: first_prompt(c, env, label)) for n, c in baselines.items()},
            },
        )
        print(f"walk to first prompt:  {prompt}")
        for name, cmd in (("history " + label, ["history", label]), ("sessions", ["sessions"])):
            line = in_turn(
                runs,
                {
                    "this": lambda cmd=cmd: timed([exe, *cmd], env),
                    **{
                        n: (lambda c=c, cmd=cmd: timed([*c, *cmd], env))
                        for n, c in baselines.items()
                    },
                },
            )
            print(f"{name}: {line}")
        print(
            f"  peak memory: sessions {peak_mb([exe, 'sessions'], env):.0f} MB, through the "
            f"app {peak_mb([*APP, 'sessions'], env):.0f} MB; history "
            f"{peak_mb([exe, 'history', label], env):.0f} MB"
        )
        print(f"one save:              {one_save(home, 50) * 1000:.2f} ms")
        # Start-up on an empty store, this version and --main alternately (each with a
        # home of its own, its pack cache warmed first): the machine's load hits both.
        walk = ["walk", "--no-input", "--no-save", "-a", "visit=first_injection"]
        programs = {
            "this version": [exe],
            "through the app": APP,
            **({"--main": [args.main]} if args.main else {}),
        }
        homes = {name: Path(tmp) / f"empty-{n}" for n, name in enumerate(programs)}
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in programs}
        for n in range(args.runs + 1):
            for name, program in programs.items():
                env_empty = {**env, "XRNTX_GUIDE_HOME": str(homes[name])}
                took = timed([*program, *walk], env_empty)
                if n:
                    times[name].append(took)
        first = times["this version"]
        for name, got in times.items():
            wall = statistics.median(w for w, _ in got)
            cpu = statistics.median(c for _, c in got)
            ratio = statistics.median(a[0] / b[0] for a, b in zip(first, got, strict=True))
            ratio_cpu = statistics.median(a[1] / b[1] for a, b in zip(first, got, strict=True))
            vs = "" if name == "this version" else f"; this version / it {ratio:.2f}x wall"
            vs += "" if name == "this version" else f", {ratio_cpu:.2f}x CPU"
            print(f"walk, empty store ({name}): {wall:.3f} s (CPU {cpu:.3f} s){vs}")


if __name__ == "__main__":
    main()
