"""The pure evaluation: answers -> visible steps, derived values, gate verdicts, earliest dates.

Nothing here prints, prompts or reads the clock: ``today`` and every answer are passed in.
The interactive walkthrough, ``check`` and the tests all call :func:`evaluate` and
:func:`~xrntx_guide.engine.walk.next_action`, so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from ..digest import sha256
from ..expr import UNKNOWN, Context, Scalar, Value, format_value, truth
from ..pack.guide import CGate, CQuestion, CRule, CStep, Guide
from ..pack.model import PLACEHOLDER
from ..pack.severity import ACKNOWLEDGEABLE, BLOCKING, OVERRIDABLE, SEVERITIES
from ..records import field, record
from .bounds import bound_problem

if TYPE_CHECKING:
    from ..expr import Finding

Origin = Literal[
    "typed", "flag", "file", "session", "default", "derived", "scenario", "history", "record"
]
"""Where a recorded value came from: shown beside it in the review and the note.
``history`` is a value filled in from the patient's earlier visits (visit/history.py);
``record`` one worked out from the rapid pathway's daily record (visit/rapid.py)."""


@record(frozen=True)
class OverrideRequest:
    """An override given before its gate is reached (``--override GATE=CODE:COMMENT``)."""

    gate: str
    code: str
    comment: str


_MISS: Any = object()


_BUSY: Any = object()


"""Marks a value, step or question whose computation is under way: a condition that comes
back to it (a cycle) sees it as unknown instead of recursing forever."""


@record(frozen=True)
class Override:
    """A clinician's override of a ``stop`` gate: coded reason and comment."""

    code: str
    comment: str
    fingerprint: str


@record(frozen=True)
class Inputs:
    """Everything an evaluation depends on."""

    answers: Mapping[str, Scalar]
    today: dt.date
    overrides: Mapping[str, Override] = field(default_factory=dict)
    acks: Mapping[str, str] = field(default_factory=dict)
    """Gate id -> fingerprint of the inputs the clinician acknowledged."""
    use_defaults: bool = True
    """Fill unanswered questions from their defaults (scripts); the walk asks instead."""
    from_record: frozenset[str] = frozenset()
    """Answers worked out from a record kept over days (the rapid pathway's daily record),
    never typed. When their question does not apply (the pathway was left) they are the
    record's history, not a finding that contradicts the path: never refused as one."""


def _and(a: bool | None, b: bool | None) -> bool | None:
    """Kleene 'and' of two decided-or-unknown facts."""
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


class _Ctx(Context):
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
            applies, _, worst, unknown = _judge(gate, self)
            if applies is False:
                continue
            if worst is not None and worst.spec.severity == "contraindication":
                return False
            if worst is not None and worst.spec.severity == "stop":
                override = self.overrides.get(gate.id)
                if not _override_holds(self.guide, override, _fingerprint(gate, self)):
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
        expected = cq.computed.function(_GivenCtx(self))
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
        value = memo.get(name, _MISS)
        if value is _MISS:
            memo[name] = _BUSY  # a computed question that reads itself gets nothing
            value = memo[name] = self._compute(name)
            return value
        return UNKNOWN if value is _BUSY else value

    def _compute(self, name: str) -> Value:
        cq = self.guide.questions.get(name)
        if cq is not None:
            shown = self.shown.get(name, _MISS)
            if shown is False or (shown is _MISS and self.visible(cq) is False):
                return UNKNOWN
            value = self.given.get(name, _MISS)
            if value is not _MISS:
                if cq.checked and self.problem(cq) is not None:
                    return UNKNOWN  # never a default or a computed value in its place
                if cq.undecided_values and value in cq.undecided_values:
                    return UNKNOWN  # "not examined": recorded, never a decided value
                return value  # type: ignore[no-any-return]
            if cq.computed is not None:
                value = cq.computed.function(self)
                if value is not UNKNOWN:
                    return value
            if self.use_defaults and cq.default is not None:
                return valid_default(cq, cq.default.function(self))
            return UNKNOWN
        derived = self.guide.derived.get(name)
        if derived is not None:
            return derived.expr.function(self)
        return UNKNOWN  # an unknown setting name cannot pass the loader; be safe anyway

    def display(self, name: str) -> str:
        """A value as a clinician reads it: a choice's label, yes/no, an ISO date, a unit."""
        text = self.displayed.get(name)
        if text is None:
            text = self.displayed[name] = display_value(self.guide, name, self.lookup(name))
        return text

    def on(self, day: dt.date) -> _Ctx:
        """A context for the same answers with the visit (and today) moved to ``day``,
        starting from everything this one knows that cannot change with the date.

        Each probe gets a context of its own, even for the same day: if a pack's
        definitions ever went round in a circle, what the cycle guard gives back would
        depend on which gate asked first, and one gate's search must not steer another's."""
        memo, steps, shown = self.date_free()
        ctx = _Ctx.__new__(_Ctx)
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


