"""The interactive walkthrough, driven for real in a pseudo-terminal.

These tests do not call the engine or the Typer app in-process: each one spawns the
installed ``xrntx-guide`` console script with :mod:`pexpect` in a pty, waits for the
prompts a clinician would see (``--plain`` output, ``--today`` fixed), types answers and
commands (``back``, ``edit KEY``, ``quit``, Ctrl-C), and checks the screens, the exit code
and the session file the program leaves behind. Clinical numbers (the opioid-free minimum,
the dosing interval) are read from the shipped step pack, never restated here.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pexpect
import pytest

from tests.helpers import EXE, TODAY, stored_sessions, wrapping
from xrntx_guide.errors import ExitCode
from xrntx_guide.pack.guide import Guide
from xrntx_guide.pack.load import load_guide

pytestmark = pytest.mark.skipif(not EXE.exists(), reason=f"{EXE} is not installed")

# -- prompts, as the plain screens show them (regexes) -----------------------------------

DATE_HINT = r"\(YYYY-MM-DD, today, yesterday, N days ago\)"
YES_NO = r"\(yes/no\)"
CHOICE = r"\(number or value\)"
DEFAULT = r"(?: \[[^\]\n]*\])?"  # an optional [default]

P_LABEL = r"Patient label, not a name \[[^\]\n]*\]: "
P_VISIT = rf"Which visit is this\? {CHOICE}{DEFAULT}: "
P_INJECTION_DATE = rf"Date of the injection {DATE_HINT} \[{TODAY.isoformat()}\]: "
P_DIAGNOSIS = rf"Is an opioid use disorder diagnosis confirmed\? {YES_NO}{DEFAULT}: "
P_KIND = rf"Last opioid used {CHOICE}{DEFAULT}: "
P_LAST_USE = rf"Date of last use of any opioid {DATE_HINT}{DEFAULT}: "
P_FENTANYL_30 = rf"Was fentanyl among the opioids used in the last 30 days\? {YES_NO}: "
P_ANALGESICS = rf"Receiving opioid analgesics, or pain expected to need opioids\? {YES_NO}: "
P_HYPERSENSITIVITY = rf"Known hypersensitivity to naltrexone[^\n]*\? {YES_NO}: "
P_AGE = r"Age in years \(whole number\): "
P_PREGNANCY = rf"Pregnancy test {CHOICE}: "
P_BREASTFEEDING = rf"Breastfeeding\? {YES_NO}: "
P_HEPATITIS = rf"Signs of acute hepatitis\? {YES_NO}: "
P_LFT = r"Highest of ALT and AST[^\n]*\(number\): "
P_BLEEDING = rf"Thrombocytopenia, a coagulation disorder, or anticoagulant therapy\? {YES_NO}: "
P_MOOD = rf"Current depression or suicidal thoughts\? {YES_NO}: "
P_SURGERY = rf"Elective surgery planned within 28 days after this injection\? {YES_NO}: "
P_ORGAN = rf"Moderate-to-severe renal impairment, or severe hepatic impairment\? {YES_NO}: "
P_MED_GUIDE = rf"Medication Guide given to the patient\? {YES_NO}: "
P_CONSENT = rf"Informed consent recorded\? {YES_NO}: "
P_EVIDENCE = rf"Evidence of abstinence over the period {CHOICE}: "
# 100 columns with its trailing space: the terminal width may wrap it or drop the space
P_PATHWAY = r"Which pathway\?\s+\(number or value\)\s+\[standard[^\]]*\]:"
P_BLOCKED = r"Command \[back / edit / review / why / (?:rate again / )?(?:day / )?quit\]: "


def p_uds(assay: str) -> str:
    return rf"Urine screen: {assay} {CHOICE}: "


P_COWS_TOTAL = r"COWS total \(0-48\)[^\n]*: "
P_COWS_PULSE = r"COWS pulse: resting pulse after 1 minute sitting or lying \([^)\n]*\): "
P_CHALLENGE = rf"Naloxone challenge result {CHOICE}: "
P_KIT = rf"Kit stored within limits and not past its expiry date\? {YES_NO}: "
P_HABITUS = rf"Body habitus over the gluteal muscle {CHOICE}: "
P_GIVEN = rf"Was the injection given\? {YES_NO}: "
P_SIDE = rf"Side injected {CHOICE}: "
P_NEEDLE = rf"Administration needle used {CHOICE}: "
P_LOT = r"Kit lot number \[Enter to skip\]: "
P_OBSERVED = r"Minutes observed after the injection \(whole number\): "
P_OVERDOSE = rf"Overdose risk counselled\? {YES_NO}: "
P_REVERSAL = rf"Opioid overdose reversal agent discussed and offered\? {YES_NO}: "
P_WALLET = rf"Wallet card or medical alert given\? {YES_NO}: "
P_CONFIRM = r"Press Enter when done: "

INJECTION_STEP = "Giving the injection"


@cache
def shipped_guide() -> Guide:
    """The pack the installed program loads (no --steps): the numbers come from here."""
    return load_guide()


def setting(name: str) -> Any:
    return shipped_guide().setting_values[name]


# -- driving the program -------------------------------------------------------------------


class ProgramCrashed(Exception):
    """The program printed a traceback or an internal error, or died of a signal.

    Not an AssertionError, so that an ``xfail(raises=AssertionError)`` never hides a crash.
    """


class Walkthrough:
    """One run of ``xrntx-guide`` in a pty, with everything it printed kept."""

    def __init__(self, home: Path, *args: str, plain: bool = True) -> None:
        env = {
            **os.environ,
            "XRNTX_GUIDE_HOME": str(home),
            "NO_COLOR": "1",
            "TERM": "xterm",
            "COLUMNS": "100",
        }
        env.pop("XRNTX_GUIDE_DEBUG", None)
        if not plain:  # colour, as on a clinician's terminal
            env.pop("NO_COLOR")
        self.home = home
        self._log = io.StringIO()
        self.child = pexpect.spawn(
            str(EXE),
            [*args, "--today", TODAY.isoformat(), *(["--plain"] if plain else [])],
            env=env,
            encoding="utf-8",
            timeout=15,
            dimensions=(50, 100),
        )
        self.child.logfile_read = self._log

    @property
    def output(self) -> str:
        """Everything shown so far (stdout and stderr share the terminal)."""
        return self._log.getvalue().replace("\r\n", "\n")

    def mark(self) -> int:
        return len(self.output)

    def since(self, mark: int) -> str:
        return self.output[mark:]

    def expect(self, pattern: str) -> str:
        """Wait for ``pattern`` (a prompt wrapped by the terminal too) and return the
        text it matched."""
        self.child.expect(wrapping(pattern))
        return str(self.child.after)

    def answer(self, prompt: str, text: str) -> None:
        """Wait for ``prompt``, then type ``text`` and Enter."""
        self.expect(prompt)
        self.child.sendline(text)

    def answers(self, pairs: list[tuple[str, str]]) -> None:
        for prompt, text in pairs:
            self.answer(prompt, text)

    def finish(self) -> int:
        """Wait for the program to end; return its exit code. It must not have crashed."""
        self.child.expect(pexpect.EOF)
        self.child.close()
        out = self.output
        if "Traceback" in out or "internal error" in out or self.child.signalstatus is not None:
            raise ProgramCrashed(f"signal {self.child.signalstatus}\n{out}")
        assert self.child.exitstatus is not None
        return self.child.exitstatus

    def sessions(self) -> list[Any]:
        """The stored sessions, the latest changed last."""
        return stored_sessions()

    def session(self) -> dict[str, Any]:
        files = self.sessions()
        assert len(files) == 1, files
        data: dict[str, Any] = json.loads(files[0].read_text(encoding="utf-8"))
        return data


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Callable[..., Walkthrough]]:
    """``spawn("walk", "--resume")``: start the program; every child is ended afterwards."""
    children: list[Walkthrough] = []
    home = tmp_path / "home"

    def start(*args: str, plain: bool = True) -> Walkthrough:
        w = Walkthrough(home, *args, plain=plain)
        children.append(w)
        return w

    yield start
    for w in children:
        if w.child.isalive():
            w.child.terminate(force=True)


# -- the answers of a typical patient, phase by phase ----------------------------------------


def begin(w: Walkthrough, label: str) -> None:
    """Label, first injection today, OUD confirmed, heroin (short-acting) last."""
    w.answers(
        [
            (P_LABEL, label),
            (P_VISIT, "1"),
            (P_INJECTION_DATE, ""),  # Enter: the default, today
            (P_DIAGNOSIS, "y"),
            (P_KIND, "short_acting"),
        ]
    )


def history_and_medical_evaluation(w: Walkthrough, last_use: str, mood: str = "n") -> None:
    """Last use as typed; no fentanyl; a medical evaluation, only the mood as given."""
    w.answers(
        [
            (P_LAST_USE, last_use),
            (P_FENTANYL_30, "n"),
            (P_ANALGESICS, "n"),
            (P_HYPERSENSITIVITY, "n"),
            (P_AGE, "34"),
            (P_PREGNANCY, "not_applicable"),
            (P_BREASTFEEDING, "n"),
            (P_HEPATITIS, "n"),
            (P_LFT, "1.2"),
            (P_ORGAN, "n"),
            (P_BLEEDING, "n"),
            (P_MOOD, mood),
            (P_SURGERY, "n"),
        ]
    )


def history_and_medical(w: Walkthrough, last_use: str) -> None:
    """History, a medical evaluation without any finding, consent, supervised abstinence."""
    history_and_medical_evaluation(w, last_use)
    w.answers(
        [
            (P_MED_GUIDE, "y"),
            (P_CONSENT, "y"),
            (P_OVERDOSE, "y"),  # counselled before the injection (reference 3.5)
            (P_REVERSAL, "y"),
            (P_EVIDENCE, "supervised"),
        ]
    )


NEGATIVE_SCREENS = [
    (p_uds(assay), "negative")
    for assay in ("opiates", "fentanyl", "buprenorphine", "methadone", "oxycodone")
]


def walk_to_blocked_interval(w: Walkthrough, last_use: dt.date) -> str:
    """A patient whose last use is too recent, up to the blocked-gate prompt."""
    begin(w, "too-recent")
    history_and_medical(w, last_use.isoformat())
    w.answer(P_PATHWAY, "")  # Enter: the default, the standard pathway
    mark = w.mark()
    w.expect(P_BLOCKED)
    return w.since(mark)


def walk_ready_patient_to_the_end(w: Walkthrough) -> tuple[str, str]:
    """A patient 14 days out, all clear, to the summary: (the whole output, the summary)."""
    days_out = 14
    kind_minimum = setting("min_opioid_free_days")["short_acting"]
    assert days_out >= kind_minimum, "the shipped minimum changed: pick a longer interval"
    assert days_out >= setting("challenge_required_within_days"), (
        "at this interval the shipped pack requires a naloxone challenge: answer it"
    )
    begin(w, "ready")
    history_and_medical(w, f"{days_out} days ago")
    w.answers(
        [
            *NEGATIVE_SCREENS,
            (P_COWS_TOTAL, "2"),
            (P_CHALLENGE, "not_done"),
            (P_KIT, "y"),
            (P_HABITUS, "average"),
        ]
    )
    w.expect(INJECTION_STEP)
    w.answers(
        [
            (P_GIVEN, "y"),
            (P_SIDE, "left"),
            (P_NEEDLE, "2-inch"),
            (P_LOT, ""),
            (P_OBSERVED, "30"),
            (P_WALLET, "y"),
            (P_CONFIRM, ""),
        ]
    )
    w.expect(r"--- Summary: ready ---")
    assert w.finish() == 0, w.output
    output = w.output
    return output, output[output.index("--- Summary: ready ---") :]


# -- 1. a recent short-acting opioid blocks the injection -------------------------------------


def test_use_four_days_ago_is_a_contraindication_with_an_earliest_date(spawn: Any) -> None:
    last_use = TODAY - dt.timedelta(days=4)
    minimum = setting("min_opioid_free_days")["short_acting"]
    earliest = last_use + dt.timedelta(days=minimum)

    w = spawn()
    gate = walk_to_blocked_interval(w, last_use)

    assert "CONTRAINDICATION" in gate
    assert re.search(r"opioid_free_interval|Opioid-free interval", gate), gate
    assert f"Earliest date: {earliest.isoformat()}" in gate, gate
    assert re.search(r"Source: label\b", gate), gate
    assert INJECTION_STEP not in w.output

    w.child.sendline("quit")
    w.expect(r"Saved\. Resume with:\s+\S*xrntx-guide walk --resume --session ")
    assert w.finish() == 1  # blocked
    assert INJECTION_STEP not in w.output
    record = w.session()
    assert record["status"] == "blocked"
    assert record["answers"]["last_opioid_use"]["value"] == last_use.isoformat()
    assert record["gates"]["opioid_free_interval"] == "fail"


# -- 2. a ready patient reaches the injection and gets the next dose date ---------------------


def test_ready_patient_reaches_the_injection_and_gets_the_next_dose(spawn: Any) -> None:
    next_dose = TODAY + dt.timedelta(days=setting("dose_interval_days"))

    output, summary = walk_ready_patient_to_the_end(spawn())

    assert INJECTION_STEP in output
    assert "CONTRAINDICATION" not in output
    assert not re.search(r"^STOP:", output, re.MULTILINE)
    assert re.search(rf"Next dose due\W+{next_dose.isoformat()}\b", summary), summary
    assert "Saved: " in summary


# -- 3. changing the date of last use moves the outcome ---------------------------------------


def test_edit_takes_a_key_by_its_start_and_lists_the_keys_a_start_leaves_open(
    spawn: Any,
) -> None:
    """A hurried 'edit last' was refused as an unknown key with no hint: a start that
    names one answered key edits it (saying which), one that names several lists them."""
    last_use = TODAY - dt.timedelta(days=4)
    w = spawn()
    walk_to_blocked_interval(w, last_use)
    w.child.sendline("edit last")
    w.expect(r"'last' matches last_opioid_kind, last_opioid_use: type one of them")
    w.expect(P_BLOCKED)
    w.child.sendline("edit last_opioid_u")
    w.expect(r"last_opioid_u -> last_opioid_use")
    w.answer(
        rf"Date of last use of any opioid {DATE_HINT} \[{last_use.isoformat()}\]: ", "14 days ago"
    )
    w.expect(p_uds("opiates"))  # the edit took: the walk goes on to the urine screen
    w.child.sendline("quit")
    assert w.finish() == 0


def test_editing_the_last_use_date_lifts_the_block(spawn: Any) -> None:
    last_use = TODAY - dt.timedelta(days=4)
    w = spawn()
    walk_to_blocked_interval(w, last_use)

    w.child.sendline("edit last_opioid_use")
    # asked again, with the current answer as the default
    w.answer(
        rf"Date of last use of any opioid {DATE_HINT} \[{last_use.isoformat()}\]: ", "14 days ago"
    )
    mark = w.mark()
    w.expect(r"gate opioid_free_interval: fails \(contraindication\) -> passes")
    w.expect(p_uds("opiates"))  # the walk goes on to the urine screen
    after = w.since(mark)
    assert "CONTRAINDICATION" not in after
    assert "Earliest date" not in after

    w.child.sendline("quit")
    assert w.finish() == 0  # in progress, nothing blocks any more
    record = w.session()
    assert record["status"] == "in_progress"
    changed = (TODAY - dt.timedelta(days=14)).isoformat()
    assert record["answers"]["last_opioid_use"]["value"] == changed
    assert record["gates"]["opioid_free_interval"] == "pass"


# -- 4. answers are validated at once --------------------------------------------------------


def test_invalid_answers_are_refused_and_asked_again(spawn: Any) -> None:
    w = spawn()
    begin(w, "typos")

    w.answer(P_LAST_USE, "2026-02-30")
    w.expect(r"not a real calendar date; please answer again")
    w.answer(P_LAST_USE, (TODAY + dt.timedelta(days=1)).isoformat())
    w.expect(rf"is after injection_date \({TODAY.isoformat()}\); please answer again")
    w.answer(P_LAST_USE, "next tuesday")
    w.expect(r"is not a date: use YYYY-MM-DD")
    w.answer(P_LAST_USE, "10 days ago")

    w.answer(P_FENTANYL_30, "maybe")
    w.expect(r"'maybe' is not yes or no; please answer again")
    w.answer(P_FENTANYL_30, "")
    w.expect(r"an answer is needed here")
    w.answer(P_FENTANYL_30, "n")

    w.answers([(P_ANALGESICS, "n"), (P_HYPERSENSITIVITY, "n")])
    w.answer(P_AGE, "thirty")
    w.expect(r"is not a whole number")
    w.answer(P_AGE, "130")
    w.expect(r"above the maximum")
    w.answer(P_AGE, "30")
    w.answer(P_PREGNANCY, "9")
    w.expect(r"9 is not a listed number: choose 1-3")
    w.answer(P_PREGNANCY, "ok")
    w.expect(r"is not one of: negative, positive, not_applicable")
    w.answer(P_PREGNANCY, "neg")  # an unambiguous prefix
    w.answer(P_BREASTFEEDING, "quit")

    assert w.finish() == 0  # raises ProgramCrashed on a traceback or an internal error
    assert "Traceback" not in w.output
    answers = w.session()["answers"]
    assert answers["last_opioid_use"]["value"] == (TODAY - dt.timedelta(days=10)).isoformat()
    assert answers["fentanyl_used_30_days"]["value"] is False
    assert answers["age"]["value"] == 30
    assert answers["pregnancy_test"]["value"] == "negative"
    assert "breastfeeding" not in answers


# -- 5. quit and resume -----------------------------------------------------------------------


def test_quit_then_resume_continues_at_the_next_unanswered_question(spawn: Any) -> None:
    first = spawn()
    begin(first, "resume-me")
    first.answer(P_LAST_USE, "10 days ago")
    first.answer(P_FENTANYL_30, "quit")
    first.expect(r"Saved\. Resume with:\s+\S*xrntx-guide walk --resume --session ")
    assert first.finish() == 0  # in progress: quitting is not an error
    saved = first.session()
    assert saved["status"] == "in_progress"
    assert set(saved["answers"]) == {
        "visit",
        "injection_date",
        "oud_diagnosis",
        "last_opioid_kind",
        "last_opioid_use",
    }

    second = spawn("walk", "--resume")
    second.expect(r"Resuming 'resume-me'")
    second.expect(P_FENTANYL_30)
    resumed = second.output
    for earlier in (P_LABEL, P_VISIT, P_INJECTION_DATE, P_DIAGNOSIS, P_KIND, P_LAST_USE):
        assert not re.search(earlier, resumed), f"asked again after resume: {earlier}"
    second.child.sendline("n")
    second.answer(P_ANALGESICS, "quit")  # and it goes on from there
    assert second.finish() == 0
    assert second.session()["answers"]["fentanyl_used_30_days"]["value"] is False


# -- 6. back --------------------------------------------------------------------------------


def test_back_asks_the_previous_question_with_its_answer_as_default(spawn: Any) -> None:
    w = spawn()
    w.answer(P_LABEL, "going-back")
    w.answer(P_VISIT, "back")
    w.expect(r"nothing to go back to")
    w.answers([(P_VISIT, "1"), (P_INJECTION_DATE, ""), (P_DIAGNOSIS, "y")])

    w.answer(P_KIND, "back")
    w.answer(rf"Is an opioid use disorder diagnosis confirmed\? {YES_NO} \[yes\]: ", "")
    w.answer(P_KIND, "short_acting")  # Enter kept the answer; the walk goes on

    w.answer(P_LAST_USE, "back")
    w.answer(rf"Last opioid used {CHOICE} \[short_acting\]: ", "fentanyl")
    w.answer(P_LAST_USE, "8 days ago")
    # the last opioid is fentanyl now, so the 'fentanyl in the last 30 days' question goes
    w.expect(P_ANALGESICS)
    assert not re.search(P_FENTANYL_30, w.output)
    w.child.sendline("quit")

    assert w.finish() == 0
    answers = w.session()["answers"]
    assert answers["oud_diagnosis"]["value"] is True
    assert answers["last_opioid_kind"]["value"] == "fentanyl"


# -- 7. Ctrl-C ------------------------------------------------------------------------------


def test_ctrl_c_saves_the_session_and_exits_130(spawn: Any) -> None:
    w = spawn()
    begin(w, "interrupted")
    w.expect(P_LAST_USE)
    w.child.sendintr()
    w.expect(r"interrupted; session \S+ is saved")

    assert w.finish() == 130
    # The program as it can be started from here: its name on the PATH, else its path.
    assert re.search(r"Resume with:\s+\S*xrntx-guide walk --resume", w.output), w.output
    record = w.session()
    assert record["label"] == "interrupted"
    assert record["answers"]["last_opioid_kind"]["value"] == "short_acting"


def test_ctrl_c_at_which_day_the_results_were_taken_leaves_the_visit_as_it_was(
    spawn: Any, run: Any
) -> None:
    """A visit of TODAY with a positive screen; its date changed to the day before at a
    prompt, then Ctrl-C at "Which day were they taken?": the visit keeps its date and its
    results, and a second visit of TODAY with a negative screen is refused. Before, the
    date was changed first and the interrupt skipped the move's rule, so the positive went
    with the visit to the day before and TODAY's second visit was given the dose."""
    from tests.helpers import answer_flags, only_session, ready_patient, stored_record, walk_at

    at = f"{TODAY.isoformat()}T09:00"
    first = walk_at(run, "CTRL-C", at, ready_patient(injection_date=TODAY, uds_fentanyl="positive"))
    assert first.exit_code == 1, first.output
    session = only_session()
    w = spawn("walk", "--resume", "--session", session)
    w.answer(P_BLOCKED, "edit injection_date")
    w.answer(P_INJECTION_DATE, (TODAY - dt.timedelta(days=1)).isoformat())
    w.expect(r"Which day were they taken\? \(number or value\) \[1\]: ")
    w.child.sendintr()
    w.expect(r"interrupted; session \S+ is saved")
    assert w.finish() == 130
    kept = stored_record(session)
    assert kept.answers["injection_date"].value == TODAY.isoformat(), w.output
    assert kept.answers["uds_fentanyl"].value == "positive", w.output
    second = run("check", "--json", "--label", "CTRL-C", "--now", f"{TODAY.isoformat()}T11:00",
                 *answer_flags(ready_patient()))  # fmt: skip
    assert second.exit_code == 2, second.output


