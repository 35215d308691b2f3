"""Evaluation: a checked tree becomes a function of a context, with three-valued logic."""

from __future__ import annotations

import datetime as dt
import math
import operator
from collections.abc import Callable, Mapping
from typing import Any, Final

from .syntax import (
    Binary,
    BoolOp,
    Call,
    Compare,
    Cond,
    Index,
    ListLit,
    Literal,
    Name,
    Node,
    Unary,
    children,
    read_names,
)
from .values import UNKNOWN, ExprError, Value


class Context:
    """What an expression can see while it is evaluated."""

    def lookup(self, name: str) -> Value:  # pragma: no cover - interface
        raise NotImplementedError

    def is_answered(self, name: str) -> bool:  # pragma: no cover - interface
        raise NotImplementedError


class MapContext(Context):
    """A context over a plain mapping; a name that is absent is unknown."""

    def __init__(self, values: Mapping[str, Value], answered: frozenset[str] = frozenset()):
        self.values = values
        self.answered = answered

    def lookup(self, name: str) -> Value:
        return self.values.get(name, UNKNOWN)

    def is_answered(self, name: str) -> bool:
        return name in self.answered


Fn = Callable[[Context], Value]


_NO_NAMES: Final = MapContext({})


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "in": lambda a, b: a in b,
    "not in": lambda a, b: a not in b,
}


def to_function(node: Node) -> Fn:
    """Turn a checked tree into nested Python closures: the one place evaluation is defined.

    No source text is generated and nothing is passed to ``eval``: each node becomes a small
    function that calls its children's functions.
    """
    if isinstance(node, Literal):
        value = node.value
        return lambda ctx: value
    if isinstance(node, Name):
        name = node.name
        return lambda ctx: ctx.lookup(name)
    if isinstance(node, ListLit):
        items = [to_function(i) for i in node.items]

        def list_fn(ctx: Context) -> Value:
            values = [f(ctx) for f in items]
            return UNKNOWN if any(v is UNKNOWN for v in values) else tuple(values)  # type: ignore[arg-type]

        return list_fn
    if isinstance(node, Unary):
        if node.op == "not" and isinstance(node.operand, Name):
            read = node.operand.name  # ``not name``: the name read here, not by a call
            return lambda ctx: UNKNOWN if (v := ctx.lookup(read)) is UNKNOWN else (not v)
        inner = to_function(node.operand)
        if node.op == "not":
            return lambda ctx: UNKNOWN if (v := inner(ctx)) is UNKNOWN else (not v)
        return lambda ctx: UNKNOWN if (v := inner(ctx)) is UNKNOWN else -v  # type: ignore[operator]
    if isinstance(node, Compare) and isinstance(node.right, Literal):
        return _compare_to_literal(node)
    if isinstance(node, Binary):
        return _arithmetic(node)
    if isinstance(node, Compare) and isinstance(node.left, Name) and isinstance(node.right, Name):
        return _compare_names(node.left.name, node.right.name, _COMPARE[node.op])
    if isinstance(node, Compare):
        left, right = to_function(node.left), to_function(node.right)
        op = _COMPARE[node.op]

        def compare_fn(ctx: Context) -> Value:
            a = left(ctx)
            if a is UNKNOWN:
                return UNKNOWN
            b = right(ctx)
            if b is UNKNOWN:
                return UNKNOWN
            return op(a, b)

        return compare_fn
    if isinstance(node, BoolOp):
        parts = [to_function(o) for o in node.operands]
        decisive = node.op == "or"  # 'or' stops at true, 'and' stops at false

        def bool_fn(ctx: Context) -> Value:
            seen_unknown = False
            for part in parts:
                v = part(ctx)
                if v is UNKNOWN:
                    seen_unknown = True
                elif v is decisive:
                    return decisive
            return UNKNOWN if seen_unknown else not decisive

        return bool_fn
    if isinstance(node, Cond):
        test, body, orelse = (to_function(n) for n in (node.test, node.body, node.orelse))

        def cond_fn(ctx: Context) -> Value:
            t = test(ctx)
            if t is UNKNOWN:
                return UNKNOWN
            return body(ctx) if t else orelse(ctx)

        return cond_fn
    if isinstance(node, Call):
        return _call_function(node)
    if isinstance(node, Index):
        target, key = to_function(node.target), to_function(node.key)

        def index_fn(ctx: Context) -> Value:
            t, k = target(ctx), key(ctx)
            if t is UNKNOWN or k is UNKNOWN or not isinstance(t, Mapping):
                return UNKNOWN
            return t.get(k, UNKNOWN)  # type: ignore[arg-type]

        return index_fn
    raise ExprError("unsupported expression", node.pos)  # pragma: no cover


