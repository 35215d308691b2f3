"""The pure walk: answers -> visible steps, derived values, gate verdicts, next action.

Nothing here prints, prompts or reads the clock: ``today`` and every answer are passed in.
The interactive walkthrough, ``check`` and the tests all call :func:`evaluate` and
:func:`next_action`, so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .expr import UNKNOWN, Context, Finding, Value, format_value, truth
from .loader import PLACEHOLDER, CGate, CQuestion, CStep, Guide
from .model import SEVERITY_RANK

Scalar = bool | int | float | str | dt.date
BLOCKING = ("contraindication", "stop")
_MISS: Any = object()


@dataclass(frozen=True)
class Override:
    """A clinician's override of a ``stop`` gate: coded reason and comment."""

    code: str
    comment: str
    fingerprint: str


@dataclass(frozen=True)
class Inputs:
    """Everything an evaluation depends on."""

    answers: Mapping[str, Scalar]
    today: dt.date
    overrides: Mapping[str, Override] = field(default_factory=dict)
    acks: Mapping[str, str] = field(default_factory=dict)
    """Gate id -> fingerprint of the inputs the clinician acknowledged."""
    use_defaults: bool = True
    """Fill unanswered questions from their defaults (scripts); the walk asks instead."""


# ---------------------------------------------------------------------------------------
# Evaluation context


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
        self.busy: set[str] = set()
        self.judged: dict[str, tuple[bool | None, list[Any]]] = {}
        self._date_free: (
            tuple[dict[str, Value], dict[str, bool | None], dict[str, bool | None]] | None
        ) = None

    def step_visible(self, step: CStep) -> bool | None:
        sid = step.id
        if sid in self.steps:
            return self.steps[sid]
        if "step:" + sid in self.busy:
            return None
        self.busy.add("step:" + sid)
        try:
            sv = truth(step.when.evaluate(self)) if step.when is not None else True
            if sv is not False and step.index == self.guide.readiness_limit:
                sv = _and(sv, self._clear_before(step))
        finally:
            self.busy.discard("step:" + sid)
        self.steps[sid] = sv
        return sv

    def _clear_before(self, step: CStep) -> bool | None:
        """Whether nothing blocks before this step. The injection step (the last that
        requires every gate clear) is not shown, and its answers do not count, while any
        gate before it blocks: an injection recorded for a blocked patient is ignored."""
        result: bool | None = True
        for gate in self.guide.gates:
            if self.guide.step(gate.gate.before).index > step.index:
                continue
            applies, verdicts = _judge(gate, self)
            if applies is False:
                continue
            worst = _worst_failing(verdicts)
            if worst is not None and worst.rule.severity == "contraindication":
                return False
            if worst is not None and worst.rule.severity == "stop":
                override = self.overrides.get(gate.id)
                if override is None or override.fingerprint != _fingerprint(gate, self):
                    return False
                continue
            if applies is None or any(v is None for _, v in verdicts):
                result = None
        return result

    def visible(self, cq: CQuestion) -> bool | None:
        key = cq.key
        if key in self.shown:
            return self.shown[key]
        sv = self.step_visible(self.guide.step(cq.step_id))
        qv: bool | None
        if sv is False:
            qv = False
        elif cq.when is None:
            qv = sv
        elif "shown:" + key in self.busy:
            return None
        else:
            self.busy.add("shown:" + key)
            try:
                own = truth(cq.when.evaluate(self))
            finally:
                self.busy.discard("shown:" + key)
            qv = False if own is False else (None if sv is None or own is None else True)
        self.shown[key] = qv
        return qv

    def is_answered(self, name: str) -> bool:
        if name not in self.given:
            return False
        shown = self.shown.get(name, _MISS)
        if shown is _MISS:
            cq = self.guide.questions.get(name)
            if cq is None:
                return False
            shown = self.visible(cq)
        return shown is not False

    def lookup(self, name: str) -> Value:
        memo = self.memo
        if name in memo:
            return memo[name]
        if name in self.busy:  # a computed question that reads itself: nothing to give
            return UNKNOWN
        self.busy.add(name)
        try:
            value = self._compute(name)
        finally:
            self.busy.discard(name)
        memo[name] = value
        return value

    def _compute(self, name: str) -> Value:
        cq = self.guide.questions.get(name)
        if cq is not None:
            shown = self.shown.get(name, _MISS)
            if shown is _MISS:
                shown = self.visible(cq)
            if shown is False:
                return UNKNOWN
            if name in self.given:
                return self.given[name]
            if cq.computed is not None:
                value = cq.computed.evaluate(self)
                if value is not UNKNOWN:
                    return value
            if self.use_defaults and cq.default is not None:
                return valid_default(cq, cq.default.evaluate(self))
            return UNKNOWN
        derived = self.guide.derived.get(name)
        if derived is not None:
            return derived.expr.evaluate(self)
        return UNKNOWN  # an unknown setting name cannot pass the loader; be safe anyway

    def date_free(self) -> tuple[dict[str, Value], dict[str, bool | None], dict[str, bool | None]]:
        """What this context knows that cannot change with the date (for probing later days).

        Taken once, after the whole picture is evaluated, so every probe starts from it.
        """
        if self._date_free is None:
            moving, moving_steps = self.guide.date_dependent
            self._date_free = (
                {k: v for k, v in self.memo.items() if k not in moving},
                {k: v for k, v in self.steps.items() if k not in moving_steps},
                {k: v for k, v in self.shown.items() if k not in moving},
            )
        return self._date_free

    def answered_keys(self) -> frozenset[str]:
        return frozenset(k for k in self.given if self.is_answered(k))