class _GivenCtx(Context):
    """The answers as given, shown or not: what a computed question is checked against
    (the COWS items are hidden once a total is given, but still contradict it)."""

    def __init__(self, ctx: _Ctx) -> None:
        self.ctx = ctx

    def lookup(self, name: str) -> Value:
        if name in self.ctx.guide.questions:
            return self.ctx.given.get(name, UNKNOWN)
        if name.startswith("settings.") or name == "today":
            return self.ctx.lookup(name)
        return UNKNOWN

    def is_answered(self, name: str) -> bool:
        return name in self.ctx.given


def valid_default(cq: CQuestion, value: Value) -> Value:
    """A default that is not one of the question's choices (a first visit's suggested side,
    'either') is no default at all."""
    if cq.spec.choices and value is not UNKNOWN and value not in {c.value for c in cq.spec.choices}:
        return UNKNOWN
    return value


def usable_default(cq: CQuestion, state: State) -> Value:
    """What the prompt offers for Enter: the default, else the suggestion, else UNKNOWN."""
    for comp in (cq.default, cq.suggest):
        if comp is not None:
            value = valid_default(cq, comp.evaluate(state_context(state)))
            if value is not UNKNOWN:
                return value
    return UNKNOWN


def _visit(ctx: _Ctx) -> dict[str, bool | None]:
    """Decide every step's and question's visibility (for the whole picture)."""
    steps: dict[str, bool | None] = {}
    for step in ctx.guide.steps:
        steps[step.id] = ctx.step_visible(step)
        for cq in step.questions:
            ctx.visible(cq)
    return steps


@record(frozen=True)
class GateResult:
    id: str
    title: str
    before: str
    severity: str
    """The severity of the failing rule, or the most severe possible one otherwise."""
    outcome: str  # pass | fail | unknown | overridden | not_applicable
    reason: str
    sources: tuple[str, ...]
    instead: tuple[str, ...]
    missing: tuple[str, ...]
    earliest_date: dt.date | None = None
    time_dependent: bool = False
    waitable: bool = False
    """It fails on a rule that reads the date: waiting is a way out (it has an earliest
    date, or none within the search). Other blocking gates (a COWS total, a positive
    screen) do not hide the earliest injection date that the waitable ones give."""
    override: Override | None = None
    acknowledged: bool = False
    verify: bool = False
    basis: tuple[Any, ...] = field(default=(), repr=False, compare=False)
    """(gate, context, verdicts) the result was judged on, for what is worked out lazily."""

    @functools.cached_property
    def findings(self) -> tuple[Finding, ...]:
        """Each comparison with the values it saw: computed only when someone asks."""
        if not self.basis:
            return ()
        _, ctx, verdicts = self.basis
        found: dict[str, Finding] = {}
        for r, _ in verdicts:
            for f in r.fails.explain(ctx):
                found.setdefault(f.text, f)
        return tuple(found.values())

    @functools.cached_property
    def fingerprint(self) -> str:
        """Identifies the inputs the gate was judged on (what an ack or override binds to)."""
        if not self.basis:
            return ""
        gate, ctx, _ = self.basis
        return _fingerprint(gate, ctx)

    @classmethod
    def make(
        cls,
        gate: CGate,
        basis: tuple[Any, ...],
        severity: str,
        outcome: str,
        reason: str,
        **more: Any,
    ) -> GateResult:
        """A result for ``gate``, built without the generated ``__init__``.

        A frozen dataclass's ``__init__`` stores its sixteen fields one by one through
        ``object.__setattr__``. The engine builds one result per gate per evaluation, and a
        batch makes tens of thousands, so this fills the instance dictionary at once. Every
        field is set (a test compares it with ``__init__``); the instance is as frozen.
        """
        g = gate.spec
        obj = object.__new__(cls)
        obj.__dict__.update(
            _RESULT_DEFAULTS,
            id=g.id,
            title=g.title,
            before=g.before,
            severity=severity,
            outcome=outcome,
            reason=reason,
            sources=gate.sources,
            time_dependent=gate.time_dependent,
            verify=g.verify,
            basis=basis,
        )
        obj.__dict__.update(more)
        return obj

    @property
    def blocking(self) -> bool:
        """True when this gate stands between the patient and the injection."""
        return self.outcome == "fail" and self.severity in BLOCKING

    @property
    def settled(self) -> bool:
        """Nothing more is needed from the clinician for this gate."""
        if self.outcome in ("pass", "overridden", "not_applicable"):
            return True
        return (
            self.outcome == "fail"
            and self.severity in ACKNOWLEDGEABLE
            and (self.acknowledged or not SEVERITIES[self.severity].needs_acknowledgement)
        )


