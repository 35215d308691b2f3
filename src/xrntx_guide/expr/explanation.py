"""Explanations: each comparison and yes/no fact of an expression with the values it saw."""

from __future__ import annotations

from ..records import record
from .evaluate import Context, Fn, to_function
from .syntax import BoolOp, Call, Compare, Cond, Literal, Name, Node, Unary, unparse
from .values import UNKNOWN, format_value, truth


@record(frozen=True)
class Finding:
    """One comparison or yes/no fact of an expression with its actual values."""

    text: str
    value: bool | None


@record(frozen=True)
class _Probe:
    """One comparison or yes/no fact of an expression, ready to be explained."""

    sides: tuple[tuple[str, Fn | None], ...]  # (source text, value function or None)
    op: str | None
    whole: Fn


def _probes(node: Node) -> tuple[_Probe, ...]:
    out: list[_Probe] = []

    def side(n: Node) -> tuple[str, Fn | None]:
        return unparse(n), None if isinstance(n, Literal) else to_function(n)

    def visit(n: Node) -> None:
        if isinstance(n, Compare):
            out.append(_Probe((side(n.left), side(n.right)), n.op, to_function(n)))
        elif isinstance(n, BoolOp):
            for o in n.operands:
                visit(o)
        elif isinstance(n, Unary) and n.op == "not":
            visit(n.operand)
        elif isinstance(n, Cond):
            visit(n.test)
        elif isinstance(n, Name | Call):
            out.append(_Probe((side(n),), None, to_function(n)))

    visit(node)
    return tuple(out)


def _explain(probes: tuple[_Probe, ...], ctx: Context) -> list[Finding]:
    out = []
    for p in probes:
        value = p.whole(ctx)
        if p.op is None and not (isinstance(value, bool) or value is UNKNOWN):
            continue  # a name or call that is not a yes/no fact
        texts = [src if fn is None else f"{src} = {format_value(fn(ctx))}" for src, fn in p.sides]
        out.append(Finding(f" {p.op} ".join(texts), truth(value)))
    return out


def explain(node: Node, ctx: Context) -> list[Finding]:
    """Each comparison and yes/no name in ``node`` with the values it saw and its result."""
    return _explain(_probes(node), ctx)
