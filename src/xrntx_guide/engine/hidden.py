"""Answers given for questions that do not apply: ignored, unless counted they would fail a
contraindication, which makes them invalid (the patient is never ready)."""

from __future__ import annotations

from collections.abc import Mapping

from ..expr import UNKNOWN, Context, Value, format_value, truth
from ..pack.guide import Guide
from .context import LazyContext
from .gates import GateResult


class _AsGivenCtx(Context):
    """Every given answer counts, whether its question applies or not, except those left
    out (``without``), which read as in the real evaluation. A computed question that was
    not given is computed from what was (the COWS items give a total)."""

    def __init__(self, ctx: LazyContext, without: frozenset[str] = frozenset()) -> None:
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


def hidden_findings(
    guide: Guide, ctx: LazyContext, hidden: tuple[str, ...], results: Mapping[str, GateResult]
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
    deciding, rule_inputs, reading = guide.once("hidden_findings", lambda: _pack_inputs(guide))
    # Only the rules that read a hidden answer, in the pack's order of gates and rules
    # (the first message for an answer is the one it keeps).
    rules = sorted({place for key in keys for place in reading.get(key, ())})
    if not rules:
        return
    views = [_AsGivenCtx(ctx)]
    if keys & deciding:
        views.append(_AsGivenCtx(ctx, keys & deciding))
    for g, i in rules:
        gate = guide.gates[g]
        crule = gate.rules[i]
        if results[gate.id].outcome == "fail" and results[gate.id].severity == "contraindication":
            continue
        involved = sorted(rule_inputs[gate.id, i] & keys)
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


def _pack_inputs(
    guide: Guide,
) -> tuple[
    frozenset[str], dict[tuple[str, int], frozenset[str]], dict[str, tuple[tuple[int, int], ...]]
]:
    """What follows from the pack alone: the answers that decide whether a gate applies,
    the answers each contraindication rule reads (by gate and rule number), and for each
    answer the contraindication rules that read it (by the gate's place and rule number)."""
    deciding = frozenset(
        k
        for gate in guide.gates
        if gate.applies is not None
        for k in _inputs_of(guide, gate.applies.reads)
    )
    rules = {
        (gate.id, i): _inputs_of(guide, crule.fails.reads)
        for gate in guide.gates
        for i, crule in enumerate(gate.rules)
        if crule.spec.severity == "contraindication"
    }
    places: dict[str, list[tuple[int, int]]] = {}
    for g, gate in enumerate(guide.gates):
        for i, _ in enumerate(gate.rules):
            for key in rules.get((gate.id, i), ()):
                places.setdefault(key, []).append((g, i))
    return deciding, rules, {key: tuple(found) for key, found in places.items()}


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