_RESULT_DEFAULTS: dict[str, Any] = {
    "instead": (),
    "missing": (),
    "earliest_date": None,
    "waitable": False,
    "override": None,
    "acknowledged": False,
}


def _override_holds(guide: Guide, override: Override | None, fingerprint: str) -> bool:
    """An override counts only for the inputs it was given for, with one of the guide's
    reason codes and a comment (reference 4.4, item 6): whatever route it came by (a flag,
    a session file edited by hand), an override without them is no override."""
    return (
        override is not None
        and override.fingerprint == fingerprint
        and override.code in guide.override_codes
        and bool(override.comment.strip())
    )


def _fingerprint(gate: CGate, ctx: Context) -> str:
    """Identifies the inputs a gate was judged on; an ack or override is for these only."""
    data = {k: format_value(ctx.lookup(k)) for k in sorted(gate.inputs)}
    raw = json.dumps(data, sort_keys=True).encode()
    return sha256(raw).hexdigest()[:16]


class Judgement(NamedTuple):
    applies: bool | None
    verdicts: list[tuple[CRule, bool | None]]
    worst: CRule | None
    """The most severe failing rule (the first of equals)."""
    unknown: bool
    """Some rule could not be decided."""


def _judge(gate: CGate, ctx: _Ctx) -> Judgement:
    """The gate's verdicts in ``ctx``, judged once per context."""
    done = ctx.judged.get(gate.id)
    if done is None:
        applies = truth(gate.applies.function(ctx)) if gate.applies is not None else True
        verdicts = []
        worst, rank, unknown = None, -1, False
        for r in gate.rules:
            v = truth(r.fails.function(ctx))
            verdicts.append((r, v))
            if v is None:
                unknown = True
            elif v and r.rank > rank:
                worst, rank = r, r.rank
        done = ctx.judged[gate.id] = Judgement(applies, verdicts, worst, unknown)
    return done


def _earliest_pass(gate: CGate, base: _Ctx, start: dt.date) -> dt.date | None:
    """The first later date on which the gate passes, re-evaluating it each day.

    Passes means no rule of it fails, not merely that none blocks: a gate whose stop gives
    way to a caution (an early repeat dose: the pack's stop, then its caution) offers the
    date its caution ends too, never the first day a dose would still be early (the
    clinical basis: an early-dose block never suggests the day its stop ends)."""
    guide = base.guide

    def passes(day: dt.date) -> bool:
        applies, _, worst, unknown = _judge(gate, base.on(day))
        if applies is False:
            return True
        return worst is None and not unknown

    horizon = guide.meta.date_search_days
    if start > dt.date.max - dt.timedelta(days=horizon):  # no calendar left to search
        return None
    # A gate that still blocks at the horizon has no date to offer (whatever happens in
    # between, the clinician is told there is none within it): one evaluation, not many.
    if not passes(start + dt.timedelta(days=horizon)):
        return None
    for n in range(1, horizon + 1):
        day = start + dt.timedelta(days=n)
        if passes(day):
            return day
    return None


