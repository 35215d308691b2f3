"""Whole-pack checks that need every file at once.

The loader has already checked each file's shape, the source keys, the names and types in
every expression. These checks look at the order of the walk: a gate must be decidable when
the walk reaches it, a condition may only read what was asked before it, and no gate that
can block the injection may sit after it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .expr import read_names
from .loader import PLACEHOLDER

if TYPE_CHECKING:
    from .expr import Compiled
    from .loader import CQuestion, Guide

Node = tuple[str, str]
"""("value", name), ("shown", question key) or ("step", step id)."""


def _asked_at(guide: Guide) -> dict[str, tuple[int, int]]:
    """Where each question is asked: (step index, question index)."""
    return {
        cq.key: (step.index, qi) for step in guide.steps for qi, cq in enumerate(step.questions)
    }


def _has_fallback(cq: CQuestion) -> bool:
    return cq.default is not None or cq.computed is not None or cq.q.optional


def check_guide(guide: Guide) -> list[str]:
    """Return every ordering problem of the pack, each naming the file and the place."""
    problems: list[str] = []
    where_asked = _asked_at(guide)

    def step_file(step_id: str) -> object:
        return guide.file_of("step", step_id)

    def inputs(reads: frozenset[str]) -> set[str]:
        keys: set[str] = set()
        for name in reads:
            keys |= {k for k in guide.answer_inputs(name) if k in guide.questions}
        return keys

    for step in guide.steps:
        if step.when is not None:
            for key in sorted(inputs(step.when.reads)):
                if where_asked[key][0] >= step.index:
                    problems.append(
                        f"{step_file(step.id)}: step {step.id!r}: when reads {key!r}, "
                        "which is asked at or after this step"
                    )
        for qi, cq in enumerate(step.questions):
            checked = (
                ("when", cq.when),
                ("min", cq.min),
                ("max", cq.max),
                ("default", cq.default),
                ("suggest", cq.suggest),
            )
            for label, comp in checked:
                if comp is None:
                    continue
                for key in sorted(inputs(comp.reads)):
                    if where_asked[key] >= (step.index, qi):
                        problems.append(
                            f"{step_file(step.id)}: step {step.id!r} question {cq.key!r}: "
                            f"{label} reads {key!r}, which is not asked before it"
                        )
        for ni, (note_when, _) in enumerate(step.notes):
            for key in sorted(inputs(note_when.reads)):
                if where_asked[key][0] > step.index:
                    problems.append(
                        f"{step_file(step.id)}: step {step.id!r}: note[{ni}] when reads "
                        f"{key!r}, asked only in a later step"
                    )
        texts = [step.step.instructions, *(text for _, text in step.notes)]
        for m in (m for text in texts for m in PLACEHOLDER.finditer(text)):
            name = m.group(1)
            for key in sorted(inputs(frozenset({name}))):
                if where_asked[key][0] > step.index:
                    problems.append(
                        f"{step_file(step.id)}: step {step.id!r}: instructions show {{{name}}}, "
                        "which needs "
                        f"{key!r}, asked only in a later step"
                    )

    problems.extend(_circles(guide))

    clear_steps = [s.index for s in guide.steps if s.step.requires_clear]
    if not clear_steps:
        problems.append(
            f"{guide.root}: no step has requires_clear = true (the injection step should)"
        )
    last_clear = max(clear_steps, default=len(guide.steps))
    for gate in guide.gates:
        before = guide.step(gate.gate.before).index
        for key in sorted(gate.inputs):
            asked = guide.questions.get(key)
            if asked is None or _has_fallback(asked):
                continue
            if where_asked[key][0] >= before:
                problems.append(
                    f"{guide.file_of('gate', gate.id)}: gate {gate.id!r}: reads {key!r}, which is "
                    "asked only at or after "
                    f"step {gate.gate.before!r} that the gate guards"
                )
        if gate.severity in ("contraindication", "stop") and before > last_clear:
            problems.append(
                f"{guide.file_of('gate', gate.id)}: gate {gate.id!r} ({gate.severity}) guards step "
                f"{gate.gate.before!r}, after the last requires_clear step: it could not "
                "stop the injection"
            )
    return problems


def _circles(guide: Guide) -> list[str]:
    """Definitions that go round in a circle: a computed or default value, a condition or
    a derived value that, through others, needs itself.

    The engine survives a circle (what comes back round is unknown), but its result then
    depends on which part was asked for first, so a pack with one is refused. A value
    depends on whether its question applies; ``answered(x)`` depends only on that.
    """
    edges: dict[Node, list[tuple[Node, str]]] = {}

    def reads(source: Node, comp: Compiled | None, what: str) -> None:
        if comp is None:
            return
        values, answered = read_names(comp.node)
        for name in sorted(values):
            if name in guide.questions or name in guide.derived:
                edges.setdefault(source, []).append((("value", name), f"{what} reads {name}"))
        for name in sorted(answered):
            if name in guide.questions:
                edges.setdefault(source, []).append(
                    (("shown", name), f"{what} asks answered({name})")
                )

    # The injection step (a pack without one is reported on its own).
    limit = max((s.index for s in guide.steps if s.step.requires_clear), default=None)
    for step in guide.steps:
        reads(("step", step.id), step.when, "when")
        if step.index == limit:  # shown only once its gates are clear
            for gate in guide.guarding[step.index]:
                reads(("step", step.id), gate.applies, f"gate {gate.id}")
                for rule in gate.rules:
                    reads(("step", step.id), rule.fails, f"gate {gate.id}")
        for cq in step.questions:
            edges.setdefault(("value", cq.key), []).append(
                (("shown", cq.key), "applies only if its question does")
            )
            edges.setdefault(("shown", cq.key), []).append(
                (("step", step.id), f"is asked in step {step.id}")
            )
            reads(("shown", cq.key), cq.when, "when")
            reads(("value", cq.key), cq.computed, "computed")
            reads(("value", cq.key), cq.default, "default")
    for d in guide.derived.values():
        reads(("value", d.name), d.expr, "expr")

    # Depth-first, without recursion (a pack may chain many definitions): ``trail`` holds
    # the edge taken out of each node on the stack but the last.
    problems: list[str] = []
    seen: set[frozenset[Node]] = set()
    state: dict[Node, int] = {}  # 1: on the stack, 2: done
    for root in list(edges):
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(edges.get(root, [])))]
        trail: list[tuple[Node, str]] = []
        while stack:
            node, out = stack[-1]
            edge = next(out, None)
            if edge is None:
                state[node] = 2
                stack.pop()
                if trail:
                    trail.pop()
                continue
            nxt, why = edge
            if state.get(nxt) == 1:
                start = next(i for i, (n, _) in enumerate(stack) if n == nxt)
                circle = [*trail[start:], (node, why)]
                key = frozenset(n for n, _ in circle)
                if key not in seen:
                    seen.add(key)
                    problems.append(_circle_message(guide, circle))
            elif nxt not in state:
                state[nxt] = 1
                trail.append((node, why))
                stack.append((nxt, iter(edges.get(nxt, []))))
    return problems


def _circle_message(guide: Guide, circle: list[tuple[Node, str]]) -> str:
    def label(node: Node) -> str:
        kind, name = node
        if kind == "value":
            return name
        if kind == "shown":
            return f"whether {name} applies"
        return f"step {name!r}"

    kind, name = circle[0][0]
    if kind == "step":
        where = guide.file_of("step", name)
    elif name in guide.derived:
        where = guide.file_of("derived", name)
    else:
        where = guide.file_of("step", guide.questions[name].step_id)
    chain = " -> ".join(f"{label(n)} ({why})" for n, why in circle)
    return f"{where}: definitions go round in a circle: {chain} -> {label(circle[0][0])}"
