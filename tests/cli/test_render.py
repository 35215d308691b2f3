"""The screens the CLI draws from a state: the check report, gates and what-ifs (cli/render.py)."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from tests.helpers import TODAY, flat, ready_patient
from xrntx_guide.cli.render import show_check, show_gate, show_what_if
from xrntx_guide.cli.ui import UI
from xrntx_guide.engine.evaluate import Inputs, State, evaluate
from xrntx_guide.pack.guide import Guide


def _state(guide: Guide, **changes: Any) -> State:
    return evaluate(guide, Inputs(ready_patient(**changes), TODAY))


def _shown(draw: Any, *args: Any) -> str:
    out = io.StringIO()
    draw(UI(plain=True, out=out, err=io.StringIO()), *args)
    return flat(out.getvalue())


def test_the_check_report_of_a_ready_patient_says_ready_and_no_gate(guide: Guide) -> None:
    text = _shown(show_check, _state(guide))
    assert text.startswith("READY")
    assert "contraindication" not in text


def test_the_check_report_of_a_blocked_patient_names_the_gate_and_the_earliest_date(
    guide: Guide,
) -> None:
    state = _state(guide, last_opioid_use=TODAY - dt.timedelta(days=2))
    text = _shown(show_check, state)
    assert text.startswith("BLOCKED")
    for gid in state.blocking:
        assert f"{state.gates[gid].severity} {gid}:" in text
    assert state.earliest_injection_date is not None
    assert f"Earliest injection date: {state.earliest_injection_date.isoformat()}" in text


def test_missing_answers_are_listed_by_key(guide: Guide) -> None:
    text = _shown(show_check, _state(guide, consent=None))
    assert text.startswith("INCOMPLETE")
    assert "Missing:" in text and "consent" in text


def test_a_failing_gate_is_shown_with_its_reason(guide: Guide) -> None:
    state = _state(guide, consent=False)
    (gid, *_) = state.blocking
    text = _shown(show_gate, state, state.gates[gid])
    assert flat(state.gates[gid].reason) in text


def test_a_what_if_shows_only_the_gates_that_moved(guide: Guide) -> None:
    scenario = _state(guide)
    other = _state(guide, consent=False)
    text = _shown(show_what_if, scenario, other, "consent=no")
    assert "What if consent=no?" in text
    moved = {
        gid
        for gid, g in other.gates.items()
        if (g.outcome, g.severity) != (scenario.gates[gid].outcome, scenario.gates[gid].severity)
    }
    assert moved
    for gid in other.gates:
        assert bool(re.search(rf"\bgate {gid}\b", text)) == (gid in moved), gid


def test_the_summary_of_a_training_run_says_training(guide: Guide) -> None:
    """The note and the calendar event were marked TRAINING; the summary on screen was not."""
    from xrntx_guide.cli.render import show_summary
    from xrntx_guide.visit.session import new_session

    now = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
    shown = []
    for demo in (None, 600.0):
        record = new_session(guide, "sam-01", now, TODAY)
        record.demo_clock = demo
        out = io.StringIO()
        show_summary(UI(True, out=out, err=out, terminal=True, width=80), _state(guide), record)
        shown.append(out.getvalue().splitlines()[1])
    assert shown[0] == "--- Summary: sam-01 ---"
    assert shown[1].startswith("--- Summary: sam-01 · TRAINING"), shown


def test_the_emergency_card_command_stays_whole_on_an_80_column_terminal(guide: Guide) -> None:
    """At the end of a visit the card's command was filled into the prose and broken
    between 'xrntx-guide' and 'card ...' at 80 columns: it is a line of its own."""
    from xrntx_guide.cli.render import show_card_hint
    from xrntx_guide.visit.session import new_session

    now = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
    record = new_session(guide, "sam-01", now, TODAY)
    state = _state(guide, injection_given=True)
    out = io.StringIO()
    show_card_hint(UI(True, out=out, err=out, terminal=True, width=80), state, record)
    lines = out.getvalue().splitlines()
    command = f"xrntx-guide card {record.id} --format html -o card.html"
    assert any(line.strip() == command for line in lines), lines
    assert all(len(line) <= 80 for line in lines), lines
