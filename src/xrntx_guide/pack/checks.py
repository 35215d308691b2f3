"""Whole-pack checks that need every file at once.

The loader has already checked each file's shape, the source keys, the names and types in
every expression. These checks look at the order of the walk and at the pack as a whole;
each is a function of its own, named for what it guarantees:

- :func:`asked_in_order`: a condition reads only what was asked before it, and a gate is
  decidable when the walk reaches it;
- :func:`no_circles`: no definition needs itself;
- :func:`readiness_is_guarded`: no step after the injection can be reached without passing
  the readiness gates;
- :func:`evaluation_fits`: a chain of definitions is never too deep to evaluate;
- :func:`the_record_can_bind`: the pack names what the patient's record is read by (the
  dose's answer, the repeat visit and the last injection's date), its results of the day
  count only for their day, and the visit's date is never after today.

:func:`pack_warnings` finds what is allowed but worth a look: a source nothing cites,
facts marked verify, a step or question no answers can reach (:mod:`xrntx_guide.reach`).

Every check is linear in the size of the pack (or in the size of what it reports).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, NamedTuple

from .. import expr
from . import keys
from .model import PLACEHOLDER
from .reach import unreachable
from .read import Issue, KeyPath
from .severity import BLOCKING

if TYPE_CHECKING:
    from pathlib import Path

    from ..expr import Compiled, Node
    from .guide import CQuestion, Guide

GraphNode = tuple[str, str]
"""("value", name), ("shown", question key), ("checked", question key) or ("step", id)."""

MAX_EVALUATION_DEPTH = 750
"""How deep evaluating one value may go (see :func:`evaluation_fits` and docs/pack-format.md)."""


def check_guide(guide: Guide, *, complete: bool = True) -> list[Issue]:
    """Every problem of the pack as a whole; an empty list when it may be used.

    ``complete`` False: the guide holds only what compiled of a pack with problems. The
    checks that only look at what is there still run (so that their problems are found
    in the same run); the ones that need every step and gate wait."""
    issues = asked_in_order(guide)
    issues.extend(no_contraindication_is_offered(guide))

    issues.extend(names_the_program_reads(guide))
    if complete:
        issues.extend(readiness_is_guarded(guide))
        issues.extend(injection_recorded_after_the_gates(guide))
        issues.extend(the_record_can_bind(guide))
    graph = _graph(guide)
    # Where the whole graph goes round nowhere (every strongly connected component one
    # definition that does not read itself), no part of it can: the search for circles,
    # which names each one it finds (and so needs the why of each edge), runs only where
    # there may be one.
    circles = no_circles(guide) if _may_circle(graph) else []
    issues.extend(circles)
    if not circles:  # the depth of a circle is not defined; it is refused anyway
        issues.extend(evaluation_fits(guide, graph=graph))
    return issues


class _Graph(NamedTuple):
    """What the depth of evaluation is worked out on, each definition by its number
    (``nodes[i]`` is definition ``i``): its own cost, the definitions it reads, and its
    strongly connected component. Lists of numbers, not maps of names: a large pack has
    tens of thousands of definitions, and these are walked several times."""

    nodes: list[GraphNode]
    costs: list[int]
    reads: list[list[int]]
    component: list[int]


def _graph(guide: Guide) -> _Graph:
    """The definitions numbered in one pass over the pack, each with what it reads (the
    edges of :func:`_edges`, in the same order, without the why) and the evaluation depth
    it adds on its own: the engine's calls to reach it (:data:`_CALLS`), and two for each
    level its expressions nest (a call of a function and the list of its arguments are
    two calls)."""
    nodes: list[GraphNode] = []
    value: dict[str, int] = {}
    shown: dict[str, int] = {}
    checked: dict[str, int] = {}
    steps: dict[str, int] = {}
    questions, derived = guide.questions, guide.derived
    # Numbered in the order the costs were made: each step, each of its questions' value,
    # whether it applies and whether it is in its bounds; then the derived values (one
    # with the name of a question, in a pack with problems, is that question's value).
    for step in guide.steps:
        steps[step.id] = len(nodes)
        nodes.append(("step", step.id))
        for cq in step.questions:
            key = cq.key
            value[key] = len(nodes)
            shown[key] = len(nodes) + 1
            checked[key] = len(nodes) + 2
            nodes += (("value", key), ("shown", key), ("checked", key))
    for name in derived:
        if name not in value:
            value[name] = len(nodes)
            nodes.append(("value", name))
    costs = [0] * len(nodes)
    reads: list[list[int]] = [[] for _ in nodes]
    targets: dict[int, list[int]] = {}  # by id: an expression may be shared by many places
    heights: dict[int, int] = {}

    def read(source: int, comp: Compiled | None) -> None:
        if comp is None:
            return
        out = targets.get(id(comp))
        if out is None:
            values, answered = comp.read_split
            out = [value[n] for n in sorted(values) if n in questions or n in derived]
            for n in sorted(answered):
                if n in questions:
                    out += (shown[n], checked[n])
            targets[id(comp)] = out
        reads[source] += out

    def cost(n: int, calls: int, *comps: Compiled | None) -> None:
        height = 0
        for c in comps:
            if c is not None:
                h = heights.get(id(c))
                if h is None:
                    h = heights[id(c)] = _height(c.node)
                if h > height:
                    height = h
        if calls + 2 * height > costs[n]:
            costs[n] = calls + 2 * height

    # The injection step (a pack without one is reported on its own).
    limit = max((s.index for s in guide.steps if s.spec.requires_clear), default=None)
    for step in guide.steps:
        here = steps[step.id]
        comps = [step.when]
        read(here, step.when)
        if step.index == limit:  # shown only once its gates are clear
            for gate in guide.guarding[step.index]:
                read(here, gate.applies)
                comps.append(gate.applies)
                for rule in gate.rules:
                    read(here, rule.fails)
                    comps.append(rule.fails)
            cost(here, _CALLS["injection step"], *comps)
        else:
            cost(here, _CALLS["step"], step.when)
        for cq in step.questions:
            v, sh, ch = value[cq.key], shown[cq.key], checked[cq.key]
            reads[v] += (sh, ch)
            reads[sh].append(here)
            read(sh, cq.when)
            read(v, cq.computed)
            read(v, cq.default)
            read(ch, cq.min)
            read(ch, cq.max)
            cost(v, _CALLS["value"], cq.computed, cq.default)
            cost(sh, _CALLS["shown"], cq.when)
            cost(ch, _CALLS["checked"], cq.min, cq.max)
    for d in derived.values():
        n = value[d.name]
        read(n, d.expr)
        cost(n, _CALLS["value"], d.expr)
    return _Graph(nodes, costs, reads, _components(len(nodes), reads))


def _may_circle(graph: _Graph) -> bool:
    """Whether some definitions may go round in a circle: a component of more than one,
    or a definition that reads itself."""
    if len(set(graph.component)) < len(graph.component):
        return True
    return any(n in out for n, out in enumerate(graph.reads))


def names_the_program_reads(guide: Guide) -> list[Issue]:
    """A question or setting whose name the program reads (pack/keys.py) holds what the
    program reads there: a pack that gives ``cows_total`` as text, or the COWS threshold
    as a date, is refused here, at its place, rather than misread at a visit."""
    issues: list[Issue] = []
    kinds = dict(keys.QUESTION_KINDS)
    for key in guide.questions:
        if key.startswith(keys.COWS_ITEM_PREFIX) and key not in kinds:
            kinds[key] = ("int", "a COWS item score")
    for key, (kind, what) in kinds.items():
        typ = guide.types.get(key)
        if typ is None or typ.kind == kind:
            continue
        place = _at(guide, "question", key, "type") if key in guide.questions else None
        issues.append(
            Issue(
                *(place or _at(guide, "derived", key)),
                f"{key!r} is read by the program as {what}: it must be of type {kind}, "
                f"not {typ}; give it that type, or another name",
            )
        )
    results = sorted(keys.CHALLENGE_RESULTS)
    for key in (keys.CHALLENGE, keys.RECHALLENGE):
        cq = guide.questions.get(key)
        if cq is None:
            continue
        values = [c.value for c in cq.spec.choices or ()]
        if sorted(map(str, values)) != results:
            named = ", ".join(map(repr, keys.CHALLENGE_RESULTS))
            issues.append(
                Issue(
                    *_at(guide, "question", key, "choices"),
                    f"{key!r} is read by the program as {kinds[key][1]}, whose series it "
                    f"reads by the values {named}: its choices must be exactly these (not "
                    f"{', '.join(map(repr, values)) or 'none'}); word their labels as you "
                    "like, but keep the values",
                )
            )
    # In a pack without the challenge, a timed result with the challenge's values under
    # another name is a challenge the program would keep no series for (a positive that
    # binds only its own visit). Beside the challenge, one is another timed result (a
    # urine screen read after its minutes).
    for key, cq in guide.questions.items() if keys.CHALLENGE not in guide.questions else ():
        if key == keys.RECHALLENGE or cq.wait_minutes is None:
            continue
        if sorted(str(c.value) for c in cq.spec.choices or ()) == results:
            issues.append(
                Issue(
                    *_at(guide, "question", key),
                    f"{key!r} is a timed result with the naloxone challenge's values, and "
                    f"the pack has no {keys.CHALLENGE!r}: the program keeps a challenge's "
                    f"series (a positive binds the patient's other visits that day) only "
                    f"under the names {keys.CHALLENGE!r} and {keys.RECHALLENGE!r}; if it is "
                    "the challenge, name it so",
                )
            )
    if keys.RECHALLENGE in guide.questions and keys.CHALLENGE not in guide.questions:
        issues.append(
            Issue(
                *_at(guide, "question", keys.RECHALLENGE),
                f"{keys.RECHALLENGE!r} needs the challenge it repeats, {keys.CHALLENGE!r}: "
                "the program reads the two as one series; name the challenge so",
            )
        )
    for name, (allowed, what) in keys.SETTING_KINDS.items():
        typ = guide.types.get(f"settings.{name}")
        if typ is None or typ.kind in allowed:
            continue
        issues.append(
            Issue(
                *_at(guide, "setting", name, "value"),
                f"settings.{name} is read by the program as {what}: it must be of type "
                f"{' or '.join(allowed)}, not {typ}; give it such a value, or another name",
            )
        )
    return issues


def _asked_at(guide: Guide) -> dict[str, tuple[int, int]]:
    """Where each question is asked: (step index, question index)."""
    return {
        cq.key: (step.index, qi) for step in guide.steps for qi, cq in enumerate(step.questions)
    }


def _has_fallback(cq: CQuestion) -> bool:
    return (
        cq.default is not None or cq.computed is not None or cq.spec.optional or not cq.spec.asked
    )


def _at(guide: Guide, kind: str, name: str, *sub: str | int) -> tuple[Path, KeyPath]:
    file, path = guide.place(kind, name)
    return file, (*path, *sub)


def asked_in_order(guide: Guide) -> list[Issue]:
    """A condition, bound or default reads only questions asked before it; a gate reads
    only questions asked before the step it guards (or that have a fallback)."""
    issues: list[Issue] = []
    where_asked = _asked_at(guide)
    found: dict[int, list[str]] = {}  # by id: an expression may be shared by many places

    def inputs(reads: Iterable[str]) -> list[str]:
        keys: set[str] = set()
        for name in reads:
            keys |= {k for k in guide.answer_inputs(name) if k in guide.questions}
        return sorted(keys)

    def read_by(comp: Compiled) -> list[str]:
        keys = found.get(id(comp))
        if keys is None:
            keys = found[id(comp)] = inputs(comp.reads)
        return keys

    for step in guide.steps:
        if step.when is not None:
            for key in read_by(step.when):
                if where_asked[key][0] >= step.index:
                    issues.append(
                        Issue(
                            *_at(guide, "step", step.id, "when"),
                            f"step {step.id!r}: when reads {key!r}, which is asked at or after "
                            "this step: ask it earlier, or move the condition",
                        )
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
                for key in read_by(comp):
                    if where_asked[key] >= (step.index, qi):
                        issues.append(
                            Issue(
                                *_at(guide, "question", cq.key, label),
                                f"question {cq.key!r}: {label} reads {key!r}, which is not "
                                "asked before it: ask it earlier",
                            )
                        )
        for ni, (note_when, _) in enumerate(step.notes):
            for key in inputs(note_when.reads):
                if where_asked[key][0] > step.index:
                    issues.append(
                        Issue(
                            *_at(guide, "step", step.id, "note", ni, "when"),
                            f"step {step.id!r}: note[{ni}] when reads {key!r}, asked only in a "
                            "later step",
                        )
                    )
        texts = [step.spec.instructions, *(text for _, text in step.notes)]
        for m in (m for text in texts for m in PLACEHOLDER.finditer(text)):
            name = m.group(1)
            for key in inputs([name]):
                if where_asked[key][0] > step.index:
                    issues.append(
                        Issue(
                            *_at(guide, "step", step.id, "instructions"),
                            f"step {step.id!r}: instructions show {{{name}}}, which needs "
                            f"{key!r}, asked only in a later step",
                        )
                    )
    for gate in guide.gates:
        before = guide.step(gate.spec.before).index
        for key in sorted(gate.inputs):
            asked = guide.questions.get(key)
            if asked is None or _has_fallback(asked):
                continue
            if where_asked[key][0] >= before:
                issues.append(
                    Issue(
                        *_at(guide, "gate", gate.id, "before"),
                        f"gate {gate.id!r} reads {key!r}, which is asked only at or after "
                        f"step {gate.spec.before!r} that the gate guards: guard a later step, "
                        "or ask it earlier",
                    )
                )
    return issues


def injection_recorded_after_the_gates(guide: Guide) -> list[Issue]:
    """``[guide.report].injection_given`` is asked at or after the last step that requires
    every gate clear (the injection step: the one shown only once every gate of the pack
    is clear): an answer asked before it could say "given" for a patient a gate that
    guards a later step blocks, and date a next dose."""
    key = guide.meta.report.injection_given
    cq = guide.questions.get(key) if key is not None else None
    clear = [s.index for s in guide.steps if s.spec.requires_clear]
    if key is None or not clear:
        return []
    if cq is None or guide.step(cq.step_id).index < max(clear):
        where = "a derived value" if cq is None else f"asked at the step {cq.step_id!r}"
        return [
            Issue(
                guide.root,
                ("guide", "report", "injection_given"),
                f"guide.report.injection_given {key!r} is {where}, before the gates are "
                "clear: name the question asked at (or after) the injection step",
            )
        ]
    return []


def the_record_can_bind(guide: Guide) -> list[Issue]:
    """What the patient's record is read by, and the results of the injection's day, are
    never left to chance (reference 4.4, items 3, 10 and 11: every pack):

    - the answer that records the injection as given is named
      (``[guide.report] injection_given``): without it a dose given is never in the
      record, and the patient's next visit is judged as if there had been none;
    - a pack that names a repeat visit (``[guide.report.history] repeat_visit``) names
      the visit's answer too (``[guide.report] visit``), with that value among its
      choices, and carries the last injection's date from the visit's date (``carry``):
      otherwise an older date given for it would go unchecked against the record;
    - the results of the day the program knows by name (:data:`keys.POINT_IN_TIME`, the
      COWS items, the urine screens) are ``point_in_time``: they count only for their day;
    - the visit's date (``date_key``) has ``max = "today"``: the readiness checks describe
      the day of the injection, and a later date is a plan, never a visit.
    """
    issues: list[Issue] = []
    report = guide.meta.report
    history = report.history
    guide_at = _at(guide, "guide", "", "report")
    if report.injection_given is None:
        issues.append(
            Issue(
                *guide_at,
                "guide.report.injection_given is not named: name the yes/no question of the "
                "injection step that records the injection as given, or a dose given would "
                "never be in the patient's record",
            )
        )
    dose = guide.questions.get(report.injection_given) if report.injection_given else None
    unasked = _not_always_asked(dose) if dose is not None else None
    if dose is not None and unasked is not None:
        issues.append(
            Issue(
                *_at(guide, "question", dose.key, unasked),
                f"{dose.key!r} records the injection as given (guide.report.injection_given): "
                "it is asked whenever the injection step is shown, so it has no condition of "
                "its own, is not optional, and is neither computed nor defaulted; a dose "
                "given and never recorded would be judged as none at the patient's next visit",
            )
        )
    last = guide.questions.get(guide.last_injection_key or "")
    if last is not None:
        read = any(g.severity in BLOCKING and last.key in g.inputs for g in guide.gates)
        if _not_always_asked(last) is not None or not read:
            issues.append(
                Issue(
                    *_at(guide, "question", last.key),
                    f"{last.key!r} is the last injection's date the record fills in (carry): "
                    "a repeat visit always asks it (no condition of its own, not optional, "
                    "neither computed nor defaulted), and a gate that can block reads it; "
                    "otherwise an older or invented date would go unchecked against the record",
                )
            )
    if history.repeat_visit is not None:
        visit = guide.questions.get(report.visit) if report.visit is not None else None
        choices = [c.value for c in visit.spec.choices or ()] if visit is not None else []
        if visit is None or history.repeat_visit not in choices:
            issues.append(
                Issue(
                    *_at(guide, "guide", "", "report", "history", "repeat_visit"),
                    f"guide.report.history.repeat_visit {history.repeat_visit!r} is not a "
                    "choice of the visit's question (guide.report.visit): name the question "
                    "that says which visit this is, and give its repeat visit's value",
                )
            )
        if guide.last_injection_key is None:
            issues.append(
                Issue(
                    *_at(guide, "guide", "", "report", "history", "carry"),
                    "a repeat visit is named, but no answer is carried from the visit's date "
                    f'({guide.meta.date_key}): add carry = [{{ question = "<the last '
                    f'injection\'s date>", from_answer = "{guide.meta.date_key}" }}], or a '
                    "last injection date older than the record's would go unchecked",
                )
            )
    for key, cq in guide.questions.items():
        of_the_day = (
            key in keys.POINT_IN_TIME
            or key.startswith(keys.SCREEN_PREFIX)
            or (key.startswith(keys.COWS_ITEM_PREFIX) and cq.spec.type == "int")
        )
        if of_the_day and not cq.spec.point_in_time:
            issues.append(
                Issue(
                    *_at(guide, "question", key, "point_in_time"),
                    f"{key!r} is a result of the day of the injection: it must have "
                    "point_in_time = true, so that it counts only for the day it was taken",
                )
            )
    dated = guide.questions.get(guide.meta.date_key)
    if dated is not None and (dated.max is None or dated.max.source.strip() != "today"):
        issues.append(
            Issue(
                *_at(guide, "question", dated.key, "max"),
                f"{dated.key!r} is the visit's date (guide.date_key): it must have "
                'max = "today", since the readiness checks describe the day of the injection '
                "(a later date is a plan: the walk says the earliest date instead)",
            )
        )
    return issues


def _not_always_asked(cq: CQuestion) -> str | None:
    """What keeps ``cq`` from being asked whenever its step is shown (its key in the pack:
    ``when``, ``optional``, ``computed``, ``default``), or None."""
    if cq.when is not None:
        return "when"
    if cq.spec.optional:
        return "optional"
    if cq.computed is not None:
        return "computed"
    if cq.default is not None:
        return "default"
    return None


def no_contraindication_is_offered(guide: Guide) -> list[Issue]:
    """What a repeat visit takes from the record (``[guide.report.history]`` ``carry``,
    ``offer`` and ``after_end``) never decides a contraindication: a contraindication can
    change between visits (a new allergy), so every answer one reads, through derived
    values and computed questions, is asked at every visit. The one exception is the date
    of the last injection (the carry from the visit's own date): the record's fact."""
    issues: list[Issue] = []
    history = guide.meta.report.history
    taken = [("carry", i, c) for i, c in enumerate(history.carry)]
    taken += [("offer", i, o) for i, o in enumerate(history.offer)]
    taken += [("after_end", i, o) for i, o in enumerate(history.after_end)]
    reads = guide.contraindication_inputs_by_gate
    for where, i, taken_from in taken:
        if where == "carry" and taken_from.from_answer == guide.meta.date_key:
            continue
        deciding = sorted(g for g, keys in reads.items() if taken_from.question in keys)
        if deciding:
            issues.append(
                Issue(
                    *_at(guide, "guide", "", "report", "history", where, i),
                    f"{taken_from.question!r} decides the contraindication of gate "
                    f"{deciding[0]!r}: a contraindication can change between visits, so it "
                    f"is asked at every visit; take it out of {where}",
                )
            )
    return issues


def readiness_is_guarded(guide: Guide) -> list[Issue]:
    """No step after the injection can be reached without passing the readiness gates.

    The walk checks, before each step, every gate that guards it or an earlier step
    (``Guide.guarding``), and the last step that requires every gate clear is never shown
    while one blocks. So this holds when: such a step exists; no gate that can block
    (contraindication, stop) is checked only after it; and every step after it is guarded
    by every gate that guards it. The last is how ``guarding`` is built; it is checked
    here, on what the walk uses, so that a change there cannot break it unseen.
    """
    issues: list[Issue] = []
    clear = [s.index for s in guide.steps if s.spec.requires_clear]
    if not clear:
        return [
            Issue(
                guide.root,
                (),
                "no step has requires_clear = true: the injection step must have it, so that "
                "it is never shown while a gate blocks",
            )
        ]
    limit = max(clear)
    for gate in guide.gates:
        before = guide.step(gate.spec.before).index
        if gate.severity in BLOCKING and before > limit:
            issues.append(
                Issue(
                    *_at(guide, "gate", gate.id, "before"),
                    f"gate {gate.id!r} ({gate.severity}) guards step {gate.spec.before!r}, "
                    "after the last requires_clear step: it could not stop the injection; "
                    "guard the injection step or an earlier one",
                )
            )
    readiness = {id(g) for g in guide.guarding[limit]}
    for step in guide.steps[limit + 1 :]:
        if not readiness <= {id(g) for g in guide.guarding[step.index]}:
            issues.append(
                Issue(
                    *_at(guide, "step", step.id),
                    f"step {step.id!r} comes after the injection but is not guarded by every "
                    "readiness gate (a bug: please report it)",
                )
            )
    return issues


# ---------------------------------------------------------------------------------------
# The graph of definitions: what evaluating each part reads


Edge = tuple[GraphNode, str, str, bool]
"""(what is needed, why: the part that needs it, and how it reads it; whether it is only
through a bound)."""


def _why(edge: Edge) -> str:
    _, what, how, _ = edge
    return f"{what} {how}" if how else what


def _edges(guide: Guide) -> dict[GraphNode, list[Edge]]:
    """What each definition needs, with why. Edges through the min/max a given answer is
    checked against are marked: the engine guards those against coming back round itself,
    so they count for the depth of evaluation but make no circle."""
    edges: dict[GraphNode, list[Edge]] = {}
    questions, derived = guide.questions, guide.derived

    def reads(source: GraphNode, comp: Compiled | None, what: str, bound: bool = False) -> None:
        if comp is None:
            return
        values, answered = comp.read_split
        out = edges.setdefault(source, [])
        for name in sorted(values):
            if name in questions or name in derived:
                out.append((("value", name), what, f"reads {name}", bound))
        for name in sorted(answered):
            if name in questions:
                out.append((("shown", name), what, f"asks answered({name})", bound))
                out.append((("checked", name), what, f"asks answered({name})", True))

    # The injection step (a pack without one is reported on its own).
    limit = max((s.index for s in guide.steps if s.spec.requires_clear), default=None)
    for step in guide.steps:
        reads(("step", step.id), step.when, "when")
        if step.index == limit:  # shown only once its gates are clear
            for gate in guide.guarding[step.index]:
                reads(("step", step.id), gate.applies, f"gate {gate.id}")
                for rule in gate.rules:
                    reads(("step", step.id), rule.fails, f"gate {gate.id}")
        for cq in step.questions:
            value: GraphNode = ("value", cq.key)
            edges.setdefault(value, []).extend(
                [
                    (("shown", cq.key), "applies only if its question does", "", False),
                    (("checked", cq.key), "counts only within its bounds", "", True),
                ]
            )
            edges.setdefault(("shown", cq.key), []).append(
                (("step", step.id), "is asked in step", step.id, False)
            )
            reads(("shown", cq.key), cq.when, "when")
            reads(value, cq.computed, "computed")
            reads(value, cq.default, "default")
            reads(("checked", cq.key), cq.min, "min", True)
            reads(("checked", cq.key), cq.max, "max", True)
    for d in derived.values():
        reads(("value", d.name), d.expr, "expr")
    return edges


def _label(node: GraphNode) -> str:
    kind, name = node
    if kind == "value":
        return name
    if kind == "shown":
        return f"whether {name} applies"
    if kind == "checked":
        return f"whether {name} is in its bounds"
    return f"step {name!r}"


def _node_place(guide: Guide, node: GraphNode) -> tuple[Path, KeyPath]:
    kind, name = node
    if kind == "step":
        return guide.place("step", name)
    if name in guide.derived:
        return guide.place("derived", name)
    return guide.place("question", name)


def no_circles(guide: Guide, edges: dict[GraphNode, list[Edge]] | None = None) -> list[Issue]:
    """Definitions that go round in a circle: a computed or default value, a condition or
    a derived value that, through others, needs itself.

    The engine survives a circle (what comes back round is unknown), but its result then
    depends on which part was asked for first, so a pack with one is refused. A value
    depends on whether its question applies; ``answered(x)`` depends only on that.
    """
    # The graph check_guide built, when it gives it: worked out once per validation.
    everything = edges if edges is not None else _edges(guide)
    edges = {node: [e for e in out if not e[3]] for node, out in everything.items()}
    # Depth-first, without recursion (a pack may chain many definitions): ``trail`` holds
    # the edge taken out of each node on the stack but the last.
    issues: list[Issue] = []
    seen: set[frozenset[GraphNode]] = set()
    state: dict[GraphNode, int] = {}  # 1: on the stack, 2: done
    for root in list(edges):
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(edges.get(root, [])))]
        on_stack = {root: 0}
        trail: list[tuple[GraphNode, Edge]] = []
        while stack:
            node, out = stack[-1]
            edge = next(out, None)
            if edge is None:
                state[node] = 2
                del on_stack[node]
                stack.pop()
                if trail:
                    trail.pop()
                continue
            nxt = edge[0]
            if state.get(nxt) == 1:
                circle = [*trail[on_stack[nxt] :], (node, edge)]
                key = frozenset(n for n, _ in circle)
                if key not in seen:
                    seen.add(key)
                    chain = " -> ".join(f"{_label(n)} ({_why(e)})" for n, e in circle)
                    issues.append(
                        Issue(
                            *_node_place(guide, circle[0][0]),
                            f"definitions go round in a circle: {chain} -> {_label(circle[0][0])}",
                        )
                    )
            elif nxt not in state:
                state[nxt] = 1
                on_stack[nxt] = len(stack)
                trail.append((node, edge))
                stack.append((nxt, iter(edges.get(nxt, []))))
    return issues


# ---------------------------------------------------------------------------------------
# How deep evaluation goes


def _height(node: Node) -> int:
    """How deeply an expression nests (a name or a literal is 1)."""
    height = 0
    level = [node]
    while level:  # level by level, without recursion
        height += 1
        level = [child for n in level for child in expr.children(n)]
    return height


_CALLS = {"value": 2, "shown": 2, "checked": 3, "step": 2, "injection step": 6}
"""The engine's calls to reach a definition, by kind: a value is looked up and computed;
whether a question applies and a step is shown are one call each; an answer's bounds are
checked in two; the injection step judges its gates in up to six."""


def _components(roots: int, reads: list[list[int]]) -> list[int]:
    """Strongly connected components (Tarjan's, without recursion), from definitions
    ``0 .. roots - 1`` in turn: each definition's component number, numbered so that a
    component comes after every component it reaches. A definition that reads nothing
    (most bounds, many steps) is its own component, numbered as soon as it is reached."""
    size = len(reads)
    index = [-1] * size
    low = [0] * size
    on_stack = [False] * size
    component = [-1] * size
    stack: list[int] = []
    seen = count = 0
    for root in range(roots):
        if index[root] >= 0:
            continue
        index[root] = low[root] = seen
        seen += 1
        if not reads[root]:
            component[root] = count
            count += 1
            continue
        stack.append(root)
        on_stack[root] = True
        work: list[tuple[int, Iterator[int]]] = [(root, iter(reads[root]))]
        while work:
            node, out = work[-1]
            lowest = low[node]
            for nxt in out:
                i = index[nxt]
                if i < 0:
                    index[nxt] = low[nxt] = seen
                    seen += 1
                    if not reads[nxt]:  # reads nothing: a component of its own, done
                        component[nxt] = count
                        count += 1
                        continue
                    stack.append(nxt)
                    on_stack[nxt] = True
                    low[node] = lowest
                    work.append((nxt, iter(reads[nxt])))
                    break
                if i < lowest and on_stack[nxt]:
                    lowest = i
            else:
                low[node] = lowest
                work.pop()
                if work:
                    parent = work[-1][0]
                    if lowest < low[parent]:
                        low[parent] = lowest
                if lowest == index[node]:
                    while True:
                        member = stack.pop()
                        on_stack[member] = False
                        component[member] = count
                        if member == node:
                            break
                    count += 1
    return component


def evaluation_fits(guide: Guide, graph: _Graph | None = None) -> list[Issue]:
    """No chain of definitions is too deep to evaluate.

    The engine works a value out by working out what it reads, and so on down (each
    definition once per evaluation). A chain of derived values, computed values and
    conditions that read one another therefore nests as deep as the chain is long, and
    Python stops at a fixed depth of calls (1000 by default). The depth is bounded here,
    when the pack loads, so that a pack that loads can always be evaluated, in whatever
    order the engine happens to ask: each definition counts the engine's calls to reach
    it (two for a derived value, see :data:`_CALLS`) plus two for each level its
    expressions nest (``a + 1`` nests 2), and no chain may count more than
    :data:`MAX_EVALUATION_DEPTH`. That is about 125 derived values in a chain of simple
    sums; what is left of Python's depth is for the command around the evaluation.
    """
    depth, chain = deepest_chain(guide, graph)
    if depth <= MAX_EVALUATION_DEPTH:
        return []
    names = [_label(n) for n in chain]
    if len(names) > 12:
        names = [*names[:6], f"... {len(names) - 11} more ...", *names[-5:]]
    return [
        Issue(
            *_node_place(guide, chain[0]),
            f"definitions chain too deeply to evaluate: {' -> '.join(names)} "
            f"({len(chain)} definitions, evaluation depth {depth}; the most is "
            f"{MAX_EVALUATION_DEPTH}, see 'Limits' in docs/pack-format.md): read answers directly "
            "instead of through a long chain of values",
        )
    ]


def deepest_chain(guide: Guide, graph: _Graph | None = None) -> tuple[int, list[GraphNode]]:
    """The evaluation depth of the pack and the chain of definitions that has it.

    Where definitions come back round (an answer's bound that reads another answer whose
    bound reads the first), the engine stops at the repeat, so the whole loop counts
    once, at the sum of its parts. Linear in the size of the pack.
    """
    nodes, costs, reads, component = graph if graph is not None else _graph(guide)
    count = max(component, default=-1) + 1
    weight = [0] * count
    members: list[list[int]] = [[] for _ in range(count)]
    for node, c in enumerate(component):
        weight[c] += costs[node]
        members[c].append(node)
    # Components are numbered after everything they reach: one pass in that order.
    depth = [0] * count
    nxt: list[int | None] = [None] * count
    for c in range(count):
        best, via = 0, None
        for node in members[c]:
            for read in reads[node]:
                t = component[read]
                if t != c and depth[t] > best:
                    best, via = depth[t], t
        depth[c] = weight[c] + best
        nxt[c] = via
    if not count:
        return 0, []
    deepest = max(range(count), key=depth.__getitem__)
    chain: list[GraphNode] = []
    walk: int | None = deepest
    while walk is not None:
        chain.extend(nodes[n] for n in members[walk])
        walk = nxt[walk]
    return depth[deepest], chain


# ---------------------------------------------------------------------------------------
# Warnings


def pack_warnings(guide: Guide) -> list[Issue]:
    """What is allowed but worth a look: never a reason to refuse the pack."""
    return [
        *unused_sources(guide),
        *marked_verify(guide),
        *unreachable(guide),
        *days_past_the_calendar(guide),
    ]


def _expressions(guide: Guide) -> Iterator[tuple[str, str, tuple[str | int, ...], Compiled]]:
    """Every expression of the pack with its place: (kind, name, sub-path, expression)."""
    for step in guide.steps:
        if step.when is not None:
            yield "step", step.id, ("when",), step.when
        for cq in step.questions:
            for what in ("when", "computed", "default", "min", "max"):
                comp = getattr(cq, what)
                if comp is not None:
                    yield "question", cq.key, (what,), comp
    for gate in guide.gates:
        if gate.applies is not None:
            yield "gate", gate.id, ("applies_when",), gate.applies
        for i, rule in enumerate(gate.rules):
            yield "gate", gate.id, ("rule", i, "fails_when"), rule.fails
    for d in guide.derived.values():
        yield "derived", d.name, ("expr",), d.expr


def _nodes(node: Node) -> Iterator[Node]:
    """``node`` and every node under it (the parser's own account of what lies inside
    each kind of node: a walk of every field of every node cost a third of the warnings)."""
    todo = [node]
    while todo:
        n = todo.pop()
        yield n
        todo.extend(expr.children(n))


def days_past_the_calendar(guide: Guide) -> list[Issue]:
    """An ``add_days`` whose day count is a number no date can move by and stay a date
    (more days than the calendar has): the value is unknown on every visit, so the gate
    or question that reads it can never be decided."""
    span = (dt.date.max - dt.date.min).days
    out: list[Issue] = []
    for kind, name, sub, comp in _expressions(guide):
        if "add_days" not in comp.source:  # the call is written out in the text
            continue
        for node in _nodes(comp.node):
            if not (isinstance(node, expr.Call) and node.func == "add_days"):
                continue
            days = node.args[1]
            negated = isinstance(days, expr.Unary) and days.op == "-"
            literal = days.operand if isinstance(days, expr.Unary) and negated else days
            if not isinstance(literal, expr.Literal) or isinstance(literal.value, bool):
                continue
            if isinstance(literal.value, int | float) and abs(literal.value) > span:
                count = f"{'-' if negated else ''}{literal.value}"
                out.append(
                    Issue(
                        *_at(guide, kind, name, *sub),
                        f"add_days(..., {count}) moves a date past the calendar (at most "
                        f"{span} days): the value is unknown on every visit, so what reads "
                        "it is never decided; give a day count a date can move by",
                        "warning",
                    )
                )
    return out


def unused_sources(guide: Guide) -> list[Issue]:
    """A source nothing cites: a typo in a key that happens to exist elsewhere, or a
    reference that no longer supports anything."""
    cited: set[str] = set()
    for step in guide.steps:
        cited.update(step.spec.sources)
        for cq in step.questions:
            cited.update(cq.spec.sources)
    for gate in guide.gates:
        cited.update(gate.spec.sources)
        for rule in gate.rules:
            cited.update(rule.spec.sources)
    for d in guide.derived.values():
        cited.update(d.spec.sources)
    for setting in guide.settings.values():
        cited.update(setting.sources)
        cited.update(setting.limit_sources)
    return [
        Issue(
            *guide.place("source", key),
            f"source {key!r} is cited by nothing: cite it where it is used, or remove it",
            "warning",
        )
        for key in guide.sources
        if key not in cited
    ]


def marked_verify(guide: Guide) -> list[Issue]:
    """Every fact marked ``verify = true``: not seen in a primary text, for a reviewer."""
    found: list[tuple[str, str, tuple[str | int, ...], str]] = []
    for key, source in guide.sources.items():
        if source.verify:
            found.append(("source", key, (), f"source {key!r}"))
    for key, setting in guide.settings.items():
        if setting.verify:
            found.append(("setting", key, (), f"setting {key!r}"))
    for step in guide.steps:
        if step.spec.verify:
            found.append(("step", step.id, (), f"step {step.id!r}"))
        for cq in step.questions:
            if cq.spec.verify:
                found.append(("question", cq.key, (), f"question {cq.key!r}"))
    for gate in guide.gates:
        if gate.spec.verify:
            found.append(("gate", gate.id, (), f"gate {gate.id!r}"))
        for i, rule in enumerate(gate.rules):
            if rule.spec.verify:
                found.append(("gate", gate.id, ("rule", i), f"gate {gate.id!r} rule[{i}]"))
    for d in guide.derived.values():
        if d.spec.verify:
            found.append(("derived", d.name, (), f"derived value {d.name!r}"))
    return [
        Issue(
            *_at(guide, kind, name, *sub, "verify"),
            f"{what} is marked verify: it was not seen in a primary text; a clinical "
            "reviewer checks it",
            "warning",
        )
        for kind, name, sub, what in found
    ]
