"""Safety invariant 9, as a clinician types it in a real terminal: a positive naloxone
challenge, Enter at the rechallenge (none done yet), the walk resumed the next morning
inside the window, a negative rechallenge recorded with its own observation timer, and
the visit decided.

The installed ``xrntx-guide`` runs in a pseudo-terminal (:mod:`pexpect`). The 20-minute
observation is a real minimum in care: the walk is a training run (``--demo-clock``, as
the other terminal tests time the challenge), which its resume keeps. Clinical numbers
(the window, the observation) are read from the shipped pack, never restated here.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pexpect
import pytest

from tests.helpers import EXE, TODAY, stored_sessions, wrapping
from xrntx_guide.pack.load import load_guide

pytestmark = pytest.mark.skipif(not EXE.exists(), reason=f"{EXE} is not installed")

TOMORROW = TODAY + dt.timedelta(days=1)
YES_NO = r"\(yes/no\)"
CHOICE = r"\(number or value\)"
DEFAULT = r"(?: \[[^\]\n]*\])?"


@cache
def window_hours() -> float:
    return float(load_guide().setting_values["naloxone_rechallenge_window_hours"])


@cache
def takes_now() -> bool:
    """Whether this build has ``--now`` (one clock for the visit): the next morning is
    then a time of day; with ``--today`` alone, only the date is fixed."""
    out = subprocess.run([str(EXE), "walk", "--help"], capture_output=True, text=True, check=False)
    return "--now" in out.stdout


def clock(day: dt.date, hour: int) -> list[str]:
    """The visit clock at ``hour`` o'clock on ``day``."""
    if takes_now():
        return ["--now", dt.datetime.combine(day, dt.time(hour)).isoformat(timespec="minutes")]
    return ["--today", day.isoformat()]


class Terminal:
    """One run of the program in a pty, everything it printed kept."""

    def __init__(self, home: Path, *args: str) -> None:
        env = {**os.environ, "XRNTX_GUIDE_HOME": str(home), "NO_COLOR": "1", "TERM": "xterm"}
        env["COLUMNS"] = "100"
        env.pop("XRNTX_GUIDE_DEBUG", None)
        self.log = io.StringIO()
        self.child = pexpect.spawn(
            str(EXE),
            [*args, "--plain"],
            env=env,
            encoding="utf-8",
            timeout=20,
            dimensions=(50, 100),
        )
        self.child.logfile_read = self.log

    @property
    def output(self) -> str:
        return self.log.getvalue().replace("\r\n", "\n")

    def type(self, prompt: str, text: str) -> None:
        self.child.expect(wrapping(prompt))
        self.child.sendline(text)

    def finish(self) -> int:
        self.child.expect(pexpect.EOF)
        self.child.close()
        assert "Traceback" not in self.output and "internal error" not in self.output
        assert self.child.exitstatus is not None, self.output
        return self.child.exitstatus


@pytest.fixture
def terminals(tmp_path: Path) -> Iterator[list[Terminal]]:
    opened: list[Terminal] = []
    yield opened
    for t in opened:
        if t.child.isalive():
            t.child.terminate(force=True)


SCREENS = [
    (rf"Urine screen: {assay} {CHOICE}: ", "negative")
    for assay in ("opiates", "fentanyl", "buprenorphine", "methadone", "oxycodone")
]
P_PREGNANCY = rf"Pregnancy test {CHOICE}: "
P_COWS = r"COWS total \(0-48\)[^\n]*: "
P_CHALLENGE = rf"Naloxone challenge result {CHOICE}: "
# The long prompt may wrap at the terminal's width: anything up to its end.
P_RECHALLENGE = r"Naloxone rechallenge result[\s\S]{0,160}?\[Enter to skip\]: "
P_BLOCKED = r"Command \[back / edit / review / why / (?:rate again / )?(?:day / )?quit\]: "


