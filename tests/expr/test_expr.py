"""Tests for the condition language: parsing, type checking, Kleene evaluation, explain.

Expected values here are worked out from the grammar in the module docstring and from
Kleene's strong three-valued logic, never copied from the implementation's output.
"""

from __future__ import annotations

import ast
import datetime as dt
import math
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings

from tests.strategies.expr import (
    ARBITRARY_SOURCE,
    ARITH_ENV,
    ARITH_EXPRS,
    ARITH_VALUES,
    BOOL_EXPRS,
    BOUNDS,
    CMP_OPS,
    CONTEXTS,
    FAR_ARITH_EXPRS,
    FAR_VALUES,
    FULL_VALUES,
    GEN_ENV,
    HIDDEN,
    ROUND_TRIP_BOOL_EXPRS,
)
from xrntx_guide import expr
from xrntx_guide.expr import (
    BOOL,
    DATE,
    INT,
    MAX_DEPTH,
    MAX_LENGTH,
    NUMBER,
    STRING,
    UNKNOWN,
    Binary,
    BoolOp,
    Call,
    Compare,
    Compiled,
    Cond,
    ExprError,
    Finding,
    Index,
    ListLit,
    Literal,
    MapContext,
    Name,
    Node,
    Type,
    Unary,
    evaluate,
    explain,
    names,
    parse,
    truth,
    typecheck,
    unparse,
)
from xrntx_guide.expr.values import Scalar

PROPERTY = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

ROUTE = Type("string", frozenset({"oral", "xr", "none"}))
TABLE = Type("table", item=INT, keys=frozenset({"low", "high"}))
LEVEL = Type("string", frozenset({"low", "high", "extreme"}))
ENV: dict[str, Type] = {
    "p": BOOL,
    "q": BOOL,
    "r": BOOL,
    "i": INT,
    "j": INT,
    "x": NUMBER,
    "name": STRING,
    "route": ROUTE,
    "d": DATE,
    "e": DATE,
    "level": LEVEL,
    "settings.table": TABLE,
    "settings.days": INT,
}


def shape(node: Node) -> Any:
    """The tree without positions, so expected structures can be written by hand."""
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Name):
        return node.name
    if isinstance(node, ListLit):
        return ["list", *(shape(i) for i in node.items)]
    if isinstance(node, Unary):
        return (node.op, shape(node.operand))
    if isinstance(node, Binary | Compare):
        return (node.op, shape(node.left), shape(node.right))
    if isinstance(node, BoolOp):
        return (node.op, *(shape(o) for o in node.operands))
    if isinstance(node, Cond):
        return ("if", shape(node.test), shape(node.body), shape(node.orelse))
    if isinstance(node, Call):
        return ("call", node.func, *(shape(a) for a in node.args))
    if isinstance(node, Index):
        return ("index", shape(node.target), shape(node.key))
    raise AssertionError(f"unexpected node {node!r}")


def run(source: str, values: dict[str, Any] | None = None, **kw: Any) -> Any:
    """Parse, type-check against ENV and evaluate ``source``."""
    node = parse(source)
    typecheck(node, ENV)
    return evaluate(node, MapContext(values or {}, **kw))


def type_of(source: str, env: dict[str, Type] | None = None) -> Type:
    return typecheck(parse(source), ENV if env is None else env)


# ---------------------------------------------------------------------------------------
# Parsing: precedence and forms


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("p or q and r", ("or", "p", ("and", "q", "r"))),
        ("p and q or r", ("or", ("and", "p", "q"), "r")),
        ("not p and q", ("and", ("not", "p"), "q")),
        ("not p or q", ("or", ("not", "p"), "q")),
        ("not not p", ("not", ("not", "p"))),
        ("not i == 1", ("not", ("==", "i", 1))),
        ("p or q or r", ("or", "p", "q", "r")),
        ("p and (q or r)", ("and", "p", ("or", "q", "r"))),
        ("i if p else j", ("if", "p", "i", "j")),
        ("p or q if r else p", ("if", "r", ("or", "p", "q"), "p")),
        ("i if p else j if q else 3", ("if", "p", "i", ("if", "q", "j", 3))),
        ("i - j - 1", ("-", ("-", "i", "j"), 1)),
        ("-i + j", ("+", ("-", "i"), "j")),
        ("i + 1 < j - 2", ("<", ("+", "i", 1), ("-", "j", 2))),
        ("i not in [1, 2]", ("not in", "i", ["list", 1, 2])),
        ("i in [1]", ("in", "i", ["list", 1])),
        ("not i in [1]", ("not", ("in", "i", ["list", 1]))),
        ("[]", ["list"]),
        ("[1, 'a', true, 2.5]", ["list", 1, "a", True, 2.5]),
        ("settings.table[level]", ("index", "settings.table", "level")),
        ("settings.table['low'] + 1", ("+", ("index", "settings.table", "low"), 1)),
        ("-settings.table['low']", ("-", ("index", "settings.table", "low"))),
        ("t[a][b]", ("index", ("index", "t", "a"), "b")),
        ("add_days(d, settings.days)", ("call", "add_days", "d", "settings.days")),
        ("f()", ("call", "f")),
        ("true or false", ("or", True, False)),
        ("'oral'", "oral"),
        ('"oral"', "oral"),
        ('"it\'s"', "it's"),
        ("'say \"hi\"'", 'say "hi"'),
        ("''", ""),
        ("12", 12),
        ("1.25", 1.25),
        ("  (( p ))\n", "p"),
    ],
)
def test_parse_builds_the_tree_the_grammar_prescribes(source: str, expected: Any) -> None:
    assert shape(parse(source)) == expected


def test_parse_number_literals_keep_int_and_float_apart() -> None:
    three = parse("3")
    assert isinstance(three, Literal)
    assert type(three.value) is int
    half = parse("0.5")
    assert isinstance(half, Literal)
    assert type(half.value) is float


