"""Whole-pack checks that need every file at once.

The loader has already checked each file's shape, the source keys, the names and types in
every expression. These checks look at the order of the walk: a gate must be decidable when
the walk reaches it, a condition may only read what was asked before it, and no gate that
can block the injection may sit after it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .loader import PLACEHOLDER

if TYPE_CHECKING:
    from .loader import CQuestion, Guide


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
        for m in PLACEHOLDER.finditer(step.step.instructions):
            name = m.group(1)
            for key in sorted(inputs(frozenset({name}))):
                if where_asked[key][0] > step.index:
                    problems.append(
                        f"{step_file(step.id)}: step {step.id!r}: instructions show {{{name}}}, "
                        "which needs "
                        f"{key!r}, asked only in a later step"
                    )

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
