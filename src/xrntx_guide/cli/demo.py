"""Presenter runs: the real walkthrough, answered from a scenario, paced by a trainer.

A :class:`Presenter` is a responder of
:class:`~xrntx_guide.cli.walkthrough.Walkthrough`: the same loop that a clinician
drives at the keyboard asks it for each reply. It shows the answer being given and where
it came from, the trainer's notes for the step, and stops at each gate;
at every pause the trainer can go on, go back, fast-forward the naloxone-challenge timer
(a demo clock: training runs only) or try a what-if (``w last_opioid_use=3 days ago``):
the guide's answer with that one change, side by side with the scenario's, after which
the run goes on where it was. Nothing a presenter run writes is a care record.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..engine.evaluate import GateResult, State, usable_default
from ..engine.next_action import wait_remaining
from ..errors import UserError
from ..expr import UNKNOWN, format_value
from ..judge import judge
from ..pack.guide import CStep
from ..pack.severity import ACKNOWLEDGEABLE
from ..records import field, record
from ..scenarios import Scenario
from ..visit.answers import to_json
from ..visit.history import Timeline
from ..visit.presets import Preset, expand_series, parse_answers, parse_overrides
from .render import show_decided, show_what_if
from .walkthrough import _mmss

PAUSE = "[Enter] next · b back · f fast-forward · w KEY=VALUE · q quit: "
"""63 columns: with the room a prompt leaves for the reply (cli/ui.py) it fits in 80, so
the pause never wraps."""

STOPPED = (
    "The injection cannot be given in this case. At the pause: b goes back, "
    "w KEY=VALUE tries a what-if, Enter ends the case."
)
"""What the demo says under a contraindication: its own keys, not the walk's commands."""

REVEAL = "Room's guess: p pass, f fail (optional) · [Enter] reveal: "
"""Participant mode: the room answers first, the verdict comes on a key press."""

