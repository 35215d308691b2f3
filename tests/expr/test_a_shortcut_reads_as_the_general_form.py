"""The evaluator's shortcuts (``not name``, ``name < name``, a function of two arguments)
give what the general form of the same expression gives, and read the same names in the
same order: the general form is forced by wrapping each name in ``(x if true else x)``,
which the shortcuts do not recognise. A function reads every argument before it looks
at any (one of three arguments, the general form, does): an argument unknown never keeps
the others from being read."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from xrntx_guide.expr import UNKNOWN, Context, Value, parse, to_function

DAY = dt.date(2026, 11, 24)
VALUES: list[Any] = [UNKNOWN, True, False, 0, 1, 2, 1.5, DAY, DAY + dt.timedelta(days=3)]


class _Reads(Context):
    def __init__(self, values: dict[str, Value]) -> None:
        self.values = values
        self.read: list[str] = []

    def lookup(self, name: str) -> Value:
        self.read.append(name)
        return self.values.get(name, UNKNOWN)

    def is_answered(self, name: str) -> bool:
        return name in self.values


def _general(source: str) -> str:
    for name in ("a", "b"):
        source = source.replace(f"@{name}", f"({name} if true else {name})")
    return source


def _outcome(source: str, a: Any, b: Any) -> tuple[object, list[str]]:
    ctx = _Reads({k: v for k, v in (("a", a), ("b", b)) if v is not UNKNOWN})
    try:
        value: object = to_function(parse(source))(ctx)
    except (TypeError, AttributeError) as exc:  # values the type checker would refuse meet
        value = type(exc)
    return value, ctx.read


@pytest.mark.parametrize(
    "form",
    [
        "not @a",
        "@a == @b",
        "@a != @b",
        "@a < @b",
        "@a >= @b",
        "days_between(@a, @b)",
        "add_days(@a, @b)",
        "min(@a, @b)",
        "max(@a, @b)",
    ],
)
def test_a_shortcut_gives_what_the_general_form_gives(form: str) -> None:
    short = form.replace("@", "")
    for a, b in itertools.product(VALUES, VALUES):
        fast, fast_reads = _outcome(short, a, b)
        slow, slow_reads = _outcome(_general(form), a, b)
        assert fast == slow and type(fast) is type(slow), (short, a, b)
        assert fast_reads == slow_reads, (short, a, b)
        if "(" in short and not short.startswith("not"):
            assert fast_reads == ["a", "b"], (short, a, b)


def test_every_argument_of_a_function_is_read_whatever_the_first_gives() -> None:
    for a, b in itertools.product(VALUES, VALUES):
        for three, two in (("min(a, b, a)", "min(a, b)"), ("max(a, b, a)", "max(a, b)")):
            many, many_reads = _outcome(three, a, b)
            few, few_reads = _outcome(two, a, b)
            assert many_reads == ["a", "b", "a"] and few_reads == ["a", "b"], (two, a, b)
            assert many == few and type(many) is type(few), (two, a, b)