def test_parse_records_the_position_of_each_node() -> None:
    node = parse("p  and i >= 10")
    assert isinstance(node, BoolOp)
    left, right = node.operands
    assert left.pos == 0
    assert isinstance(right, Compare)
    assert right.pos == 9  # the operator
    assert right.left.pos == 7
    assert right.right.pos == 12


@pytest.mark.parametrize(
    ("source", "position"),
    [
        ("'abc", 0),
        ('p and "abc', 6),
        ("'ab\ncd'", 0),
        ("p @ q", 2),
        ("p q", 2),
        ("i +", 3),
        ("i == == 2", 5),
        ("(p and q", 8),
        ("p)", 1),
        ("[1, 2", 5),
        ("f(1,", 4),
        ("a.", 2),
        ("a.1", 2),
        ("a.true", 2),
        ("i < j < 3", 6),
        ("1 == 1 == 1", 7),
        ("i < j in [1]", 6),
        ("p if q", 6),
        ("not", 3),
        ("p and", 5),
    ],
)
def test_parse_rejects_bad_syntax_with_a_position(source: str, position: int) -> None:
    with pytest.raises(ExprError) as info:
        parse(source)
    assert info.value.position == position
    assert f"at character {position + 1}" in str(info.value)


def test_parse_rejects_a_chained_comparison_and_suggests_and() -> None:
    with pytest.raises(ExprError, match="chained") as info:
        parse("a < b < c")
    assert info.value.position == 6
    assert "and" in info.value.message


@pytest.mark.parametrize("source", ["", " ", "\n\t  "])
def test_parse_rejects_an_empty_expression(source: str) -> None:
    with pytest.raises(ExprError, match="empty"):
        parse(source)


