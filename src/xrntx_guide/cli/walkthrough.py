"""The interactive walkthrough: a loop over :func:`xrntx_guide.engine.next_action`.

The engine decides what comes next; this module only shows it and reads the answer.
The session is saved after every change, so quitting or a crash loses at most the answer
being typed. Each kind of prompt has its module under ``prompts/`` (questions, timers,
gates, commands); :class:`Walkthrough` is the one class they make up, with the loop, the saving
and the screens here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from ..engine.drive import Flags, Outcome, Prefill, drive
from ..engine.evaluate import (
    OverrideRequest,
    State,
    evaluate,
)
from ..engine.next_action import (
    Action,
    Ask,
    Confirm,
    GateStop,
    instructions,
    stop_before,
)
from ..env import Clock as Clock  # where the walk's timers read the time
from ..errors import ExitCode, Interrupted, SessionError
from ..pack import keys
from ..pack.guide import CQuestion, CStep, Guide
from ..records import field, record
from ..store import VisitGone
from ..visit.history import entry
from ..visit.rapid import is_pathway_key, is_record_key
from ..visit.results import note_rating
from ..visit.series import CONTEXTS, TOTAL, item_keys, latest_on
from ..visit.session import SessionRecord
from .history import announcer
from .prompts.base import COMMANDS as COMMANDS
from .prompts.base import DRY_RUN_END as DRY_RUN_END
from .prompts.base import DRY_RUN_START as DRY_RUN_START
from .prompts.base import HELP as HELP
from .prompts.base import WORDS as WORDS
from .prompts.base import _Command, _Quit
from .prompts.base import _mmss as _mmss
from .prompts.commands import CommandPrompts
from .prompts.gates import GatePrompts
from .prompts.questions import QuestionPrompts
from .prompts.timers import TimerPrompts
from .render import (
    show_card_hint,
    show_cows_series,
    show_gate,
    show_summary,
)
from .ui import UI

DAY_DIALOG_HELP = (
    "Recording a day of the rapid pathway: answer the prompt (Enter takes what [ ] "
    "shows). back: the previous prompt of the day (at its first, out of the dialog, "
    "nothing recorded). Any other command (quit, why, review, edit) leaves the dialog, "
    "and the day being typed is not recorded."
)
"""'help' inside the day dialog: said, and the prompt asked again (cli/rapid.py)."""


@record
class Walkthrough(CommandPrompts, GatePrompts, TimerPrompts, QuestionPrompts):
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
    unread: dict[str, str] = field(default_factory=dict)
    """For a question the history gives a value this guide does not take, what its prompt
    says (visit/history.py ``Timeline.unread``)."""
    last_step: str | None = None
    unsaved: bool = False
    """The clinician chose to go on after a save failed; saves are still tried."""
    dry_run: bool = False
    """``--no-save``: the session is never written; the screen says so where it would say
    "saved"."""
    program: str = "xrntx-guide"
    """How this program is started here, for the resume command it prints."""
    history_conflict: Callable[[str, object], str | None] | None = None
    """Why an answer typed for a key contradicts the path taken or the patient's record
    (visit/contradiction.py), or None."""
    refuse_filled: Callable[[], None] | None = None
    """Raises when a value filled in from the record contradicts the answers already in
    it (engine/drive.py ``Flags.refuse``)."""
    recheck: Callable[[bool], None] | None = None
    """Reads the patient's record again before the dose counts, and raises when it now
    contradicts the answers (engine/drive.py ``Flags.recheck``)."""
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
    procedure_at: dict[str, tuple[str, int]] = field(default_factory=dict)
    """Per question, the route being followed and the index of its action last shown."""
    merges: int = 0
    """How many saves merged in what another run stored meanwhile (store/saver.py)."""

    # -- plumbing -------------------------------------------------------------------

    def state(self) -> State:
        return evaluate(self.guide, self.record.inputs(self.guide, self.today))

    def save(self, state: State | None = None) -> None:
        """Save after every change. When the disk refuses (full, read-only, gone), say so
        at once: the answers, the one just typed too, stay in memory, and the clinician
        retries (after freeing space) or goes on unsaved; later saves keep being tried,
        quietly, and the first that works says so."""
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
                    self.merges += 1
                    for line in merged:
                        self.ui.warning(line)
                    # The gates read the merged record whole: evaluated again, saved.
                    self.record.summarise(self.state(), now)
                    self.path.save(self.record)
            except VisitGone as exc:
                # Another run deleted the visit: this run holds the whole record, and a
                # dose may be in it. Stored again unless the clinician says otherwise.
                if unsaved:
                    return
                self.ui.error(exc.message)
                self.ui.warning(
                    "nothing is lost yet: this walkthrough holds the whole visit, every "
                    "answer and the audit trail"
                )
                reply = self.choose(
                    "Store this visit again as this walkthrough holds it, or go on without "
                    "saving? [again/go]: ",
                    {"": "again", "a": "again", "again": "again", "g": "go", "go": "go"},
                    unattended="again",
                )
                if reply == "again":
                    self.path.store_again()
                    self.ui.warning(
                        f"session {self.path}: storing it again, as this walkthrough holds "
                        "it (another run had deleted it)"
                    )
                    continue
                self.going_on_unsaved()
                return
            except SessionError as exc:
                if unsaved:
                    return
                self.ui.error(exc.message)
                self.ui.warning(
                    "nothing is lost yet: every answer so far, the last one too, is kept "
                    "in memory while this walkthrough runs"
                )
                reply = self.choose(
                    "Retry the save, or go on without saving? [retry/go]: ",
                    {"": "retry", "r": "retry", "retry": "retry", "g": "go", "go": "go"},
                    unattended="go",
                )
                if reply == "retry":
                    continue
                self.going_on_unsaved()
                return
            if unsaved:
                self.unsaved = False
                self.ui.note(f"Saved again: session {self.path}")
            return

    def going_on_unsaved(self) -> None:
        self.unsaved = True
        self.ui.warning(
            "going on WITHOUT saving: each answer is still tried; if the walkthrough "
            "ends before a save works, this session is lost"
        )

    def choose(self, prompt: str, words: dict[str, str], unattended: str) -> str:
        """One of ``words``' meanings, asked until one is typed (a word not offered is
        never taken for one); ``unattended`` when no one can answer (the input ended)."""
        while True:
            try:
                reply = self.ui.ask(prompt).strip().lower()
            except EOFError:
                return unattended
            if reply in words:
                return words[reply]
            self.ui.retry(f"type one of: {', '.join(sorted(set(words.values())))}")

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
        while True:
            supplied = self.responder.supply(self, prompt) if self.responder is not None else None
            try:
                text = supplied.strip() if supplied is not None else self.ui.ask(prompt).strip()
            except EOFError:
                raise _Quit(eof=True) from None
            if day and text.lower() == "day":  # the word alone: a comment may begin with it
                raise _Command("day")
            word, _, arg = text.partition(" ")
            if self.in_day_dialog and supplied is None and word.lower() == "help":
                # Said here, and the same prompt asked again: 'help' leaving the dialog
                # threw away the day being typed.
                self.ui.note(DAY_DIALOG_HELP)
                continue
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
            elif self.responder is None and self.ended_treatment():
                # It stopped where it should: nothing is left to resume.
                self.ui.note(
                    "Saved. This visit ended the treatment, as recorded: nothing is left to "
                    f"do in it. To correct an answer: {self.program} walk --resume --session "
                    f"{self.path}"
                )
                show_card_hint(self.ui, self.state(), self.record, self.program)
            elif self.responder is None:  # a presenter run is never a session to resume
                # The command on a line of its own, never broken: copied whole.
                self.ui.note("Saved. Resume with:")
                self.ui.note(f"  {self.program} walk --resume --session {self.path}")
                if self.record.status in ("blocked", "needs_override"):
                    # Left at a gate (no injection today): the patient's card still holds.
                    show_card_hint(self.ui, self.state(), self.record, self.program)
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
                hint=f"Resume with:\n  {self.program} walk --resume --session {self.path}",
            ) from None

    def ended_treatment(self) -> bool:
        """Whether the visit stopped where a visit that ends the treatment stops (the
        patient's record reads it so: visit/history.py)."""
        return entry(self.guide, self.record).ended

    def _exit_for_status(self) -> ExitCode:
        if self.record.status in ("blocked", "needs_override"):
            return ExitCode.BLOCKED
        return ExitCode.OK

    def _loop(self) -> ExitCode:
        announce = announcer(self.ui, lambda state, ask: self.show_step(state, ask.step))
        flags = Flags(
            self.flag_overrides,
            self.flag_acknowledge,
            self.prefills,
            announce,
            refuse=self.refuse_filled,
            recheck=self.recheck,
        )
        drive(self.guide, self.record, self.today, self, self.clock.now, flags)
        return ExitCode.OK

    # -- the responder: what the one loop (engine.drive) asks of a person -----------

    def closing_stop(self, state: State, cq: CQuestion) -> GateStop | None:
        """The gate that closes ``cq``'s step now (a stop before it), or None: the one rule
        for what 'back' and 'edit' may ask again (a step past a gate is never opened)."""
        stop = stop_before(state, self.guide.step(cq.step_id))
        return None if stop is None or self.reads_the_rating(stop, cq) else stop

    def pending(self, state: State) -> Action | None:
        if self.redo is not None:
            cq = self.guide.questions[self.redo]
            step = self.guide.step(cq.step_id)
            stop = self.closing_stop(state, cq)
            if stop is None:
                return Ask(step, cq)
            # Never a step that a gate closes now, by any command.
            self.redo = None
            self.ui.retry(self.closed_by(cq, stop, f"edit {cq.key}"))
        if self.jumped is not None:
            r = state.gates[self.jumped]
            if r.outcome == "fail" and r.severity == "contraindication":
                # Only a gate that fails now: 'jump' never passes one by, nor answers
                # anything; once an answer lifts it, the walk goes on where it was.
                return GateStop(self.guide.step(r.before), r, "blocked")
            self.jumped = None
        return None

    def reads_the_rating(self, stop: GateStop, cq: CQuestion) -> bool:
        """Whether ``stop`` is a gate that reads the visit day's latest COWS rating
        through the pathway's record (visit/rapid.py record_answers) and ``cq`` is that
        rating's total or an item: a rating typed by mistake there is edited (a correction,
        with its reason) although its step lies past the gate, which then reads it."""
        if not self.rapid_here or not (cq.key == TOTAL or cq.key in item_keys(self.guide)):
            return False
        series = self.record.visit_ratings(self.today)
        latest = latest_on(series, self.today)
        return (
            latest is not None
            and series[latest].context != "pathway_day"  # the day record's: 'day', 'correct'
            and series[latest] in self.record.cows_ratings
            and keys.RAPID_DAY_COWS in self.guide.gate(stop.gate.id).inputs
            and cq.key in self.record.answers
        )

    def closed_by(self, cq: CQuestion, stop: GateStop, then: str) -> str:
        """Why the question ``cq`` cannot be asked now: its step lies after ``stop``, and
        what to do (``then``: the command that asks it once the gate is settled). On the
        rapid pathway a gate that reads the pathway's day record is settled there
        ('day'): what it needs of the record is never asked as a question."""
        where = f"{cq.key!r} is asked at the step {self.guide.step(cq.step_id).spec.title!r}"
        reads_record = self.rapid_here and any(
            is_record_key(self.guide, k) for k in self.guide.gate(stop.gate.id).inputs
        )
        day = (
            "type 'day' to record a day of the pathway (a COWS rating of the day with its "
            "time: the gates read the day's latest rating)"
        )
        if stop.kind == "undecided" and stop.gate.missing:
            # Not a gate that fails: answers still open before it (jumped over, or asked
            # next), or the pathway's record not kept yet (never asked as a question).
            asked = [k for k in stop.gate.missing if not is_record_key(self.guide, k)]
            if len(asked) < len(stop.gate.missing):
                needs = ", ".join([*asked, "the pathway's day record"])
                how = f"{day}" + (f", answer {', '.join(asked)}" if asked else "")
            else:
                needs, how = ", ".join(asked), "answer those first (the walk asks them next)"
            return (
                f"{where}, after the gate {stop.gate.id!r}, not decided yet: it needs "
                f"{needs}. {how[0].upper()}{how[1:]}, then `{then}`"
            )
        said = (
            f"{where}, after the gate {stop.gate.id!r}, which stops the walk now: settle that "
            "gate first (why; edit an earlier answer)"
        )
        return f"{said}; on the rapid pathway, {day}" if reads_record else said

    def checkpoint(self, state: State) -> bool:
        added = note_rating(self.guide, self.record, state, self.today, self.clock.now())
        if added is not None and len(self.record.cows_ratings) > 1:
            self.show_series(state)
        unordered = self.record.unordered_note(self.guide, self.today) if added else None
        if unordered is not None:  # stamped before the other was recorded, by its clock
            self.ui.warning(
                f"still {unordered}: the other rating was recorded later, by the clock of "
                "the run that recorded it, than this one was stamped; a rating taken after "
                "that time is read"
            )
        merges = self.merges
        self.save(state)
        # A rating added to the series is read again before the walk acts: the rapid
        # pathway's gate reads the series' latest rating (visit/rapid.py record_answers),
        # which the state before it did not hold yet.
        return self.merges != merges or added is not None

    def show_series(self, state: State) -> None:
        """The COWS series: a small table with a bar per rating (visit/series.py)."""
        show_cows_series(self.ui, state, self.record, least=1)

    def cannot_rate(self, state: State) -> str | None:
        """Why 'rate again' cannot work here, or None: what it says when typed, and why
        'help' leaves it out."""
        if TOTAL not in self.guide.questions or state.question_visible.get(TOTAL) is not True:
            return "COWS is not rated in this walk (or not yet)"
        total = self.guide.questions[TOTAL]
        stop = stop_before(state, self.guide.step(total.step_id))
        if stop is not None:
            # Nothing is cleared: a rating begun where it cannot be asked would leave the
            # withdrawal gate undecided for nothing.
            return self.closed_by(total, stop, "rate again")
        return None

    def rate_again(self, state: State, arg: str) -> None:
        """'rate again [CONTEXT]': a new COWS rating; the earlier ones stay in the series.
        Until it is complete the withdrawal gate is undecided, never passed."""
        words = arg.lower().split()
        if words and words[0] == "again":
            words = words[1:]
        context = words[0] if words else None
        if context is not None and context not in CONTEXTS:
            self.ui.retry(f"'{context}' is not a context: {', '.join(CONTEXTS)}")
            return
        refused = self.cannot_rate(state)
        if refused is not None:
            self.ui.retry(refused)
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
        self.record.cows_next_at = now
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
            show_card_hint(self.ui, state, self.record, self.program)

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

    # -- commands -------------------------------------------------------------------
