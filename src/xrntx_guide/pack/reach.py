"""Which conditions can ever be true: steps, questions and gates that no answers reach.

A condition that can never be true hides its step (or question) from every patient, or
keeps its gate from ever applying: a value that is not among a question's choices
(``score > 4`` on a 0-4 score), a condition that contradicts itself (``visit == 'a' and
visit == 'b'``), or one that needs an answer to a question no one is ever asked. Such a
pack loads and works, but the author almost certainly meant something else: it is a
warning.

The search is exact where answers have few possible values and errs towards "can be true"
elsewhere, so it never warns about a condition that some answers make true:

- a yes/no or choice question takes each of its values, or none (not answered, not
  shown); a question in a step that can never be shown, or whose own condition can never
  hold, is never answered;
- any other answer (a date, a number, text) is *anything*, and so is today; what is
  computed from *anything* is *anything*, except where the logic decides regardless
  (``false and ...``, ``coalesce`` of a given value);
- questions are searched one at a time, stopping at the first answers that make the
  condition true; a condition whose search would take more than :data:`BUDGET`
  evaluations is taken to be reachable. So each condition costs at most a fixed amount.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .. import expr
from ..expr import UNKNOWN, MapContext
from .read import Issue

if TYPE_CHECKING:
    from ..expr import Compiled, Node
    from .guide import CQuestion, Guide

BUDGET = 2000
"""The most evaluations spent on one condition."""


class _Anything:
    """A value the search does not pin down: any value of its type, or none."""

    def __repr__(self) -> str:
        return "ANY"


ANY: Any = _Anything()


class _OverBudget(Exception):
    pass


class _Search:
    """Abstract evaluation of one guide's conditions over sets of answers."""

    def __init__(self, guide: Guide) -> None:
        self.guide = guide
        self.never_answered: set[str] = set()
        self.known: dict[tuple[int, frozenset[str]], bool] = {}
        """(id of an expression of the guide, the questions it reads that are never
        answered) -> whether some answers make it true."""
        self.settings = guide.setting_names

    # -- evaluation --------------------------------------------------------------------

    def evaluate(self, node: Node, env: Mapping[str, Any], memo: dict[str, Any]) -> Any:
        """The value of ``node`` when each question in ``env`` has that value (``ANY``,
        ``UNKNOWN`` or a value); ``ANY`` when it depends on what the search left open."""
        if isinstance(node, expr.Literal):
            return node.value
        if isinstance(node, expr.Name):
            return self.lookup(node.name, env, memo)
        if isinstance(node, expr.BoolOp):
            decisive = node.op == "or"
            parts = [self.evaluate(o, env, memo) for o in node.operands]
            if any(p is decisive for p in parts):
                return decisive
            if any(p is ANY for p in parts):
                return ANY
            return UNKNOWN if any(p is UNKNOWN for p in parts) else not decisive
        if isinstance(node, expr.Cond):
            test = self.evaluate(node.test, env, memo)
            if test is UNKNOWN:
                return UNKNOWN
            if test is ANY:
                body = self.evaluate(node.body, env, memo)
                orelse = self.evaluate(node.orelse, env, memo)
                same = body is not ANY and orelse is not ANY and _same(body, orelse)
                return body if same else ANY
            return self.evaluate(node.body if test else node.orelse, env, memo)
        if isinstance(node, expr.Call) and node.func == "answered":
            arg = node.args[0]
            return self.answered(arg.name if isinstance(arg, expr.Name) else "", env)
        if isinstance(node, expr.Call) and node.func == "coalesce":
            first = self.evaluate(node.args[0], env, memo)
            if first is ANY:
                return ANY
            if first is not UNKNOWN:
                return first
            # Unknown because an answer is missing (then the fallback), or because a sum
            # overflowed with every answer given (then unknown): either may be.
            second = self.evaluate(node.args[1], env, memo)
            return second if not _may_overflow(node.args[0]) else ANY
        # Everything else is strict: an unknown part makes it unknown (whatever the
        # others are); otherwise the engine's own evaluation decides on the values.
        values = [self.evaluate(child, env, memo) for child in expr.children(node)]
        if any(v is UNKNOWN for v in values):
            return UNKNOWN
        if any(v is ANY for v in values):
            return ANY
        return expr.evaluate(_with_values(node, values), _NOTHING)

    def lookup(self, name: str, env: Mapping[str, Any], memo: dict[str, Any]) -> Any:
        if name in env:
            return env[name]
        if name in self.settings:
            return self.settings[name]
        if name in memo:
            return memo[name]
        derived = self.guide.derived.get(name)
        if derived is not None:
            value = memo[name] = self.evaluate(derived.expr.node, env, memo)
            return value
        if name in self.never_answered:
            return UNKNOWN
        return ANY  # today, or an answer that can be anything

    def answered(self, key: str, env: Mapping[str, Any]) -> Any:
        cq = self.guide.questions.get(key)
        if cq is None or key in self.never_answered:
            return False
        value = env.get(key, ANY)
        if value is UNKNOWN:
            return False
        if value is ANY or cq.default is not None or cq.computed is not None:
            return ANY  # a value may come from the default without an answer
        return True

    # -- search ------------------------------------------------------------------------

    def domain(self, cq: CQuestion) -> tuple[Any, ...] | None:
        """The values a question can take (unanswered among them); None: too many."""
        if cq.key in self.never_answered:
            return (UNKNOWN,)
        if cq.spec.type == "bool":
            return (True, False, UNKNOWN)
        if cq.spec.choices:
            return (*dict.fromkeys(c.value for c in cq.spec.choices), UNKNOWN)
        return None

    def can_be_true(self, comp: Compiled) -> bool:
        """Whether some answers make ``comp`` true (or the search cannot rule it out).

        The answer depends only on the expression and on which of the questions it reads
        (through derived values) are never answered: an expression written on many steps
        is searched once for each such set."""
        keys: set[str] = set()
        for name in comp.reads:
            keys |= {k for k in self.guide.answer_inputs(name) if k in self.guide.questions}
        known = (id(comp), frozenset(keys & self.never_answered))
        found = self.known.get(known)
        if found is None:
            found = self.known[known] = self._search(comp, keys)
        return found

    def _search(self, comp: Compiled, keys: set[str]) -> bool:
        open_keys: list[str] = []
        env: dict[str, Any] = {}
        for key in sorted(keys):
            values = self.domain(self.guide.questions[key])
            if values is None:
                continue  # stays ANY
            if len(values) == 1:
                env[key] = values[0]
            else:
                open_keys.append(key)
                env[key] = ANY
        spent = [0]

        def search(i: int) -> bool:
            spent[0] += 1
            if spent[0] > BUDGET:
                raise _OverBudget
            value = self.evaluate(comp.node, env, {})
            if value is True:
                return True
            if value is not ANY:
                return False  # false or unknown for every answer still open
            if i == len(open_keys):
                return True  # left to answers the search does not pin down
            key = open_keys[i]
            for v in self.domain(self.guide.questions[key]) or ():
                env[key] = v
                if search(i + 1):
                    return True
            env[key] = ANY
            return False

        try:
            return search(0)
        except _OverBudget:
            return True


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _may_overflow(node: Node) -> bool:
    if isinstance(node, expr.Binary) or (isinstance(node, expr.Call) and node.func == "add_days"):
        return True
    return any(_may_overflow(child) for child in expr.children(node))