def test_parse_rejects_source_longer_than_the_limit() -> None:
    at_limit = "p or " * ((MAX_LENGTH - 1) // 5) + "p"
    assert len(at_limit) <= MAX_LENGTH
    parse(at_limit)
    with pytest.raises(ExprError, match="longer"):
        parse(at_limit + " or p" * 2)


@pytest.mark.parametrize(
    "make",
    [
        lambda k: "(" * k + "p" + ")" * k,
        lambda k: "not " * k + "p",
        lambda k: "-" * k + "1",
        lambda k: "[" * k + "1" + "]" * k,
        lambda k: "f(" * k + "1" + ")" * k,
        lambda k: "t[" * k + "k" + "]" * k,
    ],
    ids=["parens", "not", "minus", "lists", "calls", "index"],
)
def test_parse_limits_nesting_depth(make: Any) -> None:
    parse(make(MAX_DEPTH // 2))
    with pytest.raises(ExprError, match="nests too deeply") as info:
        parse(make(2 * MAX_DEPTH))
    assert info.value.position is not None


def test_expr_error_str_reports_a_one_based_character() -> None:
    assert str(ExprError("oops", 4)) == "oops (at character 5)"
    assert str(ExprError("oops")) == "oops"


# ---------------------------------------------------------------------------------------
# Type checking


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("p and not q", BOOL),
        ("i < 3", BOOL),
        ("i + j", INT),
        ("i - 1", INT),
        ("i + x", NUMBER),
        ("-x", NUMBER),
        ("1 + 2.5", NUMBER),
        ("add_days(d, 3)", DATE),
        ("add_days(d, settings.days)", DATE),
        ("days_between(d, e)", INT),
        ("answered(route)", BOOL),
        ("answered(d)", BOOL),
        ("min(i, j)", INT),
        ("max(i, x)", NUMBER),
        ("min(d, e)", DATE),
        ("coalesce(i, 0)", INT),
        ("coalesce(i, 0.5)", NUMBER),
        ("settings.table[level]", INT),
        ("settings.table['low']", INT),
        ("i if p else x", NUMBER),
        ("d if p else e", DATE),
        ("route == 'oral'", BOOL),
        ("route in ['oral', 'xr']", BOOL),
        ("name == 'anything at all'", BOOL),
        ("d < e", BOOL),
        ("d == add_days(e, 1)", BOOL),
    ],
)
def test_typecheck_gives_the_expected_type(source: str, expected: Type) -> None:
    assert type_of(source) == expected


def test_typecheck_list_literal_has_the_joined_item_type() -> None:
    typ = type_of("[1, 2.5]")
    assert typ.kind == "list"
    assert typ.item == NUMBER


def test_typecheck_choice_of_if_else_literals_is_the_union_of_both() -> None:
    typ = type_of("'a' if p else 'b'")
    assert typ == Type("string", frozenset({"a", "b"}))


@pytest.mark.parametrize(
    ("source", "fragment", "position"),
    [
        ("p and nosuch", "unknown name 'nosuch'", 6),
        ("settings.nope > 1", "unknown name", 0),
        ("route == 'orl'", "'orl' is not a possible value", 9),
        ("'orl' != route", "'orl' is not a possible value", 0),
        ("d > 3", "cannot compare date with int", 2),
        ("d == '2024-01-01'", "cannot compare", 2),
        ("d + 1", "'+' needs numbers", 2),
        ("d - e", "'-' needs numbers", 2),
        ("name + 'x'", "'+' needs numbers", 5),
        ("add_days(d, 1.5)", "add_days", 9),
        ("add_days(3, 3)", "add_days", 9),
        ("add_days(d, e)", "add_days", 9),
        ("days_between(d, 3)", "days_between", 13),
        ("days_between(i, j)", "days_between", 13),
        ("answered(1)", "answered", 9),
        ("answered(i + 1)", "answered", 11),
        ("answered(settings.days)", "answered", 9),
        ("frobnicate(i)", "unknown function 'frobnicate'", 0),
        ("add_days(d)", "takes 2 arguments", 0),
        ("answered(p, q)", "takes 1 arguments", 0),
        ("min(i, j, 3)", "takes 2", 0),
        ("i if p else 'a'", "both sides of 'if ... else'", 2),
        ("d if p else 1", "both sides", 2),
        ("1 if i else 2", "must be yes/no", 5),
        ("not i", "'not' needs a yes/no value", 0),
        ("p and 1", "'and' needs yes/no", 6),
        ("i or p", "'or' needs yes/no", 0),
        ("-name", "'-' needs a number", 0),
        ("p < q", "'<' needs numbers or dates", 2),
        ("name < 'b'", "'<' needs numbers or dates", 5),
        ("i in j", "needs a list on its right", 2),
        ("route in [1, 2]", "cannot look for", 6),
        ("[1, 'a']", "one type", 0),
        ("[]", "empty list", 0),
        ("i['low']", "only a table can be indexed", 1),
        ("settings.table[1]", "indexed by a string", 14),
        ("settings.table['medium']", "no key 'medium'", 15),
        ("min(p, q)", "min and max", 4),
        ("coalesce(i, 'a')", "coalesce", 9),
        ("p == 1", "cannot compare", 2),
    ],
)
def test_typecheck_rejects_misuse_with_a_position(
    source: str, fragment: str, position: int
) -> None:
    with pytest.raises(ExprError) as info:
        type_of(source)
    assert fragment in info.value.message
    assert info.value.position == position


def test_typecheck_choice_typo_is_caught_through_coalesce() -> None:
    # coalesce(route, 'none') can only be one of route's choices or 'none'.
    assert type_of("coalesce(route, 'none') == 'none'") == BOOL
    with pytest.raises(ExprError, match="'nothing' is not a possible value"):
        type_of("coalesce(route, 'none') == 'nothing'")


def test_typecheck_table_index_by_a_choice_that_the_table_partly_covers_is_allowed() -> None:
    # 'extreme' is a possible level but not a table key: that gives unknown at run time.
    assert type_of("settings.table[level] > 2") == BOOL


def test_typecheck_int_choices_reject_an_equal_literal_outside_them() -> None:
    env = {"score": Type("int", frozenset({0, 1, 3, 5}))}
    assert type_of("score == 3", env) == BOOL
    with pytest.raises(ExprError, match="2 is not a possible value"):
        type_of("score == 2", env)


@pytest.mark.parametrize(
    ("source", "position"),
    [("route in ['oral', 'orl']", 18), ("route not in ['orl']", 14), ("route in ['orl']", 10)],
)
def test_typecheck_choice_in_list_with_a_misspelt_literal_is_an_error(
    source: str, position: int
) -> None:
    with pytest.raises(ExprError, match="'orl' is not a possible value") as info:
        type_of(source)
    assert info.value.position == position


def test_typecheck_answered_of_an_unknown_name_is_an_error() -> None:
    with pytest.raises(ExprError, match="unknown name"):
        type_of("answered(nosuch)")


@pytest.mark.parametrize(
    ("source", "env"),
    [
        # COWS-like item scored 0, 1, 3 or 5: 'at least 2' is a meaningful threshold.
        ("score >= 2", {"score": Type("int", frozenset({0, 1, 3, 5}))}),
        # A derived value's type is inferred from its literals: {190, 380}.
        ("dose > 200", {"dose": typecheck(parse("380 if p else 190"), {"p": BOOL})}),
        ("1 < 2", {}),
    ],
    ids=["declared-choices", "derived-choices", "literal-literal"],
)
def test_typecheck_ordering_against_a_value_outside_the_choices_is_allowed(
    source: str, env: dict[str, Type]
) -> None:
    assert type_of(source, env) == BOOL


def test_typecheck_if_else_of_two_lists_is_still_a_list_for_in() -> None:
    assert type_of("i in ([1, 2] if p else [3])") == BOOL


def test_compile_records_type_and_reads_and_checks_the_wanted_kind() -> None:
    c = Compiled.compile("add_days(d, settings.days) > e or answered(route)", ENV, "bool")
    assert c.type == BOOL
    assert c.reads == frozenset({"d", "settings.days", "e", "route"})
    assert Compiled.compile("i + 1", ENV, "number").type == INT
    with pytest.raises(ExprError, match="must give a bool"):
        Compiled.compile("i + 1", ENV, "bool")
    with pytest.raises(ExprError, match="unknown name"):
        Compiled.compile("nosuch", ENV)
    assert c.evaluate(MapContext({}, answered=frozenset({"route"}))) is True


# ---------------------------------------------------------------------------------------
# Evaluation: Kleene logic


TRI = [True, False, UNKNOWN]
_RANK = {False: 0, UNKNOWN: 1, True: 2}  # Kleene: false < unknown < true
_BY_RANK = {0: False, 1: UNKNOWN, 2: True}


def k_and(*vs: Any) -> Any:
    return _BY_RANK[min(_RANK[v] for v in vs)]


def k_or(*vs: Any) -> Any:
    return _BY_RANK[max(_RANK[v] for v in vs)]


def bool_ctx(**values: Any) -> dict[str, Any]:
    """A values map where UNKNOWN means 'absent'."""
    return {k: v for k, v in values.items() if v is not UNKNOWN}


@pytest.mark.parametrize("a", TRI, ids=repr)
@pytest.mark.parametrize("b", TRI, ids=repr)
def test_and_or_follow_kleene_truth_tables(a: Any, b: Any) -> None:
    values = bool_ctx(p=a, q=b)
    assert run("p and q", values) is k_and(a, b)
    assert run("p or q", values) is k_or(a, b)
    assert run("q and p", values) is k_and(a, b)
    assert run("q or p", values) is k_or(a, b)


@pytest.mark.parametrize("a", TRI, ids=repr)
@pytest.mark.parametrize("b", TRI, ids=repr)
@pytest.mark.parametrize("c", TRI, ids=repr)
def test_three_operand_and_or_follow_kleene(a: Any, b: Any, c: Any) -> None:
    values = bool_ctx(p=a, q=b, r=c)
    assert run("p and q and r", values) is k_and(a, b, c)
    assert run("p or q or r", values) is k_or(a, b, c)
    assert run("p or q and r", values) is k_or(a, k_and(b, c))


def test_kleene_headline_cases() -> None:
    assert run("p or true") is True
    assert run("true or p") is True
    assert run("p and false") is False
    assert run("false and p") is False
    assert run("p or false") is UNKNOWN
    assert run("p and true") is UNKNOWN
    assert run("not p") is UNKNOWN
    assert run("not not p") is UNKNOWN


@pytest.mark.parametrize(("value", "expected"), [(True, False), (False, True), (UNKNOWN, UNKNOWN)])
def test_not_follows_kleene(value: Any, expected: Any) -> None:
    assert run("not p", bool_ctx(p=value)) is expected


@pytest.mark.parametrize("op", ["==", "!=", "<", "<=", ">", ">="])
def test_comparison_with_an_unknown_side_is_unknown(op: str) -> None:
    assert run(f"i {op} 3") is UNKNOWN
    assert run(f"3 {op} i") is UNKNOWN
    assert run(f"i {op} j", {"i": 1}) is UNKNOWN
    assert run(f"i + 1 {op} j", {"j": 1}) is UNKNOWN
    assert run(f"d {op} add_days(e, 1)", {"d": dt.date(2024, 1, 1)}) is UNKNOWN


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("i == 3", True),
        ("i != 3", False),
        ("i < 4", True),
        ("i <= 3", True),
        ("i > 3", False),
        ("i >= 4", False),
        ("x > 2", True),
        ("x == 2.5", True),
        ("i + j == 10", True),
        ("i - j - 1 == -5", True),
        ("-i + j == 4", True),
        ("route == 'oral'", True),
        ("route != 'xr'", True),
        ("d < e", True),
        ("p == q", False),
        ("p != q", True),
    ],
)
def test_comparisons_on_known_values(source: str, expected: bool) -> None:
    values = {
        "i": 3,
        "j": 7,
        "x": 2.5,
        "route": "oral",
        "d": dt.date(2024, 1, 1),
        "e": dt.date(2024, 1, 2),
        "p": True,
        "q": False,
    }
    assert run(source, values) is expected


