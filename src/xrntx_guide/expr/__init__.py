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

from typing import TYPE_CHECKING, Any

from .compiled import Compiled
from .evaluate import Context, Fn, MapContext, evaluate, to_function
from .explanation import Finding, explain
from .syntax import (
    MAX_DEPTH,
    MAX_LENGTH,
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
    names,
    parse,
    read_names,
    unparse,
)
from .values import (
    BOOL,
    DATE,
    INT,
    NUMBER,
    STRING,
    UNKNOWN,
    ExprError,
    Scalar,
    Type,
    Value,
    format_value,
    truth,
)

if TYPE_CHECKING:
    from .checking import FUNCTIONS, typecheck


def __getattr__(name: str) -> Any:
    """The type checker is imported on first use (PEP 562): it is the compiler's, and
    ``check`` on a cached pack needs none of it. (No importlib: nothing in the condition
    language looks a name up by a computed string.)"""
    if name == "FUNCTIONS":
        from .checking import FUNCTIONS  # seam: the type checker, on a cached pack

        return FUNCTIONS
    if name == "typecheck":
        from .checking import typecheck  # seam: the type checker, on a cached pack

        return typecheck
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BOOL",
    "DATE",
    "FUNCTIONS",
    "INT",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "NUMBER",
    "STRING",
    "UNKNOWN",
    "Binary",
    "BoolOp",
    "Call",
    "Compare",
    "Compiled",
    "Cond",
    "Context",
    "ExprError",
    "Finding",
    "Fn",
    "Index",
    "ListLit",
    "Literal",
    "MapContext",
    "Name",
    "Node",
    "Scalar",
    "Type",
    "Unary",
    "Value",
    "children",
    "evaluate",
    "explain",
    "format_value",
    "names",
    "parse",
    "read_names",
    "to_function",
    "truth",
    "typecheck",
    "unparse",
]
