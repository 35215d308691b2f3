"""Sources in the condition language, and the values they read.

Well-typed boolean expressions over a few names (``GEN_ENV``), arbitrary text and token
soup for the parser, the shapes whose unparse is unambiguous, and arithmetic that walks
near the largest float (``ARITH_ENV``).
"""

from __future__ import annotations

import decimal
from typing import Any

from hypothesis import strategies as st

from xrntx_guide.expr import BOOL, INT, MAX_LENGTH, NUMBER, Type, parse, typecheck

BOOL_NAMES = ("p", "q", "r")
INT_NAMES = ("i", "j")
GEN_ENV: dict[str, Type] = {**dict.fromkeys(BOOL_NAMES, BOOL), **dict.fromkeys(INT_NAMES, INT)}
CMP_OPS = ("==", "!=", "<", "<=", ">", ">=")

_bool_leaf = st.sampled_from(("true", "false", *BOOL_NAMES))
_int_leaf = st.one_of(st.integers(0, 12).map(str), st.sampled_from(INT_NAMES))


def _int_extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.builds(lambda a, op, b: f"({a} {op} {b})", inner, st.sampled_from("+-"), inner),
        inner.map(lambda a: f"(-{a})"),
        st.builds(lambda a, t, b: f"({a} if {t} else {b})", inner, _bool_leaf, inner),
    )


INT_EXPRS = st.recursive(_int_leaf, _int_extend, max_leaves=4)

# Compared ints have a type without choices, so no generated comparison trips the choice
# typo check (which is pinned by its own tests above).
_CMP_INT = INT_EXPRS.filter(lambda s: typecheck(parse(s), GEN_ENV).choices is None)

_comparison = st.one_of(
    st.builds(lambda a, op, b: f"({a} {op} {b})", _CMP_INT, st.sampled_from(CMP_OPS), _CMP_INT),
    st.builds(
        lambda a, op, b: f"({a} {op} {b})", _bool_leaf, st.sampled_from(("==", "!=")), _bool_leaf
    ),
    st.builds(
        lambda a, op, items: f"({a} {op} [{', '.join(items)}])",
        _CMP_INT,
        st.sampled_from(("in", "not in")),
        st.lists(INT_EXPRS, min_size=1, max_size=3),
    ),
)


def _bool_extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        inner.map(lambda a: f"(not {a})"),
        st.builds(
            lambda op, items: "(" + f" {op} ".join(items) + ")",
            st.sampled_from(("and", "or")),
            st.lists(inner, min_size=2, max_size=3),
        ),
        st.builds(lambda a, t, b: f"({a} if {t} else {b})", inner, inner, inner),
        st.builds(lambda a, op, b: f"({a} {op} {b})", inner, st.sampled_from(("==", "!=")), inner),
    )


BOOL_EXPRS = st.recursive(st.one_of(_bool_leaf, _comparison), _bool_extend, max_leaves=10).filter(
    lambda s: len(s) <= MAX_LENGTH
)

FULL_VALUES = st.fixed_dictionaries(
    {
        **{n: st.booleans() for n in BOOL_NAMES},
        **{n: st.integers(-5, 15) for n in INT_NAMES},
    }
)
HIDDEN = st.sets(st.sampled_from(BOOL_NAMES + INT_NAMES))


_TOKENS = st.sampled_from(
    [
        *BOOL_NAMES,
        *INT_NAMES,
        "d",
        "settings.table",
        "route",
        " and ",
        " or ",
        "not ",
        " in ",
        " if ",
        " else ",
        "true",
        "1",
        "2.5",
        "'oral'",
        '"xr"',
        "'",
        "(",
        ")",
        "[",
        "]",
        ",",
        ".",
        "+",
        "-",
        "==",
        "<",
        ">=",
        "!=",
        "add_days(",
        "days_between(",
        "answered(",
        "coalesce(",
        "min(",
        " ",
    ]
)
ARBITRARY_SOURCE = st.one_of(st.text(max_size=60), st.lists(_TOKENS, max_size=25).map("".join))


