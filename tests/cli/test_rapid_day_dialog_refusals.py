"""What the rapid pathway's day dialog refuses (cli/rapid.py), in a pseudo-terminal."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pexpect
import pytest

from tests.helpers import EXE, REPO, json_answers, ready_patient, wrapping

pytestmark = pytest.mark.skipif(not EXE.exists(), reason=f"{EXE} is not installed")

SITE = REPO / "scenarios" / "_site-rapid-protocol.toml"
DAY1 = dt.date(2026, 11, 22)
P_DATE = r"Date of the injection [^\n]*: "
P_DAY = r"Day of the protocol \(number\) \[(\d+)\]: "
P_DAY_DATE = r"Date of day \d+ [^\n]*\[([0-9-]+)\]: "
P_GIVEN = r"What was given on day \d+[^\n]*: "
P_NALTREXONE = r"oral naltrexone given\? \(yes/no\) \[Enter: not recorded yet\]: "
P_TOLERATED = r"doses given and tolerated\? \(yes/no\) \[Enter: not recorded yet\]: "
P_COWS = r"Day \d+ COWS total[^\n]*\[Enter: (?:none|no other)\]: "
P_TIME = r"Time of the rating \(HH:MM\)[^\n]*: "


def on_the_pathway(
    tmp_path: Path, label: str, now: str, days: list[dict[str, Any]] | None = None
) -> pexpect.spawn[str]:
    """A walk at the terminal of a patient on the supervised rapid pathway, the day's
    results still to be given (``days``: the record so far, in the file)."""
    answers = ready_patient(
        last_opioid_use=DAY1,
        pathway="supervised_rapid",
        rapid_supervised_setting=True,
        rapid_protocol_on_file=True,
        uds_opiates=None, uds_fentanyl=None, uds_buprenorphine=None, uds_methadone=None,
        uds_oxycodone=None, cows_total=None, naloxone_challenge=None, kit_storage_ok=None,
        body_habitus=None,
    )  # fmt: skip
    raw = json_answers(answers)
    if days is not None:
        raw["rapid_days"] = days
    path = tmp_path / "case.json"
    path.write_text(json.dumps(raw))
    env = {**os.environ, "XRNTX_GUIDE_HOME": str(tmp_path / "home"), "NO_COLOR": "1",
           "TERM": "xterm", "COLUMNS": "100"}  # fmt: skip
    env.pop("XRNTX_GUIDE_DEBUG", None)
    return pexpect.spawn(
        str(EXE),
        ["--label", label, "--answers", str(path), "--site", str(SITE), "--plain",
         "--now", now],
        env=env, encoding="utf-8", timeout=15, dimensions=(50, 100),
    )  # fmt: skip


def test_a_rating_time_with_an_offset_at_the_day_prompt_is_not_exit_70(tmp_path: Path) -> None:
    """Day 1: COWS 3 at 08:00, then COWS 2 at '09:00+05:00'. parse_time accepts the
    offset (dt.time.fromisoformat); derive then compared an aware and a naive time:
    TypeError, exit 70 in the middle of a care walk. Times are now stored with their
    offsets (invariant 8): the time is accepted as that instant, or refused at the prompt
    (after now), never exit 70."""
    child = on_the_pathway(tmp_path, "RD", f"{DAY1.isoformat()}T23:30")
    try:
        for pattern, text in (
            (P_DATE, ""), (P_DAY, ""), (P_DAY_DATE, ""), (P_GIVEN, ""), (P_NALTREXONE, "no"),
            (P_TOLERATED, "yes"),
            (P_COWS, "3"), (P_TIME, "08:00"), (P_COWS, "2"), (P_TIME, "09:00+05:00"),
        ):  # fmt: skip
            child.expect(pattern)
            child.sendline(text)
        index = child.expect([P_TIME, r"internal error", pexpect.EOF, P_COWS])
        seen = str(child.before) + str(child.after)
        assert index in (0, 3), seen
        if index == 3:  # accepted: then the record must still be readable
            child.sendline("")
            index = child.expect([r"Note \[Enter to skip\]: ", r"internal error", pexpect.EOF])
            assert index == 0, str(child.before)
            child.sendline("")
            index = child.expect([r"internal error", r"Command \[", pexpect.EOF, r"\]: "])
            assert index != 0, str(child.before)
    finally:
        child.close(force=True)


def test_back_in_the_day_dialog_goes_back_within_it(tmp_path: Path) -> None:
    """'back' past the dialog's first prompt starts the day's record over (nothing
    recorded), never leaving it for an answer far behind (it went to the injection date);
    at its first prompt it leaves the dialog, and the walk goes back from there."""
    child = on_the_pathway(tmp_path, "RB", f"{DAY1.isoformat()}T23:30")
    try:
        child.expect(P_DATE)
        child.sendline("")
        child.expect(P_DAY)
        child.sendline("")
        child.expect(P_DAY_DATE)
        child.sendline("back")
        child.expect(r"Back to the start of the day's record: nothing is recorded yet\.")
        child.expect(P_DAY)  # the dialog again, not the walk's previous answer
        assert "Date of the injection" not in str(child.before)
        child.sendline("back")
        child.expect(r"The day was not recorded\.")
        # Out of the dialog: the walk goes back one answer from the pathway's record (the
        # only one typed here, the injection date: the rest came from the file).
        index = child.expect([P_DAY, P_DATE, pexpect.EOF])
        assert index == 1, str(child.before)
        child.sendline("quit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)


def test_correcting_a_days_date_says_what_becomes_of_its_ratings(tmp_path: Path) -> None:
    """A correction that moves a day to another date puts the date of the ratings recorded
    under the date before in doubt (visit/rapid.py): the dialog says how they are read,
    and asks for the new date's ratings."""
    days = [
        {"day": 1, "date": DAY1.isoformat(), "given": "buprenorphine", "tolerated": True,
         "naltrexone_given": False, "cows": [{"time": "09:00", "total": 3}]},
    ]  # fmt: skip
    later = DAY1 + dt.timedelta(days=1)
    child = on_the_pathway(tmp_path, "RC", f"{later.isoformat()}T10:00", days)
    try:
        child.expect(P_DATE)
        child.sendline("")
        child.expect(r"\]: ")
        child.sendline("day")
        child.expect(P_DAY)
        child.sendline("1")
        child.expect(r"Add to day 1, or correct it\? \[Enter: add / correct\]: ")
        child.sendline("correct")
        child.expect(P_DAY_DATE)
        child.sendline(later.isoformat())
        child.expect(
            wrapping(
                rf"The COWS ratings recorded under {DAY1.isoformat()} now have their date in "
                r"doubt: withdrawal counts on both dates, a calm rating on neither\. Give below "
                rf"any rating taken on {later.isoformat()}\."
            )
        )
        child.expect(P_GIVEN)
        child.sendline("quit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)


def on_day_3(tmp_path: Path, label: str) -> pexpect.spawn[str]:
    """A walk on day 3 of the pathway at 10:00, days 1-3 recorded with a COWS 3 at 09:00
    each, at its first prompt after the injection date (Enter: today)."""
    today = DAY1 + dt.timedelta(days=2)
    days = [
        {"day": n, "date": (DAY1 + dt.timedelta(days=n - 1)).isoformat(), "given": "as directed",
         "tolerated": True, "naltrexone_given": n == 3, "cows": [{"time": "09:00", "total": 3}]}
        for n in (1, 2, 3)
    ]  # fmt: skip
    child = on_the_pathway(tmp_path, label, f"{today.isoformat()}T10:00", days)
    child.expect(P_DATE)
    child.sendline("")
    child.expect(r"\]: ")
    return child


def test_a_days_rating_corrected_at_its_own_time_asks_for_a_later_rating(
    tmp_path: Path,
) -> None:
    """The visit day's 09:00 rating, recorded as 3, is corrected in the dialog with
    another total at 09:00: the visit's series took the 09:00 rating with the day and never
    replaces one at its time, so the dialog asks the time again, naming the way that is
    taken (the patient rated again at a later time), never a series correction or 'edit',
    which point back here. The rating at its own time is taken."""
    child = on_day_3(tmp_path, "RT")
    try:
        child.sendline("day")
        child.expect(P_DAY)
        child.sendline("3")
        child.expect(r"Add to day 3, or correct it\? \[Enter: add / correct\]: ")
        child.sendline("correct")
        for pattern in (P_DAY_DATE, P_GIVEN, r"oral naltrexone given\?[^\n]*: ",
                        r"tolerated\?[^\n]*: "):  # fmt: skip
            child.expect(pattern)
            child.sendline("")
        child.expect(P_COWS)
        child.sendline("12")
        child.expect(P_TIME)
        child.sendline("09:00")
        child.expect(P_TIME)
        said = " ".join(str(child.before).split())
        assert "Rate the patient again" in said and "later time" in said, said
        assert "'edit'" not in said and "'corrects'" not in said, said
        child.sendline("09:45")
        child.expect(r"COWS 12 at 09:45")
        child.expect(P_COWS)
        child.sendline("")
        child.expect(r"Note \[Enter to skip\]: ")
        child.sendline("")
        child.expect(r"Why is day 3 corrected \(required\): ")
        child.sendline("typed 3 for 12, rated again")
        child.expect(r"gate withdrawal: passes -> fails")
        child.sendline("quit")
    finally:
        child.close(force=True)


def test_edit_of_the_days_rating_points_to_the_day_dialog(tmp_path: Path) -> None:
    """On the pathway the visit day's COWS ratings are the day record's: 'edit cows_total'
    (docs/clinicians.md: 'edit' points there) names the day dialog's 'correct', never
    "not an answered key"."""
    child = on_day_3(tmp_path, "RE")
    try:
        child.sendline("edit cows_total")
        child.expect(r"\]: ")
        said = " ".join(str(child.before).split())
        assert "comes from the pathway's day record" in said, said
        assert "'day'" in said and "'correct'" in said, said
        assert "not an answered key" not in said, said
        child.sendline("quit")
    finally:
        child.close(force=True)