# -- bugs found while writing these tests ----------------------------------------------------


def test_cows_item_choice_numbers_pick_the_listed_item(spawn: Any) -> None:
    w = spawn()
    begin(w, "cows-items")
    history_and_medical(w, "14 days ago")
    w.answers([*NEGATIVE_SCREENS, (P_COWS_TOTAL, "")])  # Enter: rate the eleven items
    mark = w.mark()
    w.answer(P_COWS_PULSE, "1")
    screen = w.since(mark)
    w.expect(r"COWS sweating")
    w.child.sendline("quit")
    assert w.finish() == 0
    recorded = w.session()["answers"]["cows_pulse"]["value"]
    offers_numbers = "(number or value)" in screen
    # Either the list numbers are not offered for scores, or '1' picks item 1.
    assert not offers_numbers or recorded == 0, (screen, recorded)


def test_plain_summary_dose_lines_read_as_label_and_value(spawn: Any) -> None:
    _, summary = walk_ready_patient_to_the_end(spawn())
    assert not re.search(r"^\s*: ", summary, re.MULTILINE), summary


# -- 8. stops, cautions and the naloxone timer ------------------------------------------------

P_OVERRIDE = r"Override\? "
P_CODE = r"Reason code \(number or code\): "
P_COMMENT = r"Comment \(required\): "
P_ACK = r"Acknowledge this caution\? Type 'ok' to go on: "


