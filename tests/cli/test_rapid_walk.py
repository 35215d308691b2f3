"""The rapid pathway's day dialog, driven for real in a pseudo-terminal.

Each test spawns the installed ``xrntx-guide`` with an answers file that carries the patient
up to the pathway's record, and types the days as a clinician would. The site table is the
scenarios' example site file; the day the gate waits for is read from it, never restated.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pexpect
import pytest

from tests.helpers import EXE, json_answers, ready_patient, stored_sessions
from xrntx_guide.pack.load import load_guide

pytestmark = pytest.mark.skipif(not EXE.exists(), reason=f"{EXE} is not installed")

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "scenarios" / "_site-rapid-protocol.toml"
DAY1 = dt.date(2026, 11, 22)

P_DATE = r"Date of the injection [^\n]*: "
P_DAY = r"Day of the protocol \(number\) \[(\d+)\]: "
P_DAY_DATE = r"Date of day \d+ [^\n]*\[([0-9-]+)\]: "
P_GIVEN = r"What was given on day \d+[^\n]*: "
P_NALTREXONE = r"oral naltrexone given\? \(yes/no\) \[Enter: [^\]\n]*\]: "
P_TOLERATED = r"doses given and tolerated\? \(yes/no\) \[Enter: [^\]\n]*\]: "
P_COWS = r"Day \d+ COWS total[^\n]*\[Enter: (?:none|no other)\]: "
P_TIME = r"Time of the rating \(HH:MM\)[^\n]*: "
P_CONFIRM = r"Is day \d+ the protocol's injection day\?[^\n]*: "
P_ADD = r"Add to day \d+, or correct it\? \[Enter: add / correct\]: "
P_REASON = r"Why is day \d+ corrected \(required\): "
P_NOTE = r"Note \[Enter to skip\]: "
P_BLOCKED = r"Command \[back / edit / review / why / (?:rate again / )?(?:day / )?quit\]: "
P_RECORD = r"Record a day\? Enter or 'day' to record one, or quit: "
P_UDS = r"Urine screen: opiates [^\n]*: "
P_PREGNANCY = r"Pregnancy test [^\n]*: "
P_ANY_PROMPT = (
    r"(?:Command \[back / edit / review / why / (?:rate again / )?(?:day / )?quit\]"
    r"|Pregnancy test [^\n]*): "
)
INJECTION_STEP = "Giving the injection"


def injection_day() -> int:
    table = load_guide(ROOT / "steps", SITE).rapid_protocol
    assert table is not None
    return next(t.day for t in table if t.injection)


def case(tmp_path: Path, days: int = 0, **changes: Any) -> str:
    """The patient up to the pathway's record (no screen, COWS or challenge yet), with
    ``days`` days of the record already kept (from day 1 on DAY1)."""
    answers = ready_patient(
        last_opioid_use=DAY1,
        pathway="supervised_rapid",
        rapid_supervised_setting=True,
        rapid_protocol_on_file=True,
        uds_opiates=None,
        uds_fentanyl=None,
        uds_buprenorphine=None,
        uds_methadone=None,
        uds_oxycodone=None,
        cows_total=None,
        naloxone_challenge=None,
        kit_storage_ok=None,
        body_habitus=None,
        **changes,
    )
    data: dict[str, Any] = json_answers({k: v for k, v in answers.items() if v is not None})
    if days:
        data["rapid_days"] = [
            {
                "day": n,
                "date": (DAY1 + dt.timedelta(days=n - 1)).isoformat(),
                "given": "as the site's protocol directs",
                "tolerated": True,
                "naltrexone_given": 3 <= n <= 6,  # the example site's oral naltrexone days
                "cows": [{"time": "09:00", "total": 2}],
            }
            for n in range(1, days + 1)
        ]
    path = tmp_path / "case.json"
    path.write_text(json.dumps(data))
    return str(path)


class Run:
    def __init__(self, home: Path, today: dt.date, *args: str) -> None:
        env = {
            **os.environ,
            "XRNTX_GUIDE_HOME": str(home),
            "NO_COLOR": "1",
            "TERM": "xterm",
            "COLUMNS": "100",
        }
        env.pop("XRNTX_GUIDE_DEBUG", None)
        self.home = home
        self.child = pexpect.spawn(
            str(EXE),
            # Late on the day: the times typed that day are before the visit's clock.
            [*args, "--plain", "--now", f"{today.isoformat()}T23:30"],
            env=env,
            encoding="utf-8",
            timeout=15,
            dimensions=(50, 100),
        )
        self.log: list[str] = []

    def expect(self, pattern: str) -> str:
        self.child.expect(pattern)
        self.log.append(str(self.child.before) + str(self.child.after))
        return str(self.child.before)

    def answer(self, pattern: str, text: str) -> str:
        before = self.expect(pattern)
        self.child.sendline(text)
        return before

    @property
    def output(self) -> str:
        return "".join(self.log).replace("\r\n", "\n")

    def finish(self) -> int:
        self.child.expect(pexpect.EOF)
        self.log.append(str(self.child.before))
        self.child.close()
        assert "Traceback" not in self.output, self.output
        assert self.child.exitstatus is not None
        return self.child.exitstatus

    def session(self) -> dict[str, Any]:
        (path,) = sorted(stored_sessions())
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data


def record_day(
    w: Run,
    date: str = "",
    tolerated: str = "y",
    cows: str = "1",
    time: str = "08:00",
    naltrexone: str = "n",
) -> str:
    """The dialog from the day prompt to the note; returns what it showed after the day."""
    w.answer(P_DAY, "")
    w.answer(P_DAY_DATE, date)
    w.answer(P_GIVEN, "")
    w.answer(P_NALTREXONE, naltrexone)
    w.answer(P_TOLERATED, tolerated)
    w.answer(P_COWS, cows)
    w.answer(P_TIME, time)
    w.answer(P_COWS, "")
    w.answer(P_NOTE, "")
    return w.expect(P_BLOCKED)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def test_a_day_is_recorded_at_the_prompt_saved_at_once_and_a_future_date_is_refused(
    tmp_path: Path, home: Path
) -> None:
    w = Run(home, DAY1, "--label", "R1", "--answers", case(tmp_path), "--site", str(SITE))
    try:
        w.answer(P_DATE, "")
        # The commands listed at the start have no 'day': the walk says it once.
        assert w.output.count("'day' at any prompt records a day") == 1, w.output
        w.answer(P_DAY, "")  # day 1: the next after none
        w.answer(P_DAY_DATE, (DAY1 + dt.timedelta(days=1)).isoformat())
        refused = w.answer(P_DAY_DATE, "")
        assert "after today" in refused, refused
        w.answer(P_GIVEN, "")  # the site table's text for day 1
        w.answer(P_NALTREXONE, "n")
        w.answer(P_TOLERATED, "yes")
        w.answer(P_COWS, "3")
        w.answer(P_TIME, "09:15")
        w.answer(P_COWS, "")
        w.answer(P_NOTE, "first day on the unit")
        shown = w.expect(P_BLOCKED)
        # Saved as soon as it was recorded, before anything else is typed.
        kept = w.session()["rapid_days"]
        assert [(d["day"], d["date"], d["tolerated"]) for d in kept] == [
            (1, DAY1.isoformat(), True)
        ]
        (rating,) = kept[0]["cows"]
        assert (rating["total"], rating["items"]) == (3, None), rating
        when = dt.time.fromisoformat(rating["time"])  # kept with its offset on that day
        assert when.tzinfo is not None and when.replace(tzinfo=None) == dt.time(9, 15), rating
        assert "Buprenorphine" in kept[0]["given"]  # the site table's words
        assert "Day 1 recorded" in shown and "3 at 09:15" in shown
        # An on-track day reads as such (not a contraindication box), with what is due.
        assert f"day 1 of {injection_day()}, on track; injection day" in shown, shown
        assert "CONTRAINDICATION" not in shown and "Due today" in shown
        assert "Type 'day'" in shown
        w.child.sendline("quit")
        assert w.finish() == 1
    finally:
        w.child.terminate(force=True)
    assert INJECTION_STEP not in w.output


def test_the_dialog_cannot_make_the_gate_pass_before_the_injection_day(
    tmp_path: Path, home: Path
) -> None:
    """Day 6 of a 7-day table recorded at the prompt blocks; so does a 'day 7' typed on
    day 6's date. On day 7 itself, recorded again, the gate passes and the walk goes on
    to the urine screen."""
    last = injection_day()
    day6 = DAY1 + dt.timedelta(days=last - 2)
    answers = case(tmp_path, days=last - 2)
    w = Run(home, day6, "--label", "R2", "--answers", answers, "--site", str(SITE))
    try:
        w.answer(P_DATE, "")
        w.answer(P_BLOCKED, "day")
        shown = record_day(w, naltrexone="y")
        assert f"day {last - 1} of {last}, on track; injection day" in shown, shown
        w.child.sendline("day")
        w.answer(P_DAY, str(last))  # the injection day, typed a day early
        w.answer(P_DAY_DATE, "")
        warned = w.answer(P_GIVEN, "")
        assert f"falls on {(day6 + dt.timedelta(days=1)).isoformat()}" in warned, warned
        w.answer(P_NALTREXONE, "n")
        w.answer(P_TOLERATED, "y")
        w.answer(P_COWS, "0")
        w.answer(P_TIME, "08:30")
        w.answer(P_COWS, "")
        w.answer(P_NOTE, "")
        blocked = w.expect(P_BLOCKED)
        assert "gate rapid_pathway: fails" in blocked, blocked
        assert P_CONFIRM[:10] not in w.output  # a site table names the day: never asked
        w.child.sendline("quit")
        assert w.finish() == 1
    finally:
        w.child.terminate(force=True)
    assert "Urine screen" not in w.output and INJECTION_STEP not in w.output
    assert w.session()["gates"]["rapid_pathway"] == "fail"

    # The next morning, the injection day: the screen says so; day 7 recorded on its date.
    day7 = day6 + dt.timedelta(days=1)
    w = Run(home, day7, "walk", "--resume", "--label", "R2")
    try:
        first = w.answer(P_ANY_PROMPT, "day")  # 'day' at whichever prompt comes first
        assert f"day {last} of the protocol" in first and "injection day" in first, first
        w.answer(P_DAY, str(last))
        # Day 7 is recorded (a day early): never replaced; corrected, with why.
        w.answer(P_ADD, "correct")
        w.answer(P_DAY_DATE, "today")
        w.answer(P_GIVEN, "")
        w.answer(P_NALTREXONE, "n")
        w.answer(P_TOLERATED, "y")
        w.answer(P_COWS, "1")
        w.answer(P_TIME, "08:00")
        w.answer(P_COWS, "")
        w.answer(P_NOTE, "")
        w.answer(P_REASON, "recorded a day early by mistake")
        assert "[Enter: yes, as recorded]" in w.output  # a correction offers what was
        # On, past the gate: the urine screen (or first the pregnancy test, which counts
        # only for its own day and so is asked again on a new day).
        passed = w.expect(f"(?:{P_UDS}|{P_PREGNANCY})")
        assert "gate rapid_pathway: passes" in passed, passed
        w.child.sendline("quit")
        w.finish()
    finally:
        w.child.terminate(force=True)
    kept = [d for d in w.session()["rapid_days"] if d["day"] == last]
    assert len(kept) == 2 and kept[1]["corrects"] == last  # both entries stay
    assert kept[1]["reason"] == "recorded a day early by mistake"


def test_without_a_site_table_the_injection_day_counts_only_when_typed(
    tmp_path: Path, home: Path
) -> None:
    w = Run(home, DAY1, "--label", "R3", "--answers", case(tmp_path))
    try:
        w.answer(P_DATE, "")
        w.answer(P_DAY, "")
        w.answer(P_DAY_DATE, "")
        w.answer(P_GIVEN, "")  # no table, no default: refused
        w.answer(P_GIVEN, "as the site's protocol directs")
        w.answer(P_NALTREXONE, "n")
        w.answer(P_TOLERATED, "y")
        w.answer(P_COWS, "2")
        w.answer(P_TIME, "09:00")
        w.answer(P_COWS, "")
        w.answer(P_CONFIRM, "")  # Enter: not confirmed
        w.answer(P_NOTE, "")
        undecided = w.expect(P_RECORD)
        assert "not known from the record yet" in undecided, undecided
        assert w.session()["rapid_days"][0].get("injection_day") is None
        # Never passed: one day has no day of oral naltrexone before it.
        assert w.session()["gates"]["rapid_pathway"] in ("unknown", "fail")
        w.child.sendline("")
        w.answer(P_DAY, "1")
        w.answer(P_ADD, "")  # add to day 1 what it does not record yet
        w.answer(P_COWS, "")
        w.answer(P_CONFIRM, "yes")
        w.answer(P_NOTE, "")
        # Confirmed, it counts; but day 1 (the buprenorphine day) is never the injection
        # day: the days of oral naltrexone come first (the pack's setting).
        blocked = w.expect(P_BLOCKED)
        assert "gate rapid_pathway: fails" in blocked and "oral naltrexone" in blocked, blocked
        assert [d.get("injection_day") for d in w.session()["rapid_days"]] == [None, True]
        w.child.sendline("quit")
        w.finish()
    finally:
        w.child.terminate(force=True)
    assert "say what was given" in w.output


def test_the_resume_screen_names_the_day_for_rapid_patients_only(
    tmp_path: Path, home: Path
) -> None:
    standard = tmp_path / "standard.json"
    answers = ready_patient(cows_total=None)
    standard.write_text(
        json.dumps(json_answers({k: v for k, v in answers.items() if v is not None}))
    )
    w = Run(home, DAY1, "--label", "S", "--answers", str(standard))
    try:
        w.answer(P_DATE, "")
        w.answer(r"COWS total[^\n]*: ", "quit")
        w.finish()
        w = Run(home, DAY1 + dt.timedelta(days=1), "walk", "--resume", "--label", "S")
        w.answer(r"[\])?]: ", "quit")  # whichever question comes first
        w.finish()
    finally:
        w.child.terminate(force=True)
    assert "Rapid pathway," not in w.output


def test_two_ratings_at_one_time_in_a_day_are_refused_at_the_time_prompt(tmp_path: Path) -> None:
    """The second rating's time is refused at its own prompt and asked again (one rating
    per time: the gate reads the day's latest); the walk never stops with exit 70."""
    run = Run(tmp_path / "home", DAY1, "--label", "T2", "--answers", case(tmp_path),
              "--site", str(SITE))  # fmt: skip
    try:
        for pattern, text in (
            (P_DATE, ""), (P_DAY, ""), (P_DAY_DATE, ""), (P_GIVEN, ""), (P_NALTREXONE, "no"),
            (P_TOLERATED, "yes"), (P_COWS, "1"), (P_TIME, "08:30"), (P_COWS, "9"),
            (P_TIME, "08:30"),
        ):  # fmt: skip
            run.answer(pattern, text)
        before = run.answer(P_TIME, "08:45")
        assert "08:30" in before and "another rating" in before
        run.answer(P_COWS, "")
        run.answer(P_NOTE, "")
        run.expect(r"Day 1 recorded")
    finally:
        run.child.close(force=True)
    assert "internal error" not in run.output


