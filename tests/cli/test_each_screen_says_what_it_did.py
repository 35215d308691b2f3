"""What a clinician sees says what the program did: a default taken with Enter is shown
with its value; a warning of a resumed walk comes after the banner, where it is read; a
visit that ended the treatment says so at the end, not "Resume"; a repeat visit of a
patient (the same label, as expected) is not worded as a mistake; the record's footnote
takes one line; and the emergency card of a treatment that ended does not say the
injections go on.

The interactive screens run the installed ``xrntx-guide`` in a pseudo-terminal
(:mod:`pexpect`); the others run the app in-process.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pexpect
import pytest

from tests.helpers import (
    EXE,
    TODAY,
    Run,
    after_injection,
    answer_flags,
    days_ago,
    flat,
    ready_patient,
    wrapping,
)
from xrntx_guide.errors import ExitCode
from xrntx_guide.pack.guide import Guide

needs_exe = pytest.mark.skipif(not EXE.exists(), reason=f"{EXE} is not installed")

CHOICE = r"\(number or value\)"
DEFAULT = r"(?: \[[^\]\n]*\])?"


class Terminal:
    """One run of the program in an 80-column pty, everything it printed kept."""

    def __init__(self, home: Path, *args: str) -> None:
        env = {**os.environ, "XRNTX_GUIDE_HOME": str(home), "NO_COLOR": "1", "TERM": "xterm"}
        env["COLUMNS"] = "80"
        env.pop("XRNTX_GUIDE_DEBUG", None)
        self.log = io.StringIO()
        self.child = pexpect.spawn(
            str(EXE), [*args, "--plain"], env=env, encoding="utf-8", timeout=20, dimensions=(30, 80)
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
        assert "Traceback" not in self.output, self.output
        assert self.child.exitstatus is not None, self.output
        return self.child.exitstatus


@pytest.fixture
def terminals() -> Iterator[list[Terminal]]:
    opened: list[Terminal] = []
    yield opened
    for t in opened:
        if t.child.isalive():
            t.child.terminate(force=True)


def unattended(home: Path, label: str, *args: str) -> dict[str, Any]:
    """An unattended walk of the installed program, into ``home``; its JSON result."""
    import subprocess

    env = {**os.environ, "XRNTX_GUIDE_HOME": str(home), "NO_COLOR": "1"}
    out = subprocess.run(
        [str(EXE), "walk", "--no-input", "--json", "--label", label, *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert out.returncode in (ExitCode.OK, ExitCode.BLOCKED), out.stderr
    return dict(json.loads(out.stdout))


END_OF_TREATMENT = {
    "visit": "repeat_injection",
    "last_injection_date": days_ago(28),
    "last_injection_side": "right",
    "opioid_use_since_last_injection": False,
    "end_of_treatment": True,
    "end_of_treatment_reason": "switch_to_agonist",
    "agonist_after_naltrexone": "buprenorphine",
    "end_overdose_counselled": True,
    "end_reversal_agent_prescribed": True,
}


# -- in a terminal ---------------------------------------------------------------------------


@needs_exe
def test_enter_at_a_default_shows_the_value_taken(
    tmp_path: Path, terminals: list[Terminal]
) -> None:
    t = Terminal(tmp_path / "home", "walk", "--label", "D-1", "--today", TODAY.isoformat())
    terminals.append(t)
    t.type(rf"Which visit is this\? {CHOICE}{DEFAULT}: ", "1")
    t.type(r"Date of the injection [^\n]*: ", "")
    t.child.expect(rf"-> {TODAY.isoformat()}")
    t.child.sendline("quit")
    t.finish()


@needs_exe
def test_a_resumed_walk_says_its_warnings_after_the_banner(
    tmp_path: Path, terminals: list[Terminal]
) -> None:
    home = tmp_path / "home"
    yesterday = TODAY - dt.timedelta(days=1)
    answers = ready_patient(
        cows_total=1, naloxone_challenge="positive", last_opioid_use=days_ago(14)
    )
    unattended(home, "RC-1", "--now", f"{yesterday.isoformat()}T16:00", *answer_flags(answers))

    t = Terminal(home, "walk", "--resume", "--label", "RC-1", "--now", f"{TODAY}T08:00")
    terminals.append(t)
    t.child.expect(wrapping(rf"Pregnancy test {CHOICE}: "))
    shown = flat(t.output)
    banner = shown.index("Resuming 'RC-1'")
    assert "was positive: it stands" in shown[banner:], shown
    assert "visit moves from" in shown[banner:], shown
    t.child.sendline("quit")
    t.finish()


@needs_exe
def test_a_visit_that_ended_the_treatment_says_so_when_left(
    tmp_path: Path, terminals: list[Terminal]
) -> None:
    home = tmp_path / "home"
    args = ["walk", "--label", "E-1", "--today", TODAY.isoformat()]
    t = Terminal(home, *args, *answer_flags(END_OF_TREATMENT))
    terminals.append(t)
    t.type(r"Date of the injection [^\n]*: ", "")
    t.type(r"Comment on the end of treatment[^\n]*: ", "")
    t.type(r"Command \[[^\]\n]*\]: ", "quit")
    assert t.finish() == ExitCode.BLOCKED
    left = flat(t.output[t.output.rindex("Command [") :])
    assert "ended the treatment" in left, left
    assert "Resume with" not in left, left


@needs_exe
def test_a_visit_that_ends_the_treatment_is_not_announced_as_a_failing_gate(
    tmp_path: Path, terminals: list[Terminal], guide: Guide
) -> None:
    heading = guide.gate("end_of_treatment").spec.heading
    assert heading
    args = ["walk", "--label", "E-2", "--today", TODAY.isoformat()]
    t = Terminal(tmp_path / "home", *args, *answer_flags(END_OF_TREATMENT))
    terminals.append(t)
    t.child.expect(wrapping(r"Date of the injection [^\n]*: "))
    said = flat(t.output)
    assert "already fails" not in said, said
    assert heading.lower() in said.lower(), said
    t.child.sendline("quit")
    t.finish()


# -- in-process ------------------------------------------------------------------------------


def walk_on(run: Run, label: str, day: dt.date, answers: dict[str, Any]) -> Any:
    return run(
        "walk", "--no-input", "--label", label, "--today", day.isoformat(), *answer_flags(answers)
    )


def test_a_repeat_visit_of_a_label_is_not_worded_as_a_mistake(run: Run) -> None:
    first = days_ago(28)
    walk_on(run, "pat", first, after_injection(last_opioid_use=first - dt.timedelta(days=14)))

    again = walk_on(
        run,
        "pat",
        TODAY,
        after_injection(
            visit="repeat_injection",
            opioid_use_since_last_injection=False,
            last_opioid_use=first - dt.timedelta(days=14),
        ),
    )

    assert again.exit_code == ExitCode.OK, again.output
    said = flat(again.output)
    assert "already used" not in said and "warning: the label" not in said, said
    assert "new visit" in said, said


def test_the_records_footnote_takes_one_line(run: Run) -> None:
    first = days_ago(28)
    walk_on(run, "pat", first, after_injection(last_opioid_use=first - dt.timedelta(days=14)))

    shown = run("history", "pat", "--today", TODAY.isoformat())

    assert shown.exit_code == ExitCode.OK, shown.output
    notes = [line for line in shown.output.splitlines() if "training run" in line]
    assert len(notes) == 1, shown.output
    follows = shown.output.splitlines()[shown.output.splitlines().index(notes[0]) + 1 :]
    assert not any("deleted" in line for line in follows), shown.output


def test_the_card_of_a_treatment_that_ended_does_not_say_the_injections_go_on(
    run: Run, guide: Guide
) -> None:
    first = days_ago(28)
    walk_on(run, "pat", first, after_injection(last_opioid_use=first - dt.timedelta(days=14)))
    ended = walk_on(run, "pat", TODAY, {**END_OF_TREATMENT, "last_injection_side": "left"})
    assert ended.exit_code == ExitCode.BLOCKED, ended.output

    card = run("card", "pat", "--format", "text")

    assert card.exit_code == ExitCode.OK, card.output
    spec = guide.meta.card
    assert spec is not None and spec.ended_patient
    ongoing = [line for line in spec.patient if "{" not in line]
    printed = flat(card.stdout)
    assert ongoing and not any(flat(line) in printed for line in ongoing), printed
    assert all(flat(line) in printed for line in spec.ended_patient if "{" not in line)
    assert f"Last injection: {first.isoformat()}" in card.stdout


def test_sessions_lists_a_visit_that_ended_the_treatment_as_such(run: Run) -> None:
    first = days_ago(28)
    walk_on(run, "pat", first, after_injection(last_opioid_use=first - dt.timedelta(days=14)))
    ended = walk_on(run, "pat", TODAY, {**END_OF_TREATMENT, "last_injection_side": "left"})
    assert ended.exit_code == ExitCode.BLOCKED, ended.output
    blocked = walk_on(run, "other", TODAY, ready_patient(last_opioid_use=days_ago(3)))
    assert blocked.exit_code == ExitCode.BLOCKED, blocked.output

    listed = run("sessions")

    assert listed.exit_code == ExitCode.OK, listed.output
    rows = [line.split() for line in listed.stdout.splitlines()[1:4]]
    (ending,) = [r for r in rows if r[0] == "pat" and r[2] == TODAY.isoformat()]
    (other,) = [r for r in rows if r[0] == "other"]
    said = " ".join(ending)
    assert "treatment ended" in said and "blocked" not in said, listed.stdout
    assert "blocked" in other, listed.stdout


def test_a_mistyped_short_label_is_answered_with_the_nearest_one(run: Run) -> None:
    walk_on(run, "R1", TODAY, ready_patient(last_opioid_use=days_ago(3)))

    result = run("history", "R8")

    assert result.exit_code == ExitCode.USAGE, result.output
    assert "did you mean 'R1'" in flat(result.stderr), result.stderr
