"""The interactive walk edits a line as a terminal user expects (readline): the arrow
keys move the cursor within what was typed, at every prompt from the first (the patient
label) on. Without it, the arrow keys type escape sequences into the answer.

Driven for real in a pseudo-terminal: ``qit``, Left, Left, ``u`` is ``quit`` only when
the line is edited, and quit is the one answer that ends the walk at once."""

from __future__ import annotations

from typing import Any

import pexpect
import pytest

from tests.cli.test_interactive import P_LABEL, P_VISIT, spawn
from tests.helpers import EXE, stored_sessions, wrapping

pytestmark = pytest.mark.skipif(not EXE.exists(), reason=f"{EXE} is not installed")
readline = pytest.importorskip("readline", reason="this Python has no line editing")

__all__ = ["spawn"]  # the fixture, used by name

LEFT = "\x1b[D"  # the Left arrow key, as a terminal sends it (TERM=xterm)


def type_quit_with_the_arrow_keys(w: Any, prompt: str) -> int:
    """At ``prompt``, type ``qit``, move left twice, insert ``u`` and press Enter; which of
    the prompt again (0: the line was not edited) or the end of the run (1) follows."""
    w.expect(prompt)
    w.child.send("qit" + LEFT + LEFT + "u" + "\r")
    return int(w.child.expect([wrapping(prompt), pexpect.EOF], timeout=15))


def test_the_arrow_keys_edit_the_answer_at_a_question(spawn: Any) -> None:
    w = spawn("walk", "--label", "arrow-keys")

    assert type_quit_with_the_arrow_keys(w, P_VISIT) == 1, w.output
    assert "Saved. Resume with" in w.output, w.output


def test_the_arrow_keys_edit_the_patient_label(spawn: Any) -> None:
    w = spawn()

    assert type_quit_with_the_arrow_keys(w, P_LABEL) == 1, w.output
    assert stored_sessions() == []  # quit at the label: no session