def test_enter_at_each_prompt_of_the_day_says_what_it_recorded(tmp_path: Path, home: Path) -> None:
    """Enter at the dialog's prompts takes what the prompt offers, and says so where it is
    taken, as the walk's questions do (``Enter -> ...``): what the screen says is what the
    record keeps."""
    w = Run(home, DAY1, "--label", "R9", "--answers", case(tmp_path), "--site", str(SITE))
    try:
        w.answer(P_DATE, "")
        steps = (P_DAY, P_DAY_DATE, P_GIVEN, P_NALTREXONE, P_TOLERATED, P_COWS, P_NOTE)
        for pattern in steps:
            w.answer(pattern, "")
        # The day again: Enter adds to it, and a rating's time is the clock's.
        w.answer(P_RECORD, "day")
        w.answer(P_DAY, "1")
        w.answer(P_ADD, "")
        w.answer(P_NALTREXONE, "")  # asked again: not recorded yet
        w.answer(P_TOLERATED, "")
        w.answer(P_COWS, "2")
        w.answer(P_TIME, "")
        w.answer(P_COWS, "")
        w.answer(P_NOTE, "")
        w.expect(f"{P_RECORD}|{P_BLOCKED}")
        kept = w.session()["rapid_days"]
        w.child.sendline("quit")
        w.finish()
    finally:
        w.child.terminate(force=True)
    dialog = w.output.split("Record a day of the rapid pathway", 1)[1]
    echoes = [line.strip() for line in dialog.splitlines() if line.strip().startswith("Enter ->")]
    first, added = kept[0], kept[-1]
    assert echoes == [
        "Enter -> day 1",
        f"Enter -> {first['date']}",
        "Enter -> the site table's text",
        "Enter -> not recorded yet",
        "Enter -> not recorded yet",
        "Enter -> no rating",
        "Enter -> skipped",
        "Enter -> add to day 1",
        "Enter -> not recorded yet",
        "Enter -> not recorded yet",
        f"Enter -> {dt.time.fromisoformat(added['cows'][0]['time']).strftime('%H:%M')}",
        "Enter -> no other rating",
        "Enter -> skipped",
    ], w.output
    assert first["date"] == DAY1.isoformat()
    assert (first["naltrexone_given"], first["tolerated"], first["cows"], first["note"]) == (
        None,
        None,
        [],
        None,
    )
    assert "Buprenorphine" in first["given"]