def valid_default(cq: CQuestion, value: Value) -> Value:
    """A default that is not one of the question's choices (a first visit's suggested side,
    'either') is no default at all."""
    if cq.q.choices and value is not UNKNOWN and value not in {c.value for c in cq.q.choices}:
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


# ---------------------------------------------------------------------------------------
# Gates


@dataclass(frozen=True)
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
    fingerprint: str
    earliest_date: dt.date | None = None
    time_dependent: bool = False
    override: Override | None = None
    acknowledged: bool = False
    verify: bool = False
    explainer: Callable[[], tuple[Finding, ...]] = field(default=tuple, repr=False, compare=False)

    @functools.cached_property
    def findings(self) -> tuple[Finding, ...]:
        """Each comparison with the values it saw: computed only when someone asks."""
        return self.explainer()

    @functools.cached_property
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
            and self.severity in ("caution", "info")
            and (self.acknowledged or self.severity == "info")
        )


def _fingerprint(gate: CGate, ctx: Context) -> str:
    """Identifies the inputs a gate was judged on; an ack or override is for these only."""
    data = {k: format_value(ctx.lookup(k)) for k in sorted(gate.inputs)}
    raw = json.dumps(data, sort_keys=True).encode()
    return hashlib.sha256(raw).hexdigest()[:16]


def _judge(gate: CGate, ctx: _Ctx) -> tuple[bool | None, list[Any]]:
    """(applies, [(rule, verdict)]) for the gate in ``ctx``, judged once per context."""
    done = ctx.judged.get(gate.id)
    if done is None:
        applies = truth(gate.applies.evaluate(ctx)) if gate.applies is not None else True
        verdicts = [(r, truth(r.fails.evaluate(ctx))) for r in gate.rules]
        done = ctx.judged[gate.id] = (applies, verdicts)
    return done


def _worst_failing(verdicts: list[Any]) -> Any:
    failing = [r for r, v in verdicts if v is True]
    if not failing:
        return None
    return max(failing, key=lambda r: SEVERITY_RANK[r.rule.severity])


