"""The walk's commands at any prompt: back, review, edit, why, help, rate again, day,
quit, jump."""

from __future__ import annotations

from ...engine.evaluate import (
    State,
)
from ...engine.next_action import (
    Ask,
    next_action,
)
from ...pack.guide import CStep
from ...visit.entries import TOTAL, item_keys
from ...visit.rapid import is_record_key
from ..rapid import day_dialog
from ..render import (
    show_summary,
    show_why,
)
from .base import (
    COMMANDS,
    USAGE,
    WORDS,
    WalkCore,
    _Command,
    _pick,
    _Quit,
)


class CommandPrompts(WalkCore):
    """What a command typed at any prompt does."""

    def command(self, state: State, cmd: _Command) -> None:
        if cmd.name == "quit":
            raise _Quit()
        if cmd.name == "help":
            here = [w for w in WORDS if w in self.words or w in COMMANDS]
            if self.cannot_rate(state) is not None:
                here.remove("rate")
            self.ui.note("Here you can type an answer, or:")
            for w in here:
                self.ui.bullet(f"{USAGE.get(w, w)}: {WORDS[w]}")
        elif cmd.name == "jump":
            if self.ahead is None:
                self.ui.retry("no gate ahead fails: there is nothing to jump to")
            else:
                self.jumped = self.ahead
                self.ui.note(
                    "Going to the gate that blocks. The questions left on the way stay "
                    "unanswered: they can be answered later."
                )
        elif cmd.name == "review":
            show_summary(self.ui, state, self.record, brief=True)
        elif cmd.name == "why":
            detail = cmd.arg.strip().lstrip("-").lower() == "detail"
            show_why(self.ui, state, self.current_step(state), rules=detail)
        elif cmd.name == "back":
            self.back(state)
        elif cmd.name == "edit":
            self.edit(state, cmd.arg)
        elif cmd.name == "rate":
            self.rate_again(state, cmd.arg)
        elif cmd.name == "day":
            try:
                day_dialog(self, state)
            except _Command as inner:  # typed inside the dialog: carried out, then on
                if inner.name != "back":  # at its first prompt: back to where 'day' was typed
                    self.command(state, inner)
        elif cmd.name == "start":
            key = self.current_key(state)
            if key is not None:
                self.start_timer(key, cmd.arg)
        elif cmd.name == "wait":
            key = self.current_key(state)
            if key is not None:
                self.countdown(state, self.guide.questions[key])
        self.last_step = None if cmd.name in ("review", "why") else self.last_step

    def current_key(self, state: State) -> str | None:
        if self.redo is not None:
            return self.redo
        action = next_action(
            state, frozenset(self.record.skipped), frozenset(self.record.confirmed)
        )
        return action.question.key if isinstance(action, Ask) else None

    def current_step(self, state: State) -> CStep | None:
        action = next_action(
            state, frozenset(self.record.skipped), frozenset(self.record.confirmed)
        )
        return getattr(action, "step", None)

    def back(self, state: State) -> None:
        if self.jumped is not None:
            # From a gate reached by 'jump': back to the questions it was reached from.
            self.jumped = None
            self.last_step = None
            self.ui.note("Back to the questions left unanswered.")
            return
        # Only what applies now: an answer the record keeps but no longer uses (the
        # pathway, once the interval is met on a later date) would be asked with words
        # that are no longer true, and whatever was typed there cleared at once.
        order = [
            k
            for k in self.record.order
            if k in self.record.answers and state.question_visible.get(k) is not False
        ]
        here = self.current_key(state)
        before = order[: order.index(here)] if here in order else order
        # The nearest earlier answer whose step no gate closes now: one past a caution
        # waiting for its 'ok' is not asked (pending() would refuse it), and 'back' from
        # there started again at the latest answer, round and round.
        target = next(
            (
                k
                for k in reversed(before)
                if self.closing_stop(state, self.guide.questions[k]) is None
            ),
            None,
        )
        if target is None:
            self.ui.retry("nothing to go back to")
            return
        self.redo = target
        self.last_step = None

    def open_question(self, state: State, key: str) -> bool:
        """A question that applies now and has no answer (Enter left it empty, or 'jump'
        went past it): 'edit KEY' asks it."""
        cq = self.guide.questions.get(key)
        return (
            cq is not None
            and cq.computed is None
            and key not in self.record.answers
            and state.question_visible.get(key) is True
        )

    def _of_the_day_record(self, key: str) -> bool:
        """A COWS rating's total or item, or an answer worked out from the pathway's day
        record: what 'edit' cannot reach on the pathway while no rating of the walk holds
        it (the day dialog records and corrects it)."""
        return key in (TOTAL, *item_keys(self.guide)) or is_record_key(self.guide, key)

    def edit(self, state: State, arg: str) -> None:
        keys = [k for k in self.record.order if k in self.record.answers]
        if not keys and not self.open_question(state, arg.strip()):
            self.ui.retry("nothing answered yet")
            return
        if not arg:
            self.ui.choices([(k, state.display(k), None) for k in keys])
            try:
                arg = self.read("Which answer (number or key)? ")
            except _Command:
                return
            if not arg.strip():
                self.ui.note("nothing edited")  # Enter: the list was only looked at
                return
        key = _pick(keys, arg)
        if key is None and self.open_question(state, arg.strip()):
            key = arg.strip()  # applies, not answered yet (left empty, or passed by 'jump')
        if key is None:
            # A hurried 'edit last': the keys it starts, answered or open (left empty).
            open_ = [k for k in state.guide.questions if self.open_question(state, k)]
            starting = [
                k
                for k in dict.fromkeys([*keys, *open_])
                if arg.strip() and k.startswith(arg.strip())
            ]
            if len(starting) == 1:
                key = starting[0]
                self.ui.note(f"{arg.strip()} -> {key}")
            elif starting:
                self.ui.retry(f"{arg.strip()!r} matches {', '.join(starting)}: type one of them")
                return
        if key is None and self.rapid_here and self._of_the_day_record(arg.strip()):
            # On the pathway the day's COWS ratings (and what the gate reads of the record)
            # are the day record's: corrected there, never asked as an answer of the walk.
            self.ui.retry(
                f"{arg.strip()!r} comes from the pathway's day record: type 'day', then the "
                "day's number and 'correct' (with why); to add a rating, 'day' and Enter"
            )
            return
        if key is None:
            self.ui.retry(f"{arg!r} is not an answered key, nor a question that applies now")
            return
        self.jumped = None
        self.redo = key
        self.last_step = None
