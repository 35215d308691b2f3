"""The condition language of the step pack.

Conditions, derived values, defaults and bounds are written as small expressions in the
step files. They are parsed when the pack loads, type-checked against the declared
questions, derived values and settings, and evaluated by walking the syntax tree: no
``eval``, no ``exec``, no templates. Nothing in a step file can run code.

Grammar (lowest precedence first)::

    expr     := or_expr ["if" or_expr "else" expr]
    or_expr  := and_expr ("or" and_expr)*
    and_expr := not_expr ("and" not_expr)*
    not_expr := "not" not_expr | compare
    compare  := sum [("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in") sum]
    sum      := unary (("+" | "-") unary)*
    unary    := "-" unary | postfix
    postfix  := atom ("[" expr "]")*
    atom     := NUMBER | STRING | "true" | "false" | NAME ["." NAME] | NAME "(" args ")"
              | "(" expr ")" | "[" [expr ("," expr)*] "]"

Missing answers evaluate to :data:`UNKNOWN` and propagate with Kleene's three-valued
logic: ``unknown or true`` is true, ``unknown and false`` is false, a comparison with an
unknown side is unknown. A gate whose inputs are missing is therefore *unknown*, never
silently passed.

Numbers are what they look like. A NUMBER is ASCII digits (``[0-9]+`` with an optional
``.[0-9]+``). Python would also read other scripts' digits, so that ``1৪`` (a Bengali four,
which looks like an 8) would be a number other than the one a reviewer sees: those, letters
outside ASCII in names and white space outside ASCII are refused, naming the character and
its place. A literal must be a finite float (no inf, and no number so small it reads as 0),
and arithmetic on literals alone must stay finite: both are refused when the pack loads.
Arithmetic whose result leaves the finite numbers at run time (an answer near the largest
float) is :data:`UNKNOWN`, because a nan compares false with everything and an inf passes
every bound: either would let a rule never fire.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final


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

# ---------------------------------------------------------------------------------------
# Types


@dataclass(frozen=True)
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


# ---------------------------------------------------------------------------------------
# Syntax tree


@dataclass(frozen=True)
class Node:
    pos: int


@dataclass(frozen=True)
class Literal(Node):
    value: bool | int | float | str


@dataclass(frozen=True)
class Name(Node):
    name: str


@dataclass(frozen=True)
class ListLit(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Unary(Node):
    op: str  # "-" | "not"
    operand: Node


@dataclass(frozen=True)
class Binary(Node):
    op: str  # "+" | "-"
    left: Node
    right: Node


@dataclass(frozen=True)
class Compare(Node):
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class BoolOp(Node):
    op: str  # "and" | "or"
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Cond(Node):
    test: Node
    body: Node
    orelse: Node


@dataclass(frozen=True)
class Call(Node):
    func: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Index(Node):
    target: Node
    key: Node


# ---------------------------------------------------------------------------------------
# Tokens and parser

# ASCII only outside text literals: without re.ASCII, \s would take a no-break space and
# [0-9] is spelt out because \d takes every script's digits, which int() and float() read.
_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>[0-9]+(?:\.[0-9]+)?)
  | (?P<string>'[^'\\\n]*'|"[^"\\\n]*")
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>==|!=|<=|>=|<|>|\+|-|\(|\)|\[|\]|,|\.)
    """,
    re.VERBOSE | re.ASCII,
)
_KEYWORDS = frozenset({"and", "or", "not", "in", "if", "else", "true", "false"})
_COMPARE_OPS = frozenset({"==", "!=", "<", "<=", ">", ">=", "in", "not in"})
MAX_LENGTH: Final = 2000
MAX_DEPTH: Final = 60


@dataclass(frozen=True)
class _Tok:
    kind: str  # number | string | name | kw | op | end
    text: str
    pos: int


def _unexpected(char: str) -> str:
    """Name a character the language does not take, and say what it takes instead."""
    import unicodedata  # only on this error path: it stays out of start-up

    name = unicodedata.name(char, "")
    message = f"unexpected character {char!r} (U+{ord(char):04X}{' ' + name if name else ''})"
    if char.isdigit() or char.isnumeric():
        return f"{message}: numbers are written with the digits 0-9 only"
    if char.isalnum() or char == "_" or unicodedata.category(char).startswith("M"):
        return f"{message}: names use only the letters A-Z and a-z, the digits 0-9 and '_'"
    if char.isspace() or unicodedata.category(char) == "Cf":
        return f"{message}: use plain spaces between words"
    return message


