"""The walk's gate prompts: a step confirmed, a gate that stops the walk, an override
recorded, and the heads-up of a gate that already fails later on."""

from __future__ import annotations

from typing import Any

from ...engine.evaluate import (
    GateResult,
    State,
)
from ...engine.next_action import (
    GateStop,
)
from ...pack import keys
from ...pack.guide import CStep
from ...visit.rapid import progress
from ..render import (
    ends_visit,
    show_card_hint,
    show_gate,
    show_on_track,
)
from .base import (
    WalkCore,
    _pick,
)


class GatePrompts(WalkCore):
    """A step to confirm, a gate that stops the walk, an override."""

    def confirm(self, state: State, step: CStep) -> None:
        self.show_step(state, step)
        self.read("Press Enter when done: ")
        self.record.confirm(step.id, self.clock.now())

    def rapid_progress(self, g: GateResult) -> Any:
        """The rapid pathway's day as on track (visit/rapid.py), or None."""
        if g.id != keys.RAPID_GATE or not self.record.rapid_days:
            return None
        required = self.guide.setting_values.get(keys.RAPID_NALTREXONE_DAYS_REQUIRED)
        return progress(g, self.record.rapid_days, self.record.rapid_protocol, self.today, required)

    def gate_stop(self, state: State, action: GateStop) -> None:
        g = action.gate
        self.reached(state, action.step)
        on_track = self.rapid_progress(g) if action.kind == "blocked" else None
        if on_track is not None:
            show_on_track(self.ui, on_track)
        else:
            ask_first = getattr(self.responder, "before_verdict", None)
            if ask_first is not None:  # a presenter asks the room before the verdict
                ask_first(self, state, g)
            show_gate(self.ui, state, g)
        if action.kind == "notice":
            self.record.acknowledge(g.id, g.fingerprint, self.clock.now())
            return
        standing = [c for c in state.contraindications if c.id != g.id]
        if standing and action.kind in ("override", "acknowledge"):
            # Said before the override or the acknowledgement is asked for: recording it
            # would not open the way.
            named = ", ".join(f"{c.title} [{c.id}]" for c in standing)
            here = "stop" if action.kind == "override" else "caution"
            self.ui.alert(
                f"Also failing: {named}, a contraindication. The injection cannot be given "
                f"today whatever is recorded at this {here}."
            )
        if action.kind == "acknowledge":
            while True:
                text = self.read("Acknowledge this caution? Type 'ok' to go on: ", words=("ok",))
                if text.lower() in ("ok", "y", "yes"):
                    self.record.acknowledge(g.id, g.fingerprint, self.clock.now())
                    return
                day = " / day" if self.rapid_here else ""
                self.ui.retry(f"type 'ok' to acknowledge, or back / edit / why{day} / quit")
        if action.kind == "override":
            self.override(state, g)
            return
        if action.kind == "undecided":
            self.ui.line("This gate cannot be decided yet: edit the answers it needs.")
        elif on_track is not None:
            if self.rapid_here:
                self.ui.note("Type 'day' to record a day of the pathway's record, or quit.")
        else:
            saved = "" if self.responder is not None or self.dry_run else ": the session is saved"
            ends = ends_visit(state, g) is not None
            dosed = self.record.dosed_on()
            self.ui.line(
                # A presenter names its own keys (b, w, Enter), not the walk's commands.
                getattr(self.responder, "stop_line", None)
                or (
                    # Never "cannot be given" of a dose already given: it stays recorded.
                    f"This visit's injection was given on {dosed.isoformat()} and stays "
                    "recorded; with these answers the gates would not have allowed it."
                    if dosed is not None
                    else "The visit ends here, without an injection."
                    if ends
                    else "The injection cannot be given."
                )
                + f" Change an answer (back, edit) if one was wrong, or quit{saved}.",
                style="bold",
            )
            if self.jumped == g.id:
                self.ui.note("Reached by 'jump': back returns to the questions left unanswered.")
            if self.rapid_here and g.id == keys.RAPID_GATE:
                self.ui.note("Type 'day' to record a day of the pathway's record.")
            if self.responder is None and not self.dry_run:
                show_card_hint(self.ui, state, self.record, self.program)
        # On the pathway 'day' is a command at this prompt, and 'rate again' where the
        # gate reads the COWS rating and a new one can be taken here: the list says so.
        names = ["back", "edit", "review", "why"]
        if keys.COWS_TOTAL in self.guide.gate(g.id).inputs and self.cannot_rate(state) is None:
            names.append("rate again")
        if self.rapid_here:
            names.append("day")
        listed = " / ".join([*names, "quit"])
        allowed = f"{', '.join(names)} or quit"
        while True:
            text = self.read(f"Command [{listed}]: ")
            self.ui.retry(
                f"{text!r} is not a command here: type {allowed}" if text else f"type {allowed}"
            )

    def override(self, state: State, g: GateResult) -> None:
        self.ui.line(
            "This stop blocks until you record an override: a coded reason and a "
            "comment. Type 'override', or back / edit / quit."
        )
        while True:
            text = self.read("Override? ", words=("override",))
            if text.lower() == "override":
                break
            day = " / day" if self.rapid_here else ""
            self.ui.retry(f"type 'override', or back / edit / why{day} / quit")
        codes = self.guide.meta.override_codes
        self.ui.choices([(c.code, c.label, None) for c in codes])
        while True:
            text = self.read("Reason code (number or code): ")
            code = _pick([c.code for c in codes], text)
            if code:
                break
            self.ui.retry("choose one of the listed codes")
        while True:
            comment = self.read("Comment (required): ")
            if comment:
                break
            self.ui.retry("a comment is required")
        self.record.override(g.id, code, comment, g.fingerprint, self.clock.now())
        return

    def failing_ahead(self, state: State, step: CStep) -> list[GateResult]:
        """Contraindications that already fail, checked before a step later than ``step``."""
        out = []
        for gate in self.guide.gates:
            r = state.gates[gate.id]
            later = self.guide.step(gate.spec.before)
            if (
                r.outcome == "fail"
                and r.severity == "contraindication"
                and later.index > step.index
            ):
                out.append(r)
        return out

    def blocker_ahead(self, state: State, step: CStep) -> str | None:
        """The gate 'jump' goes to: the first that will stop the walk after ``step``."""
        ahead = self.failing_ahead(state, step)
        return min(ahead, key=lambda r: self.guide.step(r.before).index).id if ahead else None

    def heads_up(self, state: State, step: CStep) -> None:
        """Say as soon as it is known that a later gate will stop the injection; not
        in participant mode, where it would answer the room's question at that gate
        (and the trainer's "what is the earliest date?") before it is asked."""
        if getattr(self.responder, "room", False):
            return
        for r in self.failing_ahead(state, step):
            if r.id in self.announced:
                continue
            self.announced.add(r.id)
            on_track = self.rapid_progress(r)
            if on_track is not None:
                self.ui.alert(f"{on_track.heading()}. Due today: {on_track.due}.")
                continue
            later = self.guide.step(r.before)
            when = f" Earliest date: {r.earliest_date.isoformat()}." if r.earliest_date else ""
            jump = (
                " Type 'jump' to go to it now, or go on answering; the rest can be answered later."
                if self.responder is None  # a presenter follows the scenario's answers
                else ""
            )
            own = ends_visit(state, r)
            if own is not None:
                # Where the visit ends as recorded (an end of treatment): not a failure.
                self.ui.alert(
                    f"Heads-up: {own.capitalize()}: {r.reason} The walkthrough will stop "
                    f"there, before {later.spec.title!r}, as the answers say.{jump}"
                )
                continue
            self.ui.alert(
                f"Heads-up: {r.title} already fails: {r.reason}{when} Unless an answer "
                f"changes, the walkthrough will stop before {later.spec.title!r}.{jump}"
            )
