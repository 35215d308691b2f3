"""The input ending at the first prompt (Ctrl-D at "Patient label") is said and is not
a finished walk: exit 4 and a warning that nothing was saved, as the input ending later
in a walk is said (exit 4, the session saved). It ended silently with exit 0, which a
script reads as a walkthrough finished; 'quit' there still leaves with 0."""

from __future__ import annotations

from tests.helpers import TODAY, Run
from xrntx_guide.errors import ExitCode


def test_ctrl_d_at_the_label_prompt_says_nothing_was_saved(run: Run, at_a_terminal: None) -> None:
    out = run("walk", "--today", TODAY.isoformat(), input="")
    assert out.exit_code == ExitCode.INCOMPLETE, out.output
    assert "input ended before a label was given" in out.stderr, out.output


def test_the_control_quit_at_the_label_prompt_leaves_with_0(run: Run, at_a_terminal: None) -> None:
    out = run("walk", "--today", TODAY.isoformat(), input="quit\n")
    assert out.exit_code == ExitCode.OK, out.output
    assert "nothing was saved" in out.output, out.output  # said, never a silent exit
