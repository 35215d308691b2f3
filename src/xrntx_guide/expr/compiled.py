"""An expression as the pack keeps it: parsed, type-checked, its function built on first use."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from ..records import field, record
from .evaluate import Context, Fn, to_function
from .explanation import Finding, _explain, _Probe
from .explanation import _probes as probes_of
from .syntax import Node, parse, read_names
from .values import ExprError, Type, Value


@record(frozen=True, eq=False)
class Compiled:
    """An expression parsed and type-checked at load time."""

    source: str
    node: Node
    type: Type
    reads: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def compile(cls, source: str, env: Mapping[str, Type], want: str | None = None) -> Compiled:
        node = parse(source)
        from .checking import typecheck  # seam: the type checker, on a cached pack

        typ = typecheck(node, env)
        if want is not None and not (typ.kind == want or (want == "number" and typ.numeric)):
            raise ExprError(f"must give a {want} value, but gives {typ}")
        values, answered = read_names(node)
        made = cls(source, node, typ, frozenset(values | answered))
        made.__dict__["read_split"] = (frozenset(values), frozenset(answered))
        return made

    @functools.cached_property
    def read_split(self) -> tuple[frozenset[str], frozenset[str]]:
        """(names whose value it reads, names it only asks ``answered(x)`` of): the
        pack's checks read it; found once, when the expression is compiled."""
        values, answered = read_names(self.node)
        return frozenset(values), frozenset(answered)

    def __getstate__(self) -> dict[str, Any]:
        # The closures are rebuilt on first use after unpickling (see packcache); what
        # the checks read is found again if they ever run on a cached pack.
        dropped = ("function", "_probes", "read_split")
        return {k: v for k, v in self.__dict__.items() if k not in dropped}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    @functools.cached_property
    def function(self) -> Fn:
        return to_function(self.node)

    @functools.cached_property
    def _probes(self) -> tuple[_Probe, ...]:
        return probes_of(self.node)

    def evaluate(self, ctx: Context) -> Value:
        return self.function(ctx)

    def explain(self, ctx: Context) -> list[Finding]:
        return _explain(self._probes, ctx)
