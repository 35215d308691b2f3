"""Every batch line judged by two copies of the program, compared byte for byte.

A faster engine must judge exactly as the one it replaces. This writes, for thousands of
random patients (the safety fuzz's generator, every pack of its site pool, with and
without ``--explain``, with the overrides the patient asks for) and for the records
``bench/bench.py`` times, the result line ``check --batch`` gives each, once with the
source tree under test and once with another (``--against``, e.g. the main branch's
``src``), each in a process of its own, and reports every line that differs.

Run: ``.venv/bin/python bench/batch_differential.py --against /work/main/src
[--patients 5000] [--seed 1]``. The exit status is 1 when any line differs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def lines_of(seed: int, patients: int, records: int) -> list[str]:
    """Every result line, in order, from the copy of the program on ``sys.path``."""
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(HERE))
    from bench import TODAY, record
    from tests.strategies import patients as gen

    from xrntx_guide.batch import Job, check_line
    from xrntx_guide.errors import UserError
    from xrntx_guide.pack.load import load_guide
    from xrntx_guide.visit.presets import parse_overrides

    out = []
    for index in range(patients):
        c = gen.RandomChooser(random.Random(f"{seed}:{index}"))
        site = c.integer(0, len(gen.SITE_POOL_NAMES) - 1)
        guide = gen.pool_guide(site)
        # Half with odd answers (out of range, contradictory: error lines), half without.
        p = gen.random_patient(c, guide, gen.Options(odd=index % 2 == 0))
        try:
            requests = tuple(parse_overrides(guide, [s.flag() for s in p.overrides]))
        except UserError as exc:
            out.append(f"{index} overrides refused: {exc}")
            requests = ()
        line = json.dumps({k: gen.to_json(v) for k, v in p.answers.items()})
        for explain in (False, True) if index % 4 == 0 else (False,):
            job = Job(guide, p.today, {}, explain, overrides=requests)
            text, bad = check_line(job, index + 1, line)
            out.append(f"{index} {explain} {bad} {text}")
    guide = load_guide(None, None)
    threshold = guide.setting_values["cows_threshold"]
    rng = random.Random(seed)
    for explain in (False, True):
        job = Job(guide, TODAY, {}, explain)
        for i in range(records):
            text, bad = check_line(job, i + 1, json.dumps(record(rng, i, threshold)))
            out.append(f"record {i} {explain} {bad} {text}")
    return out


def run(src: str, args: argparse.Namespace, into: Path) -> None:
    env = {**os.environ, "PYTHONPATH": src, "XRNTX_GUIDE_NO_CACHE": "1"}
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import batch_differential as d; "
        "import xrntx_guide; assert xrntx_guide.__file__.startswith(sys.argv[2]), "
        "xrntx_guide.__file__; "
        "open(sys.argv[3], 'w').write('\\n'.join(d.lines_of(*map(int, sys.argv[4:]))))"
    )
    cmd = [sys.executable, "-c", code, str(HERE), src, str(into)]
    cmd += [str(args.seed), str(args.patients), str(args.records)]
    subprocess.run(cmd, env=env, check=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--against", required=True, help="the other copy's src folder")
    ap.add_argument("--src", default=str(ROOT / "src"), help="the copy under test")
    ap.add_argument("--patients", type=int, default=5_000)
    ap.add_argument("--records", type=int, default=1_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ours, theirs = Path(tmp) / "ours", Path(tmp) / "theirs"
        run(str(Path(args.src).resolve()), args, ours)
        run(str(Path(args.against).resolve()), args, theirs)
        a, b = ours.read_text().splitlines(), theirs.read_text().splitlines()
    differ = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    statuses: dict[str, int] = {}
    for x in a:
        text = x.split(" ", 3)[-1]
        if text.startswith("{"):
            status = json.loads(text).get("status", "?")
            statuses[status] = statuses.get(status, 0) + 1
    digest = hashlib.sha256("\n".join(a).encode()).hexdigest()[:16]
    print(
        f"{dt.date.today()} seed {args.seed}: {len(a):,} result lines ({args.patients:,} "
        f"patients, {args.records:,} bench records twice), {len(differ)} differ; "
        f"statuses {statuses}; digest {digest}"
    )
    for x, y in differ[:5]:
        print(f"- ours:   {x[:400]}\n  theirs: {y[:400]}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