def test_a_positive_challenge_resumed_the_next_morning_is_decided_by_a_negative_rechallenge(
    tmp_path: Path, terminals: list[Terminal]
) -> None:
    home = tmp_path / "home"

    # Day 1, afternoon: ten days after heroin, the challenge is required; it is positive.
    first = Terminal(home, "walk", "--demo-clock", "600", *clock(TODAY, 16))
    terminals.append(first)
    for prompt, text in [
        (r"Patient label, not a name \[[^\]\n]*\]: ", "RC-1"),
        (rf"Which visit is this\? {CHOICE}{DEFAULT}: ", "1"),
        (r"Date of the injection [^\n]*: ", ""),
        (rf"opioid use disorder diagnosis confirmed\? {YES_NO}{DEFAULT}: ", "y"),
        (rf"Last opioid used {CHOICE}{DEFAULT}: ", "short_acting"),
        (r"Date of last use of any opioid [^\n]*: ", "10 days ago"),
        (rf"fentanyl among the opioids used in the last 30 days\? {YES_NO}: ", "n"),
        (rf"pain expected to need opioids\? {YES_NO}: ", "n"),
        (rf"Known hypersensitivity to naltrexone[^\n]*\? {YES_NO}: ", "n"),
        (r"Age in years \(whole number\): ", "34"),
        (P_PREGNANCY, "not_applicable"),
        (rf"Breastfeeding\? {YES_NO}: ", "n"),
        (rf"Signs of acute hepatitis\? {YES_NO}: ", "n"),
        (r"Highest of ALT and AST[^\n]*\(number\): ", "1.2"),
        (rf"severe hepatic impairment\? {YES_NO}: ", "n"),
        (rf"anticoagulant therapy\? {YES_NO}: ", "n"),
        (rf"depression or suicidal thoughts\? {YES_NO}: ", "n"),
        (rf"Elective surgery planned within 28 days after this injection\? {YES_NO}: ", "n"),
        (rf"Medication Guide given to the patient\? {YES_NO}: ", "y"),
        (rf"Informed consent recorded\? {YES_NO}: ", "y"),
        (rf"Overdose risk counselled\? {YES_NO}: ", "y"),  # before the injection (3.5)
        (rf"reversal agent discussed and offered\? {YES_NO}: ", "y"),
        (rf"Evidence of abstinence over the period {CHOICE}: ", "supervised"),
        *SCREENS,
        (P_COWS, "1"),
        (P_CHALLENGE, "start"),
        (P_CHALLENGE, "positive"),  # a positive is recorded at once
        (P_RECHALLENGE, ""),  # Enter: no rechallenge done yet
        (P_BLOCKED, "quit"),
    ]:
        first.type(prompt, text)
    assert first.finish() == 1, first.output  # blocked: the positive challenge stands

    # Day 2, the next morning, inside the window: the rechallenge is asked again.
    second = Terminal(home, "walk", "--resume", "--label", "RC-1", *clock(TOMORROW, 8))
    terminals.append(second)
    second.child.expect(r"was positive: it stands")
    for prompt, text in [(P_PREGNANCY, "not_applicable"), *SCREENS, (P_COWS, "1")]:
        second.type(prompt, text)
    second.type(P_RECHALLENGE, "negative")  # before its own timer started: refused
    second.child.expect(r"has not started")
    second.child.sendline("start")
    second.child.expect(r"timer started")
    second.type(P_RECHALLENGE, "wait")
    second.child.expect(r"the minimum observation is over")
    second.type(P_RECHALLENGE, "negative")
    second.child.expect(r"hours after the positive challenge")
    for prompt, text in [
        (rf"Kit stored within limits[^\n]*\? {YES_NO}: ", "y"),
        (rf"Body habitus over the gluteal muscle {CHOICE}: ", "average"),
        (rf"Was the injection given\? {YES_NO}: ", "y"),
        (rf"Side injected {CHOICE}: ", "left"),
        (rf"Administration needle used {CHOICE}: ", "2-inch"),
        (r"Kit lot number \[Enter to skip\]: ", ""),
        (r"Minutes observed after the injection \(whole number\): ", "30"),
        (rf"Wallet card or medical alert given\? {YES_NO}: ", "y"),
        (r"Press Enter when done: ", ""),
    ]:
        second.type(prompt, text)
    second.child.expect(r"--- Summary: ")
    assert second.finish() == 0, second.output

    (path,) = stored_sessions()
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["status"] == "complete"
    kept = [(c["kind"], c["result"]) for c in record["naloxone_challenges"]]
    assert kept == [("challenge", "positive"), ("rechallenge", "negative")]
    positive, again = (dt.datetime.fromisoformat(c["at"]) for c in record["naloxone_challenges"])
    assert again - positive <= dt.timedelta(hours=window_hours())
    assert record["naloxone_challenges"][1]["started"] is not None  # its own timer
