"""The syntax of the condition language: tokens, the parser, the tree, and its source text."""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Final

from ..records import record
from .values import ExprError


@record(frozen=True)
class Node:
    pos: int


@record(frozen=True)
class Literal(Node):
    value: bool | int | float | str


@record(frozen=True)
class Name(Node):
    name: str


@record(frozen=True)
class ListLit(Node):
    items: tuple[Node, ...]


@record(frozen=True)
class Unary(Node):
    op: str  # "-" | "not"
    operand: Node


@record(frozen=True)
class Binary(Node):
    op: str  # "+" | "-"
    left: Node
    right: Node


@record(frozen=True)
class Compare(Node):
    op: str
    left: Node
    right: Node


@record(frozen=True)
class BoolOp(Node):
    op: str  # "and" | "or"
    operands: tuple[Node, ...]


@record(frozen=True)
class Cond(Node):
    test: Node
    body: Node
    orelse: Node


@record(frozen=True)
class Call(Node):
    func: str
    args: tuple[Node, ...]


@record(frozen=True)
class Index(Node):
    target: Node
    key: Node


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


class _Tok:
    """One token: a plain class, as the parser makes one for every word of every
    expression of a pack (a record's generic constructor costs twice as much)."""

    __slots__ = ("kind", "pos", "text")

    def __init__(self, kind: str, text: str, pos: int) -> None:
        self.kind = kind  # number | string | name | kw | op | end
        self.text = text
        self.pos = pos


def _unexpected(char: str) -> str:
    """Name a character the language does not take, and say what it takes instead."""
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
    # One scan of the text; a match that does not start where the last one ended means
    # a character no token takes, there.
    for m in _TOKEN.finditer(source):
        if m.start() != pos:
            break
        kind = m.lastgroup or ""
        if kind != "space":
            text = m.group()
            if kind == "name" and text in _KEYWORDS:
                kind = "kw"
            tokens.append(_Tok(kind, text, pos))
        pos = m.end()
    if pos < len(source):
        raise ExprError(_unexpected(source[pos]), pos)
    tokens.append(_Tok("end", "", len(source)))
    return tokens


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = _tokenize(source)
        self.last = len(self.tokens) - 1
        self.i = 0
        self.depth = 0

    def peek(self, offset: int = 0) -> _Tok:
        return self.tokens[min(self.i + offset, self.last)]

    def take(self) -> _Tok:
        tok = self.tokens[self.i]
        if self.i < self.last:
            self.i += 1
        return tok

    def at(self, text: str) -> bool:
        # The parser asks this about forty times an expression: the token in hand is
        # read directly (``take`` never moves past the end token, so ``i`` is in range).
        tok = self.tokens[self.i]
        return tok.text == text and (tok.kind == "op" or tok.kind == "kw")

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


def children(node: Node) -> tuple[Node, ...]:
    """The expressions directly inside an expression."""
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
            import decimal  # seam: decimal (3 ms), only for such a float, when shown

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
