"""A gate's result in an evaluation: its outcome and reason, the earliest date it would
pass, whether an override or an acknowledgement holds, and what it still needs."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..expr import UNKNOWN
from ..pack.guide import CGate, CRule, Guide
from ..pack.severity import ACKNOWLEDGEABLE, BLOCKING, OVERRIDABLE, SEVERITIES
from ..records import field, record, replace
from .context import LazyContext, gate_passes, inputs_fingerprint, judge_gate, override_holds
from .inputs import Inputs, Override
from .text import render

if TYPE_CHECKING:
    from ..expr import Finding


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
    holds_date: bool = False
    """Its failing rule holds the injection back until its earliest date, whatever else
    passes sooner (CRule.holds_the_injection_date): a contraindication that waiting
    clears, or a stop whose way out is waiting (an early repeat dose)."""
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
        return inputs_fingerprint(gate, ctx)

    @classmethod
    def make(
        cls,
        gate: CGate,
        basis: tuple[Any, ...],
        severity: str,
        outcome: str,
        reason: str,
        *,
        fields: Mapping[str, Any] | None = None,
        **more: Any,
    ) -> GateResult:
        """A result for ``gate``, built without the generated ``__init__``.

        A frozen dataclass's ``__init__`` stores its sixteen fields one by one through
        ``object.__setattr__``. The engine builds one result per gate per evaluation, and a
        batch makes tens of thousands, so this fills the instance dictionary at once. Every
        field is set (a test compares it with ``__init__``); the instance is as frozen.
        """
        if fields is None:
            fields = _template(gate)
        obj = object.__new__(cls)
        made = obj.__dict__
        made.update(fields)
        made["severity"] = severity
        made["outcome"] = outcome
        made["reason"] = reason
        made["basis"] = basis
        if more:
            made.update(more)
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
    "holds_date": False,
    "override": None,
    "acknowledged": False,
}


def _template(gate: CGate) -> dict[str, Any]:
    """What every result of ``gate`` holds before it is judged: the defaults and the
    gate's own fields, in the order :meth:`GateResult.make` has always filled them (the
    four it judges are filled in over their places)."""
    g = gate.spec
    return {
        **_RESULT_DEFAULTS,
        "id": g.id,
        "title": g.title,
        "before": g.before,
        "severity": None,
        "outcome": None,
        "reason": None,
        "sources": gate.sources,
        "time_dependent": gate.time_dependent,
        "verify": g.verify,
        "basis": None,
    }


def templates(guide: Guide) -> dict[str, dict[str, Any]]:
    """Every gate's template, by gate id: made once per pack (``Guide.once``)."""
    return guide.once("gate_result_fields", lambda: {g.id: _template(g) for g in guide.gates})


def earliest_pass(gate: CGate, base: LazyContext, start: dt.date) -> dt.date | None:
    """The first later date on which the gate passes, re-evaluating it each day.

    Passes means no rule of it fails, not merely that none blocks: a gate whose stop gives
    way to a caution (an early repeat dose: the pack's stop, then its caution) offers the
    date its caution ends too, never the first day a dose would still be early (the
    clinical basis: an early-dose block never suggests the day its stop ends)."""
    guide = base.guide

    def passes(day: dt.date) -> bool:
        return gate_passes(gate, base.on(day))

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


def _none_within(guide: Guide) -> str:
    return f"no date within {guide.meta.date_search_days} days"


def _when(guide: Guide, rule: CRule, earliest: dt.date | None) -> str:
    """A failing rule's earliest date as its words show it."""
    if earliest is not None:
        return earliest.isoformat()
    if rule.time_dependent and rule.spec.severity in BLOCKING:
        return _none_within(guide)
    return "no date: waiting does not clear this"


def injection_date(gates: Iterable[GateResult]) -> dt.date | None:
    """The first date on which every blocking gate that waiting clears would pass (those
    whose failing rule holds the injection back, :attr:`GateResult.holds_date`); None when
    none blocks so, or one has no date within the search. The one rule for the date the
    injection can be given: the state's, and the words that name it."""
    dates = [g.earliest_date for g in gates if g.holds_date and g.blocking]
    if not dates or any(d is None for d in dates):
        return None
    return max(d for d in dates if d is not None)


