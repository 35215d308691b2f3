"""A resume on a later day moves a visit whose date followed its default (the injection
date is today) to the new day, and what the resume gives is judged on that day, as it is
recorded: the resume's own advice ("change it if so: --answer last_opioid_use=DATE") was
refused as "after injection_date", the old day, and so was a use since the last injection
that makes the moved monthly visit a new induction ("does not apply to this visit")."""

from __future__ import annotations

import datetime as dt
import io
import json
import os

import pexpect
import pytest

from tests.helpers import EXE, TODAY, Run, after_injection, answer_flags

FIRST_DAY = TODAY - dt.timedelta(days=5)


def test_a_last_use_after_the_old_day_is_taken_on_the_new_one(run: Run) -> None:
    started = run(
        "walk", "--no-input", "--today", FIRST_DAY.isoformat(), "--label", "MOVED-1",
        "-a", "visit=first_injection", "-a", "last_opioid_kind=short_acting",
        "-a", f"last_opioid_use={(FIRST_DAY - dt.timedelta(days=30)).isoformat()}",
    )  # fmt: skip
    assert started.exit_code in (1, 4), started.output
    used = TODAY - dt.timedelta(days=2)  # after the old day, before the new one
    resumed = run(
        "walk", "--resume", "--label", "MOVED-1", "--no-input", "--json",
        "--today", TODAY.isoformat(), "-a", f"last_opioid_use={used.isoformat()}",
    )  # fmt: skip
    assert resumed.exit_code in (1, 4), resumed.output  # not refused (2)
    result = json.loads(resumed.stdout)
    assert result["today"] == TODAY.isoformat(), result
    assert "opioid_free_interval" in result["blocking"], result  # the new use counts


def test_a_use_since_the_dose_is_taken_when_the_moved_visit_is_past_the_blockade(
    run: Run,
) -> None:
    dose_day = TODAY - dt.timedelta(days=35)
    first = run(
        "walk", "--no-input", "--today", dose_day.isoformat(), "--label", "MOVED-2",
        "--acknowledge", "all",
        *answer_flags(after_injection(last_opioid_use=dose_day - dt.timedelta(days=14))),
    )  # fmt: skip
    assert first.exit_code == 0, first.output
    early = TODAY - dt.timedelta(days=15)  # within the blockade: "use since" not asked
    opened = run(
        "walk", "--no-input", "--today", early.isoformat(), "--label", "MOVED-2",
        "-a", "visit=repeat_injection",
    )  # fmt: skip
    assert opened.exit_code in (1, 4), opened.output
    used = TODAY - dt.timedelta(days=1)
    resumed = run(
        "walk", "--resume", "--label", "MOVED-2", "--no-input", "--json",
        "--today", TODAY.isoformat(), "-a", "opioid_use_since_last_injection=yes",
        "-a", f"last_opioid_use={used.isoformat()}", "-a", "last_opioid_kind=fentanyl",
    )  # fmt: skip
    assert resumed.exit_code in (1, 4), resumed.output  # not refused (2)
    result = json.loads(resumed.stdout)
    assert "opioid_free_interval" in result["blocking"], result  # a new induction


@pytest.mark.skipif(not EXE.exists(), reason=f"{EXE} is not installed")
def test_a_last_use_given_as_the_visit_moves_is_not_said_to_be_kept(run: Run) -> None:
    """Seen today at the terminal, with the last use given by this resume's flag: the
    screen said "the last opioid use answered on <the old day> is kept (<the flag's
    date>): ask whether the patient has used since", of the answer just given."""
    first = TODAY - dt.timedelta(days=3)
    started = run(
        "walk", "--no-input", "--today", first.isoformat(), "--label", "MOVED-3",
        "-a", "visit=first_injection", "-a", f"injection_date={first.isoformat()}",
        "-a", "last_opioid_kind=short_acting",
        "-a", f"last_opioid_use={(first - dt.timedelta(days=2)).isoformat()}",
    )  # fmt: skip
    assert started.exit_code in (1, 4), started.output
    used = TODAY - dt.timedelta(days=1)
    room = pexpect.spawn(
        str(EXE),
        ["walk", "--plain", "--resume", "--label", "MOVED-3", "--today", TODAY.isoformat(),
         "-a", f"last_opioid_use={used.isoformat()}"],
        env={**os.environ, "NO_COLOR": "1"}, encoding="utf-8", timeout=20,
        dimensions=(50, 100),
    )  # fmt: skip
    log = io.StringIO()
    room.logfile_read = log
    try:
        room.expect(r"Is the patient's visit today\?[^\n]*: ")
        room.sendline("")
        room.expect(r"\(seen today\)")
        room.expect(r"(?:: |\? )$")
        room.sendline("quit")
        room.expect(pexpect.EOF)
    finally:
        room.close(force=True)
    said = " ".join(log.getvalue().split())
    assert "(seen today)" in said, said
    assert "is kept" not in said, said