@st.composite
def _rt_bool(draw: st.DrawFn, depth: int = 2) -> str:
    """Boolean source in the subset of shapes whose unparse is unambiguous."""

    def int_atom() -> str:
        return draw(
            st.one_of(
                st.integers(0, 12).map(str),
                st.sampled_from(INT_NAMES),
                st.sampled_from(INT_NAMES).map(lambda n: f"-{n}"),
            )
        )

    def flat_sum(lead: str | None = None) -> str:
        out = lead or int_atom()
        for _ in range(draw(st.integers(0, 2))):
            out += f" {draw(st.sampled_from('+-'))} {int_atom()}"
        return out

    def simple() -> str:
        kind = draw(st.integers(0, 3))
        if kind == 0:
            base = draw(_bool_leaf)
        elif kind == 1:
            # A name first, so that no comparison is literal against literal.
            lead = draw(st.sampled_from(INT_NAMES))
            base = f"{flat_sum(lead)} {draw(st.sampled_from(CMP_OPS))} {flat_sum()}"
        elif kind == 2:
            op = draw(st.sampled_from(("==", "!=")))
            base = f"{draw(_bool_leaf)} {op} {draw(_bool_leaf)}"
        else:
            items = ", ".join(flat_sum() for _ in range(draw(st.integers(1, 3))))
            lead = draw(st.sampled_from(INT_NAMES))
            base = f"{flat_sum(lead)} {draw(st.sampled_from(('in', 'not in')))} [{items}]"
        return "not " * draw(st.integers(0, 2)) + base

    def chain(op: str, item: Any) -> str:
        count = draw(st.integers(1, 3)) if depth > 0 else 1
        if count == 1:
            return simple()
        return f" {op} ".join(item() for _ in range(count))

    def operand() -> str:
        if depth > 0 and draw(st.booleans()):
            return f"({draw(_rt_bool(depth - 1))})"
        return simple()

    def or_expr() -> str:
        return chain("or", lambda: chain("and", operand))

    if depth > 0 and draw(st.booleans()):
        return f"{or_expr()} if {or_expr()} else {draw(_rt_bool(depth - 1))}"
    return or_expr()


ARITH_ENV: dict[str, Type] = {"x": NUMBER, "i": INT, "p": BOOL}
LARGEST_FLOAT = 1.7976931348623157e308


def _number_text(value: int | float) -> str:
    """A nonnegative finite number as the language writes it: every digit, no exponent."""
    if isinstance(value, int):
        return str(value)
    text = format(decimal.Decimal(repr(value)), "f")
    return text if "." in text else text + ".0"


# Near the largest float half the time, so that sums leave the floats often.
_finite_floats = st.one_of(
    st.floats(0, LARGEST_FLOAT, allow_nan=False, allow_infinity=False),
    st.sampled_from([LARGEST_FLOAT, 1e308, 9e307, 5e-324, 0.1, 1.0]),
    st.sampled_from([LARGEST_FLOAT, 1e308, 9e307]),
)
_finite_ints = st.one_of(st.integers(0, 10**308), st.integers(0, 1000), st.just(10**308))
_arith_leaf = st.one_of(
    _finite_floats.map(_number_text),
    _finite_ints.map(_number_text),
    st.sampled_from("xi"),
    st.just("x"),
)


def _arith_extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.builds(lambda a, op, b: f"({a} {op} {b})", inner, st.sampled_from("+-"), inner),
        inner.map(lambda a: f"(-{a})"),
        st.builds(lambda a, b: f"({a} if p else {b})", inner, inner),
        st.builds(
            lambda f, a, b: f"{f}({a}, {b})",
            st.sampled_from(["min", "max", "coalesce"]),
            inner,
            inner,
        ),
    )


ARITH_EXPRS = st.recursive(_arith_leaf, _arith_extend, max_leaves=6).filter(
    lambda s: len(s) + 40 <= MAX_LENGTH
)
ARITH_VALUES = st.fixed_dictionaries(
    {
        "x": st.one_of(_finite_floats, _finite_floats.map(lambda v: -v)),
        "i": st.one_of(
            st.integers(-(10**400), 10**400),
            st.integers(-5, 5),
            st.sampled_from([10**308, -(10**308)]),
        ),
        "p": st.booleans(),
    }
)


# --- Named for the properties that draw them -------------------------------------------------

CONTEXTS = st.lists(st.tuples(FULL_VALUES, HIDDEN), min_size=2, max_size=4)
"""Several contexts, each the full values and the names hidden from them."""

ROUND_TRIP_BOOL_EXPRS = _rt_bool().filter(lambda s: len(s) <= MAX_LENGTH)

BOUNDS = _finite_floats.map(_number_text)
"""A finite number as the language writes it, to compare arithmetic against."""

FAR_ARITH_EXPRS = st.recursive(
    st.one_of(st.integers(0, 10**6).map(str), st.sampled_from("xi")),
    _arith_extend,
    max_leaves=6,
)
"""Arithmetic over small literals, far from the largest float."""

FAR_VALUES = st.fixed_dictionaries(
    {
        "x": st.floats(-1e300, 1e300),
        "i": st.integers(-(10**300), 10**300),
        "p": st.booleans(),
    }
)
"""Every name of ``ARITH_ENV`` answered, far from the largest float."""