@functools.lru_cache(maxsize=4096)
def _template(text: str) -> tuple[tuple[bool, str], ...]:
    """A message split once into (is a placeholder, text) parts."""
    parts: list[tuple[bool, str]] = []
    at = 0
    for m in PLACEHOLDER.finditer(text):
        if m.start() > at:
            parts.append((False, text[at : m.start()]))
        parts.append((True, m.group(1)))
        at = m.end()
    if at < len(text):
        parts.append((False, text[at:]))
    return tuple(parts)


def render(text: str, lookup: Any, extra: Mapping[str, str] | None = None) -> str:
    """Fill ``{name}`` placeholders with display values; nothing else is interpreted."""
    out: list[str] = []
    for is_name, part in _template(text):
        if not is_name:
            # "1 days" reads "1 day": the step file writes the plural after a placeholder.
            out.append(singular(part) if out and out[-1] == "1" else part)
        elif extra and part in extra:
            out.append(extra[part])
        else:
            out.append(str(lookup(part)))
    return "".join(out)


_PLURAL_UNIT = re.compile(r"^( (?:COWS )?(?:day|hour|minute|week|month|year|point))s\b")


def singular(after_one: str) -> str:
    """The text after the number 1: its unit in the singular (" days ago" -> " day ago")."""
    return _PLURAL_UNIT.sub(r"\1", after_one, count=1)


