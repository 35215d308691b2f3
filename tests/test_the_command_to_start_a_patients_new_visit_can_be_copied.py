"""The command a refusal offers is copied and run as printed. ``walk --resume --label L``
of a patient whose visits are all finished says to start the new visit with ``walk
--label L``; a label may hold spaces ("AB 12"), and printed bare, the copied command
gives the walk the label "AB" and a stray word "12"."""

from __future__ import annotations

import datetime as dt
import re
import shlex

from tests.helpers import (
    MONTHLY_VISIT,
    REPEAT_WITHOUT_USE,
    TODAY,
    Run,
    after_injection,
    at_today,
    first_dose_on,
    walk_at,
)
from xrntx_guide.visit.labels import label_key


def _offered_label(run: Run, label: str) -> str:
    """Two finished visits of ``label``, then a resume by the label: the label in the
    command the refusal offers, read as a shell reads the command."""
    first_dose_on(run, label, TODAY - dt.timedelta(weeks=4))
    monthly = {
        **after_injection(**REPEAT_WITHOUT_USE, **MONTHLY_VISIT),
        "injection_side_used": "right",
    }
    assert walk_at(run, label, at_today("09:00"), monthly).exit_code == 0
    resumed = run("walk", "--no-input", "--resume", "--label", label, "--now", at_today("10:05"))
    assert resumed.exit_code == 2, resumed.output
    found = re.search(r"`([^`]*walk --label[^`]*)`", " ".join(resumed.stderr.split()))
    assert found is not None, resumed.output
    words = shlex.split(found.group(1))
    assert words.index("--label") == len(words) - 2, f"more than one word after --label: {words}"
    return words[-1]


def test_a_label_with_a_space_is_offered_as_one_word(run: Run) -> None:
    assert label_key(_offered_label(run, "AB 12")) == label_key("AB 12")


def test_a_label_without_a_space_is_offered_as_typed(run: Run) -> None:
    """Control."""
    assert label_key(_offered_label(run, "AB-12")) == label_key("AB-12")