def test_a_stop_blocks_until_a_coded_reason_and_a_comment_are_recorded(spawn: Any) -> None:
    w = spawn()
    begin(w, "stop")
    history_and_medical(w, "20 days ago")
    w.answers(
        [
            (p_uds("opiates"), "negative"),
            (p_uds("fentanyl"), "not_done"),
            (p_uds("buprenorphine"), "negative"),
            (p_uds("methadone"), "negative"),
            (p_uds("oxycodone"), "negative"),
        ]
    )
    w.expect(r"STOP: Urine drug screen \[urine_drug_screen\]")
    w.answer(P_OVERRIDE, "yes please")  # only the word 'override' starts one
    w.expect(r"type 'override'")
    w.child.sendline("override")
    w.answer(P_CODE, "9")  # not a listed code
    w.expect(r"choose one of the listed codes")
    w.child.sendline("assay_unavailable")
    w.answer(P_COMMENT, "")  # a comment is required
    w.expect(r"a comment is required")
    w.child.sendline("no fentanyl assay on site today")
    w.expect(P_COWS_TOTAL)  # the walk goes on
    w.child.sendline("quit")
    assert w.finish() == 0
    record = w.session()
    override = record["overrides"]["urine_drug_screen"]
    assert (override["code"], override["comment"]) == (
        "assay_unavailable",
        "no fentanyl assay on site today",
    )
    assert any(e["kind"] == "override" for e in record["events"])