@record(frozen=True)
class State:
    """The whole picture for one set of answers on one date."""

    guide: Guide
    inputs: Inputs
    values: Mapping[str, Value]
    answered: frozenset[str]
    step_visible: Mapping[str, bool | None]
    question_visible: Mapping[str, bool | None]
    gates: Mapping[str, GateResult]
    not_applicable_answers: tuple[str, ...]
    """Answers given for questions that do not apply to this patient (they are ignored)."""
    invalid: Mapping[str, str] = field(default_factory=dict)
    """Answer key -> why the answer cannot count (outside its bounds, or contradicting
    other answers). Such an answer is treated as not given: the patient is never ready."""

    def value(self, name: str) -> Value:
        if name == "today":
            return self.inputs.today
        if name.startswith("settings."):
            return self.guide.setting_values.get(name[9:], UNKNOWN)  # type: ignore[no-any-return]
        return self.values.get(name, UNKNOWN)

    def display(self, name: str) -> str:
        """A value as a clinician reads it: a choice's label, yes/no, an ISO date; a
        derived value that has none although all it reads is known, in its pack's words."""
        value = self.value(name)
        if value is UNKNOWN and self._absent_by_nature(name):
            derived = self.guide.derived[name]
            assert derived.spec.no_value is not None
            return derived.spec.no_value
        return display_value(self.guide, name, value)

    def _absent_by_nature(self, name: str) -> bool:
        """A derived value with words for having none (``no_value``) that has none although
        every answer it reads is given: no minimum is established for that opioid, and so
        no challenge requirement either. A value never asked (``asked = false``) may be
        absent by nature, and so may a derived value read that is itself absent by nature:
        neither keeps the words from being shown."""
        derived = self.guide.derived.get(name)
        if derived is None or derived.spec.no_value is None:
            return False
        questions = self.guide.questions
        for r in derived.expr.reads:
            if r in questions and questions[r].spec.asked and r not in self.answered:
                return False
            if (
                r in self.guide.derived
                and self.values.get(r, UNKNOWN) is UNKNOWN
                and (r == name or not self._absent_by_nature(r))
            ):
                return False
        return True

    def render(self, text: str, extra: Mapping[str, str] | None = None) -> str:
        return render(text, self.display, extra)

    def missing(self, up_to_step: int | None = None) -> list[str]:
        """Required questions that apply (or may apply) and have no value, in walk order."""
        out = []
        for step in self.guide.steps:
            if up_to_step is not None and step.index >= up_to_step:
                break
            for cq in step.questions:
                if (
                    self.question_visible.get(cq.key) is False
                    or cq.spec.optional
                    or not cq.spec.asked
                ):
                    continue
                if self.values.get(cq.key, UNKNOWN) is UNKNOWN and not self._undecided(cq):
                    out.append(cq.key)
        return out

    def _undecided(self, cq: CQuestion) -> bool:
        """Answered with a choice that records the fact as not established ("not
        examined"): not missing, but its gate stays undecided."""
        given = self.inputs.answers.get(cq.key) if cq.undecided_values else None
        return given is not None and given in cq.undecided_values

    @functools.cached_property
    def readiness_limit(self) -> int:
        """Index of the last step that requires every gate clear (the injection)."""
        return self.guide.readiness_limit

    def readiness_gates(self) -> list[GateResult]:
        """Gates that guard the injection (at or before the last requires_clear step)."""
        return [self.gates[gid] for gid in self.guide.readiness_gate_ids]

    @functools.cached_property
    def missing_before_injection(self) -> list[str]:
        """Required answers still missing before the injection, in walk order."""
        return self.missing(self.readiness_limit)

    @functools.cached_property
    def status(self) -> str:
        """ready | blocked | needs_override | incomplete, for giving the injection now."""
        gates = self.readiness_gates()
        if any(g.outcome == "fail" and g.severity == "contraindication" for g in gates):
            return "blocked"
        if self.invalid:  # an answer that cannot count: never ready (safety invariant 2, 4)
            return "incomplete"
        if self.missing_before_injection or any(g.outcome == "unknown" for g in gates):
            return "incomplete"
        if any(g.blocking for g in gates):
            return "needs_override"
        return "ready"

    @functools.cached_property
    def injection_given(self) -> Value:
        """Whether the dose was given, as the record may state it: the pack's answer that
        records it (``[guide.report] injection_given``) counts only when the gates allow
        the injection (status ready, every caution before it acknowledged: the walk reached
        the injection step). An answer "given" beside a gate that blocks or waits for an
        acknowledgement, or an answer that is missing, is unknown: a note, summary, next
        dose or calendar event never says a dose was given that the gates did not allow
        (safety invariant 12)."""
        key = self.guide.meta.report.injection_given
        if key is None:
            return UNKNOWN
        value = self.value(key)
        reached = self.status == "ready" and all(g.settled for g in self.readiness_gates())
        if value is True and not reached:
            return UNKNOWN
        return value

    @functools.cached_property
    def blocking(self) -> list[str]:
        return [g.id for g in self.readiness_gates() if g.blocking]

    @functools.cached_property
    def cautions(self) -> list[str]:
        return [
            g.id for g in self.gates.values() if g.outcome == "fail" and g.severity == "caution"
        ]

    @functools.cached_property
    def earliest_injection_date(self) -> dt.date | None:
        """The first date on which every time-dependent contraindication would pass.

        Stops are left out: an override or an action (doing the naloxone challenge) clears
        them, so waiting is not their only way out. Their own ``earliest_date`` still shows.
        """
        dates = [
            g.earliest_date
            for g in self.readiness_gates()
            if g.blocking and g.waitable and g.severity == "contraindication"
        ]
        if not dates or any(d is None for d in dates):
            return None
        return max(d for d in dates if d is not None)


def evaluate(guide: Guide, inputs: Inputs) -> State:
    """Evaluate every step's visibility, every derived value and every gate."""
    ctx = _Ctx(guide, inputs.today, inputs.use_defaults, inputs.answers, overrides=inputs.overrides)
    step_visible = _visit(ctx)
    not_applicable = tuple(k for k in inputs.answers if ctx.shown.get(k) is False)
    lookup = ctx.lookup
    values: dict[str, Value] = {key: lookup(key) for key in guide.questions}
    for name in guide.derived:
        values[name] = lookup(name)
    answered = ctx.answered_keys()

    results: dict[str, GateResult] = {}
    for gate in guide.gates:
        results[gate.id] = _gate_result(guide, gate, ctx, inputs)
    findings = tuple(k for k in not_applicable if k not in inputs.from_record)
    if findings and not guide.contraindication_inputs.isdisjoint(findings):
        _hidden_findings(guide, ctx, findings, results)
    return State(
        guide=guide,
        inputs=inputs,
        values=values,
        answered=answered,
        step_visible=step_visible,
        question_visible=dict(ctx.shown),
        gates=results,
        not_applicable_answers=not_applicable,
        invalid={k: v for k, v in ctx.invalid.items() if v is not None},
    )