def _earliest_pass(gate: CGate, base: _Ctx, start: dt.date) -> dt.date | None:
    """The first later date on which the gate no longer blocks, re-evaluating it each day."""
    guide = base.guide
    key = guide.meta.date_key
    fixed, fixed_steps, fixed_shown = base.date_free()

    def passes(day: dt.date) -> bool:
        ctx = _Ctx(guide, day, base.use_defaults, base.given, {key: day}, base.overrides)
        ctx.memo.update(fixed)
        ctx.memo["today"] = day
        ctx.memo[key] = day
        ctx.steps.update(fixed_steps)
        ctx.shown.update(fixed_shown)
        applies, verdicts = _judge(gate, ctx)
        if applies is False:
            return True
        worst = _worst_failing(verdicts)
        undecided = any(v is None for _, v in verdicts)
        return (worst is None or worst.rule.severity not in BLOCKING) and not undecided

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
    out = []
    for is_name, part in _template(text):
        if not is_name:
            out.append(part)
        elif extra and part in extra:
            out.append(extra[part])
        else:
            out.append(str(lookup(part)))
    return "".join(out)


# ---------------------------------------------------------------------------------------
# The state


@dataclass(frozen=True)
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

    def value(self, name: str) -> Value:
        if name == "today":
            return self.inputs.today
        if name.startswith("settings."):
            return self.guide.setting_values.get(name[9:], UNKNOWN)  # type: ignore[no-any-return]
        return self.values.get(name, UNKNOWN)

    def display(self, name: str) -> str:
        """A value as a clinician reads it: a choice's label, yes/no, an ISO date."""
        value = self.value(name)
        cq = self.guide.questions.get(name)
        if cq is not None and value is not UNKNOWN:
            label = cq.choice_label(value)
            if label is not None:
                return label
        derived = self.guide.derived.get(name)
        text = format_value(value)
        if derived is not None and derived.d.unit and value is not UNKNOWN:
            return f"{text} {derived.d.unit}"
        return text

    def render(self, text: str, extra: Mapping[str, str] | None = None) -> str:
        return render(text, self.display, extra)

    def missing(self, up_to_step: int | None = None) -> list[str]:
        """Required questions that apply (or may apply) and have no value, in walk order."""
        out = []
        for step in self.guide.steps:
            if up_to_step is not None and step.index >= up_to_step:
                break
            for cq in step.questions:
                if self.question_visible.get(cq.key) is False or cq.q.optional:
                    continue
                if self.values.get(cq.key, UNKNOWN) is UNKNOWN:
                    out.append(cq.key)
        return out

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
        if self.missing_before_injection or any(g.outcome == "unknown" for g in gates):
            return "incomplete"
        if any(g.blocking for g in gates):
            return "needs_override"
        return "ready"

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
            if g.blocking and g.time_dependent and g.severity == "contraindication"
        ]
        if not dates or any(d is None for d in dates):
            return None
        return max(d for d in dates if d is not None)


def evaluate(guide: Guide, inputs: Inputs) -> State:
    """Evaluate every step's visibility, every derived value and every gate."""
    ctx = _Ctx(guide, inputs.today, inputs.use_defaults, inputs.answers, overrides=inputs.overrides)
    step_visible = _visit(ctx)
    not_applicable = tuple(k for k in inputs.answers if ctx.shown.get(k) is False)
    values: dict[str, Value] = {}
    for key in guide.questions:
        values[key] = ctx.lookup(key)
    for name in guide.derived:
        values[name] = ctx.lookup(name)
    answered = ctx.answered_keys()
    effective = {k: v for k, v in inputs.answers.items() if k in answered}

    results: dict[str, GateResult] = {}
    for gate in guide.gates:
        results[gate.id] = _gate_result(guide, gate, ctx, step_visible, inputs, effective)
    return State(
        guide=guide,
        inputs=inputs,
        values=values,
        answered=answered,
        step_visible=step_visible,
        question_visible=dict(ctx.shown),
        gates=results,
        not_applicable_answers=not_applicable,
    )


