"""'help' typed inside the rapid pathway's day dialog is the dialog's help (the banner
says 'help' gives the commands of that prompt): before, it said the walk's help and left
the dialog, throwing away the day being typed (docs/clinicians.md names only 'back' as
staying within it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import Run
from tests.test_a_dose_given_on_the_pathways_injection_day_stays_recorded import (
    dosed_on_the_injection_day,
    typed_at_a_terminal,
)


@pytest.mark.usefixtures("at_a_terminal")
def test_help_inside_the_day_dialog_keeps_the_day_being_typed(run: Run, tmp_path: Path) -> None:
    """'help' inside the day dialog said the walk's help and left the dialog, throwing
    away the day being typed; it now says what the dialog takes and asks again."""
    day, _ = dosed_on_the_injection_day(run, tmp_path)
    resumed = typed_at_a_terminal(run, f"{day.isoformat()}T11:30", "day\n\nhelp\n\nquit\n")
    shown = " ".join(resumed.stdout.split())
    assert "Recording a day of the rapid pathway: answer the prompt" in shown, shown
    assert shown.count("Add to day") == 2, shown  # asked again after 'help'