def with_injection_date(
    guide: Guide, result: GateResult, day: dt.date | None, holding: bool
) -> GateResult:
    """``result`` with ``{earliest_injection_date}`` in its words filled with ``day``, the
    date the injection can be given (:func:`injection_date` over every gate), not only
    its own gate's: an interval met days after a dose is no date to give the next one
    while the early-dose stop holds. ``holding``: some gate holds the
    injection back (``day`` None then means no date within the search)."""
    if result.outcome != "fail" or not result.basis or not holding:
        return result
    gate, ctx, _ = result.basis
    worst = judge_gate(gate, ctx).worst
    if worst is None or not worst.names_the_injection_date:
        return result
    own = _when(guide, worst, result.earliest_date)
    shown = day.isoformat() if day is not None else _none_within(guide)
    if shown == own:
        return result
    extra = {"earliest_date": own, "earliest_injection_date": shown}
    rule = worst.spec
    return replace(
        result,
        reason=render(rule.message, ctx.display, extra),
        instead=tuple(render(t, ctx.display, extra) for t in rule.instead),
    )


def gate_result(
    guide: Guide,
    gate: CGate,
    ctx: LazyContext,
    inputs: Inputs,
    fields: Mapping[str, Any] | None = None,
) -> GateResult:
    """The gate's result in ``ctx``. ``fields``: the gate's template (:func:`templates`),
    when the caller holds them all (an evaluation fetches them once, not once a gate)."""
    g = gate.spec
    # A gate applies by its own condition only. Its step being hidden in this flow does not
    # switch it off: the walk then checks it before the next step that is shown.
    applies, verdicts, worst, unknown = judge_gate(gate, ctx)
    basis = (gate, ctx, verdicts)
    if fields is None:
        fields = templates(guide)[g.id]
    if applies is False:
        return GateResult.make(
            gate,
            basis,
            gate.severity,
            "not_applicable",
            "does not apply to this patient",
            fields=fields,
        )
    # A gate that may not apply is undecided, even when a rule of it fails: blocked means a
    # contraindication that holds, decided (safety invariant 2); it is never a pass either.
    if worst is None or applies is None:
        if applies is None or unknown:
            gaps = _missing(guide, gate, ctx)
            undecided = [r for r, v in verdicts if v is None]
            reason = _undecided_by_nature(guide, undecided, ctx, gaps)
            if reason is not None:  # no answer decides it: none is named as needed
                gaps = ()
            else:
                needs = ", ".join(_needed(guide, k, ctx) for k in gaps) or "earlier answers"
                reason = f"not decided yet: needs {needs}"
            return GateResult.make(
                gate, basis, gate.severity, "unknown", reason, fields=fields, missing=gaps
            )
        reason = render(g.pass_message, ctx.display) if g.pass_message else "passed"
        return GateResult.make(gate, basis, gate.severity, "pass", reason, fields=fields)
    rule = worst.spec
    earliest = None
    if worst.time_dependent and rule.severity in BLOCKING:
        start = ctx.lookup(guide.meta.date_key)
        start_date = start if isinstance(start, dt.date) else inputs.today
        earliest = earliest_pass(gate, ctx, start_date)
    when = _when(guide, worst, earliest)
    # The injection's date is the gate's own until every gate is judged (with_injection_date).
    extra = {"earliest_date": when, "earliest_injection_date": when}
    # Only a failing gate can be acknowledged or overridden, and only for the inputs it was
    # judged on: the fingerprint is worked out here only when there is one to compare.
    more: dict[str, Any] = {}
    outcome = "fail"
    override = inputs.overrides.get(g.id)
    ack = inputs.acks.get(g.id)
    if override is not None or ack is not None:
        fingerprint = more["fingerprint"] = inputs_fingerprint(gate, ctx)
        if rule.severity in OVERRIDABLE and override_holds(guide, override, fingerprint):
            more["override"], outcome = override, "overridden"
        more["acknowledged"] = ack == fingerprint
    return GateResult.make(
        gate,
        basis,
        rule.severity,
        outcome,
        render(rule.message, ctx.display, extra),
        fields=fields,
        sources=_cited(guide, gate, worst),
        instead=tuple(render(t, ctx.display, extra) for t in rule.instead),
        missing=_missing(guide, gate, ctx),
        earliest_date=earliest,
        waitable=worst.time_dependent,
        holds_date=worst.holds_the_injection_date,
        verify=g.verify or rule.verify,
        **more,
    )


