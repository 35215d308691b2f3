"""The interactive walkthrough: a loop over :func:`xrntx_guide.engine.next_action`.

The engine decides what comes next; this module only shows it and reads the answer.
The session is saved after every change, so quitting or a crash loses at most the answer
being typed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

from ..engine.drive import Flags, Outcome, Prefill, drive
from ..engine.evaluate import (
    GateResult,
    OverrideRequest,
    State,
    evaluate,
    state_context,
    usable_default,
)
from ..engine.walk import (
    Action,
    Ask,
    Confirm,
    GateStop,
    instructions,
    next_action,
    prune,
    stop_before,
    wait_minutes,
    wait_remaining,
)
from ..env import Clock as Clock  # where the walk's timers read the time
from ..errors import ExitCode, Interrupted, InvalidAnswer
from ..expr import UNKNOWN, format_value
from ..pack import keys
from ..pack.guide import CQuestion, CStep, Guide
from ..records import field, record
from ..visit.answers import parse_value, to_json
from ..visit.series import ChallengeResult, CowsRating
from ..visit.session import SessionRecord
from .render import (
    ends_visit,
    show_card_hint,
    show_gate,
    show_on_track,
    show_summary,
    show_why,
)
from .ui import UI

COMMANDS = ("back", "review", "edit", "why", "quit", "help", "rate")
DRY_RUN_START = "DRY RUN (--no-save): nothing of this walkthrough is saved."
DRY_RUN_END = "Dry run (--no-save): nothing was saved; no session file was written."
HELP = (
    "At any prompt: back (previous answer), review (all answers), edit [KEY] (change one), "
    "why (the gates and how each is decided now; 'why detail' adds the rules), "
    "quit (save and leave), help (the commands of that prompt)."
)
WORDS = {
    "back": "the previous answer again",
    "review": "all answers so far",
    "edit": "change one answer ('edit' alone lists them), or ask a question that applies "
    "and has no answer yet",
    "why": "the gates and how each is decided now ('why detail' adds the rules)",
    "jump": "go straight to the gate that already blocks; the rest can be answered later",
    "start": "start the observation timer when the naloxone is given ('start 09:05': it "
    "was given then)",
    "wait": "count down the observation (Ctrl-C stops waiting)",
    "ok": "acknowledge this caution and go on",
    "override": "record an override: a coded reason and a comment",
    "all": "give VALUE to this question and to the next ones of this step with the same "
    "choices, each recorded on its own",
    "quit": "save and leave",
    "help": "this list",
    "rate": "rate COWS again ('rate again CONTEXT': baseline, before_challenge, "
    "after_challenge, pathway_day, repeat); every rating is kept, the latest of the day counts",
    "day": "record a day of the supervised rapid pathway (its daily record): the day, its "
    "date, what was given, tolerated, COWS with times, a note",
}
"""What each word typed at a prompt does; 'help' lists those valid at that prompt."""
USAGE = {"edit": "edit [KEY]", "all": "all VALUE", "rate": "rate again [CONTEXT]"}


class _Command(Exception):
    def __init__(self, name: str, arg: str = "") -> None:
        super().__init__(name)
        self.name = name
        self.arg = arg


class _Quit(Exception):
    def __init__(self, eof: bool = False) -> None:
        super().__init__("quit")
        self.eof = eof
        """The input ended (Ctrl-D, a closed pipe) rather than the clinician typing quit."""


@record
class Walk:
    ui: UI
    guide: Guide
    record: SessionRecord
    path: Any
    """Where the record is saved: a :class:`store.saver.Saver` (its id in messages); never
    written to in a dry run."""
    today: dt.date
    clock: Clock
    flag_overrides: dict[str, OverrideRequest] = field(default_factory=dict)
    """Overrides given with --override, recorded when their gate is reached."""
    flag_acknowledge: tuple[str, ...] = ()
    """Cautions acknowledged with --acknowledge (``all`` for every one)."""
    prefills: dict[str, Prefill] = field(default_factory=dict)
    """Values filled in from the patient's history when their question is reached."""
    last_step: str | None = None
    unsaved: bool = False
    """The clinician chose to go on after a save failed; saves are still tried."""
    dry_run: bool = False
    program: str = "xrntx-guide"
    """How this program is started here, for the resume command it prints."""
    history_conflict: Callable[[str, object], str | None] | None = None
    """Why an answer typed for a key contradicts the path taken or the patient's record
    (visit/contradiction.py), or None."""
    """``--no-save``: the session is never written; the screen says so where it would say
    "saved"."""
    responder: Any = None
    """Who answers instead of the keyboard, prompt by prompt (a presenter run replaying a
    scenario); None for a person at the keyboard. It may decline, and the person answers."""
    announced: set[str] = field(default_factory=set)
    redo: str | None = None  # a key to ask again (after back or edit)
    jumped: str | None = None
    """A contraindication the clinician went straight to ('jump'): shown while it fails."""
    ahead: str | None = None
    """The failing contraindication of a later step that 'jump' goes to, if any."""
    shown: dict[str, str] = field(default_factory=dict)
    """Each step's instructions as last printed: printed again only when they changed."""
    words: tuple[str, ...] = ()
    """What may be typed at the prompt being read, besides an answer: for 'help'."""
    rapid_here: bool = False
    """The supervised rapid pathway applies: 'day' records a day of its record."""
    told_day: bool = False
    """Whether the walk said that 'day' is a command on the rapid pathway."""
    in_day_dialog: bool = False
    """A day of the pathway is being typed (cli/rapid.py): 'day' is not a command there."""

    # -- plumbing -------------------------------------------------------------------

    def state(self) -> State:
        return evaluate(self.guide, self.record.inputs(self.guide, self.today))

    def save(self, state: State | None = None) -> None:
        """Save after every change. When the disk refuses (full, read-only, gone), say so
        at once: the answers, the one just typed too, stay in memory, and the clinician
        retries (after freeing space) or goes on unsaved; later saves keep being tried,
        quietly, and the first that works says so."""
        from ..errors import SessionError

        now = self.clock.now()
        if state is not None:
            self.record.summarise(state, now)
        if self.dry_run:
            return
        unsaved = self.unsaved
        while True:
            try:
                self.record.updated = now
                merged = self.path.save(self.record)
                if merged:
                    for line in merged:
                        self.ui.warning(line)
                    # The gates read the merged record whole: evaluated again, saved.
                    self.record.summarise(self.state(), now)
                    self.path.save(self.record)
            except SessionError as exc:
                if unsaved:
                    return
                self.ui.error(exc.message)
                self.ui.warning(
                    "nothing is lost yet: every answer so far, the last one too, is kept "
                    "in memory while this walkthrough runs"
                )
                try:
                    reply = self.ui.ask("Retry the save, or go on without saving? [retry/go]: ")
                except EOFError:
                    reply = "go"
                if reply.strip().lower() in ("", "r", "retry"):
                    continue
                self.unsaved = True
                self.ui.warning(
                    "going on WITHOUT saving: each answer is still tried; if the walkthrough "
                    "ends before a save works, this session is lost"
                )
                return
            if unsaved:
                self.unsaved = False
                self.ui.note(f"Saved again: session {self.path}")
            return

    def read(self, prompt: str, extra: tuple[str, ...] = (), words: tuple[str, ...] = ()) -> str:
        """One line of input; walkthrough commands come back as :class:`_Command`.

        Args:
            prompt: what is asked.
            extra: commands valid at this prompt only ('start', 'wait').
            words: answers with a meaning of their own here ('ok', 'all'), for 'help'.
        """
        if self.ahead is not None:
            extra = (*extra, "jump")
        day = self.rapid_here and not self.in_day_dialog
        self.words = (*words, *extra, *(("day",) if day else ()))
        supplied = self.responder.supply(self, prompt) if self.responder is not None else None
        try:
            text = supplied.strip() if supplied is not None else self.ui.ask(prompt).strip()
        except EOFError:
            raise _Quit(eof=True) from None
        if day and text.lower() == "day":  # the word alone: a comment may begin with it
            raise _Command("day")
        word, _, arg = text.partition(" ")
        if word.lower() in COMMANDS or word.lower() in extra:
            raise _Command(word.lower(), arg.strip())
        return text

    # -- the loop -------------------------------------------------------------------

    def run(self) -> ExitCode:
        try:
            return self._loop()
        except _Quit as stop:
            self.save(self.state())
            self.ui.blank()
            if self.dry_run:
                self.ui.note(DRY_RUN_END)
            elif self.unsaved:
                self.ui.warning(f"NOT saved: the last saves of session {self.path} failed")
            elif self.responder is None:  # a presenter run is never a session to resume
                self.ui.note(
                    f"Saved. Resume with: {self.program} walk --resume --session {self.path}"
                )
                if self.record.status in ("blocked", "needs_override"):
                    # Left at a gate (no injection today): the patient's card still holds.
                    show_card_hint(self.ui, self.state(), self.record)
            if self.record.status == "complete":
                return ExitCode.OK
            if stop.eof and self.record.status == "in_progress":
                # Input ended mid-walk: not finished, and not the clinician's choice either.
                self.ui.warning(
                    "the input ended before the walkthrough did"
                    + ("" if self.dry_run else "; the session is saved")
                )
                return ExitCode.INCOMPLETE
            return self._exit_for_status()
        except KeyboardInterrupt:
            self.save(self.state())
            if self.dry_run:
                raise Interrupted(f"interrupted; {DRY_RUN_END}") from None
            raise Interrupted(
                f"interrupted; session {self.path} is saved",
                hint=f"Resume with: {self.program} walk --resume --session {self.path}",
            ) from None

    def _exit_for_status(self) -> ExitCode:
        if self.record.status in ("blocked", "needs_override"):
            return ExitCode.BLOCKED
        return ExitCode.OK

    def _loop(self) -> ExitCode:
        from .history import announcer

        announce = announcer(self.ui, lambda state, ask: self.show_step(state, ask.step))
        flags = Flags(self.flag_overrides, self.flag_acknowledge, self.prefills, announce)
        drive(self.guide, self.record, self.today, self, self.clock.now, flags)
        return ExitCode.OK

    # -- the responder: what the one loop (engine.drive) asks of a person -----------

    def pending(self, state: State) -> Action | None:
        if self.redo is not None:
            cq = self.guide.questions[self.redo]
            step = self.guide.step(cq.step_id)
            stop = stop_before(state, step)
            if stop is None:
                return Ask(step, cq)
            # Never a step that a gate closes now, by any command.
            self.redo = None
            self.ui.retry(
                f"{cq.key!r} is asked at the step {step.spec.title!r}, after the gate "
                f"{stop.gate.id!r}, which stops the walk now: settle that gate first "
                "(why; edit an earlier answer)"
            )
        if self.jumped is not None:
            r = state.gates[self.jumped]
            if r.outcome == "fail" and r.severity == "contraindication":
                # Only a gate that fails now: 'jump' never passes one by, nor answers
                # anything; once an answer lifts it, the walk goes on where it was.
                return GateStop(self.guide.step(r.before), r, "blocked")
            self.jumped = None
        return None

    def checkpoint(self, state: State) -> None:
        from ..visit.results import note_rating

        added = note_rating(self.guide, self.record, state, self.today, self.clock.now())
        if added is not None and len(self.record.cows_ratings) > 1:
            self.show_series(state)
        self.save(state)

    def show_series(self, state: State) -> None:
        """The COWS series: a small table with a bar per rating (visit/series.py)."""
        from ..visit.series import scale_top, series_lines

        threshold = self.guide.setting_values.get(keys.COWS_THRESHOLD)
        day = state.value(self.guide.meta.date_key)
        lines = series_lines(
            self.record.cows_ratings,
            threshold if isinstance(threshold, int) else None,
            day if isinstance(day, dt.date) else None,
            scale_top(self.guide),
        )
        if lines:
            self.ui.line("COWS ratings", style="bold")
            for line in lines:
                self.ui.line(line)

    def rate_again(self, state: State, arg: str) -> None:
        """'rate again [CONTEXT]': a new COWS rating; the earlier ones stay in the series.
        Until it is complete the withdrawal gate is undecided, never passed."""
        from ..visit.series import CONTEXTS, TOTAL, item_keys

        words = arg.lower().split()
        if words and words[0] == "again":
            words = words[1:]
        context = words[0] if words else None
        if context is not None and context not in CONTEXTS:
            self.ui.retry(f"'{context}' is not a context: {', '.join(CONTEXTS)}")
            return
        if TOTAL not in self.guide.questions or state.question_visible.get(TOTAL) is not True:
            self.ui.retry("COWS is not rated in this walk (or not yet)")
            return
        if context is None:
            here = self.current_key(state)
            if here is not None and here.startswith("naloxone_"):
                timed = here in self.record.timers or here in self.record.answers
                context = "after_challenge" if timed else "before_challenge"
            else:
                context = "repeat"
        keys = [TOTAL, *item_keys(self.guide)]
        now = self.clock.now()
        self.record.clear([k for k in keys if k in self.record.answers], now, "rated again")
        self.record.skipped = [k for k in self.record.skipped if k not in keys]
        self.record.cows_next_context = context
        self.redo = TOTAL
        self.show_series(state)
        self.ui.note(f"A new COWS rating ({context}); the earlier ones stay in the series.")

    def settled(self, state: State, action: GateStop) -> None:
        g = action.gate
        show_gate(self.ui, state, g)
        req = self.flag_overrides.get(g.id)
        if action.kind == "override" and req is not None:
            self.ui.note(f"override from --override recorded: {req.code}: {req.comment}")
        else:
            self.ui.note("acknowledged by --acknowledge")

    def respond(self, state: State, action: Ask | Confirm | GateStop) -> Outcome | None:
        self.ahead = (
            None if isinstance(action, GateStop) else self.blocker_ahead(state, action.step)
        )
        from ..visit.rapid import is_pathway_key

        self.rapid_here = any(
            is_pathway_key(self.guide, k) and state.question_visible.get(k) is True
            for k in self.guide.questions
        )
        if self.rapid_here and not self.told_day:
            # The list of commands shown at the start has no 'day': it says so once here.
            self.told_day = True
            self.ui.note(
                "On the supervised rapid pathway: 'day' at any prompt records a day of its "
                "daily record ('help' lists the commands)."
            )
        try:
            if isinstance(action, Ask):
                self.ask_question(state, action.step, action.question)
                if self.redo == action.question.key:
                    self.redo = None
            elif isinstance(action, GateStop):
                self.gate_stop(state, action)
            else:
                self.confirm(state, action.step)
        except _Command as cmd:
            self.command(state, cmd)
        return None

    def done(self, state: State) -> None:
        show_summary(self.ui, state, self.record)
        if self.dry_run:
            self.ui.note(DRY_RUN_END)
        elif self.responder is None:
            self.ui.note(f"Saved: session {self.path}")
            show_card_hint(self.ui, state, self.record)

    # -- screens --------------------------------------------------------------------

    def show_step(self, state: State, step: CStep) -> None:
        if self.last_step == step.id:
            return
        self.last_step = step.id
        self.reached(state, step)
        # Counted within the phase over all its steps, shown or not: a count over the
        # steps shown moved as answers revealed the flow (14, 13, 12, 13...).
        phase = [s for s in self.guide.steps if s.spec.phase == step.spec.phase]
        n = next((i for i, s in enumerate(phase, 1) if s.id == step.id), 0)
        where = f"{self.guide.phase_title(step.spec.phase)} · step {n} of {len(phase)}"
        self.ui.step_header(where, step.spec.title)
        self.heads_up(state, step)
        text = instructions(state, step)
        if self.shown.get(step.id) == text:
            return  # back, review, why: the header says where; the text is on screen above
        self.shown[step.id] = text
        self.ui.block(text)
        if step.spec.sources:
            self.ui.note("Sources: " + ", ".join(step.spec.sources))

    def reached(self, state: State, step: CStep) -> None:
        """A step is shown, or a gate stops the walk before it: a presenter shows how the
        gates on the way were decided."""
        hook = getattr(self.responder, "reached", None)
        if hook is not None:
            hook(self, state, step)

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
            self.ui.alert(
                f"Heads-up: {r.title} already fails: {r.reason}{when} Unless an answer "
                f"changes, the walkthrough will stop before {later.spec.title!r}.{jump}"
            )

    def ask_question(self, state: State, step: CStep, cq: CQuestion) -> None:
        self.show_step(state, step)
        from ..visit.rapid import ANSWERS_KEY, is_record_key

        if is_record_key(self.guide, cq.key):
            # Worked out from the pathway's daily record, never typed: the day dialog
            # records a day (cli/rapid.py), or the days come as {ANSWERS_KEY} in a file.
            from .rapid import day_dialog, show_record

            if not self.record.rapid_days:
                day_dialog(self, state)
                return
            self.ui.blank()
            show_record(self)
            self.ui.note(
                f"{cq.spec.prompt}: not known from the record yet. Record a day (or give "
                f"the days as {ANSWERS_KEY} in --answers FILE), or quit and resume on the "
                "next day of the protocol."
            )
            while True:
                text = self.read("Record a day? Enter or 'day' to record one, or quit: ")
                if text == "":
                    day_dialog(self, state)
                    return
                self.ui.retry("press Enter (or type 'day') to record a day, or quit")
        q = cq.spec
        current = state.value(cq.key) if cq.key in state.answered else UNKNOWN
        default = None
        origin = "typed"
        scores = q.type == "int" and bool(q.choices)
        if current is not UNKNOWN:
            default_raw: object = current
            default = state.display(cq.key) if not q.choices else str(current)
        elif cq.default is not None or cq.suggest is not None:
            value = usable_default(cq, state)
            if value is not UNKNOWN:
                default_raw, origin = value, ("default" if cq.default is not None else "typed")
                default = format_value(value)
        self.ui.blank()
        if q.help:
            self.ui.note(q.help)
        if scores:
            # Scores are typed as the score itself, so they are not numbered: a list
            # number would be read as a score.
            self.ui.scores([(str(c.value), c.label) for c in q.choices or ()])
        elif q.choices:
            self.ui.choices([(str(c.value), c.label, c.help) for c in q.choices])
        hint = {
            "bool": "yes/no",
            "date": "YYYY-MM-DD, today, yesterday, N days ago",
            "int": "whole number",
            "number": "number",
        }.get(q.type, "")
        if scores:
            hint = "score: " + ", ".join(str(c.value) for c in q.choices or ())
        elif q.choices:
            hint = "number or value"
        suffix = (
            f" [{default}]" if default is not None else (" [Enter to skip]" if q.optional else "")
        )
        extra: tuple[str, ...] = ()
        if cq.wait_minutes is not None:
            extra = ("start", "wait")
            self.show_timer(state, cq)
        alike = self.alike(state, step, cq)
        if alike and current is UNKNOWN:
            first = str((q.choices or [])[0].value)
            ahead = (
                "The next question of this step has"
                if len(alike) == 1
                else f"The next {len(alike)} questions of this step have"
            )
            self.ui.note(
                f"{ahead} the same choices: "
                f"'all {first}' (or 'all' and another value) gives it to this one and to "
                + ("it" if len(alike) == 1 else "each of them")
                + ", recorded and shown one by one."
            )
        prompt = f"{q.prompt} ({hint}){suffix}: " if hint else f"{q.prompt}{suffix}: "
        while True:
            text = self.read(prompt, extra, ("all",) if alike else ())
            word, _, rest = text.partition(" ")
            if alike and word.lower() == "all" and rest.strip():
                if self.answer_alike(state, cq, alike, rest.strip()):
                    return
                continue
            if text == "":
                if default is not None:
                    if self.refused_by_history(cq, default_raw):
                        continue
                    if not self.taken(state, cq, default_raw, origin):
                        continue
                    self.store(state, cq, default_raw, origin)
                    return
                if q.optional:
                    self.record.skip(cq.key, self.clock.now())
                    return
                self.ui.retry("an answer is needed here (type 'help' for the commands)")
                continue
            try:
                value = parse_value(
                    cq, text, today=self.today, ctx=state_context(state), interactive=True
                )
            except InvalidAnswer as exc:
                self.ui.retry(f"{exc.reason}; please answer again")
                continue
            if not self.taken(state, cq, value, dry=True):
                continue  # refused by the record before any timer is looked at
            if cq.wait_minutes is not None and value in q.wait_for:
                started = self.record.timers.get(cq.key)
                left = wait_remaining(state, cq, started, self.clock.timer_now(started))
                if left is None or left > dt.timedelta(0):
                    self.refuse_early(state, cq, left)
                    continue
            if self.refused_by_history(cq, value):
                continue
            if self.changed_elsewhere(cq, value):
                return  # judged again with what the other process recorded
            if not self.taken(state, cq, value):
                continue
            self.store(state, cq, value)
            self.echo(cq, text, value)
            return

    def echo(self, cq: CQuestion, text: str, value: object) -> None:
        """What a typed shorthand was taken as: a relative date as the date it means
        (``3 days ago -> 2026-11-21``), a partial choice as the choice it matched
        (``short -> short_acting``); an answer typed in full is not repeated."""
        typed = text.strip()
        if isinstance(value, dt.date) and typed != value.isoformat():
            self.ui.note(f"{typed} -> {value.isoformat()}")
        elif cq.spec.type == "choice" and not typed.isdigit() and typed != str(value):
            label = cq.choice_label(value)
            shown = f"{value}: {label}" if label and label != str(value) else str(value)
            self.ui.note(f"{typed} -> {shown}")

    def alike(self, state: State, step: CStep, cq: CQuestion) -> list[CQuestion]:
        """The step's later unanswered questions with exactly this question's choices (the
        urine screen's assays): 'all VALUE' answers them with this one. Never a timed
        result, whose value waits for its timer."""
        q = cq.spec
        if q.type != "choice" or not q.choices or cq.wait_minutes is not None:
            return []
        values = [c.value for c in q.choices]
        later = step.questions[step.questions.index(cq) + 1 :]
        return [
            o
            for o in later
            if o.spec.type == "choice"
            and [c.value for c in o.spec.choices or ()] == values
            and o.wait_minutes is None
            and o.computed is None
            and o.key not in state.answered
            and o.key not in self.record.skipped
            and state.question_visible.get(o.key) is not False
        ]

    def answer_alike(self, state: State, cq: CQuestion, alike: list[CQuestion], raw: str) -> bool:
        """'all VALUE': record VALUE for ``cq`` and each question in ``alike``, one by one.

        Each is validated and recorded on its own (origin: typed) and shown; before each,
        the answers are evaluated again, so a question that an earlier one hid is left out
        and the engine decides every gate from the separate answers. False when VALUE is
        not an answer to ``cq`` (nothing recorded)."""
        try:
            value = parse_value(
                cq, raw, today=self.today, ctx=state_context(state), interactive=True
            )
        except InvalidAnswer as exc:
            self.ui.retry(f"all: {exc.reason}; please answer again")
            return False
        self.store(state, cq, value)
        self.ui.line(f"  {cq.spec.prompt}: {self.state().display(cq.key)}")
        for other in alike:
            now = self.state()
            if now.question_visible.get(other.key) is False or other.key in now.answered:
                continue
            try:
                v = parse_value(
                    other, raw, today=self.today, ctx=state_context(now), interactive=True
                )
            except InvalidAnswer as exc:  # pragma: no cover - same choices, same answer
                self.ui.retry(f"{other.key}: {exc.reason}; it is asked on its own")
                return True
            self.store(now, other, v)
            self.ui.line(f"  {other.spec.prompt}: {self.state().display(other.key)}")
        return True

    def changed_elsewhere(self, cq: CQuestion, value: object) -> bool:
        """Before a dose is recorded, the walk saves, and so reads the session again: a
        save merges in what another run stored meanwhile (store/saver.py, the one home of
        that merge). Results another process recorded (a second terminal on the same
        session) join this walk's record, and the gates are judged again before the dose
        is asked for again (True). A store that cannot be read or written keeps the dose
        from being recorded."""
        from ..errors import SessionError
        from ..visit.integrity import key_of

        if cq.key != self.guide.meta.report.injection_given or value is not True:
            return False
        if self.dry_run:
            return False

        def results() -> list[CowsRating | ChallengeResult]:
            return [*self.record.cows_ratings, *self.record.naloxone_challenges]

        before = {(key_of(e), e.at) for e in results()}
        try:
            self.record.updated = self.clock.now()
            for line in self.path.save(self.record):
                self.ui.warning(line)
        except SessionError as exc:
            self.ui.retry(f"the session is read again before a dose is recorded: {exc.message}")
            return True
        added = [e for e in results() if (key_of(e), e.at) not in before]
        if not added:
            return False
        said = "; ".join(
            f"{'COWS ' + str(e.total) if isinstance(e, CowsRating) else e.kind + ' ' + e.result}"
            f" at {e.at.astimezone().strftime('%H:%M')}"
            for e in added
        )
        self.ui.warning(
            f"While this walk was open, another process recorded in this session: {said}. "
            "It is part of this walk's record now; the gates are read again before a dose "
            "is recorded."
        )
        self.save(self.state())
        return True

    def refused_by_history(self, cq: CQuestion, value: object) -> bool:
        """An answer that contradicts the path taken or the patient's record is refused,
        saying why (safety invariant 10)."""
        if self.history_conflict is None:
            return False
        problem = self.history_conflict(cq.key, value)
        if problem is not None:
            self.ui.retry(problem)
        return problem is not None

    def taken(
        self, state: State, cq: CQuestion, value: object, origin: str = "typed", dry: bool = False
    ) -> bool:
        """Take a typed result into the record by the rule every route follows
        (visit/results.py); False, with the reason on screen, when the record refuses it.

        An edit of a recorded COWS rating asks why: with a reason the new rating is a
        correction of the one it edits; Enter records it as a new rating beside it.
        ``dry``: only whether the record would take it (before a timer is checked)."""
        from ..visit.clock import shown
        from ..visit.results import KEY_OF, Offered, Results, take_result
        from ..visit.series import TOTAL, latest_on

        kinds = {key: kind for kind, key in KEY_OF.items()}
        kind = kinds.get(cq.key)
        if kind is None or not isinstance(value, str | int) or isinstance(value, bool):
            return True
        day = state.value(self.guide.meta.date_key)
        visit = day if isinstance(day, dt.date) else self.today
        now = self.clock.now()
        offered: Offered | None = None
        if cq.key == TOTAL:
            if dry:
                return True
            last = latest_on(self.record.cows_ratings, visit)
            editing = self.redo == TOTAL and self.record.cows_next_context is None
            if last is None or not editing or self.record.cows_ratings[last].total == value:
                return True
            prev = self.record.cows_ratings[last]
            when = shown(prev.at, "%H:%M")
            try:
                reason = self.read(
                    f"Why is the rating of {when} (total {prev.total}) corrected? "
                    "(Enter: record a new rating beside it instead): "
                )
            except _Command:
                return False
            if not reason:
                return True  # note_rating appends it as a new rating of the day
            offered = Offered(
                "cows", value, now, origin, day=visit, corrects=prev.at, reason=reason, stamped=True
            )
        else:
            started = self.record.timers.get(cq.key)
            offered = Offered(kind, value, now, origin, day=visit, started=started, stamped=True)  # type: ignore[arg-type]
        held = (
            Results(list(self.record.cows_ratings), list(self.record.naloxone_challenges))
            if dry
            else self.record
        )
        try:
            take_result(self.guide, held, offered, visit)
        except InvalidAnswer as exc:
            self.ui.retry(exc.reason)
            return False
        return True

    def store(self, state: State, cq: CQuestion, value: object, origin: str = "typed") -> None:
        if isinstance(value, str) and cq.spec.type == "date":
            value = dt.date.fromisoformat(value)
        before = self.record.answers.get(cq.key)
        if before is not None and before.value == to_json(value):  # type: ignore[arg-type]
            return
        if origin == "typed" and self.responder is not None:
            origin = self.responder.origin(cq.key)  # a presenter's answer: "scenario"
        self.record.set_answer(cq.key, value, origin, self.clock.now())  # type: ignore[arg-type]
        self.show_computed(cq)
        if self.responder is None:  # a presenter's scenario gives its own times
            from ..visit.series import fill_rechallenge_hours

            said = fill_rechallenge_hours(self.guide, self.record, self.clock.now())
            if said is not None:
                self.ui.note(said)
        if before is not None and cq.key == self.guide.meta.date_key:
            from ..visit.resume import clear_results_of_another_day

            for line in clear_results_of_another_day(
                self.guide,
                self.record,
                str(before.value),
                str(to_json(value)),  # type: ignore[arg-type]
                self.clock.now(),
            ):
                self.ui.warning(line)
        if before is not None:
            self.after_change(state)

    def show_computed(self, answered: CQuestion) -> None:
        """A value computed from answers (the COWS total from its items) is shown as soon
        as the last of them is given, with what is derived from it (the band)."""
        readers = [
            cq
            for cq in self.guide.questions.values()
            if cq.computed is not None
            and answered.key in cq.computed.reads
            and cq.key not in self.record.answers
        ]
        if not readers:
            return
        state = self.state()
        for cq in readers:
            if state.value(cq.key) is UNKNOWN:
                continue
            line = f"{cq.spec.prompt}: {state.display(cq.key)}"
            for d in self.guide.derived.values():
                if cq.key in d.expr.reads and state.value(d.name) is not UNKNOWN:
                    line += f"; {d.spec.label}: {state.display(d.name)}"
            self.ui.line(line, style="bold")

    def after_change(self, old: State) -> None:
        """Re-evaluate after an answer changed: clear what no longer applies, say what moved."""
        inputs = self.record.inputs(self.guide, self.today)
        _, cleared = prune(self.guide, inputs.answers, self.today, inputs.overrides)
        if cleared:
            self.record.clear(cleared, self.clock.now(), "no longer applies")
            self.ui.warning("cleared, no longer applies: " + ", ".join(cleared))
        new = self.state()
        for gid, g in new.gates.items():
            was = old.gates[gid]
            if (was.outcome, was.severity) != (g.outcome, g.severity):
                self.ui.note(f"gate {gid}: {_verdict(was)} -> {_verdict(g)}")
        self.last_step = None

    def show_timer(self, state: State, cq: CQuestion) -> None:
        minutes = wait_minutes(state, cq)
        started = self.record.timers.get(cq.key)
        values = ", ".join(str(v) for v in cq.spec.wait_for)
        if started is None:
            self.ui.note(
                f"Timer: type 'start' when the naloxone is given; '{values}' is accepted "
                f"only after {minutes:g} minutes."
            )
        else:
            left = wait_remaining(
                state, cq, started, self.clock.timer_now(started)
            ) or dt.timedelta(0)
            since = f"Timer started {started.astimezone().strftime('%H:%M:%S')}; "
            if left <= dt.timedelta(0):  # "0:00 left. Type 'wait' to count down" misled
                self.ui.note(f"{since}the {minutes:g} minutes have passed: record the result.")
            else:
                self.ui.note(f"{since}{_mmss(left)} left. Type 'wait' to count down.")

    def refuse_early(self, state: State, cq: CQuestion, left: dt.timedelta | None) -> None:
        minutes = wait_minutes(state, cq)
        if left is None:
            self.ui.retry(
                f"the observation takes at least {minutes:g} minutes and has not "
                "started: type 'start' when the naloxone is given"
            )
        else:
            self.ui.retry(
                f"the observation is not over: {_mmss(left)} left of {minutes:g} "
                "minutes. Type 'wait' to count down, or record another result"
            )

    def countdown(self, state: State, cq: CQuestion) -> None:
        started = self.record.timers.get(cq.key)
        if started is None:
            self.ui.retry("the timer has not started: type 'start' first")
            return
        others = [str(c.value) for c in cq.spec.choices or () if c.value not in cq.spec.wait_for]
        self.ui.note(
            "Waiting. Ctrl-C stops waiting; the timer keeps running."
            + (
                f" {' or '.join(repr(v) for v in others)} can be recorded at any time: "
                "stop waiting and type it."
                if others
                else ""
            )
        )
        # On a terminal one line counts down in place; in plain mode, or into a pipe or a
        # recording, one line a minute (a line every few seconds made ~120 of them).
        live = self.ui.live()
        first = True
        try:
            while True:
                left = wait_remaining(
                    state, cq, started, self.clock.timer_now(started)
                ) or dt.timedelta(0)
                if live:
                    self.ui.ticker(f"  observation: {_mmss(left)} left")
                elif first or left > dt.timedelta(0):
                    # Each later line is woken at a whole minute left: say it in minutes,
                    # so a wake-up a moment late never reads as 16:59.
                    mins = math.ceil(left.total_seconds() / 60)
                    self.ui.line(f"  observation: {_mmss(left) if first else f'{mins} min'} left")
                first = False
                if left <= dt.timedelta(0):
                    if live:
                        self.ui.ticker_end()
                    self.ui.line("  the minimum observation is over: record the result")
                    return
                secs = left.total_seconds()
                # Live: a tick about four times a second of real time, whatever the clock;
                # else up to the next whole minute left.
                step = max(1.0, self.clock.factor / 4) if live else (secs % 60 or 60.0)
                self.clock.sleep(min(secs, step))
        except KeyboardInterrupt:
            if live:
                self.ui.ticker_end()
            self.ui.note("countdown stopped; the timer keeps running")

    def confirm(self, state: State, step: CStep) -> None:
        self.show_step(state, step)
        self.read("Press Enter when done: ")
        self.record.confirm(step.id, self.clock.now())

    def rapid_progress(self, g: GateResult) -> Any:
        """The rapid pathway's day as on track (visit/rapid.py), or None."""
        from ..pack.site import NALTREXONE_DAYS
        from ..visit.rapid import GATE, progress

        if g.id != GATE or not self.record.rapid_days:
            return None
        required = self.guide.setting_values.get(NALTREXONE_DAYS)
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
            self.ui.line(
                # A presenter names its own keys (b, w, Enter), not the walk's commands.
                getattr(self.responder, "stop_line", None)
                or (
                    "The visit ends here, without an injection."
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
                show_card_hint(self.ui, state, self.record)
        # On the pathway 'day' is a command at this prompt: the list says so.
        words = "back, edit, review, why, day or quit" if self.rapid_here else None
        listed = "back / edit / review / why / day / quit" if words else None
        while True:
            text = self.read(f"Command [{listed or 'back / edit / review / why / quit'}]: ")
            allowed = words or "back, edit, review, why or quit"
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

    # -- commands -------------------------------------------------------------------

    def command(self, state: State, cmd: _Command) -> None:
        if cmd.name == "quit":
            raise _Quit()
        if cmd.name == "help":
            here = [w for w in WORDS if w in self.words or w in COMMANDS]
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
            from .rapid import day_dialog

            try:
                day_dialog(self, state)
            except _Command as inner:  # typed inside the dialog: carried out, then on
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

    def start_timer(self, key: str, when: str) -> None:
        """'start' (the naloxone is given now) or 'start 09:05' (it was given then: never
        after now, the one rule of visit/clock.py)."""
        from ..visit.clock import parse_moment, shown
        from ..visit.results import start_refused

        now = self.clock.now()
        if not when:
            self.record.timers[key] = now
            self.ui.note("timer started")
            return
        try:
            at = parse_moment(when, self.today, now)
        except ValueError as exc:
            self.ui.retry(f"start: {exc}")
            return
        problem = start_refused(self.record, key, at, now)
        if problem is not None:
            self.ui.retry(f"start: {problem}")
            return
        self.record.timers[key] = at
        self.ui.note(f"timer started at {shown(at, '%H:%M')} (when the naloxone was given)")

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
        order = [k for k in self.record.order if k in self.record.answers]
        here = self.current_key(state)
        if here in order:
            idx = order.index(here)
            target = order[idx - 1] if idx > 0 else None
        else:
            target = order[-1] if order else None
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
        key = _pick(keys, arg)
        if key is None and self.open_question(state, arg.strip()):
            key = arg.strip()  # applies, not answered yet (left empty, or passed by 'jump')
        if key is None:
            # A hurried 'edit last': the answered keys it starts.
            starting = [k for k in keys if arg.strip() and k.startswith(arg.strip())]
            if len(starting) == 1:
                key = starting[0]
                self.ui.note(f"{arg.strip()} -> {key}")
            elif starting:
                self.ui.retry(f"{arg.strip()!r} matches {', '.join(starting)}: type one of them")
                return
        if key is None:
            self.ui.retry(f"{arg!r} is not an answered key, nor a question that applies now")
            return
        self.jumped = None
        self.redo = key
        self.last_step = None


def _verdict(g: GateResult) -> str:
    if g.outcome == "fail":
        return f"fails ({g.severity})"
    return {
        "pass": "passes",
        "unknown": "not decided",
        "overridden": "overridden",
        "not_applicable": "does not apply",
    }.get(g.outcome, g.outcome)


def _pick(options: list[str], text: str) -> str | None:
    text = text.strip()
    if text.isdigit() and 1 <= int(text) <= len(options):
        return options[int(text) - 1]
    return text if text in options else None


def _mmss(delta: dt.timedelta) -> str:
    secs = max(0, int(delta.total_seconds() + 0.999))
    return f"{secs // 60}:{secs % 60:02d}"
