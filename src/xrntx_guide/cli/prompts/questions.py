"""The walk's question prompt: an answer read, checked, echoed and stored; the
answers given to several alike questions at once; the route's actions shown one at a
time (a challenge's dosing)."""

from __future__ import annotations

import datetime as dt

from ...engine.evaluate import (
    State,
    state_context,
    usable_default,
)
from ...engine.next_action import (
    prune,
    wait_remaining,
)
from ...errors import InvalidAnswer, SessionError
from ...expr import UNKNOWN, format_value, truth
from ...pack.guide import CQuestion, CStep
from ...store.saver import both_dosed
from ...visit.answers import parse_value, to_json
from ...visit.clock import shown
from ...visit.history import of_another_dose
from ...visit.integrity import key_of
from ...visit.rapid import ANSWERS_KEY, is_record_key
from ...visit.results import KEY_OF, Offered, Results, take_result, taken_on_another_day
from ...visit.resume import (
    clear_results_of_another_day,
    move_refused,
    results_of_the_day,
    taken_on_the_new_day,
)
from ...visit.series import (
    CHALLENGE,
    TOTAL,
    ChallengeResult,
    CowsRating,
    fill_rechallenge_hours,
    item_keys,
    latest_on,
    rechallenge_until,
)
from ..rapid import day_dialog, show_record
from ..ui import COMPUTED_NEXT, SKIPPED
from .base import (
    WalkCore,
    _Command,
    _verdict,
)

"""What Enter at an optional question without a default means, echoed as a default is."""


