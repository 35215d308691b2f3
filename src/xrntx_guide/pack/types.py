"""The static types of the pack's names: a question's type, a setting value's type."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import expr
from ..expr import Type
from .model import PLACEHOLDER as PLACEHOLDER
from .model import Question

if TYPE_CHECKING:
    pass


def question_type(q: Question) -> Type:
    if q.type == "bool":
        return expr.BOOL
    if q.type == "int":
        if q.choices:
            return Type("int", frozenset(c.value for c in q.choices))
        return expr.INT
    if q.type == "number":
        return expr.NUMBER
    if q.type == "date":
        return expr.DATE
    if q.type == "choice":
        return Type("string", frozenset(c.value for c in q.choices or ()))
    return expr.STRING


def _value_type(value: Any) -> Type:
    if isinstance(value, bool):
        return expr.BOOL
    if isinstance(value, int):
        return expr.INT
    if isinstance(value, float):
        return expr.NUMBER
    if isinstance(value, str):
        return expr.STRING
    item: Type | None = None
    for v in value.values():
        t = _value_type(v)
        item = t if item is None else (expr.NUMBER if item.numeric and t.numeric else item)
    return Type("table", item=item or expr.STRING, keys=frozenset(value))


def _same_shape(default: Any, new: Any) -> bool:
    a, b = _value_type(default), _value_type(new)
    if a.kind == "table" and b.kind == "table":
        return (
            a.item is not None
            and b.item is not None
            and (a.item.kind == b.item.kind or (a.item.numeric and b.item.numeric))
        )
    return a.kind == b.kind or (a.kind == "number" and b.kind == "int")