def _gate_result(
    guide: Guide,
    gate: CGate,
    ctx: _Ctx,
    step_visible: Mapping[str, bool | None],
    inputs: Inputs,
    answers: Mapping[str, Scalar],
) -> GateResult:
    g = gate.gate
    # A gate applies by its own condition only. Its step being hidden in this flow does not
    # switch it off: the walk then checks it before the next step that is shown.
    applies, verdicts = _judge(gate, ctx)
    # Only a failing gate can be acknowledged or overridden, so only it needs a fingerprint.
    fingerprint = ""

    def explainer() -> tuple[Finding, ...]:
        findings: dict[str, Finding] = {}
        for r, _ in verdicts:
            for f in r.fails.explain(ctx):
                findings.setdefault(f.text, f)
        return tuple(findings.values())

    def missing() -> tuple[str, ...]:
        return tuple(
            sorted(
                k
                for k in gate.inputs
                if k in guide.questions
                and ctx.lookup(k) is UNKNOWN
                and ctx.shown.get(k) is not False
            )
        )

    base: dict[str, Any] = dict(
        id=g.id,
        title=g.title,
        before=g.before,
        explainer=explainer,
        fingerprint=fingerprint,
        time_dependent=gate.time_dependent,
        verify=g.verify,
    )
    if applies is False:
        return GateResult(
            **base,
            severity=gate.severity,
            outcome="not_applicable",
            reason="does not apply to this patient",
            sources=tuple(g.sources),
            instead=(),
            missing=(),
        )
    worst = _worst_failing(verdicts)
    if worst is None:
        if applies is None or any(v is None for _, v in verdicts):
            gaps = missing()
            needs = ", ".join(gaps) or "earlier answers"
            return GateResult(
                **base,
                severity=gate.severity,
                outcome="unknown",
                reason=f"not decided yet: needs {needs}",
                sources=tuple(g.sources),
                instead=(),
                missing=gaps,
            )
        lookup = _display_lookup(guide, ctx)
        reason = render(g.pass_message, lookup) if g.pass_message else "passed"
        return GateResult(
            **base,
            severity=gate.severity,
            outcome="pass",
            reason=reason,
            sources=tuple(g.sources),
            instead=(),
            missing=(),
        )
    rule = worst.rule
    fingerprint = base["fingerprint"] = _fingerprint(gate, ctx)
    earliest = None
    if gate.time_dependent and rule.severity in BLOCKING:
        start = ctx.lookup(guide.meta.date_key)
        start_date = start if isinstance(start, dt.date) else inputs.today
        earliest = _earliest_pass(gate, ctx, start_date)
    extra = {
        "earliest_date": earliest.isoformat()
        if earliest
        else f"no date within {guide.meta.date_search_days} days"
    }
    lookup = _display_lookup(guide, ctx)
    sources = tuple(dict.fromkeys([*rule.sources, *g.sources]))
    instead = tuple(render(t, lookup, extra) for t in rule.instead)
    reason = render(rule.message, lookup, extra)
    override = inputs.overrides.get(g.id)
    if override is not None and (rule.severity != "stop" or override.fingerprint != fingerprint):
        override = None
    acknowledged = inputs.acks.get(g.id) == fingerprint
    outcome = "overridden" if override is not None else "fail"
    return GateResult(
        **base,
        severity=rule.severity,
        outcome=outcome,
        reason=reason,
        sources=sources,
        instead=instead,
        missing=missing(),
        earliest_date=earliest,
        override=override,
        acknowledged=acknowledged,
    )


def _display_lookup(guide: Guide, ctx: Context) -> Any:
    def lookup(name: str) -> str:
        value = ctx.lookup(name)
        cq = guide.questions.get(name)
        if cq is not None and value is not UNKNOWN:
            label = cq.choice_label(value)
            if label is not None:
                return label
        text = format_value(value)
        derived = guide.derived.get(name)
        if derived is not None and derived.d.unit and value is not UNKNOWN:
            return f"{text} {derived.d.unit}"
        return text

    return lookup


# ---------------------------------------------------------------------------------------
# The walk


@dataclass(frozen=True)
class Ask:
    step: CStep
    question: CQuestion