def _tokenize(source: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    pos = 0
    while pos < len(source):
        m = _TOKEN.match(source, pos)
        if m is None:
            raise ExprError(_unexpected(source[pos]), pos)
        kind = m.lastgroup or ""
        text = m.group()
        if kind == "name" and text in _KEYWORDS:
            kind = "kw"
        if kind != "space":
            tokens.append(_Tok(kind, text, pos))
        pos = m.end()
    tokens.append(_Tok("end", "", len(source)))
    return tokens


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = _tokenize(source)
        self.i = 0
        self.depth = 0

    def peek(self, offset: int = 0) -> _Tok:
        return self.tokens[min(self.i + offset, len(self.tokens) - 1)]

    def take(self) -> _Tok:
        tok = self.tokens[self.i]
        self.i = min(self.i + 1, len(self.tokens) - 1)
        return tok

    def at(self, text: str) -> bool:
        tok = self.peek()
        return tok.kind in ("op", "kw") and tok.text == text

    def expect(self, text: str) -> _Tok:
        tok = self.peek()
        if not self.at(text):
            found = tok.text or "the end"
            raise ExprError(f"expected {text!r} but found {found!r}", tok.pos)
        return self.take()

    def parse(self) -> Node:
        node = self.expr()
        tok = self.peek()
        if tok.kind != "end":
            raise ExprError(f"unexpected {tok.text!r}", tok.pos)
        return node

    def expr(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError("expression nests too deeply", self.peek().pos)
        try:
            node = self.or_expr()
            if self.at("if"):
                pos = self.take().pos
                test = self.or_expr()
                self.expect("else")
                orelse = self.expr()
                node = Cond(pos, test, node, orelse)
            return node
        finally:
            self.depth -= 1

    def or_expr(self) -> Node:
        first = self.and_expr()
        operands = [first]
        while self.at("or"):
            self.take()
            operands.append(self.and_expr())
        return first if len(operands) == 1 else BoolOp(first.pos, "or", tuple(operands))

    def and_expr(self) -> Node:
        first = self.not_expr()
        operands = [first]
        while self.at("and"):
            self.take()
            operands.append(self.not_expr())
        return first if len(operands) == 1 else BoolOp(first.pos, "and", tuple(operands))

    def not_expr(self) -> Node:
        if self.at("not"):
            pos = self.take().pos
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise ExprError("expression nests too deeply", pos)
            try:
                return Unary(pos, "not", self.not_expr())
            finally:
                self.depth -= 1
        return self.compare()

    def compare(self) -> Node:
        left = self.sum()
        tok = self.peek()
        op: str | None = None
        if tok.kind in ("op", "kw") and tok.text in _COMPARE_OPS:
            op = tok.text
            self.take()
        elif self.at("not") and self.peek(1).text == "in":
            op = "not in"
            self.take()
            self.take()
        if op is None:
            return left
        right = self.sum()
        nxt = self.peek()
        if nxt.kind in ("op", "kw") and nxt.text in _COMPARE_OPS:
            raise ExprError("chained comparisons are not allowed; use 'and'", nxt.pos)
        return Compare(tok.pos, op, left, right)

    def sum(self) -> Node:
        node = self.unary()
        terms = 1
        while self.at("+") or self.at("-"):
            tok = self.take()
            terms += 1
            if terms > MAX_DEPTH:  # each term nests one level deeper
                raise ExprError(f"more than {MAX_DEPTH} terms in one sum", tok.pos)
            node = Binary(tok.pos, tok.text, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.at("-"):
            pos = self.take().pos
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise ExprError("expression nests too deeply", pos)
            try:
                return Unary(pos, "-", self.unary())
            finally:
                self.depth -= 1
        return self.postfix()

    def postfix(self) -> Node:
        node = self.atom()
        while self.at("["):
            pos = self.take().pos
            key = self.expr()
            self.expect("]")
            node = Index(pos, node, key)
        return node

    def atom(self) -> Node:
        tok = self.take()
        if tok.kind == "number":
            value: int | float = float(tok.text) if "." in tok.text else int(tok.text)
            _check_number(value, tok.pos)
            if value == 0 and tok.text.strip("0."):
                raise ExprError("number too small: it would read as 0", tok.pos)
            after = self.peek()
            glued = after.kind in ("name", "kw", "number") or after.text == "."
            if glued and after.pos == tok.pos + len(tok.text):
                raise ExprError(
                    f"unexpected {after.text!r} right after the number {tok.text}: numbers "
                    "are written with the digits 0-9 and at most one '.', with no exponent",
                    after.pos,
                )
            return Literal(tok.pos, value)
        if tok.kind == "string":
            return Literal(tok.pos, tok.text[1:-1])
        if tok.kind == "kw" and tok.text in ("true", "false"):
            return Literal(tok.pos, tok.text == "true")
        if tok.kind == "name":
            if self.at("("):
                self.take()
                args: list[Node] = []
                if not self.at(")"):
                    args.append(self.expr())
                    while self.at(","):
                        self.take()
                        args.append(self.expr())
                self.expect(")")
                return Call(tok.pos, tok.text, tuple(args))
            name = tok.text
            if self.at("."):
                self.take()
                attr = self.take()
                if attr.kind != "name":
                    raise ExprError("expected a name after '.'", attr.pos)
                name = f"{name}.{attr.text}"
            return Name(tok.pos, name)
        if tok.kind == "op" and tok.text == "(":
            node = self.expr()
            self.expect(")")
            return node
        if tok.kind == "op" and tok.text == "[":
            items: list[Node] = []
            if not self.at("]"):
                items.append(self.expr())
                while self.at(","):
                    self.take()
                    items.append(self.expr())
            self.expect("]")
            return ListLit(tok.pos, tuple(items))
        found = tok.text or "the end"
        raise ExprError(f"unexpected {found!r}", tok.pos)


_LARGEST: Final = "1.8e308"


def _check_number(value: object, pos: int) -> None:
    """A number literal must be a finite float.

    An int is held exactly, but it meets floats in comparisons and sums, so it must fit
    in one too.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return
    try:
        number = float(value)
    except OverflowError:
        raise ExprError(f"number too large (the largest is about {_LARGEST})", pos) from None
    if number != number:
        raise ExprError("not a number (nan)", pos)
    if number in (math.inf, -math.inf):
        raise ExprError(f"number too large (the largest is about {_LARGEST})", pos)


def parse(source: str) -> Node:
    """Parse an expression; raise :class:`ExprError` with the position on bad syntax."""
    if len(source) > MAX_LENGTH:
        raise ExprError(f"expression is longer than {MAX_LENGTH} characters")
    if not source.strip():
        raise ExprError("expression is empty")
    return _Parser(source).parse()


# ---------------------------------------------------------------------------------------
# Functions


@dataclass(frozen=True)
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

# ---------------------------------------------------------------------------------------
# Type checking


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


# ---------------------------------------------------------------------------------------
# Evaluation


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
        inner = to_function(node.operand)
        if node.op == "not":
            return lambda ctx: UNKNOWN if (v := inner(ctx)) is UNKNOWN else (not v)
        return lambda ctx: UNKNOWN if (v := inner(ctx)) is UNKNOWN else -v  # type: ignore[operator]
    if isinstance(node, Compare) and isinstance(node.right, Literal):
        return _compare_to_literal(node)
    if isinstance(node, Binary):
        return _arithmetic(node)
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
    return any(_can_fail(child) for child in _children(node))


def _children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary | Compare):
        return (node.left, node.right)
    if isinstance(node, BoolOp):
        return node.operands
    if isinstance(node, ListLit):
        return node.items
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Cond):
        return (node.test, node.body, node.orelse)
    if isinstance(node, Index):
        return (node.target, node.key)
    return ()


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

    def call_fn(ctx: Context) -> Value:
        values = [a(ctx) for a in args]
        if any(v is UNKNOWN for v in values):
            return UNKNOWN
        return func(*values)

    return call_fn


def evaluate(node: Node, ctx: Context) -> Value:
    """Evaluate a type-checked expression; missing inputs give :data:`UNKNOWN`."""
    return to_function(node)(ctx)


def truth(value: Value) -> bool | None:
    """Map an evaluated condition to True, False or None (unknown)."""
    if value is UNKNOWN:
        return None
    return bool(value)


# ---------------------------------------------------------------------------------------
# Introspection: names, source text, explanations


def names(node: Node) -> set[str]:
    """Every name the expression reads (``answered(x)`` reads ``x``)."""
    values, answered = read_names(node)
    return values | answered


def read_names(node: Node) -> tuple[set[str], set[str]]:
    """(names whose value the expression reads, names it only asks ``answered(x)`` of).

    ``answered(x)`` depends on whether ``x`` was given and applies, not on its value.
    """
    found: set[str] = set()
    answered: set[str] = set()

    def visit(n: Node) -> None:
        if isinstance(n, Name):
            found.add(n.name)
        elif isinstance(n, Call) and n.func == "answered":
            answered.update(a.name for a in n.args if isinstance(a, Name))
        elif isinstance(n, ListLit):
            for i in n.items:
                visit(i)
        elif isinstance(n, Unary):
            visit(n.operand)
        elif isinstance(n, Binary | Compare):
            visit(n.left)
            visit(n.right)
        elif isinstance(n, BoolOp):
            for o in n.operands:
                visit(o)
        elif isinstance(n, Cond):
            visit(n.test)
            visit(n.body)
            visit(n.orelse)
        elif isinstance(n, Call):
            for a in n.args:
                visit(a)
        elif isinstance(n, Index):
            visit(n.target)
            visit(n.key)

    visit(node)
    return found, answered - found


def format_value(value: Value) -> str:
    """Show a value the way a clinician reads it."""
    if value is UNKNOWN:
        return "not answered"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple):
        return ", ".join(format_value(v) for v in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {format_value(v)}" for k, v in value.items())
    return str(value)


_PRECEDENCE = {"cond": 0, "or": 1, "and": 2, "not": 3, "compare": 4, "sum": 5, "neg": 6}
_ATOM = len(_PRECEDENCE)  # above every operator


def _precedence(node: Node) -> int:
    if isinstance(node, Cond):
        return _PRECEDENCE["cond"]
    if isinstance(node, BoolOp):
        return _PRECEDENCE[node.op]
    if isinstance(node, Unary):
        return _PRECEDENCE["not" if node.op == "not" else "neg"]
    if isinstance(node, Compare):
        return _PRECEDENCE["compare"]
    if isinstance(node, Binary):
        return _PRECEDENCE["sum"]
    return _ATOM


def _literal_text(value: bool | int | float | str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{value}'" if "'" not in value else f'"{value}"'
    if isinstance(value, float):
        text = repr(value)
        if "e" in text or "E" in text:  # the language has no exponent form: every digit
            import decimal  # only for such a float, when it is shown

            text = format(decimal.Decimal(text), "f")
            text = text if "." in text else text + ".0"
        return text
    return str(value)


def unparse(node: Node) -> str:
    """The expression as source text that parses back to the same meaning."""

    def wrap(child: Node, least: int) -> str:
        text = unparse(child)
        return f"({text})" if _precedence(child) < least else text

    if isinstance(node, Literal):
        return _literal_text(node.value)
    if isinstance(node, Name):
        return node.name
    if isinstance(node, ListLit):
        return "[" + ", ".join(unparse(i) for i in node.items) + "]"
    own = _precedence(node)
    if isinstance(node, Unary):
        inner = wrap(node.operand, own)
        return f"not {inner}" if node.op == "not" else f"-{inner}"
    if isinstance(node, Compare):
        # Comparisons do not chain: a comparison on either side needs parentheses.
        return f"{wrap(node.left, own + 1)} {node.op} {wrap(node.right, own + 1)}"
    if isinstance(node, Binary):
        # Left-associative: a sum on the right keeps its parentheses.
        return f"{wrap(node.left, own)} {node.op} {wrap(node.right, own + 1)}"
    if isinstance(node, BoolOp):
        return f" {node.op} ".join(wrap(o, own + 1) for o in node.operands)
    if isinstance(node, Cond):
        return (
            f"{wrap(node.body, own + 1)} if {wrap(node.test, own + 1)} else "
            f"{wrap(node.orelse, own)}"
        )
    if isinstance(node, Call):
        return f"{node.func}(" + ", ".join(unparse(a) for a in node.args) + ")"
    if isinstance(node, Index):
        return f"{wrap(node.target, _ATOM)}[{unparse(node.key)}]"
    return "?"  # pragma: no cover


@dataclass(frozen=True)
class Finding:
    """One comparison or yes/no fact of an expression with its actual values."""

    text: str
    value: bool | None


@dataclass(frozen=True)
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


@dataclass(frozen=True, eq=False)
class Compiled:
    """An expression parsed and type-checked at load time."""

    source: str
    node: Node
    type: Type
    reads: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def compile(cls, source: str, env: Mapping[str, Type], want: str | None = None) -> Compiled:
        node = parse(source)
        typ = typecheck(node, env)
        if want is not None and not (typ.kind == want or (want == "number" and typ.numeric)):
            raise ExprError(f"must give a {want} value, but gives {typ}")
        return cls(source, node, typ, frozenset(names(node)))

    def __getstate__(self) -> dict[str, Any]:
        # The closures are rebuilt on first use after unpickling (see packcache).
        return {k: v for k, v in self.__dict__.items() if k not in ("function", "_probes")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    @functools.cached_property
    def function(self) -> Fn:
        return to_function(self.node)

    @functools.cached_property
    def _probes(self) -> tuple[_Probe, ...]:
        return _probes(self.node)

    def evaluate(self, ctx: Context) -> Value:
        return self.function(ctx)

    def explain(self, ctx: Context) -> list[Finding]:
        return _explain(self._probes, ctx)
