"""Type checking: every expression is checked against the declared names when the pack loads."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final

from ..records import record
from .evaluate import _NO_NAMES, to_function
from .syntax import (
    _LARGEST,
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
    _check_number,
)
from .values import BOOL, DATE, INT, NUMBER, UNKNOWN, ExprError, Type, _join, _same_family


@record(frozen=True)
class _Func:
    arity: int
    check: Callable[[list[Type], list[Node]], Type]


def _check_days_between(args: list[Type], nodes: list[Node]) -> Type:
    if any(a.kind != "date" for a in args):
        raise ExprError("days_between(a, b) takes two dates", nodes[0].pos)
    return INT


def _check_add_days(args: list[Type], nodes: list[Node]) -> Type:
    if args[0].kind != "date" or args[1].kind != "int":
        raise ExprError("add_days(date, days) takes a date and a whole number", nodes[0].pos)
    return DATE


def _check_answered(args: list[Type], nodes: list[Node]) -> Type:
    if not isinstance(nodes[0], Name) or nodes[0].name.startswith("settings."):
        raise ExprError("answered(...) takes the name of a question", nodes[0].pos)
    return BOOL


def _check_coalesce(args: list[Type], nodes: list[Node]) -> Type:
    try:
        return _join(args[0], args[1])
    except ValueError as exc:
        raise ExprError(f"coalesce(a, b): {exc}", nodes[0].pos) from None


def _check_minmax(args: list[Type], nodes: list[Node]) -> Type:
    if all(a.kind == "date" for a in args):
        return DATE
    if not all(a.numeric for a in args):
        raise ExprError("min and max take numbers or dates", nodes[0].pos)
    return INT if all(a.kind == "int" for a in args) else NUMBER


FUNCTIONS: Final[dict[str, _Func]] = {
    "days_between": _Func(2, _check_days_between),
    "add_days": _Func(2, _check_add_days),
    "answered": _Func(1, _check_answered),
    "coalesce": _Func(2, _check_coalesce),
    "min": _Func(2, _check_minmax),
    "max": _Func(2, _check_minmax),
}


def _literal_type(value: bool | int | float | str) -> Type:
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int):
        # A number is not a closed set: only a declared score question narrows ints.
        return INT
    if isinstance(value, float):
        return NUMBER
    return Type("string", frozenset({value}))


def _check_literal_in(choice_type: Type, node: Node, other: Type) -> None:
    """Comparing a closed choice with a literal that is not one of its values is a typo."""
    if choice_type.choices is None or not isinstance(node, Literal):
        return
    if node.value not in choice_type.choices:
        allowed = ", ".join(sorted(repr(c) for c in choice_type.choices))
        raise ExprError(
            f"{node.value!r} is not a possible value here (allowed: {allowed})", node.pos
        )


def _constant(node: Node) -> bool:
    """Whether ``node`` is arithmetic on number literals alone (its value is known now)."""
    if isinstance(node, Literal):
        return not isinstance(node.value, bool | str)
    if isinstance(node, Unary):
        return node.op == "-" and _constant(node.operand)
    if isinstance(node, Binary):
        return _constant(node.left) and _constant(node.right)
    return False


def typecheck(node: Node, names: Mapping[str, Type]) -> Type:
    """Return the type of ``node``; raise :class:`ExprError` on unknown names or misuse."""
    if isinstance(node, Literal):
        _check_number(node.value, node.pos)  # a literal built without the parser, too
        return _literal_type(node.value)
    if isinstance(node, Name):
        if node.name not in names:
            raise ExprError(f"unknown name {node.name!r}", node.pos)
        return names[node.name]
    if isinstance(node, ListLit):
        if not node.items:
            raise ExprError("empty list", node.pos)
        types = [typecheck(i, names) for i in node.items]
        item = types[0]
        for t in types[1:]:
            try:
                item = _join(item, t)
            except ValueError:
                raise ExprError("list items must all have one type", node.pos) from None
        return Type("list", item=item)
    if isinstance(node, Unary):
        t = typecheck(node.operand, names)
        if node.op == "not":
            if t.kind != "bool":
                raise ExprError(f"'not' needs a yes/no value, not {t}", node.pos)
            return BOOL
        if not t.numeric:
            raise ExprError(f"'-' needs a number, not {t}", node.pos)
        return Type(t.kind)
    if isinstance(node, Binary):
        left = typecheck(node.left, names)
        right = typecheck(node.right, names)
        if left.numeric and right.numeric:
            if _constant(node) and to_function(node)(_NO_NAMES) is UNKNOWN:
                raise ExprError(
                    f"the result of '{node.op}' is too large for a number (the largest is "
                    f"about {_LARGEST})",
                    node.pos,
                )
            return INT if left.kind == right.kind == "int" else NUMBER
        raise ExprError(
            f"'{node.op}' needs numbers, not {left} and {right} (use add_days for dates)",
            node.pos,
        )
    if isinstance(node, BoolOp):
        for operand in node.operands:
            t = typecheck(operand, names)
            if t.kind != "bool":
                raise ExprError(f"'{node.op}' needs yes/no values, not {t}", operand.pos)
        return BOOL
    if isinstance(node, Compare):
        left = typecheck(node.left, names)
        right = typecheck(node.right, names)
        if node.op in ("in", "not in"):
            if right.kind != "list" or right.item is None:
                raise ExprError(f"'{node.op}' needs a list on its right", node.pos)
            if not _same_family(left, right.item):
                raise ExprError(f"cannot look for {left} in {right}", node.pos)
            members = node.right.items if isinstance(node.right, ListLit) else (node.right,)
            for member in members:
                if isinstance(member, Literal):
                    _check_literal_in(left, member, _literal_type(member.value))
            return BOOL
        if not _same_family(left, right):
            raise ExprError(f"cannot compare {left} with {right}", node.pos)
        if node.op not in ("==", "!=") and left.kind not in ("int", "number", "date"):
            raise ExprError(f"'{node.op}' needs numbers or dates, not {left}", node.pos)
        if node.op in ("==", "!="):  # an ordering may name a value between the choices
            _check_literal_in(left, node.right, right)
            _check_literal_in(right, node.left, left)
        return BOOL
    if isinstance(node, Cond):
        if typecheck(node.test, names).kind != "bool":
            raise ExprError("the test after 'if' must be yes/no", node.test.pos)
        body = typecheck(node.body, names)
        orelse = typecheck(node.orelse, names)
        try:
            return _join(body, orelse)
        except ValueError:
            raise ExprError(
                f"both sides of 'if ... else' must have one type, not {body} and {orelse}",
                node.pos,
            ) from None
    if isinstance(node, Call):
        func = FUNCTIONS.get(node.func)
        if func is None:
            known = ", ".join(sorted(FUNCTIONS))
            raise ExprError(f"unknown function {node.func!r} (known: {known})", node.pos)
        if len(node.args) != func.arity:
            raise ExprError(f"{node.func} takes {func.arity} arguments", node.pos)
        if node.func == "answered":
            arg = node.args[0]
            if isinstance(arg, Name) and arg.name not in names:
                raise ExprError(f"unknown name {arg.name!r}", arg.pos)
            return _check_answered([], list(node.args))
        types = [typecheck(a, names) for a in node.args]
        return func.check(types, list(node.args))
    if isinstance(node, Index):
        target = typecheck(node.target, names)
        key = typecheck(node.key, names)
        if target.kind != "table" or target.item is None:
            raise ExprError(f"only a table can be indexed, not {target}", node.pos)
        if key.kind != "string":
            raise ExprError(f"a table is indexed by a string, not {key}", node.pos)
        # Keys that a choice can take but the table lacks give unknown: allowed, because
        # the pack may handle them with another rule. A literal key the table lacks is a typo.
        if (
            key.choices is not None
            and target.keys is not None
            and isinstance(node.key, Literal)
            and not key.choices <= target.keys
        ):
            raise ExprError(f"the table has no key {node.key.value!r}", node.key.pos)
        return target.item
    raise ExprError("unsupported expression", node.pos)  # pragma: no cover
