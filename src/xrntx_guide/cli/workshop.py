"""What a trainer sees around a presenter run: the case picker and the recap.

A trainer who has not rehearsed starts from a list of the cases (what each teaches and
where it ends), picks one by number, and ends on a recap that gathers what the room
should take away: the teaching points, the outcome, the earliest date and what each
what-if changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from ..scenarios import Scenario
from .ui import UI


def expected_words(expect: Mapping[str, Any]) -> str:
    """A case's expected outcome in a few words: ``blocked (opioid_free_interval)``."""
    status = str(expect.get("status", "?"))
    blocking = expect.get("blocking") or []
    if blocking:
        return f"{status} ({', '.join(str(b) for b in blocking)})"
    return status


def teaches(case: Scenario) -> str:
    """What a case teaches, in one line: its first teaching point."""
    return case.teaching_points[0] if case.teaching_points else "(no teaching points)"


def show_cases(ui: UI, cases: Sequence[Scenario], points: bool = False) -> None:
    """The cases, numbered: title, what each teaches, the expected outcome; with
    ``points`` every teaching point, not only the first."""
    for n, case in enumerate(cases, 1):
        ui.line(f"{n:>2}. {case.title}  [{case.id}]", style="bold", hang=4)
        if points:
            ui.line("    teaching points:")
            for point in case.teaching_points:
                ui.line(f"      - {point}", hang=8)
        else:
            ui.line(f"    teaches: {teaches(case)}", hang=len("    teaches: "))
        ui.line(f"    expected: {expected_words(case.expect)}", hang=len("    expected: "))


def pick_case(ui: UI, cases: Sequence[Scenario]) -> Scenario | None:
    """Ask for a case by number (or id); None when the trainer quits."""
    ui.line("Cases to present (pick one by number):", style="bold")
    show_cases(ui, cases)
    while True:
        try:
            text = ui.ask(f"Case [1-{len(cases)}, or q to quit]: ").strip()
        except EOFError:
            return None
        if text.lower() in ("q", "quit"):
            return None
        if text.isdigit() and 1 <= int(text) <= len(cases):
            return cases[int(text) - 1]
        by_id = [c for c in cases if c.id == text or c.id.startswith(text + "-")]
        if text and len(by_id) == 1:
            return by_id[0]
        ui.retry(f"type a number from 1 to {len(cases)}, or q")


def show_recap(
    ui: UI,
    case: Scenario,
    status: str,
    blocking: Sequence[str],
    cautions: Sequence[str],
    earliest: dt.date | None,
    what_ifs: Sequence[tuple[str, Sequence[str]]],
    tally: Sequence[tuple[str, str, str]] = (),
) -> None:
    """The end of a demo: what the room should take away."""
    ui.blank()
    ui.alert(f"TRAINING recap: {case.title}")
    ui.line("Teaching points", style="bold")
    for point in case.teaching_points or ("(the case gives none)",):
        ui.bullet(point)
    ui.line("Outcome", style="bold")
    ui.bullet(f"status: {status}")
    if blocking:
        ui.bullet(f"blocking: {', '.join(blocking)}")
    if cautions:
        ui.bullet(f"cautions: {', '.join(cautions)}")
    ui.bullet(f"earliest injection date: {earliest.isoformat() if earliest else 'none'}")
    ui.line("What-ifs tried", style="bold")
    if not what_ifs:
        ui.bullet("none")
    for change, moved in what_ifs:
        ui.bullet(f"{change}: " + ("; ".join(moved) if moved else "nothing changed"))
    if tally:
        right = sum(1 for _, guess, verdict in tally if guess == verdict)
        ui.line(f"The room's guesses: {right} of {len(tally)} right", style="bold")
        for gate, guess, verdict in tally:
            mark = "right" if guess == verdict else "wrong"
            ui.bullet(f"{gate}: guessed {guess}, {verdict} ({mark})")