def test_a_caution_must_be_acknowledged_with_ok(spawn: Any) -> None:
    w = spawn()
    begin(w, "caution")
    history_and_medical_evaluation(w, "20 days ago", mood="y")
    w.expect(r"CAUTION: Mood \[mood\]")
    w.answer(P_ACK, "")  # Enter alone is not an acknowledgement
    w.expect(r"type 'ok' to acknowledge")
    w.child.sendline("ok")
    w.expect(P_MED_GUIDE)
    w.child.sendline("quit")
    assert w.finish() == 0
    assert "mood" in w.session()["acks"]


def test_a_negative_challenge_is_accepted_only_after_the_observation(spawn: Any) -> None:
    minutes = setting("naloxone_observation_minutes")
    # The demo clock runs the timer 600 times faster: the observation takes a few seconds.
    w = spawn("walk", "--demo-clock", "600")
    begin(w, "challenge")
    history_and_medical(w, "10 days ago")  # within the challenge window: it is required
    w.answers([*NEGATIVE_SCREENS, (P_COWS_TOTAL, "1")])
    w.answer(P_CHALLENGE, "negative")  # before the timer even started
    w.expect(rf"at least {minutes:g} minutes and has not started")
    w.child.sendline("start")
    w.expect(r"timer started")
    w.answer(P_CHALLENGE, "start")  # again, by a slip: the minutes observed are kept
    w.expect(r"the timer started at \d\d:\d\d:\d\d is running: type 'start again'")
    w.answer(P_CHALLENGE, "start again")  # meant: over from now
    w.expect(r"timer started again from now")
    w.answer(P_CHALLENGE, "negative")  # too early
    w.expect(r"the observation is not over")
    w.child.sendline("wait")
    w.expect(r"the minimum observation is over")
    w.answer(P_CHALLENGE, "negative")
    w.expect(P_KIT)
    w.child.sendline("quit")
    assert w.finish() == 0
    record = w.session()
    assert record["answers"]["naloxone_challenge"]["value"] == "negative"
    started = dt.datetime.fromisoformat(record["timers"]["naloxone_challenge"])
    answered = dt.datetime.fromisoformat(record["answers"]["naloxone_challenge"]["at"])
    # The record keeps real time: the answer came seconds, not minutes, after the start.
    assert (answered - started) < dt.timedelta(minutes=minutes)


