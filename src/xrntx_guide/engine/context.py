"""The lazy context of one evaluation: every value, step and question worked out on demand
and kept, a gate's rules judged once per context, and the answers as given (what a
computed answer is checked against)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any, NamedTuple

from ..digest import sha256
from ..expr import UNKNOWN, Context, Value, format_value, truth
from ..pack.guide import CGate, CQuestion, CRule, CStep, Guide
from .bounds import bound_problem
from .inputs import Override
from .text import display_value, shown_value

_MISS: Any = object()

_BUSY: Any = object()
"""Marks a value, step or question whose computation is under way: a condition that comes
back to it (a cycle) sees it as unknown instead of recursing forever."""


def _and(a: bool | None, b: bool | None) -> bool | None:
    """Kleene 'and' of two decided-or-unknown facts."""
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


class Judgement(NamedTuple):
    """A gate's rules judged in one context."""

    applies: bool | None
    verdicts: list[tuple[CRule, bool | None]]
    worst: CRule | None
    """The most severe failing rule (the first of equals)."""
    unknown: bool
    """Some rule could not be decided."""


def judge_gate(gate: CGate, ctx: LazyContext) -> Judgement:
    """The gate's verdicts in ``ctx``, judged once per context."""
    done = ctx.judged.get(gate.id)
    if done is None:
        applies = truth(gate.applies.function(ctx)) if gate.applies is not None else True
        verdicts: list[tuple[CRule, bool | None]] = []
        worst, rank, unknown = None, -1, False
        for r in gate.rules:
            value = r.fails.function(ctx)
            if value is UNKNOWN:  # truth(), inline: a batch judges every gate of every line
                verdicts.append((r, None))
                unknown = True
            elif value:
                verdicts.append((r, True))
                if r.rank > rank:
                    worst, rank = r, r.rank
            else:
                verdicts.append((r, False))
        done = ctx.judged[gate.id] = Judgement(applies, verdicts, worst, unknown)
    return done


def gate_passes(gate: CGate, ctx: LazyContext) -> bool:
    """Whether the gate passes in ``ctx``: it does not apply, or no rule of it fails or is
    undecided. The same verdict as :func:`judge_gate`'s (``applies is False``, or no worst
    rule and nothing unknown), stopping at the first rule that decides it: a later date's
    probe (gates.py) asks only this, of a context made for that one question."""
    if gate.applies is not None:
        applies = gate.applies.function(ctx)
        if applies is not UNKNOWN and not applies:
            return True
    for r in gate.rules:
        value = r.fails.function(ctx)
        if value is UNKNOWN or value:
            return False
    return True


def override_holds(guide: Guide, override: Override | None, fingerprint: str) -> bool:
    """An override counts only for the inputs it was given for, with one of the guide's
    reason codes and a comment (reference 4.4, item 6): whatever route it came by (a flag,
    a session file edited by hand), an override without them is no override."""
    return (
        override is not None
        and override.fingerprint == fingerprint
        and override.code in guide.override_codes
        and bool(override.comment.strip())
    )


def inputs_fingerprint(gate: CGate, ctx: Context) -> str:
    """Identifies the inputs a gate was judged on; an ack or override is for these only."""
    data = {k: format_value(ctx.lookup(k)) for k in sorted(gate.inputs)}
    raw = json.dumps(data, sort_keys=True).encode()
    return sha256(raw).hexdigest()[:16]