class _AsGivenCtx(Context):
    """Every given answer counts, whether its question applies or not, except those left
    out (``without``), which read as in the real evaluation. A computed question that was
    not given is computed from what was (the COWS items give a total)."""

    def __init__(self, ctx: _Ctx, without: frozenset[str] = frozenset()) -> None:
        self.ctx = ctx
        self.without = without
        self.memo: dict[str, Value] = {}

    def lookup(self, name: str) -> Value:
        memo = self.memo
        if name in memo:
            return memo[name]
        ctx = self.ctx
        cq = ctx.guide.questions.get(name)
        memo[name] = UNKNOWN  # a definition that comes back to itself gets nothing
        value: Value
        if cq is not None and name in ctx.given and name not in self.without:
            value = ctx.given[name]
        elif cq is not None and cq.computed is not None and name not in ctx.given:
            value = cq.computed.function(self)
            if value is UNKNOWN:
                value = ctx.lookup(name)
        elif name in ctx.guide.derived:
            value = ctx.guide.derived[name].expr.function(self)
        else:
            value = ctx.lookup(name)
        memo[name] = value
        return value

    def is_answered(self, name: str) -> bool:
        return name in self.ctx.given and name not in self.without


def _hidden_findings(
    guide: Guide, ctx: _Ctx, hidden: tuple[str, ...], results: Mapping[str, GateResult]
) -> None:
    """An answer given for a question that does not apply is ignored, unless it shows a
    contraindication: counted as if it applied, it makes a contraindication rule fail. A
    positive screen, a COWS rating in withdrawal or extended-release buprenorphine on a
    repeat visit said to be without opioid use contradicts that visit's answers; such an
    answer is invalid, so the patient is never ready and the input layers refuse it.

    Counted twice: with every hidden answer, and without the hidden answers that decide
    whether a gate applies (a hidden pathway must not switch off the rule that would have
    caught a hidden last use yesterday)."""
    keys = frozenset(hidden)
    deciding = frozenset(
        k
        for gate in guide.gates
        if gate.applies is not None
        for k in _inputs_of(guide, gate.applies.reads)
    )
    views = [_AsGivenCtx(ctx)]
    if keys & deciding:
        views.append(_AsGivenCtx(ctx, keys & deciding))
    for gate in guide.gates:
        if results[gate.id].outcome == "fail" and results[gate.id].severity == "contraindication":
            continue
        for crule in gate.rules:
            if crule.spec.severity != "contraindication":
                continue
            involved = sorted(_inputs_of(guide, crule.fails.reads) & keys)
            if not involved:
                continue
            for view in views:
                if truth(crule.fails.function(view)) is not True:
                    continue
                for key in involved:
                    if key in view.without:
                        continue
                    ctx.invalid.setdefault(
                        key,
                        f"{format_value(ctx.given[key])} was given, but the question does not "
                        f"apply to this visit as answered; counted, it would fail the "
                        f"contraindication {gate.id!r}. Correct the answers that decide whether "
                        "it applies (for example opioid use since the last injection), or leave "
                        "it out",
                    )


def _inputs_of(guide: Guide, names: frozenset[str]) -> frozenset[str]:
    """The answers that names read, through derived values and computed questions."""
    out: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        for key in guide.answer_inputs(name):
            if key in out:
                continue
            out.add(key)
            cq = guide.questions.get(key)
            if cq is not None and cq.computed is not None:
                todo.extend(cq.computed.reads)
    return frozenset(out)


