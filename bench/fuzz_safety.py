"""The safety invariants of reference 4.4 over a million random patients.

The generator is the one the Hypothesis properties use (``tests/strategies/``), driven
by ``random.Random`` with one seed per patient, so any patient can be replayed alone; the
verdicts are checked against the independent oracle (``tests/oracle.py``). Work is spread
over every core. Progress goes to stderr; the summary to stdout. The exit status is 1 when
any patient violates an invariant.

Run: ``.venv/bin/python bench/fuzz_safety.py [--patients 1000000] [--paths engine,check,batch]``;
``--replay I`` shows patient I (its answers, the oracle's findings and each path's verdict).

Over time (invariants 8-12): ``--paths over-time`` draws visits of
``tests/strategies/timed.py`` (timed COWS series, challenges and rechallenges at the edges
of the window and the observation minimum, corrections, the rapid pathway's record with
its oral naltrexone days, earlier injections in the patient's record, the patient's other
visits that reported a later last injection or a positive result of the day, results
after now)
and judges them through the public command line: every patient as a line of ``check
--batch --now`` (with ``label`` when it has a record), and every ``--walk-every``-th also
by ``check --label``, ``walk --no-input`` and its chart note (``note``, item 12). Patients
come in chunks of 500 that share a clock and a site file (a batch has one ``--now``).
``--paths sittings`` records a positive challenge, then adds results to it in one to
three resumes (a second challenge, a correction, a rechallenge observed, a minute short,
or without its naloxone time, a single answer; by flag or by file) and checks after each
that the walk completes only when the oracle finds nothing standing and that the note
keeps the positive (invariants 5 and 9; tests/strategies/timed.py ``appended``).
``--clock today`` runs them on a command line without ``--now``: ``--today`` and the real
time of day stand for the clock (not reproducible to the minute; for a branch before the
clock was fixed).
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import multiprocessing
import os
import random
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests import oracle
from tests.strategies import patients as gen
from tests.strategies import timed

PATHS = ("engine", "check", "batch", "session", "over-time", "sittings")
CHUNK = 2_000
TIMED_CHUNK = 500
SITTINGS_CHUNK = 50
"""Visits of the sittings path per job: each runs three to eight commands."""
"""Visits over time per chunk: one ``check --batch`` run, inline (under batch's pool)."""


@dataclass
class Tally:
    patients: int = 0
    """Patients drawn (a patient of each family counts once in each)."""
    checked: int = 0
    statuses: collections.Counter[str] = field(default_factory=collections.Counter)
    violating: int = 0
    kinds: collections.Counter[str] = field(default_factory=collections.Counter)
    examples: dict[str, tuple[int, str, str]] = field(default_factory=dict)
    """Violation kind -> (patient index, path, the violation) of its first patient."""
    first: list[tuple[int, str, str]] = field(default_factory=list)

    def add(self, other: Tally, show: int) -> None:
        self.patients += other.patients
        self.checked += other.checked
        self.statuses.update(other.statuses)
        self.violating += other.violating
        self.kinds.update(other.kinds)
        for kind, ex in other.examples.items():
            if kind not in self.examples or ex[0] < self.examples[kind][0]:
                self.examples[kind] = ex
        self.first = sorted(self.first + other.first)[:show]


def kind_of(violation: str) -> str:
    """A violation without its particulars (dates and numbers)."""
    text = re.sub(r"-?[0-9]{4}-[0-9]{2}-[0-9]{2}", "DATE", violation)
    return re.sub(r"-?[0-9]+(\.[0-9]+)?", "N", text)


def minimal(seed: int, index: int, path: str, kind: str, options: gen.Options) -> dict[str, Any]:
    """Patient ``index``'s answers with every answer left out that the violation of
    ``kind`` does not need (through the engine; other paths keep every answer)."""
    site, p, _ = patient(seed, index, options)
    guide = gen.pool_guide(site)
    if path != "engine":
        return _json(p.answers)

    def still(answers: dict[str, Any], overrides: tuple[gen.OverrideSpec, ...]) -> bool:
        q = gen.Patient(p.today, answers, {**p.earlier, **answers}, overrides, ())
        run = gen.engine_run(guide, q)
        return any(kind_of(v) == kind.split(": ", 1)[1] for v in gen.violations(guide, run))

    answers, overrides = dict(p.answers), p.overrides
    if overrides and still(answers, ()):
        overrides = ()
    for key in sorted(answers):
        fewer = {k: v for k, v in answers.items() if k != key}
        if still(fewer, overrides):
            answers = fewer
    out = _json(answers)
    if overrides:
        out["--override"] = [s.flag() for s in overrides]
    return out


def patient(seed: int, index: int, options: gen.Options) -> tuple[int, gen.Patient, Any]:
    """Patient ``index`` of the run (its site, the patient, the chooser for more)."""
    c = gen.RandomChooser(random.Random(f"{seed}:{index}"))
    site = c.integer(0, len(gen.SITE_POOL_NAMES) - 1)
    return site, gen.random_patient(c, gen.pool_guide(site), options), c


def runs(seed: int, index: int, paths: tuple[str, ...], options: gen.Options) -> list[Any]:
    site, p, c = patient(seed, index, options)
    guide = gen.pool_guide(site)
    out = []
    for path in paths:
        if path == "engine":
            out.append((path, gen.engine_run(guide, p)))
        elif path == "check":
            out.append((path, gen.check_run(guide, p)))
        elif path == "batch":
            out.append((path, gen.batch_run(guide, p)))
        elif path == "session":
            out.append((path, gen.session_run(guide, p, gen.random_sittings(c, guide, p))))
    return [(guide, p, path, run) for path, run in out]


def check_chunk(job: tuple[Any, ...]) -> Tally:
    if job[0] == "over-time":
        return timed_chunk(job[1:])
    if job[0] == "sittings":
        return sittings_chunk(job[1:])
    start, stop, seed, paths, options, show = job
    tally = Tally()
    for index in range(start, stop):
        tally.patients += 1
        bad = False
        for guide, _, path, run in runs(seed, index, paths, options):
            tally.checked += 1
            tally.statuses[f"{path} {run.status}"] += 1
            for v in gen.violations(guide, run):
                bad = True
                kind = f"{path}: {kind_of(v)}"
                tally.kinds[kind] += 1
                if kind not in tally.examples:
                    tally.examples[kind] = (index, path, v)
                if len(tally.first) < show:
                    tally.first.append((index, path, v))
        tally.violating += bad
    return tally


# --- Sittings: results added to a recorded positive by resumes (invariants 5 and 9) ------


def sittings_of(seed: int, index: int) -> tuple[timed.Timed, list[timed.Sitting]]:
    """Visit ``index`` of the sittings path: a recorded positive challenge, then the
    sittings that add results to it (tests/strategies/timed.py ``appended``)."""
    return timed.appended(gen.RandomChooser(random.Random(f"{seed}:sittings:{index}")))


def sittings_chunk(job: tuple[Any, ...]) -> Tally:
    """Each visit's sittings through ``walk --no-input --resume`` and ``note``, judged by
    the oracle after each (``timed.sittings_violation``), in a home folder of its own."""
    import shutil
    import tempfile

    start, stop, seed, show = job
    tally = Tally()
    for index in range(start, stop):
        tally.patients += 1
        tally.checked += 1
        first, sittings = sittings_of(seed, index)
        home = Path(tempfile.mkdtemp(prefix="xrntx-sittings-"))
        try:
            found = timed.sittings_violation(first, sittings, timed.Routes(home))
        finally:
            shutil.rmtree(home, ignore_errors=True)
        tally.statuses[f"sittings {len(sittings)}"] += 1
        if found is None:
            continue
        tally.violating += 1
        kind = "sittings: " + found.split(":", 1)[0]
        tally.kinds[kind] += 1
        tally.examples.setdefault(kind, (index, "sittings", found))
        if len(tally.first) < show:
            tally.first.append((index, "sittings", found))
    return tally


# --- Over time (invariants 8-12) ----------------------------------------------------------------


def chunk_clock(seed: int, start: int, clock: str) -> tuple[int, Any]:
    """The site and the clock a chunk of visits over time shares."""
    c = gen.RandomChooser(random.Random(f"{seed}:over-time:{start}"))
    site = c.integer(0, len(gen.SITE_POOL_NAMES) - 1)
    now = timed.random_now(c)
    if clock == "today":
        real = dt.datetime.now().replace(second=0, microsecond=0)
        now = dt.datetime.combine(now.date(), real.time())
    return site, now


def timed_visit_of(seed: int, index: int, site: int, now: Any) -> timed.Timed:
    c = gen.RandomChooser(random.Random(f"{seed}:over-time:{index}"))
    return timed.timed_visit(c, site, now=now, others=True)


def timed_chunk(job: tuple[Any, ...]) -> Tally:
    """Visits ``start``..``stop`` over time: a batch line each, and every ``walk_every``-th
    also a ``check --label``, a walk and its note; each verdict against the oracle."""
    import shutil

    start, stop, seed, clock, walk_every, show = job
    site, now = chunk_clock(seed, start, clock)
    guide = gen.pool_guide(site)
    routes = timed.Routes()
    if clock == "today":
        routes.clock = lambda v: ["--today", v.now.date().isoformat()]  # type: ignore[method-assign]
    tally = Tally()
    try:
        visits = [timed_visit_of(seed, i, site, now) for i in range(start, stop)]
        tally.patients += len(visits)
        labels: dict[tuple[Any, ...], str | None] = {}
        for v in visits:
            if v.others not in labels:
                labels[v.others] = routes.patient(v)
        lines = routes.batch([(v, labels[v.others]) for v in visits])
        for index, v, verdict in zip(range(start, stop), visits, lines, strict=True):
            bad = judge(tally, index, guide, v, verdict, show)
            if walk_every and index % walk_every == 0:
                label = routes.patient(v)
                try:
                    bad |= judge(tally, index, guide, v, routes.check(v, label), show)
                except timed.NoClock:  # a command line before check --label
                    tally.statuses["over-time check --label unsupported"] += 1
                walked = routes.walk(timed.with_injection(v), label)
                bad |= judge(tally, index, guide, v, walked, show, in_record=True)
                if walked.status != "refused" and walked.data.get("session"):
                    note = routes.note(str(walked.data["session"]))
                    wrong = oracle.note_contradictions(
                        guide,
                        note,
                        timed.with_injection(v).answers,
                        v.today,
                        str(walked.data.get("status")),
                        now=v.now,
                        record=v.judged_record,
                        in_record=True,
                    )
                    bad |= note_judged(tally, index, wrong, show)
            tally.violating += bad
    finally:
        shutil.rmtree(routes.home, ignore_errors=True)
    return tally


def judge(
    tally: Tally,
    index: int,
    guide: Any,
    v: timed.Timed,
    verdict: timed.Verdict,
    show: int,
    in_record: bool = False,
) -> bool:
    """One route's verdict on a visit over time: ready only when the oracle finds nothing;
    a result after now refused."""
    path = f"over-time {verdict.route}"
    tally.checked += 1
    tally.statuses[f"{path} {verdict.status}"] += 1
    for shape in v.shapes:
        tally.statuses[f"over-time shape {shape}"] += verdict.route == "check --batch"
    problems = []
    found = v.findings(guide, in_record=in_record)
    if verdict.ready and found:
        problems = [f"ready, but {f}" for f in found]
    after = [f for f in found if f.severity == oracle.REFUSED and "after now" in f.text]
    if after and verdict.status not in ("refused", "error"):
        problems.append(f"{verdict.status}, but {after[0]}: not refused")
    return record(tally, index, path, problems, show)


def note_judged(tally: Tally, index: int, wrong: list[str], show: int) -> bool:
    tally.checked += 1
    tally.statuses[f"over-time note {'false' if wrong else 'true'}"] += 1
    return record(tally, index, "over-time note", [f"the note says {w}" for w in wrong], show)


def record(tally: Tally, index: int, path: str, problems: list[str], show: int) -> bool:
    for v in problems:
        kind = f"{path}: {kind_of(v)}"
        tally.kinds[kind] += 1
        if kind not in tally.examples:
            tally.examples[kind] = (index, path, v)
        if len(tally.first) < show:
            tally.first.append((index, path, v))
    return bool(problems)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--patients",
        "--n",
        dest="n",
        type=int,
        default=1_000_000,
        help="patients (default 1,000,000)",
    )
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument(
        "--paths",
        default="engine",
        help=f"comma-separated, of {', '.join(PATHS)} (default engine)",
    )
    ap.add_argument(
        "--override-faults",
        action="store_true",
        help="also give overrides with unknown codes, no code or no comment",
    )
    ap.add_argument("--show", type=int, default=5, help="violating patients to print")
    ap.add_argument(
        "--walk-every",
        type=int,
        default=50,
        metavar="K",
        help="over-time: also check --label, walk and note every K-th visit (0: never)",
    )
    ap.add_argument(
        "--clock",
        choices=("now", "today"),
        default="now",
        help="over-time: --now (default), or --today and the real time of day",
    )
    ap.add_argument("--replay", type=int, metavar="I", help="show patient I and stop")
    args = ap.parse_args(argv)
    paths = tuple(p.strip() for p in args.paths.split(",") if p.strip())
    if not paths or any(p not in PATHS for p in paths):
        ap.error(f"--paths: choose from {', '.join(PATHS)}")
    options = gen.Options(override_faults=args.override_faults)
    for i in range(len(gen.SITE_POOL_NAMES)):  # loaded once, before the workers fork
        gen.pool_guide(i)
    if args.replay is not None:
        return replay(args.seed, args.replay, paths, options)

    single = tuple(p for p in paths if p not in ("over-time", "sittings"))
    jobs: list[tuple[Any, ...]] = []
    if single:
        jobs += [
            (start, min(start + CHUNK, args.n), args.seed, single, options, args.show)
            for start in range(0, args.n, CHUNK)
        ]
    if "over-time" in paths:
        jobs += [
            (
                "over-time",
                start,
                min(start + TIMED_CHUNK, args.n),
                args.seed,
                args.clock,
                args.walk_every,
                args.show,
            )
            for start in range(0, args.n, TIMED_CHUNK)
        ]
    if "sittings" in paths:
        jobs += [
            ("sittings", start, min(start + SITTINGS_CHUNK, args.n), args.seed, args.show)
            for start in range(0, args.n, SITTINGS_CHUNK)
        ]
    total = Tally()
    began = time.perf_counter()
    step = max(1, len(jobs) // 50)
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:
        context = None
    if context is None or args.workers < 2:
        results: Any = map(check_chunk, jobs)
        pool = None
    else:
        pool = context.Pool(args.workers)
        results = pool.imap_unordered(check_chunk, jobs)
    try:
        for done, tally in enumerate(results, 1):
            total.add(tally, args.show)
            if done % step == 0 or done == len(jobs):
                seconds = time.perf_counter() - began
                patients = total.patients
                print(
                    f"{patients:,} patients, {total.violating:,} violating, "
                    f"{patients / seconds:,.0f}/s",
                    file=sys.stderr,
                    flush=True,
                )
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    seconds = time.perf_counter() - began
    summary(total, seconds, args.seed, options, args.clock)
    return 1 if total.violating else 0


def summary(total: Tally, seconds: float, seed: int, options: gen.Options, clock: str) -> None:
    n = total.patients
    print(f"patients: {n:,} in {seconds:,.1f} s ({n / seconds:,.0f} patients/s)")
    print(f"route verdicts checked: {total.checked:,}")
    print("verdicts: " + ", ".join(f"{k} {v:,}" for k, v in sorted(total.statuses.items())))
    print(f"violating patients: {total.violating:,}")
    for kind, count in total.kinds.most_common():
        index, path, v = total.examples[kind]
        if path == "sittings":
            print(f"  {count:>9,}  {kind}")
            print(f"      first: visit {index}: {v}")
            print(f"      {sittings_of(seed, index)!r}")
            continue
        if path.startswith("over-time"):
            print(f"  {count:>9,}  {kind}")
            print(f"      first: visit {index}: {v}")
            print(f"      {timed_replay(seed, index, clock)!r}")
            continue
        site, p, _ = patient(seed, index, options)
        print(f"  {count:>9,}  {kind}")
        print(f"      first: patient {index} (--replay {index}), today {p.today}: {v}")
        small = minimal(seed, index, path, kind, options)
        print(f"      answers it needs: {json.dumps(small, sort_keys=True)}")
    for index, path, v in total.first:
        if path == "sittings":
            print(f"\nvisit {index} (sittings): {v}\n{sittings_of(seed, index)!r}")
            continue
        if path.startswith("over-time"):
            print(f"\nvisit {index} ({path}): {v}\n{timed_replay(seed, index, clock)!r}")
            continue
        site, p, _ = patient(seed, index, options)
        print(f"\npatient {index} ({path}, site {gen.SITE_POOL_NAMES[site]!r}): {v}")
        print(json.dumps({"today": p.today.isoformat(), **_json(p.answers)}, sort_keys=True))


def timed_replay(seed: int, index: int, clock: str) -> timed.Timed:
    """Visit ``index`` over time, as its chunk drew it."""
    start = index - index % TIMED_CHUNK
    site, now = chunk_clock(seed, start, clock)
    return timed_visit_of(seed, index, site, now)


def _json(answers: Any) -> dict[str, Any]:
    return {k: gen.to_json(v) for k, v in answers.items()}


def replay(seed: int, index: int, paths: tuple[str, ...], options: gen.Options) -> int:
    site, p, _ = patient(seed, index, options)
    guide = gen.pool_guide(site)
    print(f"patient {index}, site {gen.SITE_POOL_NAMES[site]!r}, today {p.today}")
    print(json.dumps(_json(p.answers), sort_keys=True, indent=1))
    if p.overrides:
        print("overrides:", [s.flag() + f" ({s.basis})" for s in p.overrides])
    for f in oracle.findings(guide, p.answers, p.today):
        print(f"oracle: {f}")
    bad = False
    for _, _, path, run in runs(seed, index, paths, options):
        print(f"{path}: {run.status}")
        for v in gen.violations(guide, run):
            bad = True
            print(f"  VIOLATION {v}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