@pytest.mark.parametrize(
    ("source", "values", "expected"),
    [
        ("i in [1, 2, 3]", {"i": 2}, True),
        ("i in [1, 2, 3]", {"i": 5}, False),
        ("i not in [1, 2, 3]", {"i": 5}, True),
        ("i not in [1, 2, 3]", {"i": 1}, False),
        ("route in ['oral', 'xr']", {"route": "xr"}, True),
        ("route in ['oral', 'xr']", {"route": "none"}, False),
        ("route in ['oral', 'xr']", {}, UNKNOWN),
        ("route not in ['oral']", {}, UNKNOWN),
        ("i in [1, j]", {"i": 2, "j": 2}, True),
        # The list is a side of the comparison; with an unknown item it is unknown.
        ("i in [1, j]", {"i": 5}, UNKNOWN),
        ("x in [1, 2.5]", {"x": 2.5}, True),
    ],
)
def test_in_lists(source: str, values: dict[str, Any], expected: Any) -> None:
    assert run(source, values) is expected


def test_if_else_picks_a_branch_and_is_unknown_when_the_test_is() -> None:
    assert run("i if p else j", {"p": True, "i": 1, "j": 2}) == 1
    assert run("i if p else j", {"p": False, "i": 1, "j": 2}) == 2
    assert run("i if p else j", {"i": 1, "j": 1}) is UNKNOWN
    # The branch not taken may be unknown without harm.
    assert run("i if p else j", {"p": True, "i": 1}) == 1
    assert run("i if p else j", {"p": True, "j": 1}) is UNKNOWN


def test_coalesce_falls_back_only_when_the_first_is_unknown() -> None:
    assert run("coalesce(i, 7)") == 7
    assert run("coalesce(i, 7)", {"i": 3}) == 3
    assert run("coalesce(i, 7)", {"i": 0}) == 0
    assert run("coalesce(p, true)", {"p": False}) is False
    assert run("coalesce(i, j)") is UNKNOWN
    assert run("coalesce(route, 'none') == 'none'") is True


def test_answered_reads_the_answered_set_not_the_value() -> None:
    assert run("answered(route)", answered=frozenset({"route"})) is True
    assert run("answered(route)", {"route": "oral"}) is False
    assert run("answered(route)") is False
    assert run("not answered(route)") is True
    assert run("answered(i) and i > 2", {"i": 3}, answered=frozenset({"i"})) is True


@pytest.mark.parametrize(
    ("a", "b", "days"),
    [
        (dt.date(2024, 1, 1), dt.date(2024, 1, 1), 0),
        (dt.date(2024, 1, 1), dt.date(2024, 1, 31), 30),
        # 2024 is a leap year: 31 days of January plus 29 of February.
        (dt.date(2024, 1, 1), dt.date(2024, 3, 1), 60),
        (dt.date(2023, 1, 1), dt.date(2023, 3, 1), 59),
        (dt.date(2024, 3, 1), dt.date(2024, 1, 1), -60),
        (dt.date(2023, 12, 31), dt.date(2024, 1, 1), 1),
    ],
)
def test_days_between_counts_from_the_first_date_to_the_second(
    a: dt.date, b: dt.date, days: int
) -> None:
    # As in the pack: days_between(last_injection_date, injection_date) is days since.
    assert run("days_between(d, e)", {"d": a, "e": b}) == days


def test_days_between_with_an_unknown_date_is_unknown() -> None:
    assert run("days_between(d, e)", {"d": dt.date(2024, 1, 1)}) is UNKNOWN
    assert run("days_between(d, e) > 3", {"e": dt.date(2024, 1, 1)}) is UNKNOWN


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (dt.date(2024, 1, 1), 0, dt.date(2024, 1, 1)),
        (dt.date(2024, 1, 1), 28, dt.date(2024, 1, 29)),
        (dt.date(2024, 2, 28), 1, dt.date(2024, 2, 29)),
        (dt.date(2023, 2, 28), 1, dt.date(2023, 3, 1)),
        (dt.date(2024, 1, 1), -1, dt.date(2023, 12, 31)),
        (dt.date.max, 0, dt.date.max),
        (dt.date.max - dt.timedelta(days=1), 1, dt.date.max),
    ],
)
def test_add_days(start: dt.date, days: int, expected: dt.date) -> None:
    assert run("add_days(d, i)", {"d": start, "i": days}) == expected