def _arithmetic(node: Binary) -> Fn:
    """``a + b`` or ``a - b``; unknown when the result is not a finite number.

    Sums of floats past the largest float are inf, and ``inf - inf`` is nan; an int too
    large for a float raises OverflowError when it meets one. None of these can decide a
    comparison honestly (nan makes every comparison false), so all are unknown. Ints are
    exact at any size and need no check.
    """
    left, right = to_function(node.left), to_function(node.right)
    op = operator.add if node.op == "+" else operator.sub
    isfinite = math.isfinite

    def arithmetic_fn(ctx: Context) -> Value:
        a = left(ctx)
        if a is UNKNOWN:
            return UNKNOWN
        b = right(ctx)
        if b is UNKNOWN:
            return UNKNOWN
        try:
            v = op(a, b)
        except OverflowError:
            return UNKNOWN
        if type(v) is float and not isfinite(v):
            return UNKNOWN
        return v  # type: ignore[no-any-return]

    return arithmetic_fn


def _can_fail(node: Node) -> bool:
    """Whether ``node`` can be unknown with every input known: arithmetic leaving the
    finite numbers, or a date leaving the calendar."""
    if isinstance(node, Binary) or (isinstance(node, Call) and node.func == "add_days"):
        return True
    return any(_can_fail(child) for child in children(node))


def _compare_to_literal(node: Compare) -> Fn:
    """The commonest condition, ``name == 'value'`` or ``days < 7``, as one closure: the
    same result as the general case, without a call per side. (A comparison never
    overflows, so it needs no guard.)"""
    op = _COMPARE[node.op]
    value = node.right.value  # type: ignore[attr-defined]
    if isinstance(node.left, Name):
        name = node.left.name

        def name_fn(ctx: Context) -> Value:
            a = ctx.lookup(name)
            return UNKNOWN if a is UNKNOWN else op(a, value)

        return name_fn
    left = to_function(node.left)

    def left_fn(ctx: Context) -> Value:
        a = left(ctx)
        return UNKNOWN if a is UNKNOWN else op(a, value)

    return left_fn


def _compare_names(a_name: str, b_name: str, op: Callable[[Any, Any], bool]) -> Fn:
    """``a < b`` of two names, as the general comparison judges it (the right side read
    only when the left is known), each name read here rather than by a call of its own."""

    def names_fn(ctx: Context) -> Value:
        a = ctx.lookup(a_name)
        if a is UNKNOWN:
            return UNKNOWN
        b = ctx.lookup(b_name)
        if b is UNKNOWN:
            return UNKNOWN
        return op(a, b)

    return names_fn


def _days_between(a: Any, b: Any) -> Value:
    return (b - a).days  # type: ignore[no-any-return]


def _add_days(d: Any, n: Any) -> Value:
    try:
        return d + dt.timedelta(days=n)  # type: ignore[no-any-return]
    except OverflowError:
        return UNKNOWN


_STRICT_FUNCTIONS: dict[str, Callable[..., Value]] = {
    "days_between": _days_between,
    "add_days": _add_days,
    "min": min,
    "max": max,
}


def _call_function(node: Call) -> Fn:
    if node.func == "answered":
        arg = node.args[0]
        name = arg.name if isinstance(arg, Name) else ""
        return lambda ctx: bool(name) and ctx.is_answered(name)
    args = [to_function(a) for a in node.args]
    if node.func == "coalesce":
        first, second = args
        if not _can_fail(node.args[0]):
            return lambda ctx: second(ctx) if (v := first(ctx)) is UNKNOWN else v
        # The fallback stands in for a missing answer, not for a sum that overflowed with
        # every answer given: that stays unknown.
        reads = tuple(sorted(read_names(node.args[0])[0]))

        def coalesce_fn(ctx: Context) -> Value:
            v = first(ctx)
            if v is not UNKNOWN:
                return v
            if any(ctx.lookup(name) is UNKNOWN for name in reads):
                return second(ctx)
            return UNKNOWN

        return coalesce_fn
    func = _STRICT_FUNCTIONS.get(node.func)
    if func is None:
        raise ExprError(f"unknown function {node.func!r}", node.pos)
    if len(args) == 2:  # days_between, add_days, min and max of two: as call_fn, unrolled
        first, second = args

        def call2_fn(ctx: Context) -> Value:
            a, b = first(ctx), second(ctx)
            if a is UNKNOWN or b is UNKNOWN:
                return UNKNOWN
            return func(a, b)

        return call2_fn

    def call_fn(ctx: Context) -> Value:
        values = [a(ctx) for a in args]
        if any(v is UNKNOWN for v in values):
            return UNKNOWN
        return func(*values)

    return call_fn


def evaluate(node: Node, ctx: Context) -> Value:
    """Evaluate a type-checked expression; missing inputs give :data:`UNKNOWN`."""
    return to_function(node)(ctx)