@dataclass(frozen=True)
class GateStop:
    """The walk cannot go on past this gate until the clinician acts (or the answers change).

    ``kind`` is ``blocked`` (contraindication: no way on), ``override`` (a stop: needs a
    coded reason and comment), ``acknowledge`` (a caution), ``notice`` (info) or
    ``undecided`` (answers it needs are missing).
    """

    step: CStep
    gate: GateResult
    kind: str


@dataclass(frozen=True)
class Confirm:
    """A step with instructions only: the clinician confirms it is done."""

    step: CStep


@dataclass(frozen=True)
class Done:
    pass


Action = Ask | GateStop | Confirm | Done


def _gate_action(step: CStep, r: GateResult) -> GateStop | None:
    if r.outcome in ("pass", "not_applicable", "overridden"):
        return None
    if r.outcome == "unknown":
        return GateStop(step, r, "undecided")
    if r.severity == "contraindication":
        return GateStop(step, r, "blocked")
    if r.severity == "stop":
        return GateStop(step, r, "override")
    if r.acknowledged:
        return None
    return GateStop(step, r, "acknowledge" if r.severity == "caution" else "notice")


def next_action(
    state: State, skipped: frozenset[str] = frozenset(), confirmed: frozenset[str] = frozenset()
) -> Action:
    """What the walk needs next: an answer, a decision on a gate, a confirmation, or done.

    Args:
        state: the evaluation of the current answers.
        skipped: optional questions the clinician chose to leave empty.
        confirmed: steps without questions that the clinician has confirmed.
    """
    guide = state.guide
    for step in guide.steps:
        if state.step_visible.get(step.id) is False:
            continue
        # Every gate guarding this step or an earlier one (a gate whose own step is hidden
        # in this flow is checked at the next step that is shown). Earlier gates are
        # settled already, so this is also the guarantee that nothing unsettled stands
        # before a step that requires every gate clear.
        for gate in guide.gates:
            if guide.step(gate.gate.before).index <= step.index:
                stop = _gate_action(step, state.gates[gate.id])
                if stop is not None:
                    return stop
        for cq in step.questions:
            if state.question_visible.get(cq.key) is False:
                continue
            if cq.key in state.answered or cq.key in skipped:
                continue
            if cq.computed is not None and state.value(cq.key) is not UNKNOWN:
                continue
            return Ask(step, cq)
        if not step.questions and step.id not in confirmed:
            return Confirm(step)
    return Done()


def walk_status(action: Action) -> str:
    """How a walk stands, for the session list: complete, blocked, needs_override, in_progress."""
    if isinstance(action, Done):
        return "complete"
    if isinstance(action, GateStop) and action.kind == "blocked":
        return "blocked"
    if isinstance(action, GateStop) and action.kind == "override":
        return "needs_override"
    return "in_progress"


def prune(
    guide: Guide,
    answers: Mapping[str, Scalar],
    today: dt.date,
    overrides: Mapping[str, Override] | None = None,
) -> tuple[dict[str, Scalar], list[str]]:
    """Drop answers to questions that no longer apply; return (kept, cleared keys)."""
    ctx = _Ctx(guide, today, False, answers, overrides=overrides)
    _visit(ctx)
    kept = {k: v for k, v in answers.items() if ctx.shown.get(k) is not False}
    cleared = [k for k in answers if k not in kept]
    return kept, cleared


def wait_remaining(
    state: State, cq: CQuestion, started: dt.datetime | None, now: dt.datetime
) -> dt.timedelta | None:
    """Time left before a timed result may be entered; None when the timer has not started."""
    if cq.wait_minutes is None:
        return dt.timedelta(0)
    minutes = cq.wait_minutes.evaluate(state_context(state))
    if minutes is UNKNOWN or started is None:
        return None
    left: dt.timedelta = started + dt.timedelta(minutes=float(minutes)) - now  # type: ignore[arg-type]
    return max(left, dt.timedelta(0))


def wait_minutes(state: State, cq: CQuestion) -> float | None:
    if cq.wait_minutes is None:
        return None
    minutes = cq.wait_minutes.evaluate(state_context(state))
    return None if minutes is UNKNOWN else float(minutes)  # type: ignore[arg-type]


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