@pytest.mark.parametrize(
    ("start", "days"),
    [
        (dt.date.max, 1),
        (dt.date.max - dt.timedelta(days=3), 10),
        (dt.date.min, -1),
        (dt.date(2024, 1, 1), 10**12),
        (dt.date(2024, 1, 1), -(10**12)),
    ],
)
def test_add_days_out_of_the_calendar_is_unknown_not_an_exception(
    start: dt.date, days: int
) -> None:
    assert run("add_days(d, i)", {"d": start, "i": days}) is UNKNOWN
    assert run("add_days(d, i) > e", {"d": start, "i": days, "e": start}) is UNKNOWN


def test_add_days_with_an_unknown_argument_is_unknown() -> None:
    assert run("add_days(d, i)", {"i": 3}) is UNKNOWN
    assert run("add_days(d, i)", {"d": dt.date(2024, 1, 1)}) is UNKNOWN


def test_min_and_max() -> None:
    values = {"i": 3, "j": 7, "d": dt.date(2024, 5, 1), "e": dt.date(2023, 5, 1)}
    assert run("min(i, j)", values) == 3
    assert run("max(i, j)", values) == 7
    assert run("max(d, e)", values) == dt.date(2024, 5, 1)
    assert run("min(i, j)", {"i": 3}) is UNKNOWN


def test_table_index_gives_the_value_or_unknown() -> None:
    table = {"low": 1, "high": 5}
    assert run("settings.table[level]", {"settings.table": table, "level": "high"}) == 5
    assert run("settings.table['low']", {"settings.table": table}) == 1
    # 'extreme' is a valid level the table has no row for.
    assert run("settings.table[level]", {"settings.table": table, "level": "extreme"}) is UNKNOWN
    assert run("settings.table[level] > 2", {"settings.table": table, "level": "extreme"}) is (
        UNKNOWN
    )
    assert run("settings.table[level]", {"settings.table": table}) is UNKNOWN
    assert run("settings.table['low']") is UNKNOWN


def test_unknown_has_no_truth_value_and_truth_maps_it_to_none() -> None:
    with pytest.raises(TypeError):
        bool(UNKNOWN)
    assert repr(UNKNOWN) == "unknown"
    assert type(UNKNOWN)() is UNKNOWN
    assert truth(UNKNOWN) is None
    assert truth(True) is True
    assert truth(False) is False


def test_evaluate_huge_int_plus_float_does_not_raise() -> None:
    """An int answer too large for a float (a JSON line may carry one) added to a float is
    unknown: nothing to decide on, and no crash."""
    node = parse("i + 0.5 > 0")
    assert typecheck(node, ENV) == BOOL
    assert evaluate(node, MapContext({"i": 10**400})) is UNKNOWN


def test_long_flat_sum_is_either_rejected_or_handled() -> None:
    source = "+".join(["1"] * 1000)
    assert len(source) <= MAX_LENGTH
    try:
        node = parse(source)
    except ExprError:
        return  # rejecting it cleanly would be fine
    assert typecheck(node, {}) == INT
    assert evaluate(node, MapContext({})) == 1000
    assert names(node) == set()


# ---------------------------------------------------------------------------------------
# names, unparse, explain


def test_names_lists_every_name_read_including_answered_and_index() -> None:
    node = parse(
        "answered(route) and settings.table[level] > i"
        " or (add_days(d, 1) < e if p else [j, 2] == [1, 2]) or not -x > 0"
    )
    assert names(node) == {
        "route",
        "settings.table",
        "level",
        "i",
        "d",
        "e",
        "p",
        "j",
        "x",
    }
    assert names(parse("1 + 2")) == set()


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("p   and(q or r)", "p and (q or r)"),
        ("not   p", "not p"),
        ("i+1<=j", "i + 1 <= j"),
        ('"oral"', "'oral'"),
        ('"it\'s"', '"it\'s"'),
        ("[1,2 ,3]", "[1, 2, 3]"),
        ("settings.table[ 'low' ]", "settings.table['low']"),
        ("add_days( d ,1 )", "add_days(d, 1)"),
        ("i if p else j", "i if p else j"),
        ("(p or q) and r", "(p or q) and r"),
        ("p or (q if r else p)", "p or (q if r else p)"),
        ("true", "true"),
        ("2.5", "2.5"),
    ],
)
def test_unparse_normalises_spacing(source: str, expected: str) -> None:
    assert unparse(parse(source)) == expected


@pytest.mark.parametrize(
    "source",
    [
        "not (p and q)",
        "i - (j - 1) == 0",
        "-(i + j) == 0",
        "(p or q) == r",
        "(i < j) == p",
        "(i if p else j) == 1",
        "(i if p else j) if q else 3",
        "i if (p if q else r) else j",
    ],
)
def test_unparse_keeps_the_meaning(source: str) -> None:
    node = parse(source)
    assert shape(parse(unparse(node))) == shape(node)


@pytest.mark.parametrize(
    "source",
    ["0.00001", "123456789012345678901.0", "'a\tb'"],
    ids=["small-float", "big-float", "tab"],
)
def test_unparse_literals_read_back(source: str) -> None:
    node = parse(source)
    assert shape(parse(unparse(node))) == shape(node)


def test_a_number_too_large_for_a_float_is_a_syntax_error() -> None:
    with pytest.raises(ExprError, match="too large"):
        parse("9" * 400 + ".0 > 1")


def test_unparse_keeps_tiny_and_huge_floats() -> None:
    """The language has no exponent form: unparse writes every digit, and never a
    different number (1e-30 is not 0)."""
    for value in (1e-30, 5e-324, 1.7976931348623157e308, 123.456):
        text = unparse(Literal(0, value))
        assert "e" not in text.lower()
        again = parse(text)
        assert isinstance(again, Literal) and again.value == value


