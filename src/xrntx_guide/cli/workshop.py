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


def _entry(n: int, case: Scenario, points: bool) -> list[tuple[str, str | None, int]]:
    """One case of the list: its lines as (text, style, hang)."""
    out: list[tuple[str, str | None, int]] = [(f"{n:>2}. {case.title}  [{case.id}]", "bold", 4)]
    if points:
        out.append(("    teaching points:", None, 0))
        out.extend((f"      - {point}", None, 8) for point in case.teaching_points)
    else:
        out.append((f"    teaches: {teaches(case)}", None, len("    teaches: ")))
    out.append((f"    expected: {expected_words(case.expect)}", None, len("    expected: ")))
    return out


def show_cases(ui: UI, cases: Sequence[Scenario], points: bool = False, first: int = 1) -> None:
    """The cases, numbered from ``first``: title, what each teaches, the expected
    outcome; with ``points`` every teaching point, not only the first."""
    for n, case in enumerate(cases, first):
        for text, style, hang in _entry(n, case, points):
            ui.line(text, style=style, hang=hang)


def _page_end(ui: UI, cases: Sequence[Scenario], start: int, room: int) -> int:
    """Where a page of the list that starts at ``start`` ends: as many cases as fill
    ``room`` lines, at least one."""
    end, used = start, 0
    while end < len(cases):
        taken = sum(ui.lines_taken(t, h) for t, _, h in _entry(end + 1, cases[end], False))
        if end > start and used + taken > room:
            break
        used += taken
        end += 1
    return end


def pick_case(ui: UI, cases: Sequence[Scenario]) -> Scenario | None:
    """Ask for a case by number (or id); None when the trainer quits. On a terminal the
    list comes a screen at a time (Enter shows more): a projector's 30 lines hold about
    seven cases, and the rest scrolled the first ones away."""
    ui.line("Cases to present (pick one by number):", style="bold")
    height = ui.screen_lines
    shown = 0
    while True:
        if shown < len(cases):
            # A page leaves a line for the heading (the first) or the prompt just
            # answered (the others) and one for the prompt.
            end = len(cases) if height is None else _page_end(ui, cases, shown, height - 2)
            show_cases(ui, cases[shown:end], first=shown + 1)
            shown = end
        more = shown < len(cases)
        hint = "Enter for more, " if more else ""
        try:
            text = ui.ask(f"Case [1-{len(cases)}, {hint}or q to quit]: ").strip()
        except EOFError:
            return None
        if text == "" and more:
            continue
        if text.lower() in ("q", "quit"):
            return None
        named = case_named(cases, text)
        if named is not None:
            return named
        ui.retry(
            f"type a number from 1 to {len(cases)}"
            + (", Enter for more" if more else "")
            + ", or q"
        )


def case_named(cases: Sequence[Scenario], text: str) -> Scenario | None:
    """The case ``text`` names, as the picker and ``demo CASE`` read it: its number in
    the list (``1``), its id (``01-ready-after-heroin``), or the start of exactly one id
    (``01``, ``01-ready``); None otherwise."""
    if not text:
        return None
    if text.isdigit() and 1 <= int(text) <= len(cases):
        return cases[int(text) - 1]
    exact = [c for c in cases if c.id == text]
    if exact:
        return exact[0]
    starting = [c for c in cases if c.id.startswith(text)]
    return starting[0] if len(starting) == 1 else None


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
