"""Values and static types of the condition language: unknown, the scalar types, formatting."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Final

from ..records import record


class ExprError(Exception):
    """A syntax or type error in an expression, with the character position."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position

    def __str__(self) -> str:
        if self.position is None:
            return self.message
        return f"{self.message} (at character {self.position + 1})"


class _Unknown:
    """The value of anything that depends on a missing answer."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "unknown"

    def __bool__(self) -> bool:
        raise TypeError("unknown has no truth value; test 'is UNKNOWN' first")


UNKNOWN: Final = _Unknown()


Scalar = bool | int | float | str | dt.date


Value = Scalar | tuple[Scalar, ...] | Mapping[str, Scalar] | _Unknown


@record(frozen=True)
class Type:
    """A static type. ``choices`` narrows a string or int to a closed set of values."""

    kind: str  # bool | int | number | string | date | list | table
    choices: frozenset[str | int] | None = None
    item: Type | None = None  # element type of a list, value type of a table
    keys: frozenset[str] | None = None  # keys of a table

    def __str__(self) -> str:
        if self.kind == "list" and self.item is not None:
            return f"list of {self.item}"
        if self.kind == "table" and self.item is not None:
            return f"table of {self.item}"
        return self.kind

    @property
    def numeric(self) -> bool:
        return self.kind in ("int", "number")


BOOL: Final = Type("bool")


INT: Final = Type("int")


NUMBER: Final = Type("number")


STRING: Final = Type("string")


DATE: Final = Type("date")


def _same_family(a: Type, b: Type) -> bool:
    return a.kind == b.kind or (a.numeric and b.numeric)


def _join(a: Type, b: Type) -> Type:
    """The type of a value that is either ``a`` or ``b``."""
    if a.kind == b.kind == "list" and a.item is not None and b.item is not None:
        return Type("list", item=_join(a.item, b.item))
    if a.kind == b.kind:
        if a.choices is not None and b.choices is not None:
            return Type(a.kind, a.choices | b.choices)
        return Type(a.kind)
    if a.numeric and b.numeric:
        return NUMBER
    raise ValueError(f"{a} and {b} do not mix")


def truth(value: Value) -> bool | None:
    """Map an evaluated condition to True, False or None (unknown)."""
    if value is UNKNOWN:
        return None
    return bool(value)


def format_value(value: Value) -> str:
    """Show a value the way a clinician reads it."""
    if value is UNKNOWN:
        return "not answered"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        # Short when that is exact; otherwise every digit it takes to tell the value from
        # its neighbours, so 1000.0000000001 never reads as "1000" beside a maximum of 1000.
        short = f"{value:g}"
        return short if float(short) == value else repr(value)
    if isinstance(value, tuple):
        return ", ".join(format_value(v) for v in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {format_value(v)}" for k, v in value.items())
    return str(value)