def test_a_running_timer_corrected_to_an_earlier_start_says_it_counts_from_the_start_typed(
    spawn: Any,
) -> None:
    """'start', then 'start HH:MM' half an hour before: the naloxone's time is corrected,
    but the observation keeps the real minutes since 'start' was typed (never shortened by
    a later word, safety invariant 5). The screen says so, at the correction and at the
    refusal, instead of a start of HH:MM beside nearly all the minutes left."""
    minutes = setting("naloxone_observation_minutes")
    earlier = dt.datetime.now().astimezone() - dt.timedelta(minutes=minutes + 5)
    if earlier.date() != dt.datetime.now().astimezone().date():
        pytest.skip("half an hour before now is yesterday")
    w = spawn("walk")
    begin(w, "corrected-start")
    history_and_medical(w, "10 days ago")  # within the challenge window: it is required
    w.answers([*NEGATIVE_SCREENS, (P_COWS_TOTAL, "1")])
    w.answer(P_CHALLENGE, "start")
    w.expect(r"timer started")
    w.answer(P_CHALLENGE, f"start {earlier:%H:%M}")
    w.expect(rf"timer started at {earlier:%H:%M} \(when the naloxone was given\)")
    w.expect(r"the observation still counts from \d\d:\d\d:\d\d, when 'start' was typed")
    w.answer(P_CHALLENGE, "negative")  # the real minutes have not passed
    w.expect(r"the observation is not over: [0-9:]+ left of \d+ minutes, counted from")
    w.child.sendline("quit")
    w.finish()


def test_ctrl_d_in_the_middle_of_a_walk_does_not_exit_as_finished(spawn: Any) -> None:
    """end of input mid-walk is not 'finished' (0): it is incomplete."""
    w = spawn()
    begin(w, "ctrl-d")
    w.expect(P_LAST_USE)
    w.child.sendeof()
    assert w.finish() == ExitCode.INCOMPLETE
    assert "the input ended before the walkthrough did" in w.output
    assert "ctrl-d" in json.dumps(w.session())


def test_the_cows_total_and_band_show_as_soon_as_the_last_item_is_rated(spawn: Any) -> None:
    """the total computed from the eleven items was never shown."""
    w = spawn()
    begin(w, "cows-total")
    history_and_medical(w, "14 days ago")
    w.answers([*NEGATIVE_SCREENS, (P_COWS_TOTAL, "")])
    # Each item's prompt as it starts on screen, and the score typed: 2 + 1 + 1 + 1 = 5.
    items = [
        ("pulse", "2"), ("sweating", "1"), ("restlessness", "1"), ("pupil size", "1"),
        ("bone or joint aches", "0"), ("runny nose", "0"), ("GI upset", "0"), ("tremor", "0"),
        ("yawning", "0"), ("anxiety", "0"), ("gooseflesh", "0"),
    ]  # fmt: skip
    for words, score in items:
        w.answer(rf"COWS {words}[^\n]*\(score: [^)]*\): ", score)
    w.expect(r"COWS total \(0-48\): 5; COWS band: mild")
    w.expect(r"CONTRAINDICATION: Withdrawal")  # 5 is the threshold: withdrawal is present
    # The box says to rate again later: the command is listed where it can be typed.
    w.expect(r"Command \[back / edit / review / why / rate again / quit\]: ")
    w.child.sendline("quit")
    assert w.finish() == ExitCode.BLOCKED


def test_step_counts_do_not_move_as_answers_reveal_the_flow(spawn: Any) -> None:
    """'step n of m' counted the steps shown, so m changed (14, 13, 12)."""
    w = spawn()
    walk_to_blocked_interval(w, TODAY - dt.timedelta(days=3))
    totals = {
        phase: {int(m) for m in re.findall(rf"{re.escape(phase)} · step \d+ of (\d+)", w.output)}
        for phase in ("Visit", "1. Patient history", "4. Readiness")
    }
    assert all(len(t) == 1 for t in totals.values()), totals
    # The label offered carries the visit's date.
    label = re.search(r"Patient label, not a name \[([^\]]+)\]", w.output)
    assert label is not None and TODAY.strftime("%Y%m%d") in label.group(1)


def test_why_speaks_the_clinician_s_words_and_why_detail_adds_the_rules(spawn: Any) -> None:
    """'why' showed the rule engine ('coalesce(...) = no: no') first."""
    w = spawn()
    walk_to_blocked_interval(w, TODAY - dt.timedelta(days=3))
    mark = w.mark()
    w.child.sendline("why")
    w.expect(P_BLOCKED)
    plain_why = w.since(mark)
    assert "Opioid-free interval [opioid_free_interval]: FAILS (contraindication)" in plain_why
    assert "How:" not in plain_why and "coalesce(" not in plain_why
    mark = w.mark()
    w.child.sendline("why detail")
    w.expect(P_BLOCKED)
    detail = w.since(mark)
    assert "How:" in detail
    # One comparison a line: wrapped as prose, it was split in the middle.
    assert re.search(
        r"^ +- days_opioid_free = \d+ < required_opioid_free_days = 7: yes", detail, re.M
    )
    w.child.sendline("quit")
    assert w.finish() == ExitCode.BLOCKED