# ---------------------------------------------------------------------------------------
# Numbers that are not what they look like: every literal is a finite
# number written in ASCII digits, and arithmetic that leaves the finite numbers is unknown,
# never a nan that makes every comparison false and so hides a gate.

HUGE = "1" + "0" * 308 + ".0"  # 1e308: finite, but twice it is not


@pytest.mark.parametrize(
    "source",
    [
        "x > 1" + "0" * 309 + ".0",  # 1e309 as a float literal: inf
        "x > " + "9" * 400 + ".0",
        "i > 1" + "0" * 400,  # an int past every float: no float comparison can hold it
        "x > -1" + "0" * 309,
        "x > 0." + "0" * 400 + "1",  # so small it reads as 0
    ],
    ids=["float-1e309", "float-400-digits", "int-1e400", "negative-int-1e309", "underflow"],
)
def test_a_literal_that_is_not_a_finite_number_is_refused_at_parse(source: str) -> None:
    with pytest.raises(ExprError, match="number") as info:
        parse(source)
    assert info.value.position == source.index(next(c for c in source[4:] if c.isdigit()))


@pytest.mark.parametrize(
    ("source", "position"),
    [("x > 1e309", 5), ("x > 1E5", 5), ("x > 1.5e3", 7), ("x > 2.5.5", 7), ("i > 12abc", 6)],
)
def test_exponent_forms_are_not_numbers(source: str, position: int) -> None:
    with pytest.raises(ExprError, match="right after the number") as info:
        parse(source)
    assert info.value.position == position
    assert "no exponent" in info.value.message


@pytest.mark.parametrize(
    "value",
    [float("inf"), float("-inf"), float("nan"), 10**400, -(10**400)],
    ids=["inf", "-inf", "nan", "int-1e400", "-int-1e400"],
)
def test_typecheck_refuses_a_literal_that_is_not_a_finite_number(value: float) -> None:
    """A literal built without the parser (a numeric bound in a step file) is checked too."""
    with pytest.raises(ExprError, match="number"):
        typecheck(Compare(0, ">", Name(0, "x"), Literal(4, value)), ENV)


@pytest.mark.parametrize(
    "source",
    [
        f"x > {HUGE} + {HUGE} - ({HUGE} + {HUGE})",  # inf - inf: nan
        f"x > {HUGE} + {HUGE}",
        f"x < -{HUGE} - {HUGE}",
        f"i > 1{'0' * 308} + {HUGE}",  # an int literal within the floats, summed past them
    ],
    ids=["nan", "inf", "minus-inf", "int-plus-float"],
)
def test_literal_arithmetic_that_overflows_is_refused_at_typecheck(source: str) -> None:
    node = parse(source)
    with pytest.raises(ExprError, match="too large") as info:
        typecheck(node, ENV)
    assert info.value.position is not None


@pytest.mark.parametrize(
    ("source", "values"),
    [
        ("x + x - (x + x) > 0", {"x": 1e308}),  # nan
        ("x + x - (x + x) <= 0", {"x": 1e308}),
        (f"x + x > {HUGE}", {"x": 1e308}),  # inf
        ("-x - x < 0", {"x": 1e308}),  # -inf
        ("i + x > 0", {"i": 10**308, "x": 1e308}),  # int + float past the floats
        ("i + x > 0", {"i": 10**400, "x": 1.0}),  # int -> float OverflowError
        ("(x + x) - (x + x) == 0", {"x": 1e308}),
        ("x + x in [1.0, 2.0]", {"x": 1e308}),
        ("min(x + x, 1.0) < 2.0", {"x": 1e308}),
        ("coalesce(x + x, 1.0) > 0", {"x": 1e308}),
    ],
)
def test_arithmetic_that_leaves_the_finite_numbers_is_unknown(
    source: str, values: dict[str, Any]
) -> None:
    """Every comparison with nan is false and with inf is decided: either would let a rule
    such as ``x > a - b`` never fire. Unknown leaves the gate undecided instead."""
    assert run(source, values) is UNKNOWN
    assert Compiled.compile(source, ENV, "bool").evaluate(MapContext(values)) is UNKNOWN


def test_a_rule_over_overflowing_arithmetic_is_undecided_not_passed() -> None:
    rule = Compiled.compile("x > x + x - (x + x)", ENV, "bool")
    assert truth(rule.evaluate(MapContext({"x": 1e308}))) is None
    assert truth(rule.evaluate(MapContext({"x": 2.0}))) is True  # the ordinary case stands


def test_large_but_finite_arithmetic_still_decides() -> None:
    assert run(f"x + 1.0 > {HUGE}", {"x": 1e308}) is False
    assert run("i + 1 > 10", {"i": 10**400}) is True  # ints are exact at any size
    assert run(f"{HUGE} - 1.0 > 0") is True


@pytest.mark.parametrize(
    ("source", "char"),
    [
        ("age > 1\u09ea", "\u09ea"),  # BENGALI DIGIT FOUR, looks like an 8
        ("age > \u0661\u0668", "\u0661"),  # ARABIC-INDIC DIGIT ONE
        ("age > \uff11\uff18", "\uff11"),  # FULLWIDTH DIGIT ONE
        ("age > 1\u0968", "\u0968"),  # DEVANAGARI DIGIT TWO
        ("x > 1.\u0665", "\u0665"),  # ARABIC-INDIC FIVE after the point
        ("x >= \U0001d7ce", "\U0001d7ce"),  # MATHEMATICAL BOLD DIGIT ZERO
    ],
)
def test_digits_of_other_scripts_are_refused_naming_the_character_and_place(
    source: str, char: str
) -> None:
    with pytest.raises(ExprError) as info:
        parse(source)
    assert info.value.position == source.index(char)
    message = str(info.value)
    assert repr(char) in message
    assert f"U+{ord(char):04X}" in message
    assert "0-9" in message
    assert f"at character {source.index(char) + 1}" in message


