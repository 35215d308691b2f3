"""The naloxone challenge's dosing is shown as it is done: the route's actions one at a
time at the result prompt (Enter: the next), never as one block of text; only the routes
the site uses are offered. The numbers are the shipped step's own, cited to its source.

The interactive screens run the installed ``xrntx-guide`` in a pseudo-terminal.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest

from tests.helpers import EXE, NOW, answer_flags, make_pack, ready_patient, wrapping
from xrntx_guide.errors import ExitCode, PackError
from xrntx_guide.pack.guide import Guide
from xrntx_guide.pack.load import load_guide

needs_exe = pytest.mark.skipif(not EXE.exists(), reason=f"{EXE} is not installed")

P_CHALLENGE = r"Naloxone challenge result \(number or value\): "


def challenge_routes(guide: Guide) -> dict[str, list[str]]:
    step = guide.step("naloxone_challenge")
    return {p.route: p.actions for _, p in step.procedures if p.question == "naloxone_challenge"}


# -- the shipped step ------------------------------------------------------------------------


def test_the_iv_challenge_is_its_actions_in_the_order_they_are_done(guide: Guide) -> None:
    iv = challenge_routes(guide)["IV"]
    order = ["0.8 mg", "0.2 mg", "30 seconds", "0.6 mg", "{settings.naloxone_observation_minutes}"]
    found = [next(i for i, a in enumerate(iv) if part in a) for part in order]
    assert found == sorted(found), iv
    assert len(set(found)) >= 4, "the doses and waits are separate actions"


def test_the_dosing_is_no_longer_in_the_instructions_block(guide: Guide) -> None:
    text = guide.step("naloxone_challenge").spec.instructions
    for actions in challenge_routes(guide).values():
        for action in actions:
            for dose in re.findall(r"\d+(?:\.\d+)? mg \(\d+(?:\.\d+)? mL\)", action):
                assert dose not in text, dose


def test_each_route_cites_its_source(guide: Guide) -> None:
    step = guide.step("naloxone_challenge")
    assert step.procedures
    for _, proc in step.procedures:
        assert proc.sources and set(proc.sources) <= set(guide.sources), proc.route


def test_a_procedure_for_a_question_the_step_does_not_ask_is_refused(tmp_path: Path) -> None:
    steps = make_pack(
        tmp_path,
        replace={
            "requires_clear = true\n": "requires_clear = true\n\n[[step.procedure]]\n"
            'question = "allergic"\nroute = "IV"\nactions = ["Do it."]\n'
        },
    )
    with pytest.raises(PackError) as caught:
        load_guide(steps)
    assert "'allergic' is not a question of step 'inject'" in str(caught.value)


# -- at the prompt ---------------------------------------------------------------------------


class Terminal:
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
        return " ".join(self.log.getvalue().split())


@pytest.fixture
def terminals() -> Iterator[list[Terminal]]:
    opened: list[Terminal] = []
    yield opened
    for t in opened:
        if t.child.isalive():
            t.child.terminate(force=True)


def at_the_challenge(home: Path, *site: str) -> list[str]:
    """A session of the ready patient saved just before the challenge; the resume's args."""
    answers = ready_patient(naloxone_challenge=None)
    env = {**os.environ, "XRNTX_GUIDE_HOME": str(home), "NO_COLOR": "1"}
    args = ["walk", "--no-input", "--label", "CH-1", "--now", NOW, *site]
    done = subprocess.run(
        [str(EXE), *args, *answer_flags(answers)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == ExitCode.INCOMPLETE, done.stderr
    return ["walk", "--resume", "--label", "CH-1"]


@needs_exe
def test_the_route_chosen_is_shown_one_action_at_a_time(
    tmp_path: Path, terminals: list[Terminal], guide: Guide
) -> None:
    home = tmp_path / "home"
    iv = challenge_routes(guide)["IV"]
    t = Terminal(home, *at_the_challenge(home))
    terminals.append(t)
    t.child.expect(wrapping(P_CHALLENGE))
    assert "0.6 mg" not in t.output  # nothing of the dosing is shown as a block
    t.child.sendline("IV")
    t.child.expect(r"IV 1 of \d+")
    t.child.expect(wrapping(P_CHALLENGE))
    assert f"of {len(iv)}" in t.output and "0.2 mg" not in t.output
    t.child.sendline("")
    t.child.expect(r"IV 2 of \d+")
    t.child.expect(wrapping(P_CHALLENGE))
    assert "0.2 mg" in t.output and "0.6 mg" not in t.output
    t.child.sendline("quit")
    t.child.expect(pexpect.EOF)


@needs_exe
def test_a_site_with_one_route_shows_its_first_action_at_once(
    tmp_path: Path, terminals: list[Terminal]
) -> None:
    home = tmp_path / "home"
    site = tmp_path / "site.toml"
    site.write_text(
        'site = "IV only"\n\n[settings]\nnaloxone_challenge_route = "IV"\n',
        encoding="utf-8",
    )
    t = Terminal(home, *at_the_challenge(home, "--site", str(site)))
    terminals.append(t)
    t.child.expect(r"IV 1 of \d+")
    t.child.expect(wrapping(P_CHALLENGE))
    assert "IV or SC to follow" not in t.output and "SC 1 of" not in t.output
    t.child.sendline("quit")
    t.child.expect(pexpect.EOF)


@needs_exe
@pytest.mark.parametrize("started", [False, True])
def test_the_last_action_says_the_timer_has_not_started_only_when_it_has_not(
    tmp_path: Path, terminals: list[Terminal], guide: Guide, started: bool
) -> None:
    """Enter through the actions to the observation without typing 'start': the result
    waits for a timer that is not running, so the last action says so, and how to start
    it; with the timer started it does not."""
    home = tmp_path / "home"
    iv = challenge_routes(guide)["IV"]
    t = Terminal(home, *at_the_challenge(home))
    terminals.append(t)
    t.child.expect(wrapping(P_CHALLENGE))
    t.child.sendline("IV")
    for n in range(2, len(iv) + 1):
        t.child.expect(wrapping(P_CHALLENGE))
        if started and n == len(iv):
            t.child.sendline("start")
            t.child.expect(r"timer started")
            t.child.expect(wrapping(P_CHALLENGE))
        t.child.sendline("")
        t.child.expect(rf"IV {n} of {len(iv)}")
    t.child.expect(wrapping(P_CHALLENGE))
    last = t.output[t.output.rindex(f"IV {len(iv)} of {len(iv)}") :]
    assert ("timer has not started: type 'start'" in last) is not started, last
    t.child.sendline("quit")
    t.child.expect(pexpect.EOF)