def test_why_lists_the_failing_gate_first_then_cautions_then_the_undecided(spawn: Any) -> None:
    """The failing gate came thirteenth, after twelve 'not decided yet', and scrolled away;
    and a question that cannot apply yet (the rechallenge) was named as needed."""
    w = spawn()
    walk_to_blocked_interval(w, TODAY - dt.timedelta(days=3))
    mark = w.mark()
    w.child.sendline("why")
    w.expect(P_BLOCKED)
    heads = re.findall(r"^\S.*\[(\w+)\]: (.+)$", w.since(mark), re.M)
    verdicts = [v for _, v in heads]
    assert heads and heads[0][0] == "opioid_free_interval", heads
    rank = [
        0 if v.startswith("FAILS") else 1 if v.startswith(("caution", "info")) else
        2 if v.startswith("not decided") else 3
        for v in verdicts
    ]  # fmt: skip
    assert rank == sorted(rank), verdicts
    assert 2 in rank and 3 in rank
    assert "naloxone_rechallenge" not in w.since(mark)
    w.child.sendline("quit")
    assert w.finish() == ExitCode.BLOCKED


def test_a_shorthand_answer_is_echoed_as_what_it_was_taken_for(spawn: Any) -> None:
    """'short' and '10 days ago' were recorded without a word of what they meant; and a
    count of one read '1 days'. The choice's label follows a colon: in brackets, a label
    with brackets of its own read '(not applicable (cannot become pregnant))'."""
    w = spawn()
    w.answers([(P_LABEL, "echo"), (P_VISIT, "1"), (P_INJECTION_DATE, ""), (P_DIAGNOSIS, "y")])
    w.answer(P_KIND, "short")
    w.expect(r"short -> short_acting: short-acting opioid")
    yesterday = TODAY - dt.timedelta(days=1)
    mark = w.mark()
    w.answer(P_LAST_USE, "yesterday")
    w.expect(rf"yesterday -> {yesterday.isoformat()}")
    w.answer(P_FENTANYL_30, "n")
    assert "n -> " not in w.since(mark)  # an answer typed in full is not repeated
    w.answers(
        [
            (P_ANALGESICS, "n"), (P_HYPERSENSITIVITY, "n"), (P_AGE, "34"),
            (P_PREGNANCY, "not"), (P_BREASTFEEDING, "n"), (P_HEPATITIS, "n"),
            (P_LFT, "1.2"), (P_ORGAN, "n"), (P_BLEEDING, "n"), (P_MOOD, "n"),
            (P_SURGERY, "n"), (P_MED_GUIDE, "y"), (P_CONSENT, "y"), (P_OVERDOSE, "y"),
            (P_REVERSAL, "y"), (P_EVIDENCE, "supervised"), (P_PATHWAY, ""),
        ]
    )  # fmt: skip
    w.expect(P_BLOCKED)
    # A label with brackets of its own is not put in brackets again: '((' read badly.
    assert "not -> not_applicable: not applicable (cannot become pregnant)" in w.output
    assert re.search(r"Opioid-free: 1 day\b", w.output), w.output[-3000:]
    assert not re.search(r"\b1 days\b", w.output)
    w.child.sendline("quit")
    assert w.finish() == ExitCode.BLOCKED


# -- the walk's prompts and screens -------------------------------------------------------


