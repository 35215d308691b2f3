"""What `check` writes for the shipped scenarios stays the same, byte for byte.

The program as a user runs it (the installed entry point, in its own process) checks every
shipped scenario's answers: as JSON, as JSON with the findings, as plain text, and all of
them in one batch; stdout, stderr and the exit code must equal the recorded ones. The
record (``check_outputs.json`` beside this file) was written by the program before its
start-up and batch were made faster, so a faster route that says anything else fails here.

To write the record again from another copy of the source (only when a change of output is
meant, and said in the commit)::

    python tests/cli/test_check_output_is_unchanged.py SRC_DIR
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
RECORD = HERE / "check_outputs.json"
NOW = "T18:00"
"""The clock of every run: the scenario's date at this time (results can name times)."""


def _plain(value: Any) -> Any:
    if isinstance(value, dt.time):
        return value.isoformat("minutes" if not value.second else "auto")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _scenarios() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(name, head, answers) of every shipped scenario, read as plain TOML."""
    import tomllib

    out = []
    for path in sorted((REPO / "scenarios").glob("*.toml")):
        if path.name.startswith("_"):
            continue
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        out.append((path.stem, raw["scenario"], _plain(raw["answers"])))
    return out


def _runs(folder: Path) -> list[tuple[str, list[str], str | None]]:
    """(name, arguments, standard input) of every run compared."""
    runs: list[tuple[str, list[str], str | None]] = []
    lines = []
    for name, head, answers in _scenarios():
        file = folder / f"{name}.json"
        file.write_text(json.dumps(answers), encoding="utf-8")
        day = head["today"].isoformat()
        shared = ["--now", day + NOW, "--answers", str(file)]
        if "site" in head:
            shared += ["--site", str(REPO / "scenarios" / head["site"])]
        for o in head.get("overrides", []):
            shared += ["--override", o]
        runs.append((f"{name} --json", ["check", *shared, "--json"], None))
        runs.append((f"{name} --json --explain", ["check", *shared, "--json", "--explain"], None))
        runs.append((f"{name} --plain", ["check", *shared, "--plain"], None))
        if "site" not in head and not head.get("overrides"):
            lines.append(json.dumps({**answers, "id": name}))
    batch = "\n".join(lines) + "\n"
    runs.append(("batch", ["check", "--now", "2026-11-24" + NOW, "--batch", "-"], batch))
    runs.append(
        (
            "batch --explain",
            ["check", "--now", "2026-11-24" + NOW, "--batch", "-", "--explain"],
            batch,
        )
    )
    # The command line's own refusals, in words and in JSON.
    day = ["--now", "2026-11-24" + NOW]
    for name, args in {
        "explain without json": ["--explain"],
        "unknown key": ["--json", "-a", "no_such_key=1"],
        "bad value": ["--json", "-a", "age=old"],
        "answer without value": ["--json", "-a"],
        "unknown option": ["--json", "--bogus"],
        "unknown option plain": ["--bogus"],
        "today twice": ["--today", "2026-11-24", "--json"],
        "empty steps folder": [
            "--json",
            "--answer",
            "visit=first_injection",
            "--steps",
            str(folder),
        ],
        "label with batch": ["--label", "x", "--batch", "-"],
        "bad override": ["--json", "--override", "nonsense"],
        "missing answers file": ["--json", "--answers", str(folder / "none.json")],
        "no such site": ["--json", "--site", str(folder / "none.toml")],
        "flag given twice": ["--json", "--json", "-a", "age=40", "--answer=age=40"],
        "answer given twice": ["--json", "-a", "age=40", "--answer=age=41"],
        "answers file given twice": ["--json", "--answers", "a.json", "--answers=b.json"],
    }.items():
        runs.append((f"refused: {name}", ["check", *day, *args], ""))
    runs.append(("shared before the command", ["--now", "2026-11-24" + NOW, "check", "--json"], ""))
    return runs


def outputs(command: list[str], env: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Every run's stdout, stderr and exit code, by run name."""
    got: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, args, stdin in _runs(folder):
            p = subprocess.run(
                [*command, *args],
                input=stdin,
                capture_output=True,
                text=True,
                env={**env, "XRNTX_GUIDE_HOME": str(folder / "home")},
                check=False,
            )
            got[name] = {
                "code": p.returncode,
                "stdout": p.stdout.replace(tmp, "TMP"),
                "stderr": p.stderr.replace(tmp, "TMP"),
            }
    return got


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XRNTX_GUIDE")}
    env.update(NO_COLOR="1", COLUMNS="100", TERM="dumb")
    return env


def test_every_shipped_scenario_checks_to_the_recorded_output() -> None:
    recorded = json.loads(RECORD.read_text(encoding="utf-8"))
    got = outputs([sys.executable, "-m", "xrntx_guide"], _env())
    assert sorted(got) == sorted(recorded)
    for name in recorded:
        assert got[name] == recorded[name], name


def test_the_record_covers_every_verdict_and_a_failing_line() -> None:
    """The record is worth comparing against: it holds each status a check gives."""
    recorded = json.loads(RECORD.read_text(encoding="utf-8"))
    codes = {r["code"] for r in recorded.values()}
    assert {0, 1} <= codes
    statuses = {json.loads(line)["status"] for line in recorded["batch"]["stdout"].splitlines()}
    assert {"ready", "blocked"} <= statuses


if __name__ == "__main__":  # write the record from the source in argv[1]
    env = {**_env(), "PYTHONPATH": str(Path(sys.argv[1]).resolve())}
    RECORD.write_text(
        json.dumps(outputs([sys.executable, "-m", "xrntx_guide"], env), indent=1) + "\n",
        encoding="utf-8",
    )