@pytest.mark.parametrize(
    ("source", "char"),
    [
        ("ag\u00e9 > 18", "\u00e9"),  # e with acute
        ("\u0430ge > 18", "\u0430"),  # CYRILLIC SMALL LETTER A, looks like a
        ("\uff41ge > 18", "\uff41"),  # FULLWIDTH LATIN SMALL LETTER A
        ("age\u0131 > 18", "\u0131"),  # dotless i
    ],
)
def test_letters_outside_ascii_in_names_are_refused_naming_the_character(
    source: str, char: str
) -> None:
    with pytest.raises(ExprError) as info:
        parse(source)
    assert info.value.position == source.index(char)
    assert f"U+{ord(char):04X}" in str(info.value)
    assert "A-Z" in str(info.value)


def test_only_ascii_white_space_separates_tokens() -> None:
    """A no-break space or an ideographic space is invisible in a review: refused, named."""
    for space in ("\u00a0", "\u3000", "\u2003"):
        with pytest.raises(ExprError) as info:
            parse(f"p{space}and q")
        assert info.value.position == 1
        assert f"U+{ord(space):04X}" in str(info.value)
    assert shape(parse("p \t\r\n and q")) == ("and", "p", "q")


def test_text_literals_may_still_hold_any_character() -> None:
    assert run("name == 'caf\u00e9 \u09ea'") is UNKNOWN


@pytest.mark.parametrize(
    ("fails_when", "needle"),
    [
        (f"settings.min_age > {HUGE} + {HUGE} - ({HUGE} + {HUGE})", "too large"),
        ("settings.min_age > 1" + "0" * 309 + ".0", "too large"),
        ("settings.min_age > 1\u09ea", "U+09EA"),
        ("s\u0435ttings.min_age > 14", "U+0435"),
    ],
    ids=["nan-arithmetic", "inf-literal", "bengali-digit", "cyrillic-e"],
)
def test_a_pack_with_such_a_number_is_refused_with_its_file_and_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fails_when: str, needle: str
) -> None:
    from tests.helpers import PACK_FILE, make_pack
    from xrntx_guide.cli.app import main
    from xrntx_guide.errors import ExitCode, PackError
    from xrntx_guide.pack.load import load_guide

    folder = make_pack(
        tmp_path,
        append=(
            '\n[[gate]]\nid = "hidden"\ntitle = "Hidden"\nbefore = "inject"\n'
            'sources = ["ref"]\n\n[[gate.rule]]\nseverity = "contraindication"\n'
            f'fails_when = {fails_when!r}\nmessage = "never"\n'
        ),
    )
    with pytest.raises(PackError) as info:
        load_guide(folder)
    (problem,) = [str(p) for p in info.value.problems if p.path.startswith("gate[1]")]
    assert PACK_FILE in problem
    assert needle in problem
    assert "at character" in problem

    assert main(["validate", "--steps", str(folder)]) == ExitCode.INVALID_PACK
    err = capsys.readouterr().err
    assert PACK_FILE in err and needle in err


def test_explain_gives_one_finding_per_comparison_with_values() -> None:
    node = parse("i >= 18 and route == 'oral' or days_between(d, e) > 3")
    values: dict[str, Scalar] = {"i": 20, "d": dt.date(2024, 1, 1), "e": dt.date(2024, 1, 31)}
    typecheck(node, ENV)
    findings = explain(node, MapContext(values))
    assert len(findings) == 3
    age, route, days = findings
    assert all(isinstance(f, Finding) for f in findings)
    assert "i = 20" in age.text
    assert ">= 18" in age.text
    assert age.value is True
    assert "route = not answered" in route.text
    assert "'oral'" in route.text
    assert route.value is None
    assert "days_between(d, e) = 30" in days.text
    assert "> 3" in days.text
    assert days.value is True


def test_explain_shows_false_comparisons_and_yes_no_names() -> None:
    node = parse("not p and i < 2")
    typecheck(node, ENV)
    findings = explain(node, MapContext({"p": False, "i": 5}))
    assert [f.value for f in findings] == [False, False]
    assert "p = no" in findings[0].text
    assert "i = 5" in findings[1].text
    assert "< 2" in findings[1].text


def test_explain_shows_dates_in_iso_form() -> None:
    node = parse("add_days(d, 28) < e")
    typecheck(node, ENV)
    [finding] = explain(node, MapContext({"d": dt.date(2024, 1, 1), "e": dt.date(2024, 1, 2)}))
    assert "2024-01-29" in finding.text
    assert "2024-01-02" in finding.text
    assert finding.value is False


def test_explain_of_an_if_else_explains_its_test() -> None:
    node = parse("(i > 1) if p else q")
    typecheck(node, ENV)
    findings = explain(node, MapContext({"p": True, "i": 3}))
    assert len(findings) == 1
    assert "p = yes" in findings[0].text


# ---------------------------------------------------------------------------------------
# Properties


def _hide(values: dict[str, Any], hidden: set[str]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k not in hidden}


@PROPERTY
@given(source=ARBITRARY_SOURCE)
def test_parse_returns_a_node_or_raises_expr_error(source: str) -> None:
    try:
        node = parse(source)
    except ExprError as exc:
        assert exc.position is None or 0 <= exc.position <= len(source)
        return
    assert isinstance(node, Node)


@PROPERTY
@given(source=ARBITRARY_SOURCE)
def test_typecheck_of_any_parsed_source_returns_a_type_or_raises_expr_error(source: str) -> None:
    try:
        node = parse(source)
        typ = typecheck(node, ENV)
    except ExprError:
        return
    assert isinstance(typ, Type)