def _missing(guide: Guide, gate: CGate, ctx: LazyContext) -> tuple[str, ...]:
    """The gate's inputs that are unanswered questions which apply: those that must be
    answered now. One that may apply later (the rechallenge, asked only after a positive
    challenge), that may be left empty, or that is never asked (read from a record) is
    named only when nothing else is missing:
    "needs naloxone_rechallenge" before any challenge sent a clinician after an answer
    that cannot be given yet."""
    asked = guide.once("gate_question_inputs", lambda: _question_inputs(guide))[gate.id]
    lookup, shown = ctx.lookup, ctx.shown
    open_: list[str] = []
    due: list[str] = []
    for key, may_be_due in asked:
        if lookup(key) is UNKNOWN:
            visible = shown.get(key)
            if visible is not False:
                open_.append(key)
                if visible is True and may_be_due:
                    due.append(key)
    return tuple(due or open_)


def _question_inputs(guide: Guide) -> dict[str, tuple[tuple[str, bool], ...]]:
    """For each gate, its inputs that are questions, sorted, each with whether it can be
    due now (it may not be left empty, and it is asked: a value never typed, read from a
    record, is not due): what :func:`_missing` reads, from the pack alone."""
    questions = guide.questions
    return {
        g.id: tuple(
            (k, not questions[k].spec.optional and questions[k].spec.asked)
            for k in g.inputs_sorted
            if k in questions
        )
        for g in guide.gates
    }


def _cited(guide: Guide, gate: CGate, rule: CRule) -> tuple[str, ...]:
    """The sources a failure of ``rule`` of ``gate`` cites (:meth:`Rule.cited`), from a
    table made once per pack. The table is keyed by each rule's identity (a rule's own
    hash would hash its whole definition on every failure): a rule of the pack is kept as
    long as the guide and belongs to one gate, so no other live object has its identity,
    and a rule that is not the pack's own is worked out as it comes."""
    table = guide.once(
        "cited_sources",
        lambda: {id(r): r.spec.cited(g.spec.sources) for g in guide.gates for r in g.rules},
    )
    found = table.get(id(rule))
    return found if found is not None else rule.spec.cited(gate.spec.sources)


def _undecided_by_nature(
    guide: Guide, undecided: list[CRule], ctx: LazyContext, gaps: tuple[str, ...]
) -> str | None:
    """Why an undecided gate stays so when no answer the walk asks would decide it: a
    rule left undecided reads a derived value the pack has words for having none, which
    has none although all it reads is known (no challenge requirement is established
    after extended-release buprenorphine), and nothing the gate still lacks is a question
    asked at the prompt. The reason gives those words; None otherwise (an answer is
    missing, or the gate's own condition is undecided)."""
    questions = guide.questions
    if not undecided or any(questions[k].spec.asked for k in gaps):
        return None
    read = sorted({name for r in undecided for name in r.fails.reads})
    absent = [
        name
        for name in read
        if name in guide.derived
        and guide.derived[name].spec.no_value is not None
        and ctx.lookup(name) is UNKNOWN
        and ctx.display(name) == guide.derived[name].spec.no_value
    ]
    if not absent:
        return None
    said = "; ".join(f"{guide.derived[n].spec.label or n}: {ctx.display(n)}" for n in absent)
    return f"not decided: {said}"


def _needed(guide: Guide, key: str, ctx: LazyContext) -> str:
    """A needed answer as the reason names it: an answer that records the fact as not
    established says so ("injection_site_reaction, answered 'not examined'")."""
    cq = guide.questions[key]
    given = ctx.given.get(key) if cq.undecided_values else None
    if given is None or given not in cq.undecided_values:
        return key
    return f"{key}, answered '{cq.choice_label(given) or given}'"
