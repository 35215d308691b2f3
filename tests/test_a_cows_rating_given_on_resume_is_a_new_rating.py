"""A COWS rating given on resume (by flag or file) is a new rating of the series: a total
given after a rating of items, or some items edited, which keep the latest rating's
others. It was refused beside the stored items ("3 disagrees with the answers it is
computed from"), or the edited items were stored and never counted (the gate read the
earlier total, and the dose counted on it). Items that have no rating to keep the others
of are refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import Run, json_answers, json_file, ready_patient
from tests.test_a_rating_nobody_typed_is_never_recorded import DAY, ITEMS
from xrntx_guide.errors import ExitCode


def opened(run: Run, tmp_path: Path, label: str, **cows: int) -> None:
    answers = json_answers(ready_patient(cows_total=None, injection_date=None))
    opening = json_file(tmp_path, "v.json", answers | cows | {"injection_date": DAY})
    first = run("walk", "--no-input", "--now", f"{DAY}T10:00", "--label", label,
                "--answers", opening)  # fmt: skip
    assert first.exit_code != ExitCode.USAGE, first.output


def resumed(run: Run, label: str, *flags: str) -> tuple[int, dict[str, Any], list[Any]]:
    result = run("walk", "--resume", "--label", label, "--no-input", "--json",
                 "--now", f"{DAY}T10:30", *flags)  # fmt: skip
    out = json.loads(result.stdout) if result.stdout else {"stderr": result.stderr}
    series = json.loads(run("sessions", "export", label).stdout)["cows_ratings"]
    return result.exit_code, out, series


def test_items_edited_on_resume_make_a_new_rating_the_gate_reads(run: Run, tmp_path: Path) -> None:
    opened(run, tmp_path, "EDITED", **ITEMS)
    code, out, series = resumed(run, "EDITED", "-a", "cows_pulse=4", "-a", "cows_sweating=2")
    kept = sum(v for k, v in ITEMS.items() if k not in ("cows_pulse", "cows_sweating"))
    assert [r["total"] for r in series] == [sum(ITEMS.values()), 4 + 2 + kept], series
    assert series[-1]["items"]["pulse"] == 4, series
    assert code == ExitCode.BLOCKED and "withdrawal" in out["blocking"], out


def test_a_total_given_on_resume_after_items_is_a_new_rating(run: Run, tmp_path: Path) -> None:
    opened(run, tmp_path, "TOTAL", **ITEMS)
    code, out, series = resumed(run, "TOTAL", "-a", "cows_total=9")
    assert code != ExitCode.USAGE, out
    assert [r["total"] for r in series] == [sum(ITEMS.values()), 9], series
    assert "withdrawal" in out["blocking"], out


def test_items_beside_a_rating_of_its_total_only_are_refused(run: Run, tmp_path: Path) -> None:
    opened(run, tmp_path, "PART", cows_total=2)
    code, out, series = resumed(run, "PART", "-a", "cows_pulse=4")
    assert code == ExitCode.USAGE, out
    assert "give every item, or the total" in str(out), out
    assert [r["total"] for r in series] == [2], series
