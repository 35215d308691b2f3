"""`history LABEL` and a page of `sessions` run without typer when their command line is
plain (cli/direct.py); whatever they say, and their exit code, is what the app says for
the same command line, on an empty store and on one with visits (a label in another
script, a finished injection, an unknown label with its 'did you mean')."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from xrntx_guide.cli.direct import HISTORY, SESSIONS, read_command
from xrntx_guide.pack.load import load_guide
from xrntx_guide.store import open_store
from xrntx_guide.visit.session import new_session

APP = "import sys\nfrom xrntx_guide.cli.app import main\nsys.exit(main())\n"
STEPS = Path(__file__).resolve().parents[2] / "steps"


@pytest.mark.parametrize(
    ("args", "grammar"),
    [
        (["history", "P1"], HISTORY),
        (["history", "--json", "P1", "--today", "2026-11-24"], HISTORY),
        (["history", "P1", "--plain", "--database=x.sqlite3", "--site", "s.toml"], HISTORY),
        (["sessions"], SESSIONS),
        (["sessions", "--page", "2", "--json", "--plain"], SESSIONS),
        (["sessions", "--page=10", "--clinician", "dr a", "--database", "x.sqlite3"], SESSIONS),
    ],
)
def test_a_plain_listing_command_line_is_read_directly(args: list[str], grammar: object) -> None:
    assert read_command(args, grammar) is not None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "grammar"),
    [
        (["history"], HISTORY),  # the label is missing
        (["history", "P1", "P2"], HISTORY),
        (["history", "-P1"], HISTORY),
        (["history", "P1", "--help"], HISTORY),
        (["history", "P1", "--today", "2026-11-24", "--today", "2026-11-25"], HISTORY),
        (["history", "P1", "--no-input"], HISTORY),
        (["history", "--", "P1"], HISTORY),
        (["sessions", "export", "abc"], SESSIONS),
        (["sessions", "--delete", "abc", "--yes"], SESSIONS),
        (["sessions", "--page", "0"], SESSIONS),
        (["sessions", "--page", "two"], SESSIONS),
        (["sessions", "--page", "\u0662"], SESSIONS),  # a digit, but not one click reads
        (["sessions", "--page", "1", "--page", "2"], SESSIONS),
        (["sessions", "-h"], SESSIONS),
    ],
)
def test_anything_else_is_left_to_the_app(args: list[str], grammar: object) -> None:
    assert read_command(args, grammar) is None  # type: ignore[arg-type]


def _both(args: list[str], env: dict[str, str]) -> tuple[tuple[int, str, str], ...]:
    runs = []
    for program in (["-m", "xrntx_guide"], ["-c", APP]):
        p = subprocess.run(
            [sys.executable, *program, *args], capture_output=True, text=True, env=env, check=False
        )
        runs.append((p.returncode, p.stdout, p.stderr))
    return tuple(runs)


def _fill(home: Path, visits: int) -> None:
    guide = load_guide(STEPS)
    store = open_store(None, home)
    start = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    labels = ["PT-1", "Müller", "中村", "PT-2"]
    for i in range(visits):
        at = start + dt.timedelta(days=28 * (i // len(labels)), minutes=i)
        record = new_session(guide, labels[i % len(labels)], at, at.date())
        record.set_answer("visit", "repeat_injection", "typed", at)
        record.set_answer("injection_date", at.date().isoformat(), "typed", at)
        record.status = "complete" if i % 3 else "blocked"
        record.visit_date = at.date().isoformat()
        store.create(record, "test")
    store.close()


@pytest.mark.parametrize("visits", [0, 70])
def test_the_direct_listings_say_what_the_app_says(tmp_path: Path, visits: int) -> None:
    home = tmp_path / "home"
    _fill(home, visits)
    env = {k: v for k, v in os.environ.items() if not k.startswith("XRNTX_GUIDE")}
    env.update(XRNTX_GUIDE_HOME=str(home), NO_COLOR="1", COLUMNS="100", TZ="UTC")
    day = ["--today", "2026-11-24"]
    lines = [
        ["history", "PT-1", *day],
        ["history", "PT-1", "--json", *day],
        ["history", "müller", "--plain", *day],
        ["history", "中村", *day],
        ["history", "PT-3", *day],  # unknown: 'did you mean'
        ["history", "PT-3", "--json", *day],
        ["history", "PT-1", "--today", "24.11.2026"],
        ["history", "PT-1", *day, "--steps", str(tmp_path / "none")],
        ["sessions"],
        ["sessions", "--json"],
        ["sessions", "--page", "2"],
        ["sessions", "--page", "9", "--plain"],
        ["sessions", "--json", "--database", str(tmp_path / "other.sqlite3")],
    ]
    for args in lines:
        direct, app = _both(args, env)
        assert direct == app, args
    if visits:
        code, _, err = _both(["history", "PT-3", *day], env)[0]
        assert code == 2 and "(did you mean 'PT-" in err, err
        assert "中村" in _both(["sessions"], env)[0][1]
