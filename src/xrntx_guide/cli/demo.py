"""Presenter runs: the real walkthrough, answered from a scenario, paced by a trainer.

A :class:`Presenter` is a responder of :class:`~xrntx_guide.cli.walk.Walk`: the same loop
that a clinician drives at the keyboard asks it for each reply. It shows the answer being
given and where it came from, the trainer's notes for the step, and stops at each gate;
at every pause the trainer can go on, go back, fast-forward the naloxone-challenge timer
(a demo clock: training runs only) or try a what-if (``w last_opioid_use=3 days ago``):
the guide's answer with that one change, side by side with the scenario's, after which
the run goes on where it was. Nothing a presenter run writes is a care record.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from typing import Any

from ..engine.evaluate import GateResult, State
from ..engine.walk import wait_remaining
from ..errors import UserError
from ..expr import format_value
from ..pack.guide import CStep
from ..records import field, record
from ..scenarios import Scenario
from ..visit.answers import to_json
from ..visit.history import Timeline
from .render import show_decided
from .walk import _mmss

PAUSE = "[Enter] next · b back · f fast-forward · w KEY=VALUE what-if · q quit: "
"""71 columns: the prompt and the start of a reply fit in 80, so the pause never wraps."""


@record
class Presenter:
    scenario: Scenario
    auto: float | None = None
    """Seconds to wait at each pause instead of a key (a kiosk, a recording)."""
    given: set[str] = field(default_factory=set)
    noted: set[str] = field(default_factory=set)
    declined: set[str] = field(default_factory=set)
    decided: set[str] = field(default_factory=set)
    """Gates whose decision was shown: each once, when the walk first passes it."""
    queued: str | None = None
    """A walk command typed at a pause the walk did not ask for (after the gates)."""
    stopped: bool = False
    """The trainer quit (q) before the case ended."""
    unanswered: str | None = None
    """An unattended run (--auto) ended at this question: the scenario does not answer it."""

    expanded: Mapping[str, Any] | None = None
    record: Timeline | None = None
    """The patient's record (the case's earlier visits): judged with, as check judges."""

    def answers(self, walk: Any) -> Mapping[str, Any]:
        """The scenario's answers, a COWS or challenge series read as the answers it gives
        on the visit day (visit/series.py)."""
        if self.expanded is None:
            from ..visit.presets import expand_series

            where = f"{self.scenario.path} [answers]"
            self.expanded = expand_series(walk.guide, self.scenario.answers, walk.today, where)
        return self.expanded

    # -- the responder --------------------------------------------------------------

    def origin(self, key: str) -> str:
        """Where an answer the walk records came from: the scenario's, unless the person
        at the keyboard answered it (the scenario does not, or its answer was refused)."""
        return "scenario" if key in self.given and key not in self.declined else "typed"

    def supply(self, walk: Any, prompt: str) -> str | None:
        """The reply to ``prompt``, or None to let the person at the keyboard answer."""
        if self.queued is not None:
            queued, self.queued = self.queued, None
            return queued
        state = walk.state()
        if prompt.startswith("Command ["):  # a contraindication: the scenario ends here
            return self.pause(walk, state, "The walk stops at this gate.") or "quit"
        if prompt.startswith("Acknowledge"):
            return self.pause(walk, state, "A caution: the trainer acknowledges it.") or "ok"
        if prompt.startswith("Override?"):
            return self.pause(walk, state, "A stop, and the scenario records no override.") or (
                "quit"
            )
        if prompt.startswith("Press Enter when done"):
            return self.pause(walk, state, "") or ""
        key = walk.current_key(state)
        if key is None or key in self.declined:
            return None
        cq = walk.guide.questions[key]
        self.show_notes(walk, cq.step_id)
        answers = self.answers(walk)
        if key not in answers:
            if cq.spec.optional or cq.default is not None:
                # Skip it, or take its default, as a clinician pressing Enter, and say so.
                what = "its default" if cq.default is not None else "left empty"
                walk.ui.note(f"{cq.spec.prompt} -> {what}   (the scenario does not answer it)")
                return ""
            if self.auto is not None:  # nobody to answer it: a kiosk would wait for ever
                self.unanswered = key
                walk.ui.note(f"The scenario does not answer {key}: the unattended run ends here.")
                return "quit"
            self.declined.add(key)
            walk.ui.note(f"The scenario does not answer {key}: answer it now.")
            return None
        value = answers[key]
        text = format_value(value)  # as a clinician would type it: yes, 2026-11-20
        if cq.wait_minutes is not None and value in cq.spec.wait_for:
            started = walk.record.timers.get(key)
            if started is None:
                walk.ui.note("The naloxone is given: the observation timer starts.")
                return "start"
            left = wait_remaining(state, cq, started, walk.clock.timer_now(started))
            if left is not None and left > dt.timedelta(0):
                reply = self.pause(
                    walk,
                    state,
                    f"The observation has {_mmss(left)} left: f (or Enter) fast-forwards.",
                )
                if reply is not None:
                    return reply
                walk.clock.skipped += left  # the demo clock moves on; real time did not
                walk.ui.note(f"Demo clock: fast-forwarded {_mmss(left)}.")
        stored = walk.record.answers.get(key)
        if key in self.given and (stored is None or stored.value != to_json(value)):
            self.declined.add(key)  # given once and refused: the person answers
            return None
        self.given.add(key)  # again after 'back': the scenario's answer is shown again
        walk.ui.note(f"{cq.spec.prompt} -> {text}   (from the scenario)")
        reply = self.pause(walk, state, "")
        return reply if reply is not None else text

    def reached(self, walk: Any, state: State, step: CStep) -> None:
        """The walk reaches ``step`` (or stops at a gate before it): stop to show how each
        gate passed on the way decided, with the values it read and its source. A gate
        that stops the walk is shown by the walk itself; it is shown here once settled
        (overridden, acknowledged), when the walk goes on past it."""
        settled = []
        for gate in walk.guide.guarding[step.index]:
            r = state.gates[gate.id]
            if gate.id in self.decided or not _settled(r):
                continue
            self.decided.add(gate.id)
            if r.outcome != "not_applicable":
                settled.append(r)
        if not settled:
            return
        show_decided(walk.ui, state, settled, step.spec.title)
        self.queued = self.pause(walk, state, "")

    # -- pauses -----------------------------------------------------------------------

    def pause(self, walk: Any, state: State, message: str) -> str | None:
        """Wait for the trainer; a reply that is a walk command ('back', 'quit') is
        returned for the walk to act on, None means go on."""
        if message:
            walk.ui.note(message)
        if self.auto is not None:
            time.sleep(self.auto)
            return None
        while True:
            try:
                text = walk.ui.ask(PAUSE).strip()
            except EOFError:
                self.stopped = True
                return "quit"
            word, _, rest = text.partition(" ")
            word = word.lower()
            if word in ("", "n", "next"):
                return None
            if word in ("b", "back"):
                return "back"
            if word in ("q", "quit"):
                self.stopped = True
                return "quit"
            if word in ("f", "ff"):
                return None  # the caller fast-forwards when a timer runs
            if word in ("w", "whatif", "what-if"):
                self.what_if(walk, state, rest)
                continue
            walk.ui.retry("Enter, b, f, w KEY=VALUE or q")

    def show_notes(self, walk: Any, step_id: str) -> None:
        if step_id in self.noted:
            return
        self.noted.add(step_id)
        note = self.scenario.notes.get(step_id)
        if note:
            walk.ui.alert(f"Trainer: {note}")

    # -- what-if ----------------------------------------------------------------------

    def what_if(self, walk: Any, state: State, change: str) -> None:
        """The guide's outcome with one answer changed, beside the scenario's own: both
        with all the scenario's answers (and what was answered live so far), so that the
        side by side shows where the case ends, not where the walk has got to."""
        from ..visit.presets import parse_answers
        from .render import show_what_if

        key, sep, raw = change.partition("=")
        key, raw = key.strip(), raw.strip()
        if not sep or not key or not raw:
            walk.ui.retry("what-if: w KEY=VALUE, for example w last_opioid_use=3 days ago")
            return
        try:
            parsed = parse_answers(walk.guide, {key: raw}, "flag", walk.today, "what-if")
            ends = self.ends(walk)
            other = self.ends(walk, {key: parsed[key]})
        except UserError as exc:
            walk.ui.retry(f"what-if: {exc.message}")
            return
        show_what_if(walk.ui, ends, other, f"{key} = {other.display(key)}")
        walk.ui.note("Both columns: all the scenario's answers, as at the end of the case.")
        walk.ui.note("Back to the scenario: nothing was changed.")

    def ends(self, walk: Any, change: Mapping[str, Any] | None = None) -> State:
        """Where the case ends: the guide's outcome with all the scenario's answers (and
        those answered live, which come first), evaluated as ``scenarios test`` does, with
        the scenario's overrides; ``change`` replaces answers (a what-if).

        Raises:
            UserError: answers that contradict each other (a what-if's last use after the
                injection date; a first injection beside a last injection), naming both.
        """
        from ..judge import judge
        from ..visit.presets import Preset, parse_answers, parse_overrides

        guide, today = walk.guide, walk.today
        where = f"{self.scenario.path} [answers]"
        given = parse_answers(guide, self.scenario.answers, "scenario", today, where)
        live = walk.record.inputs(guide, today).answers
        given.update((k, Preset(v, "typed")) for k, v in live.items())
        given.update(change or {})
        requests = parse_overrides(guide, self.scenario.overrides)
        # The one judge of check, each batch line and scenarios test (judge.py), with
        # the patient's record as they read it.
        return judge(guide, given, today, overrides=requests, record=self.record).state


def _settled(r: GateResult) -> bool:
    """The walk goes on past this gate: it passes, does not apply, was overridden, or is
    a caution or note that was acknowledged."""
    if r.outcome in ("pass", "not_applicable", "overridden"):
        return True
    return r.outcome == "fail" and r.severity in ("caution", "info") and r.acknowledged