_NOTHING = MapContext({})


def _with_values(node: Node, values: list[Any]) -> Node:
    """``node`` with its parts replaced by the values they have, for the engine's own
    evaluation to decide (so the search and the engine never disagree on a value)."""
    lits = [expr.Literal(0, v) for v in values]
    if isinstance(node, expr.Unary):
        return expr.Unary(node.pos, node.op, lits[0])
    if isinstance(node, expr.Binary):
        return expr.Binary(node.pos, node.op, lits[0], lits[1])
    if isinstance(node, expr.Compare):
        return expr.Compare(node.pos, node.op, lits[0], lits[1])
    if isinstance(node, expr.ListLit):
        return expr.ListLit(node.pos, tuple(lits))
    if isinstance(node, expr.Call):
        return expr.Call(node.pos, node.func, tuple(lits))
    if isinstance(node, expr.Index):
        return expr.Index(node.pos, lits[0], lits[1])
    raise TypeError(f"unexpected expression {type(node).__name__}")  # pragma: no cover


def unreachable(guide: Guide) -> list[Issue]:
    """A warning for each step and question whose condition no answers make true, and
    each gate whose ``applies_when`` never holds.

    Steps are searched in order, so that the questions of a step that can never be shown
    count as never answered when later conditions read them."""
    search = _Search(guide)
    issues: list[Issue] = []
    for step in guide.steps:
        file, path = guide.place("step", step.id)
        if step.when is not None and not search.can_be_true(step.when):
            issues.append(
                Issue(
                    file,
                    (*path, "when"),
                    f"step {step.id!r} is never shown: no answers make its condition "
                    f"{step.when.source!r} true (a value its questions cannot take, a "
                    "contradiction, or a question no one is asked)",
                    "warning",
                )
            )
            search.never_answered.update(cq.key for cq in step.questions)
            continue
        for cq in step.questions:
            if cq.when is not None and not search.can_be_true(cq.when):
                qfile, qpath = guide.place("question", cq.key)
                issues.append(
                    Issue(
                        qfile,
                        (*qpath, "when"),
                        f"question {cq.key!r} is never asked: no answers make its condition "
                        f"{cq.when.source!r} true",
                        "warning",
                    )
                )
                search.never_answered.add(cq.key)
    for gate in guide.gates:
        if gate.applies is not None and not search.can_be_true(gate.applies):
            file, path = guide.place("gate", gate.id)
            issues.append(
                Issue(
                    file,
                    (*path, "applies_when"),
                    f"gate {gate.id!r} never applies: no answers make {gate.applies.source!r} "
                    "true, so it can never stop anything",
                    "warning",
                )
            )
    return issues