class LazyContext(Context):
    """Values computed on demand: an answer counts only if its question is shown.

    Everything is lazy and memoised, so evaluating one gate touches only what it reads.
    The pack checks guarantee that a condition reads only questions asked before it, so
    the order in which things are computed cannot change a result.
    """

    def __init__(
        self,
        guide: Guide,
        today: dt.date,
        use_defaults: bool,
        given: Mapping[str, Value],
        forced: Mapping[str, Value] | None = None,
        overrides: Mapping[str, Override] | None = None,
    ) -> None:
        self.guide = guide
        self.today = today
        self.use_defaults = use_defaults
        self.given = given
        self.overrides = overrides or {}
        # today, the settings and any forced value are looked up most: seed the memo.
        self.memo: dict[str, Value] = {**guide.setting_names, "today": today, **(forced or {})}
        self.steps: dict[str, bool | None] = {}
        self.shown: dict[str, bool | None] = {}
        self.judged: dict[str, Judgement] = {}
        self.displayed: dict[str, str] = {}
        self.invalid: dict[str, str | None] = {}
        self._date_free: (
            tuple[dict[str, Value], dict[str, bool | None], dict[str, bool | None]] | None
        ) = None

    # The memos (steps, shown, memo) hold _BUSY while an entry is being worked out. A
    # context is used for one evaluation and dropped, so an exception part-way through
    # cannot leave a marker behind for anyone to see.

    def step_visible(self, step: CStep) -> bool | None:
        steps = self.steps
        sid = step.id
        sv = steps.get(sid, _MISS)
        if sv is not _MISS:
            return None if sv is _BUSY else sv
        steps[sid] = _BUSY
        sv = truth(step.when.function(self)) if step.when is not None else True
        if sv is not False and step.index == self.guide.readiness_limit:
            sv = _and(sv, self._clear_before(step))
        steps[sid] = sv
        return sv

    def _clear_before(self, step: CStep) -> bool | None:
        """Whether nothing blocks before this step. The injection step (the last that
        requires every gate clear) is not shown, and its answers do not count, while any
        gate before it blocks: an injection recorded for a blocked patient is ignored."""
        result: bool | None = True
        for gate in self.guide.guarding[step.index]:
            applies, _, worst, unknown = judge_gate(gate, self)
            if applies is False:
                continue
            if worst is not None and worst.spec.severity == "contraindication":
                return False
            if worst is not None and worst.spec.severity == "stop":
                override = self.overrides.get(gate.id)
                if not override_holds(self.guide, override, inputs_fingerprint(gate, self)):
                    return False
                continue
            if applies is None or unknown:
                result = None
        return result

    def visible(self, cq: CQuestion) -> bool | None:
        shown = self.shown
        key = cq.key
        qv: bool | None = shown.get(key, _MISS)
        if qv is not _MISS:
            return None if qv is _BUSY else qv
        sv = self.steps.get(cq.step_id, _MISS)
        if sv is _MISS or sv is _BUSY:
            sv = self.step_visible(self.guide.step(cq.step_id))
        if sv is False:
            qv = False
        elif cq.when is None:
            qv = sv
        else:
            shown[key] = _BUSY
            own = truth(cq.when.function(self))
            qv = False if own is False else (None if sv is None or own is None else True)
        shown[key] = qv
        return qv

    def is_answered(self, name: str) -> bool:
        if name not in self.given:
            return False
        cq = self.guide.questions.get(name)
        if cq is None:
            return False
        shown = self.shown.get(name, _MISS)
        if shown is _MISS:
            shown = self.visible(cq)
        if shown is False:
            return False
        return not cq.checked or self.problem(cq) is None

    def problem(self, cq: CQuestion) -> str | None:
        """Why the given answer to ``cq`` cannot count, or None: outside its bounds (which
        may read other answers: a last use after the injection date), or contradicting
        the value it would be computed from (a COWS total against its item scores).

        Such an answer counts as not given, so nothing that reads it can pass; the input
        layers refuse it with this message before it ever gets here (invariant: answers
        that contradict each other are refused, naming both)."""
        invalid = self.invalid
        known = invalid.get(cq.key, _MISS)
        if known is not _MISS:
            return known  # type: ignore[no-any-return]
        value = self.given[cq.key]
        found: str | None = None
        if cq.only_choices:  # the common case, kept short: a batch judges every answer
            if value not in cq.choice_labels:
                allowed = ", ".join(str(c.value) for c in cq.spec.choices or ())
                found = f"{format_value(value)} is not one of the allowed values ({allowed})"
            invalid[cq.key] = found
            return found
        invalid[cq.key] = None  # a bound that comes back to this answer sees it as valid
        if cq.spec.choices and cq.choice_label(value) is None:
            allowed = ", ".join(str(c.value) for c in cq.spec.choices)
            found = f"{format_value(value)} is not one of the allowed values ({allowed})"
        if found is None:
            found = bound_problem(cq, value, self)
        if found is None and cq.computed is not None:
            found = self._against_computed(cq, value)
        invalid[cq.key] = found
        return found

    def _against_computed(self, cq: CQuestion, value: Value) -> str | None:
        """A value given for a computed question (a COWS total) must agree with the answers
        it is computed from, when any of them is given too: all of them, agreeing."""
        assert cq.computed is not None
        inputs = sorted(k for k in cq.computed.reads if k in self.guide.questions)
        given = [k for k in inputs if k in self.given]
        if not given:
            return None
        for k in given:  # hidden once the total is given, but still not to be believed
            other = self.guide.questions[k]
            v = self.given[k]
            if other.spec.choices and other.choice_label(v) is None:
                return (
                    f"{format_value(value)} was given together with {k} = {format_value(v)}, "
                    f"which is not one of its allowed values: correct {k}, or give only "
                    f"{cq.key}"
                )
            wrong = bound_problem(other, v, self)
            if wrong is not None:
                return f"{format_value(value)} was given together with {k}: {wrong}"
        expected = cq.computed.function(GivenContext(self))
        if expected is UNKNOWN:
            missing = [k for k in inputs if k not in self.given]
            return (
                f"{format_value(value)} was given together with some of the answers it is "
                f"computed from ({', '.join(given)}) but not all ({', '.join(missing)}): "
                f"give all of them, or only {cq.key}"
            )
        if expected != value:
            return (
                f"{format_value(value)} disagrees with the answers it is computed from "
                f"({', '.join(inputs)}), which give {format_value(expected)}: give one or the "
                "other, or correct one"
            )
        return None

    def lookup(self, name: str) -> Value:
        memo = self.memo
        value: Value = memo.get(name, _MISS)
        if value is not _MISS:
            return UNKNOWN if value is _BUSY else value
        memo[name] = _BUSY  # a computed question that reads itself gets nothing
        # Worked out here, not in a method of its own: a batch line works out about a
        # hundred values, each once.
        cq = self.guide.questions.get(name)
        if cq is None:
            derived = self.guide.derived.get(name)
            # An unknown setting name cannot pass the loader; be safe anyway.
            value = derived.expr.function(self) if derived is not None else UNKNOWN
        else:
            shown = self.shown.get(name, _MISS)
            if shown is False or (shown is _MISS and self.visible(cq) is False):
                value = UNKNOWN
            else:
                value = self.given.get(name, _MISS)
                if value is not _MISS:
                    if cq.checked and self.problem(cq) is not None:
                        value = UNKNOWN  # never a default or a computed value in its place
                    elif cq.undecided_values and value in cq.undecided_values:
                        value = UNKNOWN  # "not examined": recorded, never a decided value
                else:
                    value = UNKNOWN
                    if cq.computed is not None:
                        value = cq.computed.function(self)
                    if value is UNKNOWN and self.use_defaults and cq.default is not None:
                        value = valid_default(cq, cq.default.function(self), self)
        memo[name] = value
        return value

    def display(self, name: str) -> str:
        """A value as a clinician reads it: a choice's label, yes/no, an ISO date, a unit."""
        text = self.displayed.get(name)
        if text is None:
            value = self.lookup(name)
            # shown_value's rule: only a value that is unknown may be shown in the pack's
            # words for having none; a known one is shown as it is.
            if value is UNKNOWN:
                text = shown_value(self.guide, name, self.lookup, self.is_answered)
            else:
                text = display_value(self.guide, name, value)
            self.displayed[name] = text
        return text

    def on(self, day: dt.date) -> LazyContext:
        """A context for the same answers with the visit (and today) moved to ``day``,
        starting from everything this one knows that cannot change with the date.

        Each probe gets a context of its own, even for the same day: if a pack's
        definitions ever went round in a circle, what the cycle guard gives back would
        depend on which gate asked first, and one gate's search must not steer another's."""
        memo, steps, shown = self.date_free()
        ctx = LazyContext.__new__(LazyContext)
        ctx.memo = {**memo, "today": day, self.guide.meta.date_key: day}
        ctx.guide, ctx.today, ctx.use_defaults = self.guide, day, self.use_defaults
        ctx.given, ctx.overrides = self.given, self.overrides
        ctx.steps, ctx.shown = dict(steps), dict(shown)
        ctx.judged, ctx.displayed, ctx._date_free = {}, {}, None
        moving = self.guide.date_dependent[0]
        ctx.invalid = {k: v for k, v in self.invalid.items() if k not in moving}
        return ctx

    def date_free(self) -> tuple[dict[str, Value], dict[str, bool | None], dict[str, bool | None]]:
        """What this context knows that cannot change with the date (for probing later days).

        Taken once, after the whole picture is evaluated, so every probe starts from it.
        """
        if self._date_free is None:
            moving, moving_steps = self.guide.date_dependent
            self._date_free = (
                {k: v for k, v in self.memo.items() if k not in moving and v is not _BUSY},
                {k: v for k, v in self.steps.items() if k not in moving_steps and v is not _BUSY},
                {k: v for k, v in self.shown.items() if k not in moving and v is not _BUSY},
            )
        return self._date_free

    def answered_keys(self) -> frozenset[str]:
        return frozenset(k for k in self.given if self.is_answered(k))