AS_IF = "AS IF every later answer were clear"
"""The mark of a what-if whose missing answers are taken from a ready case."""


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
    room: bool = False
    """Participant mode: at each gate the room is asked first, the verdict shown on a key."""
    tally: list[tuple[str, str, str]] = field(default_factory=list)
    """The room's guesses: (gate, guessed, verdict), each 'passes' or 'does not pass'."""
    asked: set[str] = field(default_factory=set)
    """Gates the room was asked about: each once (a caution is shown again once settled)."""
    what_ifs: list[tuple[str, list[str]]] = field(default_factory=list)
    """Each what-if tried, with what it changed: for the recap."""
    clear: Scenario | None = None
    """A ready case whose answers stand in for the later answers a blocked case lacks
    (a what-if "as if every later answer were clear", marked so)."""
    clear_others: Sequence[Scenario] = ()
    """Other ready cases, taken instead when ``clear`` does not answer the steps a
    what-if leaves open (a repeat visit on time has no urine screen for a repeat visit
    that becomes a new induction)."""
    on_pause: Callable[[], None] | None = None
    """Called at each pause before waiting (a slide recording cuts a slide there)."""
    stop_line: str = STOPPED

    def answers(self, walk: Any) -> Mapping[str, Any]:
        """The scenario's answers, a COWS or challenge series read as the answers it gives
        on the visit day (visit/series.py)."""
        if self.expanded is None:
            where = f"{self.scenario.path} [answers]"
            self.expanded = expand_series(
                walk.guide, self.scenario.answers, walk.today, where
            ).answers
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
                offered = usable_default(cq, state) if cq.default is not None else UNKNOWN
                if offered is UNKNOWN:
                    what, why = "left empty", "the scenario does not answer it"
                else:  # the room sees which answer Enter takes
                    what, why = (
                        format_value(offered),
                        "the default: not in the scenario",
                    )
                walk.ui.note(f"{cq.spec.prompt} -> {what}   ({why})")
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
            real = walk.record.timers_real.get(key)
            left = wait_remaining(state, cq, started, walk.clock.timer_now(started, real))
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
        if key in self.given and self.auto is not None:
            # Asked again after the scenario's answer (refused, or taken but not counted:
            # a challenge begun before the day's rating): nobody at the keyboard, and the
            # same answer would be asked for ever.
            self.unanswered = key
            walk.ui.note(
                f"The scenario's answer to {key} was not taken: the unattended run ends here."
            )
            return "quit"
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
        if self.room:  # each verdict revealed as the room's Enter asks for it
            for i, r in enumerate(settled):
                self.ask_room(walk, [r])
                show_decided(walk.ui, state, [r], step.spec.title, heading=i == 0)
        else:
            show_decided(walk.ui, state, settled, step.spec.title)
        self.queued = self.pause(walk, state, "")

    def before_verdict(self, walk: Any, state: State, gate: GateResult) -> None:
        """The walk is about to show a gate that stops it (a contraindication, a stop, a
        caution): in participant mode the room is asked first."""
        self.ask_room(walk, [gate])

    def ask_room(self, walk: Any, results: list[GateResult]) -> None:
        """Participant mode: name each gate without its verdict, ask the room, and wait
        for a key before the verdict is shown; a guess typed is tallied."""
        if not self.room:
            return
        for r in results:
            if r.id in self.asked:
                continue
            self.asked.add(r.id)
            verdict = "passes" if r.outcome in ("pass", "not_applicable") else "does not pass"
            walk.ui.blank()
            walk.ui.alert(f"Ask the room: will the gate {r.title!r} pass? Why?")
            if self.on_pause is not None:
                self.on_pause()
            if self.auto is not None:
                time.sleep(self.auto)
                continue
            while True:
                try:
                    text = walk.ui.ask(REVEAL).strip().lower()
                except EOFError:
                    return
                if text in ("", "p", "pass", "f", "fail"):
                    break
                walk.ui.retry("p, f, or Enter to reveal")
            if text:
                guess = "passes" if text.startswith("p") else "does not pass"
                self.tally.append((r.id, guess, verdict))
                right = "right" if guess == verdict else "not this time"
                walk.ui.note(f"The room said it {guess}; it {verdict}: {right}.")

    # -- pauses -----------------------------------------------------------------------

    def pause(self, walk: Any, state: State, message: str) -> str | None:
        """Wait for the trainer; a reply that is a walk command ('back', 'quit') is
        returned for the walk to act on, None means go on."""
        if message:
            walk.ui.note(message)
        if self.on_pause is not None:
            self.on_pause()
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
        label = f"{key} = {other.display(key)}"
        show_what_if(walk.ui, ends, other, label)
        walk.ui.note("Both columns: all the scenario's answers, as at the end of the case.")
        self.what_ifs.append((label, changes(ends, other)))
        if other.status == "incomplete":
            self.explain_incomplete(walk, ends, other, {key: parsed[key]}, label)
        walk.ui.note("Back to the scenario: nothing was changed.")

    def explain_incomplete(
        self, walk: Any, ends: State, other: State, change: Mapping[str, Any], label: str
    ) -> None:
        """A what-if that ends incomplete: say what the case does not answer (the case
        stops at a gate, so nothing after it was asked), and offer the same what-if with
        those answers taken from a ready case, marked as such."""
        missing = other.missing_before_injection
        undecided = [g.title for g in other.readiness_gates() if g.outcome == "unknown"]
        if missing:
            steps: dict[str, list[str]] = {}
            for key in missing:
                title = walk.guide.step(walk.guide.questions[key].step_id).spec.title
                steps.setdefault(title, []).append(key)
            walk.ui.note(
                "Incomplete: the case stops at its gate, so it gives no answer to the "
                "questions after it: "
                + "; ".join(f"{title} ({', '.join(keys)})" for title, keys in steps.items())
                + "."
            )
        elif undecided:
            walk.ui.note("Incomplete: these gates cannot be decided: " + ", ".join(undecided))
        if self.clear is None or self.auto is not None:
            return
        self.clear = self._donor(walk, missing)
        try:
            text = walk.ui.ask(f"c: show it {AS_IF} (taken from {self.clear.id}) · [Enter] back: ")
        except EOFError:
            return
        if text.strip().lower() not in ("c", "clear"):
            return

        try:
            fill = parse_answers(
                walk.guide,
                self.clear.answers,
                "scenario",
                walk.today,
                f"{self.clear.path} [answers]",
            )
            # The ready case's answers to the questions from the first one this case
            # leaves open onwards (a COWS total may stand for the items it lacks), never
            # in place of an answer the case gives.
            guide = walk.guide

            def at(key: str) -> int:
                return int(guide.step(guide.questions[key].step_id).index)

            first = min((at(k) for k in missing), default=len(guide.steps))
            given = {**change}
            given.update(
                (k, v)
                for k, v in fill.items()
                if k in guide.questions
                and at(k) >= first
                and k not in self.scenario.answers
                and k not in change
            )
            cleared = self.ends(walk, given)
        except UserError as exc:
            walk.ui.retry(f"{AS_IF}: cannot be shown: {exc.message}")
            return
        show_what_if(walk.ui, ends, cleared, f"{label}, {AS_IF}")
        taken = sorted(set(given) - set(change))
        walk.ui.alert(
            f"{AS_IF}: not this patient's answers. Taken from {self.clear.id}: "
            + (", ".join(taken) if taken else "nothing")
        )
        own = [
            gid
            for gid in self.clear.expect.get("cautions") or ()
            if gid in cleared.gates
            and cleared.gates[gid].outcome == "fail"
            and ends.gates[gid].outcome != "fail"
        ]
        if own:  # "clear" and a failing caution side by side: say whose it is
            walk.ui.note(
                f"{', '.join(own)}: a caution of {self.clear.id} itself (its answers), "
                "not of this case."
            )
        if cleared.status == "incomplete":
            walk.ui.note(
                f"Still incomplete: no ready case answers every question left open "
                f"({', '.join(cleared.missing_before_injection)})."
            )
        self.what_ifs.append((f"{label} ({AS_IF})", changes(ends, cleared)))

    def _donor(self, walk: Any, missing: Sequence[str]) -> Scenario:
        """The ready case that answers most of the steps left open: the first such of
        the same kind of visit."""
        guide = walk.guide

        def step_of(key: str) -> str | None:
            cq = guide.questions.get(key)
            return cq.step_id if cq is not None else None

        open_steps = {step_of(k) for k in missing}
        candidates = [c for c in (self.clear, *self.clear_others) if c is not None]

        def covered(case: Scenario) -> int:
            return len(open_steps & {step_of(k) for k in case.answers})

        best = max(candidates, key=covered)  # max keeps the first of equals
        return best

    def ends(self, walk: Any, change: Mapping[str, Any] | None = None) -> State:
        """Where the case ends: the guide's outcome with all the scenario's answers (and
        those answered live, which come first), evaluated as ``scenarios test`` does, with
        the scenario's overrides; ``change`` replaces answers (a what-if).

        Raises:
            UserError: answers that contradict each other (a what-if's last use after the
                injection date; a first injection beside a last injection), naming both.
        """
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


def changes(scenario: State, other: State) -> list[str]:
    """What a what-if changed, in words: status, earliest date, each gate that moved."""
    out = []
    if scenario.status != other.status:
        out.append(f"status {scenario.status} -> {other.status}")
    was, now = scenario.earliest_injection_date, other.earliest_injection_date
    if was != now:
        out.append(
            f"earliest date {was.isoformat() if was else 'none'} -> "
            f"{now.isoformat() if now else 'none'}"
        )
    for gid, g in other.gates.items():
        before = scenario.gates[gid]
        if (before.outcome, before.severity) != (g.outcome, g.severity):
            out.append(f"{gid} {_word(before)} -> {_word(g)}")
    return out


def _word(g: GateResult) -> str:
    return f"fails ({g.severity})" if g.outcome == "fail" else g.outcome.replace("_", " ")


def _settled(r: GateResult) -> bool:
    """The walk goes on past this gate: it passes, does not apply, was overridden, or is
    a caution or note that was acknowledged."""
    if r.outcome in ("pass", "not_applicable", "overridden"):
        return True
    return r.outcome == "fail" and r.severity in ACKNOWLEDGEABLE and r.acknowledged