def _gate_result(guide: Guide, gate: CGate, ctx: _Ctx, inputs: Inputs) -> GateResult:
    g = gate.spec
    # A gate applies by its own condition only. Its step being hidden in this flow does not
    # switch it off: the walk then checks it before the next step that is shown.
    applies, verdicts, worst, unknown = _judge(gate, ctx)
    basis = (gate, ctx, verdicts)
    if applies is False:
        return GateResult.make(
            gate, basis, gate.severity, "not_applicable", "does not apply to this patient"
        )
    # A gate that may not apply is undecided, even when a rule of it fails: blocked means a
    # contraindication that holds, decided (safety invariant 2); it is never a pass either.
    if worst is None or applies is None:
        if applies is None or unknown:
            gaps = _missing(guide, gate, ctx)
            needs = ", ".join(_needed(guide, k, ctx) for k in gaps) or "earlier answers"
            return GateResult.make(
                gate,
                basis,
                gate.severity,
                "unknown",
                f"not decided yet: needs {needs}",
                missing=gaps,
            )
        reason = render(g.pass_message, ctx.display) if g.pass_message else "passed"
        return GateResult.make(gate, basis, gate.severity, "pass", reason)
    rule = worst.spec
    earliest = None
    if worst.time_dependent and rule.severity in BLOCKING:
        start = ctx.lookup(guide.meta.date_key)
        start_date = start if isinstance(start, dt.date) else inputs.today
        earliest = _earliest_pass(gate, ctx, start_date)
    if earliest is not None:
        when = earliest.isoformat()
    elif worst.time_dependent and rule.severity in BLOCKING:
        when = f"no date within {guide.meta.date_search_days} days"
    else:
        when = "no date: waiting does not clear this"
    extra = {"earliest_date": when}
    # Only a failing gate can be acknowledged or overridden, and only for the inputs it was
    # judged on: the fingerprint is worked out here only when there is one to compare.
    more: dict[str, Any] = {}
    outcome = "fail"
    override = inputs.overrides.get(g.id)
    ack = inputs.acks.get(g.id)
    if override is not None or ack is not None:
        fingerprint = more["fingerprint"] = _fingerprint(gate, ctx)
        if rule.severity in OVERRIDABLE and _override_holds(guide, override, fingerprint):
            more["override"], outcome = override, "overridden"
        more["acknowledged"] = ack == fingerprint
    return GateResult.make(
        gate,
        basis,
        rule.severity,
        outcome,
        render(rule.message, ctx.display, extra),
        sources=rule.cited(g.sources),
        instead=tuple(render(t, ctx.display, extra) for t in rule.instead),
        missing=_missing(guide, gate, ctx),
        earliest_date=earliest,
        waitable=worst.time_dependent,
        verify=g.verify or rule.verify,
        **more,
    )


def _missing(guide: Guide, gate: CGate, ctx: _Ctx) -> tuple[str, ...]:
    """The gate's inputs that are unanswered questions which apply: those that must be
    answered now. One that may apply later (the rechallenge, asked only after a positive
    challenge), that may be left empty, or that is never asked (read from a record) is
    named only when nothing else is missing:
    "needs naloxone_rechallenge" before any challenge sent a clinician after an answer
    that cannot be given yet."""
    open_ = tuple(
        k
        for k in gate.inputs_sorted
        if k in guide.questions and ctx.lookup(k) is UNKNOWN and ctx.shown.get(k) is not False
    )
    due = tuple(
        k
        for k in open_
        if ctx.shown.get(k) is True
        and not guide.questions[k].spec.optional
        and guide.questions[k].spec.asked  # a value never typed (from a record) is not due
    )
    return due or open_


def _needed(guide: Guide, key: str, ctx: _Ctx) -> str:
    """A needed answer as the reason names it: an answer that records the fact as not
    established says so ("injection_site_reaction, answered 'not examined'")."""
    cq = guide.questions[key]
    given = ctx.given.get(key) if cq.undecided_values else None
    if given is None or given not in cq.undecided_values:
        return key
    return f"{key}, answered '{cq.choice_label(given) or given}'"


def display_value(guide: Guide, name: str, value: Value) -> str:
    """A value as a clinician reads it: a choice's label, yes/no, an ISO date, a unit."""
    cq = guide.questions.get(name)
    if cq is not None and value is not UNKNOWN:
        label = cq.choice_label(value)
        if label is not None:
            return label
    text = format_value(value)
    derived = guide.derived.get(name)
    if derived is not None and derived.spec.unit and value is not UNKNOWN:
        unit = f" {derived.spec.unit}"
        return text + (singular(unit) if text == "1" else unit)
    return text


class _StateCtx(Context):
    def __init__(self, state: State) -> None:
        self.state = state

    def lookup(self, name: str) -> Value:
        return self.state.value(name)

    def is_answered(self, name: str) -> bool:
        return name in self.state.answered


def state_context(state: State) -> Context:
    """A context over an evaluated state, for bounds and timers."""
    return _StateCtx(state)
