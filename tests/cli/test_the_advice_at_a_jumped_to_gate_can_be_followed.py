"""The advice a blocking gate gives after ``jump`` can be followed from where ``jump``
was offered.

The heads-up "Opioid-free interval already fails ... Type 'jump' to go to it now" is shown
at the first question of the medical evaluation, so that is where a clinician jumps
from. The gate's screen then says: "Or choose the supervised rapid induction pathway (go
back to the 'pathway' question)". ``edit pathway`` is refused there ("after the gate
'opioid_analgesics', which stops the walk now: settle that gate first (why; edit an
earlier answer)"): that gate fails nothing, its question was only jumped over, no
earlier answer needs editing, and the clinician is put back at the first medical
question without the pathway. The same command works when the medical evaluation was
answered before the jump (``test_edit_open_questions``).
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.cli.test_edit_open_questions import walk
from tests.helpers import TODAY
from xrntx_guide.pack.guide import Guide

# The history of a patient four days after heroin: all a clinician has answered when the
# heads-up offers 'jump'.
HISTORY = {
    "visit": "first_injection",
    "injection_date": TODAY,
    "oud_diagnosis": True,
    "last_opioid_kind": "short_acting",
    "last_opioid_use": TODAY - dt.timedelta(days=4),
    "fentanyl_used_30_days": False,
}


def test_the_heads_up_offers_jump_with_only_the_history_answered(guide: Guide) -> None:
    _, screen = walk(guide, HISTORY, "quit\n")

    assert "Type 'jump' to go to it now" in " ".join(screen.split()), screen


@pytest.mark.xfail(
    strict=True,
    reason="edit pathway after a jump from the first medical question is refused: the "
    "gates jumped over count as stopping the walk, and the message says to edit an answer",
)
def test_edit_pathway_after_jump_from_the_heads_up_asks_the_pathway(guide: Guide) -> None:
    _, screen = walk(guide, HISTORY, "jump\nedit pathway\nquit\n")

    assert "go back to the 'pathway' question" in " ".join(screen.split()), screen
    after = screen.split("edit pathway", 1)[1]
    assert "Which pathway?" in after, after


def test_edit_pathway_after_jump_names_the_answers_still_open_before_it(guide: Guide) -> None:
    """Until it can be followed at once: the refusal of ``edit pathway`` names the answers
    the gate before it still needs (the medical questions jumped over) and says the walk
    asks them next, never that a gate "stops the walk now" or that an answer is wrong."""
    _, screen = walk(guide, HISTORY, "jump\nedit pathway\nquit\n")

    after = " ".join(screen.split("edit pathway", 1)[1].split())
    assert "not decided yet: it needs opioid_analgesics" in after, after
    assert "then `edit pathway`" in after and "stops the walk now" not in after, after