@PROPERTY
@given(source=BOOL_EXPRS, full=FULL_VALUES, hidden=HIDDEN)
def test_well_typed_boolean_expressions_evaluate_deterministically_to_three_values(
    source: str, full: dict[str, Any], hidden: set[str]
) -> None:
    node = parse(source)
    assert typecheck(node, GEN_ENV) == BOOL
    ctx = MapContext(_hide(full, hidden))
    result = evaluate(node, ctx)
    assert result is True or result is False or result is UNKNOWN
    assert evaluate(node, ctx) is result
    assert evaluate(parse(source), MapContext(_hide(full, hidden))) is result
    if not hidden:
        assert result is not UNKNOWN
    findings = explain(node, ctx)
    assert all(f.value in (True, False, None) for f in findings)


@PROPERTY
@given(source=BOOL_EXPRS, contexts=CONTEXTS)
def test_compiled_expression_reused_across_contexts_matches_fresh_evaluation(
    source: str, contexts: list[tuple[dict[str, Any], set[str]]]
) -> None:
    compiled = Compiled.compile(source, GEN_ENV, "bool")
    fresh = parse(source)
    for full, hidden in [*contexts, *contexts]:
        ctx = MapContext(_hide(full, hidden))
        assert compiled.evaluate(ctx) is evaluate(fresh, ctx)
        assert compiled.explain(ctx) == explain(fresh, ctx)


@PROPERTY
@given(source=BOOL_EXPRS, full=FULL_VALUES, hidden=HIDDEN)
def test_kleene_monotonicity_filling_unknowns_never_changes_a_known_result(
    source: str, full: dict[str, Any], hidden: set[str]
) -> None:
    node = parse(source)
    partial = evaluate(node, MapContext(_hide(full, hidden)))
    if partial is UNKNOWN:
        return
    assert evaluate(node, MapContext(full)) is partial


@PROPERTY
@given(source=ROUND_TRIP_BOOL_EXPRS, full=FULL_VALUES, hidden=HIDDEN)
def test_unparse_round_trip_evaluates_the_same_for_unambiguous_shapes(
    source: str, full: dict[str, Any], hidden: set[str]
) -> None:
    node = parse(source)
    assert typecheck(node, GEN_ENV) == BOOL
    again = parse(unparse(node))
    ctx = MapContext(_hide(full, hidden))
    assert evaluate(again, ctx) is evaluate(node, ctx)
    assert unparse(again) == unparse(node)


@PROPERTY
@given(source=BOOL_EXPRS, full=FULL_VALUES, hidden=HIDDEN)
@example(
    source="(not (p and q))", full={"p": True, "q": False, "r": True, "i": 0, "j": 0}, hidden=set()
)
def test_unparse_round_trip_evaluates_the_same(
    source: str, full: dict[str, Any], hidden: set[str]
) -> None:
    node = parse(source)
    ctx = MapContext(_hide(full, hidden))
    assert evaluate(parse(unparse(node)), ctx) is evaluate(node, ctx)


# ---------------------------------------------------------------------------------------
# Arithmetic never decides with nan or inf


@PROPERTY
@given(source=ARITH_EXPRS, values=ARITH_VALUES, bound=BOUNDS)
def test_arithmetic_over_finite_numbers_gives_a_finite_number_or_unknown(
    source: str, values: dict[str, Any], bound: str
) -> None:
    """Whatever the sums do, the value a comparison sees is a finite number or unknown;
    literal-only arithmetic that leaves the floats is refused when the pack loads."""
    try:
        node = parse(source)
        assert typecheck(node, ARITH_ENV).numeric
    except ExprError as exc:
        # A literal too large for a float, or an expression past the length every pack
        # expression is held to (both refused with a message when the pack loads).
        assert "too large" in exc.message or "longer than" in exc.message, exc.message
        return
    ctx = MapContext(values)
    value = evaluate(node, ctx)
    assert value is UNKNOWN or type(value) is int or (type(value) is float and math.isfinite(value))
    for op in CMP_OPS:
        text = f"({source}) {op} {bound}"
        if len(text) > MAX_LENGTH:  # the comparison itself would be refused for its length
            continue
        rule = parse(text)
        typecheck(rule, ARITH_ENV)
        decided = evaluate(rule, ctx)
        if value is UNKNOWN:
            assert decided is UNKNOWN
        else:
            assert decided is _PY_COMPARE[op](value, float(bound))
    assert Compiled.compile(source, ARITH_ENV).evaluate(ctx) == value or value is UNKNOWN


_PY_COMPARE: dict[str, Any] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


@PROPERTY
@given(source=FAR_ARITH_EXPRS, values=FAR_VALUES)
def test_arithmetic_far_from_the_limits_is_never_unknown(
    source: str, values: dict[str, Any]
) -> None:
    """The guard costs nothing in meaning: with every answer given and no sum near the
    largest float, arithmetic is always decided."""
    node = parse(source)
    typecheck(node, ARITH_ENV)
    value = evaluate(node, MapContext(values))
    assert value is not UNKNOWN


# ---------------------------------------------------------------------------------------
# No code execution


@pytest.mark.parametrize(
    "module", sorted(Path(expr.__file__).parent.glob("*.py")), ids=lambda p: p.name
)
def test_module_never_calls_eval_or_exec_and_does_not_import_builtins(module: Path) -> None:
    """No module of the condition language can run code: no eval, exec, getattr."""
    source = module.read_text(encoding="utf-8")
    tree = ast.parse(source)
    forbidden_calls = {"eval", "exec", "compile", "__import__", "getattr", "globals", "locals"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                assert func.id not in forbidden_calls, f"calls {func.id}() at line {node.lineno}"
            if isinstance(func, ast.Attribute):
                assert func.attr not in {"eval", "exec"}, f"calls .{func.attr}() at {node.lineno}"
        if isinstance(node, ast.Import):
            for alias in node.names:
                assert alias.name.split(".")[0] not in {"builtins", "importlib"}
        if isinstance(node, ast.ImportFrom):
            assert (node.module or "").split(".")[0] not in {"builtins", "importlib"}
        if isinstance(node, ast.Name):
            assert node.id != "__builtins__"
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("#"))
    assert not re.search(r"\b(eval|exec)\s*\(", code)
    assert "import builtins" not in code
    assert "from builtins" not in code