class QuestionPrompts(WalkCore):
    """A question asked at its prompt, and what an answer does once typed."""

    def ask_question(self, state: State, step: CStep, cq: CQuestion) -> None:
        self.show_step(state, step)

        if is_record_key(self.guide, cq.key):
            # Worked out from the pathway's daily record, never typed: the day dialog
            # records a day (cli/rapid.py), or the days come as {ANSWERS_KEY} in a file.

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
        if cq.key in self.unread and current is UNKNOWN:
            self.ui.warning(self.unread[cq.key])
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
        # Enter at an optional question skips it, unless its value is worked out from the
        # answers asked next (the COWS total from its items): the prompt says which, as
        # the echo does.
        empty = "Enter to skip" if cq.computed is None else f"Enter: {COMPUTED_NEXT}"
        suffix = f" [{default}]" if default is not None else (f" [{empty}]" if q.optional else "")
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
                + ("the next" if len(alike) == 1 else "each of them")
                + ", recorded and shown one by one."
            )
        prompt = f"{q.prompt} ({hint}){suffix}: " if hint else f"{q.prompt}{suffix}: "
        routes = procedures(state, step, cq.key)
        if routes and current is UNKNOWN:
            self.show_procedure(cq.key, routes)
        else:
            routes = {}
        route_words = tuple(r.lower() for r in routes) if len(routes) > 1 else ()
        while True:
            text = self.read(prompt, extra, (*(("all",) if alike else ()), *route_words))
            if text == "" and self.next_action(cq.key, routes):
                continue
            if text.lower() in route_words:
                chosen = next(r for r in routes if r.lower() == text.lower())
                self.procedure_at[cq.key] = (chosen, 0)
                self.show_procedure(cq.key, routes)
                continue
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
                    self.ui.taken(self.as_echoed(cq, default_raw, default))
                    return
                if q.optional:
                    self.record.skip(cq.key, self.clock.now())
                    # As a default is echoed, above; a value worked out from other answers
                    # (the COWS total from its items) is not skipped, but asked that way.
                    self.ui.taken(SKIPPED if cq.computed is None else COMPUTED_NEXT)
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
                real = self.record.timers_real.get(cq.key)
                left = wait_remaining(state, cq, started, self.clock.timer_now(started, real))
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

    def show_procedure(self, key: str, routes: dict[str, tuple[list[str], str]]) -> None:
        """Where the question's procedure stands: the route's action being done (the first
        when it starts), or, with several routes and none chosen, how to choose one."""
        at = self.procedure_at.get(key)
        if at is None and len(routes) == 1:
            at = self.procedure_at[key] = (next(iter(routes)), 0)
        if at is None or at[0] not in routes:
            names = " or ".join(routes)
            counts = ", ".join(f"{r}: {len(a)} actions" for r, (a, _) in routes.items())
            sources = ", ".join(dict.fromkeys(src for _, src in routes.values() if src))
            self.ui.note(
                f"The dosing by route ({counts}{'; ' + sources if sources else ''}): type "
                f"{names} to follow one, an action at a time."
            )
            return
        route, index = at
        actions, sources = routes[route]
        if index == 0:
            cited = f" ({sources})" if sources else ""
            self.ui.note(
                f"{route} route{cited}: {len(actions)} actions, one at a time; Enter shows "
                "the next."
            )
        self.ui.note(f"{route} {index + 1} of {len(actions)}: {actions[index]}")
        cq = self.guide.questions[key]
        if (
            index == len(actions) - 1
            and cq.spec.wait_minutes is not None
            and key not in self.record.timers
        ):
            # The last action is reached with no timer: the result waits for one.
            self.ui.note(
                "The timer has not started: type 'start' when the naloxone is given "
                "('start 09:05': it was given then)."
            )

    def next_action(self, key: str, routes: dict[str, tuple[list[str], str]]) -> bool:
        """Enter while a route is followed: its next action is shown (True); False when
        there is none to show, and Enter means what it means at the prompt."""
        at = self.procedure_at.get(key)
        if at is None or at[0] not in routes:
            return False
        route, index = at
        actions, _ = routes[route]
        if index + 1 >= len(actions):
            return False
        self.procedure_at[key] = (route, index + 1)
        self.show_procedure(key, routes)
        return True

    def echo(self, cq: CQuestion, text: str, value: object) -> None:
        """What a typed shorthand was taken as: a relative date as the date it means
        (``3 days ago -> 2026-11-21``), a partial choice as the choice it matched
        (``short -> short_acting``); an answer typed in full is not repeated. A default
        taken with Enter is echoed where it is taken (``Enter -> 2026-11-24``), and so is
        an optional question left empty with Enter (``Enter -> skipped``)."""
        typed = text.strip()
        if isinstance(value, dt.date) and typed != value.isoformat():
            self.ui.note(f"{typed} -> {value.isoformat()}")
        elif cq.spec.type == "choice" and not typed.isdigit() and typed != str(value):
            self.ui.note(f"{typed} -> {self.as_echoed(cq, value, str(value))}")

    @staticmethod
    def as_echoed(cq: CQuestion, value: object, display: str) -> str:
        """An answer as an echo shows it: a choice as ``value: label`` (the label only
        where it says more than the value; a label that starts with the value, as
        ``standard: wait out the interval``, alone), anything else as ``display``."""
        if cq.spec.type != "choice":
            return display
        label = cq.choice_label(value)
        if not label or label == str(value):
            return str(value)
        return label if label.startswith(f"{value}:") else f"{value}: {label}"

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
        # Each value is judged against the patient's record as one typed alone is (a
        # screen another visit of the day recorded otherwise): refused, it is not taken.
        if self.refused_by_history(cq, value):
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
            if self.refused_by_history(other, v):
                self.ui.note(f"{other.key} is asked on its own.")
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
        if cq.key != self.guide.meta.report.injection_given or value is not True:
            return False
        if self.dry_run:
            return False

        def results() -> list[CowsRating | ChallengeResult]:
            return [*self.record.cows_ratings, *self.record.naloxone_challenges]

        def judged() -> dict[str, object]:
            """What the gates read besides the series: the answers (the visit's date
            among them), the overrides and the acknowledgements."""
            r = self.record
            return {
                **{k: a.value for k, a in r.answers.items()},
                **{f"override {g}": (o.code, o.fingerprint) for g, o in r.overrides.items()},
                **{f"acknowledgement {g}": a.fingerprint for g, a in r.acks.items()},
            }

        before = {(key_of(e), e.at) for e in results()}
        held = judged()
        try:
            self.record.updated = self.clock.now()
            for line in self.path.save(self.record):
                self.ui.warning(line)
        except SessionError as exc:
            self.ui.retry(f"the session is read again before a dose is recorded: {exc.message}")
            return True
        added = [e for e in results() if (key_of(e), e.at) not in before]
        now = judged()
        if now.get(cq.key) is True:
            # Another room recorded the dose meanwhile, and "given" was typed here too.
            self.ui.warning(both_dosed(cq.key))
        changed = sorted(k for k in set(held) | set(now) if held.get(k) != now.get(k))
        if changed and not added:
            # Another run changed what the gates read (moved the visit to another day,
            # cleared or changed a screen): judged again before any dose is recorded.
            date_key = self.guide.meta.date_key
            moved = (
                f" The visit is now of {now[date_key]}: if the patient is here on "
                f"{held[date_key]}, change it back (edit {date_key}), its results asked "
                "again."
                if date_key in changed and date_key in now and date_key in held
                else ""
            )
            self.ui.warning(
                f"While this walk was open, another process changed this session "
                f"({', '.join(changed)}): the gates are read again, and the dose is not "
                f"recorded yet.{moved}"
            )
            self.save(self.state())
            return True
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
        if cq.key == self.guide.meta.date_key:
            refused = move_refused(self.guide, self.record, value)
            if refused is not None:
                self.ui.retry(f"{refused[0]}. {refused[1]}")
            return refused is None
        kinds = {key: kind for kind, key in KEY_OF.items()}
        kind = kinds.get(cq.key)
        day = state.value(self.guide.meta.date_key)
        visit = day if isinstance(day, dt.date) else self.today
        now = self.clock.now()

        def of_the_visit_day() -> bool:
            """A rating typed now is a new one, taken now: only for a visit of today."""
            found = taken_on_another_day(self.guide, now, visit, self.today)
            if found is not None:
                self.ui.retry(f"{cq.key}: {found[0]}. {found[1]}")
            return found is None

        if cq.key in item_keys(self.guide):  # a rating typed item by item
            return of_the_visit_day()
        if kind is None or not isinstance(value, str | int) or isinstance(value, bool):
            return True
        offered: Offered | None = None
        if cq.key == TOTAL:
            if dry:
                return True
            last = latest_on(self.record.cows_ratings, visit)
            editing = self.redo == TOTAL and self.record.cows_next_context is None
            if last is None or not editing or self.record.cows_ratings[last].total == value:
                return of_the_visit_day()
            prev = self.record.cows_ratings[last]
            when = shown(prev.at, "%H:%M")
            if prev.context == "pathway_day":
                self.ui.retry(
                    f"the rating of {when} (total {prev.total}) is the pathway's day record's: "
                    "correct it there ('day', then 'correct', with the reason), so that the "
                    "record and the series say the same"
                )
                return False
            try:
                reason = self.read(
                    f"Why is the rating of {when} (total {prev.total}) corrected? "
                    "(Enter: record a new rating beside it instead): "
                )
            except _Command:
                return False
            if not reason:
                return of_the_visit_day()  # note_rating appends it as a new rating of the day
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
        read = cq.key in state.answered  # a stored answer the visit does not read (a COWS
        # rating whose order is not known, visit/session.py) is typed anew, not "unchanged"
        if read and before is not None and before.value == to_json(value):  # type: ignore[arg-type]
            return
        if origin == "typed" and self.responder is not None:
            origin = self.responder.origin(cq.key)  # a presenter's answer: "scenario"
        moves = before is not None and cq.key == self.guide.meta.date_key
        old, new = (str(before.value), str(to_json(value))) if moves else ("", "")  # type: ignore[arg-type, union-attr]
        # Asked before the date changes: an interrupt at the question changes nothing.
        said_new = moves and old != new and self.taken_on_which_day(old, new)
        self.record.set_answer(cq.key, value, origin, self.clock.now())  # type: ignore[arg-type]
        self.show_computed(cq)
        if cq.key == CHALLENGE and value == "positive":
            until = rechallenge_until(self.guide, self.record)
            if until is not None:
                self.ui.note(until)
        if self.responder is None:  # a presenter's scenario gives its own times
            said = fill_rechallenge_hours(self.guide, self.record, self.clock.now())
            if said is not None:
                self.ui.note(said)
        if moves:
            keep = self.carried_to(old, new) if said_new else frozenset()
            for line in clear_results_of_another_day(
                self.guide, self.record, old, new, self.clock.now(), keep
            ):
                self.ui.warning(line)
            if keep:
                kept = ", ".join(sorted(keep))
                self.ui.note(f"Kept in this visit as {new}'s results, as you said: {kept}.")
        if before is not None:
            self.after_change(state)

    def taken_on_which_day(self, old: str, new: str) -> bool:
        """The visit's date is about to change from ``old`` to ``new`` at a prompt: were
        the screen and test results it holds taken on ``old`` (kept as that day's, asked
        again: False), or on ``new``, typed under the wrong date (a late entry begun under
        today's date: True)? Enter and a presenter's scenario say ``old``: the results
        then bind ``old``, as they were recorded. Asked before the date is set, so that an
        interrupt, the input's end or a command here (back, quit) leaves the visit as it
        was."""
        held = results_of_the_day(self.guide, self.record)
        if not held or self.responder is not None:
            return False
        listed = ", ".join(f"{k} = {format_value(v)}" for k, v in held.items())
        self.ui.alert(f"These results were recorded for {old}: {listed}.")
        self.ui.choices(
            [
                ("old", f"taken on {old}: they stay that day's results",
                 f"and are asked again for {new}"),
                ("new", f"taken on {new}, typed under the wrong date",
                 f"they stay in this visit, as {new}'s; {old} keeps none of them"),
            ]
        )  # fmt: skip
        while True:
            # A command here (back, quit, help...) is the date prompt's, carried out before
            # anything changed; the input's end saves and leaves, the visit as it was.
            word = self.read(
                "Which day were they taken? (number or value) [1]: ", words=("1", "2")
            ).lower()
            if word in ("", "1", "old"):
                return False
            if word in ("2", "new"):
                return True
            self.ui.retry(
                f"Type 1 (taken on {old}: asked again for {new}), 2 (taken on {new}, typed "
                f"under the wrong date), Enter for 1, or back to keep the date {old}."
            )

    def carried_to(self, old: str, new: str) -> frozenset[str]:
        """The results the clinician said were taken on ``new`` (the visit's date now),
        judged first against the patient's other visits of that day: the keys kept in the
        visit, or none when one of them is refused there (all then stay ``old``'s)."""
        held = results_of_the_day(self.guide, self.record)
        for key, value in held.items():
            cq = self.guide.questions[key]
            problem = (
                None
                if self.history_conflict is None
                else self.history_conflict(
                    key, parse_value(cq, value, today=dt.date.fromisoformat(new))
                )
            )
            if problem is not None:
                refused = problem.split(": ", 1)[0]  # the answer the record stands against
                shown = f" = {format_value(held[refused])}" if refused in held else ""
                self.ui.retry(
                    f"{refused}{shown} cannot be {new}'s: the patient's record holds "
                    f"otherwise for {new} (another visit of that day, or this one before it "
                    f"moved). So they are not taken as {new}'s: they stay {old}'s, and are "
                    "asked again."
                )
                return frozenset()
        return taken_on_the_new_day(self.record, held, old, new, self.clock.now())

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
        _, pruned = prune(self.guide, inputs.answers, self.today, inputs.overrides)
        kept = self.record.dose_answers(self.guide)
        cleared = [k for k in pruned if k not in kept]
        if cleared:
            self.record.clear(cleared, self.clock.now(), "no longer applies")
            self.ui.warning("cleared, no longer applies: " + ", ".join(cleared))
        # The recorded dose's values filled in (its side) beside a last injection's date
        # now given otherwise: of another dose, asked again.
        other = of_another_dose(self.guide, self.record, self.prefills, self.today)
        if other:
            self.record.clear(other, self.clock.now(), "of another dose than the record's")
            self.ui.warning(
                "cleared, filled in from another dose than the one now given: "
                + ", ".join(other)
                + " (asked)"
            )
        new = self.state()
        for gid, g in new.gates.items():
            was = old.gates[gid]
            if (was.outcome, was.severity) != (g.outcome, g.severity):
                self.ui.note(f"gate {gid}: {_verdict(was)} -> {_verdict(g)}")
        self.last_step = None


def procedures(state: State, step: CStep, key: str) -> dict[str, tuple[list[str], str]]:
    """The routes by which the result ``key`` is obtained here (the step's procedures for
    it whose condition holds; an undecided one is left out): route -> (its actions with
    placeholders filled, its sources)."""
    ctx = state_context(state)
    return {
        p.route: ([state.render(a) for a in p.actions], ", ".join(p.sources))
        for when, p in step.procedures
        if p.question == key and (when is None or truth(when.function(ctx)) is True)
    }