class GivenContext(Context):
    """The answers as given, shown or not: what a computed question is checked against
    (the COWS items are hidden once a total is given, but still contradict it)."""

    def __init__(self, ctx: LazyContext) -> None:
        self.ctx = ctx

    def lookup(self, name: str) -> Value:
        if name in self.ctx.guide.questions:
            return self.ctx.given.get(name, UNKNOWN)
        if name.startswith("settings.") or name == "today":
            return self.ctx.lookup(name)
        return UNKNOWN

    def is_answered(self, name: str) -> bool:
        return name in self.ctx.given


def valid_default(cq: CQuestion, value: Value, ctx: Context) -> Value:
    """A default that is not one of the question's choices (a first visit's suggested side,
    'either'), or that its own bounds refuse (a visit's date a week ahead, where the date
    may not be after today), is no default at all: a default is never a value the
    question would refuse if it were typed."""
    if value is UNKNOWN:
        return value
    if cq.spec.choices and value not in {c.value for c in cq.spec.choices}:
        return UNKNOWN
    if (cq.min is not None or cq.max is not None) and bound_problem(cq, value, ctx) is not None:
        return UNKNOWN
    return value


def decide_visibility(ctx: LazyContext) -> dict[str, bool | None]:
    """Decide every step's and question's visibility (for the whole picture)."""
    steps: dict[str, bool | None] = {}
    shown = ctx.shown
    for step in ctx.guide.steps:
        sv = steps[step.id] = ctx.step_visible(step)
        for cq in step.questions:
            # As visible() decides it, without the call where the step alone decides.
            if cq.key in shown:
                continue
            if sv is False:
                shown[cq.key] = False
            elif cq.when is None:
                shown[cq.key] = sv
            else:
                ctx.visible(cq)
    return steps
