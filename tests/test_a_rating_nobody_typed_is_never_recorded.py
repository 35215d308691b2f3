"""The walk records a COWS rating when one is typed (or its items): never one made of item
answers from before the latest rating. A rating rated item by item, then a later rating
given in a file (its total only), left the old items beside the file's total, and the walk
recorded a "typed" rating of that total with those items at the resume's time; beside
another run's rating stamped ahead of this run's clock it recorded such ratings on every
save, without end. The series holds only the ratings given."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import Run, json_answers, json_file, ready_patient
from xrntx_guide.errors import ExitCode

DAY = "2026-11-24"
ITEMS = {
    "cows_pulse": 1, "cows_sweating": 0, "cows_restlessness": 0, "cows_pupils": 0,
    "cows_aches": 0, "cows_runny_nose": 0, "cows_gi_upset": 0, "cows_tremor": 0,
    "cows_yawning": 0, "cows_anxiety": 1, "cows_gooseflesh": 0,
}  # fmt: skip


def test_a_files_later_rating_is_the_only_one_added(run: Run, tmp_path: Path) -> None:
    answers = json_answers(ready_patient(cows_total=None, injection_date=None))
    opening = json_file(tmp_path, "v.json", answers | ITEMS | {"injection_date": DAY})
    first = run("walk", "--no-input", "--now", f"{DAY}T10:00", "--label", "ITEMS",
                "--answers", opening)  # fmt: skip
    assert first.exit_code != ExitCode.USAGE, first.output
    later = json_file(tmp_path, "r.json", {"cows_ratings": [{"at": f"{DAY}T10:30", "total": 3}]})
    resumed = run("walk", "--resume", "--label", "ITEMS", "--no-input", "--json",
                  "--now", f"{DAY}T11:00", "--answers", later)  # fmt: skip
    assert resumed.exit_code != ExitCode.USAGE, resumed.output
    exported = run("sessions", "export", "ITEMS")
    series = json.loads(exported.stdout)["cows_ratings"]
    # The opening file's items (their total 2), then the file's later 3: nothing at 11:00.
    assert [r["total"] for r in series] == [sum(ITEMS.values()), 3], series
    assert not any(r["at"].startswith(f"{DAY}T11:00") for r in series), series


@pytest.mark.usefixtures("at_a_terminal")
def test_rate_again_with_the_latest_total_is_recorded_and_nothing_later(
    run: Run, tmp_path: Path
) -> None:
    """`rate again` and the same total as the latest: a new rating, recorded at once. It
    was left pending and stamped at the next run's clock, over a 9 given in between (the
    dose then counted on a 1 nobody typed then)."""
    answers = json_answers(ready_patient(cows_total=None, injection_date=None))
    opening = json_file(tmp_path, "v.json", answers | {"injection_date": DAY, "cows_total": 1})
    run("walk", "--no-input", "--now", f"{DAY}T10:00", "--label", "AGAIN", "--answers", opening)
    again = run("walk", "--resume", "--label", "AGAIN", "--plain", "--now", f"{DAY}T10:10",
                input="rate again\n1\nquit\nquit\n")  # fmt: skip
    assert "A new COWS rating" in again.output, again.output
    nine = json_file(tmp_path, "r9.json", {"cows_ratings": [{"at": f"{DAY}T10:20", "total": 9}]})
    run("walk", "--resume", "--label", "AGAIN", "--no-input", "--now", f"{DAY}T10:30",
        "--answers", nine)  # fmt: skip
    run("walk", "--resume", "--label", "AGAIN", "--no-input", "--now", f"{DAY}T11:00")
    series = json.loads(run("sessions", "export", "AGAIN").stdout)["cows_ratings"]
    assert [r["total"] for r in series] == [1, 1, 9], series
    assert series[1]["at"].startswith(f"{DAY}T10:10"), series


@pytest.mark.usefixtures("at_a_terminal")
def test_an_item_edited_beside_a_later_total_keeps_no_old_items(run: Run, tmp_path: Path) -> None:
    """A rating of items, then a file's later 9 (its total only), then `edit cows_pulse`
    at the terminal: the other ten items are those of a rating the 9 replaced, never a
    new rating with them (it read 1, under the 9, and the gate passed)."""
    answers = json_answers(ready_patient(cows_total=None, injection_date=None))
    opening = json_file(tmp_path, "v.json", answers | {"injection_date": DAY})
    items = "".join(f"{v}\n" for v in ITEMS.values())
    run("walk", "--plain", "--now", f"{DAY}T10:00", "--label", "EDIT", "--answers", opening,
        input=f"\n{items}quit\nquit\n")  # fmt: skip
    nine = json_file(tmp_path, "r9.json", {"cows_ratings": [{"at": f"{DAY}T10:20", "total": 9}]})
    run("walk", "--resume", "--label", "EDIT", "--no-input", "--now", f"{DAY}T10:30",
        "--answers", nine)  # fmt: skip
    run("walk", "--resume", "--label", "EDIT", "--plain", "--now", f"{DAY}T10:40",
        input="edit cows_pulse\n1\nquit\nquit\n")  # fmt: skip
    series = json.loads(run("sessions", "export", "EDIT").stdout)["cows_ratings"]
    assert series[-1]["total"] == 9, series
    assert [r["total"] for r in series] == [sum(ITEMS.values()), 9], series


@pytest.mark.usefixtures("at_a_terminal")
def test_a_rating_given_after_rate_again_by_another_route_completes_it(
    run: Run, tmp_path: Path
) -> None:
    """`rate again`, then quit in the middle of the items; a rating given on resume in a
    file (with its time) is the new rating the gate reads: the walk no longer waits for
    the items (the gate said "needs cows_total" for ever, the chart marked the file's
    rating as read)."""
    answers = json_answers(ready_patient(cows_total=None, injection_date=None))
    opening = json_file(tmp_path, "v.json", answers | {"injection_date": DAY, "cows_total": 6})
    run("walk", "--no-input", "--now", f"{DAY}T09:00", "--label", "PENDING", "--answers", opening)
    run("walk", "--resume", "--label", "PENDING", "--plain", "--now", f"{DAY}T09:10",
        input="rate again\n\n0\nquit\nquit\n")  # fmt: skip
    late = json_file(tmp_path, "late.json", {"cows_ratings": [{"at": f"{DAY}T09:30", "total": 0}]})
    resumed = run("walk", "--resume", "--label", "PENDING", "--no-input", "--json",
                  "--now", f"{DAY}T09:40", "--answers", late)  # fmt: skip
    out = json.loads(resumed.stdout)
    assert not any(k.startswith("cows_") for k in out["missing"]), out
    assert "withdrawal" not in out["blocking"], out


@pytest.mark.usefixtures("at_a_terminal")
def test_a_rate_again_left_pending_stays_with_its_day(run: Run, tmp_path: Path) -> None:
    """`rate again` at the challenge, `quit` in the middle of the items, and a resume the
    next day (the visit moves): nothing is pending on the new day, whose first typed
    rating is its own (it carried the old day's context)."""
    answers = json_answers(ready_patient(cows_total=None, injection_date=None))
    opening = json_file(tmp_path, "v.json", answers | {"cows_total": 2})
    run("walk", "--no-input", "--today", DAY, "--label", "MOVED", "--answers", opening)
    run("walk", "--resume", "--label", "MOVED", "--plain", "--today", DAY,
        input="rate again\n\n0\nquit\nquit\n")  # fmt: skip
    pending = json.loads(run("sessions", "export", "MOVED").stdout)
    assert pending["cows_next_context"] is not None, pending
    run("walk", "--resume", "--label", "MOVED", "--no-input", "--today", "2026-11-25")
    moved = json.loads(run("sessions", "export", "MOVED").stdout)
    assert (moved["cows_next_context"], moved["cows_next_at"]) == (None, None), moved