def _flag(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def presets(**changes: Any) -> list[str]:
    """``--answer`` flags for the ready patient of conftest, varied by ``changes``."""
    from tests.helpers import ready_patient

    answers = {"injection_date": TODAY, **ready_patient(**changes)}
    return [f"--answer={k}={_flag(v)}" for k, v in answers.items()]


STATEMENT = "supports, and does not replace, clinical judgement"


def test_the_first_screen_comes_first_with_a_label_given(spawn: Any) -> None:
    """With --label given, the title, the version and the statement still come first."""
    w = spawn("walk", "--label", "given")
    w.expect(P_VISIT)
    before = w.output[: w.output.index("Which visit is this?")]
    assert shipped_guide().meta.title in before
    assert f"Version {shipped_guide().meta.version}" in before
    assert STATEMENT in " ".join(before.split()), before
    w.child.sendline("quit")
    assert w.finish() == 0


def _at_the_challenge(spawn: Callable[..., Walkthrough], plain: bool = True) -> Walkthrough:
    args = ["walk", "--label", "timer", "--demo-clock", "600"]
    args += presets(last_opioid_use=TODAY - dt.timedelta(days=10), naloxone_challenge=None)
    w = spawn(*args) if plain else spawn(*args, plain=False)
    w.answer(P_CHALLENGE, "start")
    w.expect(r"timer started")
    w.expect(P_CHALLENGE)
    return w


def test_the_countdown_prints_a_line_a_minute_in_plain_mode_and_says_how_to_stop(
    spawn: Any,
) -> None:
    """In plain mode the countdown prints one line at each whole minute left (not one every
    few seconds, hundreds over the observation) and says how to stop waiting."""
    minutes = setting("naloxone_observation_minutes")
    w = _at_the_challenge(spawn)
    mark = w.mark()
    w.child.sendline("wait")
    w.expect(r"the minimum observation is over")
    shown = w.since(mark)
    assert "Ctrl-C stops waiting" in shown, shown
    assert re.search(r"'positive'[^.]* can be recorded\s+at\s+any\s+time", shown), shown
    lines = re.findall(r"observation: (\S+) (min )?left", shown)
    assert 1 < len(lines) <= minutes + 1, shown
    # After the first (minutes and seconds), one line at each whole minute left.
    counted = [int(m) for m, unit in lines[1:] if unit]
    assert len(counted) == len(lines) - 1, lines
    assert counted == sorted(set(counted), reverse=True), lines
    # Once over, the prompt says so ("0:00 left. Type 'wait' to count down" misled).
    w.expect(rf"the {minutes:g} minutes have passed: record the result")
    assert "0:00 left. Type 'wait'" not in w.since(mark)
    # The session's path on a line of its own: after the label it ran past 80 columns.
    assert re.search(r"saved after every answer in:\r?\n/\S+\.sqlite3\r?\n", w.output), w.output
    w.answer(P_CHALLENGE, "negative")
    w.expect(P_GIVEN)  # the rest was given with --answer
    w.child.sendline("quit")
    assert w.finish() == 0


def test_the_countdown_updates_one_line_in_place_on_a_terminal(spawn: Any) -> None:
    """In colour on a terminal the countdown is one line, rewritten in place."""
    w = _at_the_challenge(spawn, plain=False)
    mark = w.mark()
    w.child.sendline("wait")
    w.expect(r"the minimum observation is over")
    shown = w.since(mark)
    assert shown.count("\r\x1b[K  observation:") >= 2, repr(shown)
    ended = [ln for ln in shown.split("\n") if "observation:" in ln and "left" in ln]
    assert len(ended) == 1, repr(shown)  # every update on the one line
    w.child.sendline("quit")
    assert w.finish() == 0


def test_jump_goes_to_the_blocking_gate_and_answers_nothing(spawn: Any) -> None:
    """After the heads-up, `jump` goes straight to the blocking gate, past the consent
    questions, and records nothing for the questions it passes."""
    w = spawn()
    begin(w, "jump")
    w.answers([(P_LAST_USE, "3 days ago"), (P_FENTANYL_30, "n")])
    w.expect(r"Heads-up: ")
    w.expect(r"Type\s+'jump'\s+to\s+go\s+to\s+it\s+now")
    w.answer(P_ANALGESICS, "jump")
    w.expect(r"CONTRAINDICATION: Opioid-free interval \[opioid_free_interval\]")
    w.expect(P_BLOCKED)
    w.child.sendline("back")  # back to where the jump was made
    w.expect(P_ANALGESICS)
    w.child.sendline("jump")
    w.expect(P_BLOCKED)
    w.child.sendline("quit")
    # The jump recorded nothing: the walk stands where it was, at the next question.
    assert w.finish() == 0
    record = w.session()
    assert record["status"] == "in_progress"
    assert record["gates"]["opioid_free_interval"] == "fail"
    skipped = ("opioid_analgesics", "medication_guide_given", "consent")
    assert not set(skipped) & set(record["answers"]), record["answers"]
    assert not set(skipped) & set(record.get("skipped", [])), record


def test_jump_is_refused_when_no_gate_ahead_fails(spawn: Any) -> None:
    w = spawn()
    begin(w, "no-jump")
    w.answer(P_LAST_USE, "20 days ago")
    w.answer(P_FENTANYL_30, "jump")
    w.expect(r"(not a command|is not yes or no|nothing to jump to)")
    w.expect(P_FENTANYL_30)
    w.child.sendline("quit")
    assert w.finish() == 0
    assert "Heads-up" not in w.output


def test_back_review_and_why_reprint_the_step_header_not_its_instructions(spawn: Any) -> None:
    """`back`, `review` and `why` reprint the step's header, not its whole instructions."""
    first_line = shipped_guide().step("medical").spec.instructions.strip().splitlines()[0]
    w = spawn()
    begin(w, "headers")
    w.answers([(P_LAST_USE, "20 days ago"), (P_FENTANYL_30, "n"), (P_ANALGESICS, "n")])
    for command in ("review", "why", "back"):
        w.answer(r"\(yes/no\)(?: \[[^\]\n]*\])?: ", command)
    w.answer(r"Receiving opioid analgesics[^\n]*\[no\]: ", "quit")  # back: asked again
    assert w.finish() == 0
    out = w.output
    assert out.count(first_line) == 1, out
    # The medical phase counts its monthly-visit and planned-surgery steps too.
    assert out.count("--- 2. Medical evaluation · step 1 of 3 ---") >= 4, out  # said once


def test_all_negative_records_each_screen_on_its_own(spawn: Any) -> None:
    """One answer for all the screens (five prompts listed the same three choices) still
    makes five records, one per screen."""
    assays = [k for k in shipped_guide().questions if k.startswith("uds_")]
    w = spawn()
    begin(w, "all-negative")
    history_and_medical(w, "14 days ago")
    w.expect(r"'all negative'")
    w.answer(p_uds("opiates"), "all negative")
    mark = w.mark()
    w.expect(P_COWS_TOTAL)
    shown = w.since(mark)
    for key in assays[1:]:
        prompt = shipped_guide().questions[key].spec.prompt
        assert f"{prompt}: negative" in shown, shown
        assert not re.search(p_uds(prompt.rsplit(": ", 1)[-1]), shown)  # not asked
    w.child.sendline("quit")
    assert w.finish() == 0
    answers = w.session()["answers"]
    for key in assays:
        assert answers[key]["value"] == "negative"
        assert answers[key]["origin"] == "typed"


def test_all_before_the_last_alike_question_names_the_next_one(spawn: Any) -> None:
    """One question left with the same choices: 'all' gives the answer to this one and to
    the next (never "to this one and to it")."""
    assays = [k for k in shipped_guide().questions if k.startswith("uds_")]
    w = spawn()
    begin(w, "all-next")
    history_and_medical(w, "14 days ago")
    for key in assays[:-2]:
        w.answer(p_uds(shipped_guide().questions[key].spec.prompt.rsplit(": ", 1)[-1]), "1")
    mark = w.mark()
    w.expect(p_uds(shipped_guide().questions[assays[-2]].spec.prompt.rsplit(": ", 1)[-1]))
    note = " ".join(w.since(mark).split())
    assert "The next question of this step has the same choices" in note, note
    assert "gives it to this one and to the next," in note, note
    w.child.sendline("quit")
    assert w.finish() == 0


def test_all_not_done_is_still_judged_assay_by_assay(spawn: Any) -> None:
    """One answer for all, and the engine still decides the gate from each assay."""
    w = spawn()
    begin(w, "all-not-done")
    history_and_medical(w, "20 days ago")
    w.answer(p_uds("opiates"), "all not_done")
    w.expect(r"STOP: Urine drug screen \[urine_drug_screen\]")
    w.expect(r"Override\? ")
    w.child.sendline("quit")
    assert w.finish() == ExitCode.BLOCKED
    assert w.session()["status"] == "needs_override"


def test_choice_refusals_say_what_went_wrong(spawn: Any) -> None:
    """A refused choice says what went wrong: 'n' at negative/not_done is a yes/no word,
    never the start of either; 'neg' is; '7' of three says choose 1-3."""
    w = spawn()
    begin(w, "wording")
    history_and_medical(w, "14 days ago")
    w.answer(p_uds("opiates"), "n")
    w.expect(r"'n' answers a yes/no question: choose one of negative, positive, not_done")
    w.answer(p_uds("opiates"), "7")
    w.expect(r"choose 1-3")
    w.answer(p_uds("opiates"), "help")
    mark = w.mark()
    w.expect(p_uds("opiates"))
    listed = w.since(mark)
    assert "all VALUE:" in listed and "back:" in listed, listed
    w.child.sendline("quit")
    assert w.finish() == 0


def test_help_lists_the_words_of_the_prompt(spawn: Any) -> None:
    """`help` lists the words the prompt takes (start, wait, override, ok)."""
    w = _at_the_challenge(spawn)
    mark = w.mark()
    w.child.sendline("help")
    w.expect(P_CHALLENGE)
    listed = w.since(mark)
    assert re.search(r"- start: ", listed) and re.search(r"- wait: ", listed), listed
    assert "jump" not in listed and "all VALUE" not in listed
    assert "- rate again [CONTEXT]: " in listed, listed  # COWS is rated here
    w.child.sendline("quit")
    assert w.finish() == 0

    w = spawn()
    begin(w, "stop-help")
    history_and_medical(w, "20 days ago")
    w.answer(p_uds("opiates"), "all not_done")
    mark = w.mark()
    w.answer(r"Override\? ", "help")
    w.expect(r"- override: ")
    w.expect(r"Override\? ")
    # Stopped before COWS is asked: 'rate again' cannot work here, so help leaves it out
    # (typed anyway, it says why).
    assert "rate again" not in w.since(mark), w.since(mark)
    w.child.sendline("rate again")
    w.expect(r"'cows_total' is asked at the step")
    w.expect(r"Override\? ")
    w.child.sendline("quit")
    w.finish()


def test_the_side_at_a_first_injection_does_not_speak_of_a_last_one(spawn: Any) -> None:
    """At a first injection the side prompt does not speak of 'the side opposite the last
    injection'."""
    w = spawn("walk", "--label", "first-side", *presets())
    w.expect(INJECTION_STEP)
    w.answer(P_GIVEN, "y")
    w.expect(P_SIDE)
    screen = w.output[w.output.index(INJECTION_STEP) :]
    assert "opposite the last injection" not in screen, screen
    w.child.sendline("quit")
    assert w.finish() == 0


def test_choice_values_and_labels_do_not_disagree() -> None:
    """No choice's value and label disagree, as `none  not known` did (a value saying
    absent, a label saying unknown)."""
    for cq in shipped_guide().questions.values():
        for c in cq.spec.choices or ():
            label, value = str(c.label).lower(), str(c.value).lower()
            if "not known" in label or "unknown" in label:
                assert "unknown" in value or "not_known" in value, (cq.key, c)
        assert "Enter for today" not in (cq.spec.help or ""), cq.key


def test_a_first_injection_answer_is_refused_when_the_record_shows_a_dose(
    spawn: Callable[..., Walkthrough], tmp_path: Path
) -> None:
    """At the prompt as from a file: with a finished injection on record for the label,
    'first injection' would skip the repeat-visit gates; it is refused, saying why, and
    the repeat visit answer goes on, filled in from the record."""
    import subprocess

    from tests.helpers import after_injection, days_ago, json_answers

    earlier = tmp_path / "earlier.json"
    first = after_injection(last_opioid_use=days_ago(60))
    earlier.write_text(json.dumps(json_answers(first)), encoding="utf-8")
    done = subprocess.run(
        [
            *(str(EXE), "walk", "--no-input", "--label", "rec", "--answers", str(earlier)),
            *("--today", days_ago(28).isoformat(), "--acknowledge", "all"),
        ],
        env={**os.environ, "XRNTX_GUIDE_HOME": str(tmp_path / "home")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    w = spawn("walk", "--label", "rec")
    # The visit type is filled in from the record; changing it to a first injection is
    # refused, saying why.
    w.expect(r"the\s+record\s+holds\s+an\s+injection\s+of")
    w.answer(P_INJECTION_DATE, "edit visit")
    w.answer(P_VISIT, "1")
    w.expect(r"so\s+this\s+visit\s+is\s+a\s+repeat\s+visit")
    w.answer(P_VISIT, "2")
    w.answer(P_INJECTION_DATE, "")
    w.expect(r"from\s+the\s+history")
    w.child.sendline("quit")
    w.finish()
    latest = w.sessions()[-1]
    answers = json.loads(latest.read_text(encoding="utf-8"))["answers"]
    assert answers["visit"]["value"] == "repeat_injection", answers["visit"]
    assert answers["last_injection_date"]["origin"] == "history"


def test_ending_treatment_at_the_prompt_says_the_dates_and_offers_the_card(
    spawn: Callable[..., Walkthrough], tmp_path: Path
) -> None:
    """A repeat visit that ends the treatment: the walk asks why and for the counselling,
    ends at the end of treatment (no injection) with the blockade's end and the agonist's
    earliest start, and gives the command that prints the emergency card."""
    import subprocess

    from tests.helpers import after_injection, days_ago, json_answers

    earlier = tmp_path / "earlier.json"
    first = after_injection(last_opioid_use=days_ago(60))
    earlier.write_text(json.dumps(json_answers(first)), encoding="utf-8")
    done = subprocess.run(
        [
            *(str(EXE), "walk", "--no-input", "--label", "end", "--answers", str(earlier)),
            *("--today", days_ago(28).isoformat(), "--acknowledge", "all"),
        ],
        env={**os.environ, "XRNTX_GUIDE_HOME": str(tmp_path / "home")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    w = spawn("walk", "--label", "end")
    w.answers(
        [
            (P_INJECTION_DATE, ""),
            (rf"Any opioid use since the last injection\? {YES_NO}: ", "n"),
            (rf"Does this visit end XR-naltrexone treatment[^\n]*\? {YES_NO}: ", "y"),
            (rf"Why does the treatment end\? {CHOICE}: ", "switch_to_agonist"),
            (rf"Which agonist\? {CHOICE}: ", "buprenorphine"),
            (r"Comment on the end of treatment \(optional\) \[Enter to skip\]: ", ""),
            (rf"Overdose risk after stopping counselled[^?]*\? {YES_NO}: ", "y"),
            (rf"discussed and\s+prescribed\? {YES_NO}: ", "y"),
        ]
    )
    w.expect(r"Command \[")
    said = " ".join(w.output.split())
    end = TODAY.isoformat()  # the last injection 28 days ago: the blockade ends today
    assert "END OF TREATMENT: Treatment ends at this visit" in said, said
    assert f"The blockade ends about {end}" in said
    assert f"Earliest start of buprenorphine: {end}" in said
    assert "The visit ends here, without an injection." in said
    assert re.search(r"xrntx-guide card \w+ --format html -o card\.html", said), said
    w.child.sendline("quit")
    assert w.finish() == ExitCode.BLOCKED
    latest = w.sessions()[-1]  # the latest changed
    record = json.loads(latest.read_text(encoding="utf-8"))
    assert record["answers"]["end_of_treatment"]["value"] is True
    assert record["gates"]["end_of_treatment"] == "fail"
