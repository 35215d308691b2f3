"""The compiled guide: questions, steps, gates and derived values, and the Guide holding them.

Every other subsystem reads these types; the compiler produces them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, overload

from ..expr import Compiled, Type
from ..records import field, record
from .model import PLACEHOLDER as PLACEHOLDER
from .model import (
    Derived,
    Gate,
    GuideMeta,
    Procedure,
    ProtocolDay,
    Question,
    Rule,
    Setting,
    Source,
    Step,
)
from .read import KeyPath
from .severity import ACKNOWLEDGEABLE, OVERRIDABLE, SEVERITY_RANK

T = TypeVar("T")

if TYPE_CHECKING:
    pass


GATE_LOCAL_NAMES = frozenset({"earliest_date", "earliest_injection_date"})


"""Placeholders a gate message may use beyond the pack's names."""


@record(frozen=True)
class CQuestion:
    spec: Question
    step_id: str
    key: str
    when: Compiled | None = None
    default: Compiled | None = None
    suggest: Compiled | None = None
    computed: Compiled | None = None
    min: Compiled | None = None
    max: Compiled | None = None
    wait_minutes: Compiled | None = None
    refused: Compiled | None = None
    """``refused_when``, compiled: the answer contradicts the others when it is true."""

    @functools.cached_property
    def choice_values(self) -> frozenset[str]:
        """The allowed values of a choice, as text."""
        return frozenset(str(c.value) for c in self.spec.choices or ())

    @functools.cached_property
    def undecided_values(self) -> frozenset[object]:
        """Choices that record a fact as not established: read as unknown."""
        return frozenset(c.value for c in self.spec.choices or () if c.undecided)

    @functools.cached_property
    def _labels(self) -> dict[object, str]:
        labels: dict[object, str] = {}
        for c in self.spec.choices or ():
            labels.setdefault(c.value, c.label)  # the first of equal values, as a scan would
        return labels

    def choice_label(self, value: object) -> str | None:
        return self._labels.get(value)

    @functools.cached_property
    def choice_labels(self) -> dict[object, str]:
        """Each allowed value and its label."""
        return self._labels

    @functools.cached_property
    def only_choices(self) -> bool:
        """Its answer is checked against its choices alone (no bounds, not computed)."""
        return (
            bool(self.spec.choices)
            and self.min is None
            and self.max is None
            and self.computed is None
        )

    @functools.cached_property
    def checked(self) -> bool:
        """An answer to it must be checked against other answers: its bounds, or the value
        it would be computed from (a COWS total against its item scores)."""
        return (
            self.min is not None
            or self.max is not None
            or self.computed is not None
            or bool(self.spec.choices)
        )


@record(frozen=True)
class CStep:
    spec: Step
    index: int
    when: Compiled | None
    questions: tuple[CQuestion, ...]
    notes: tuple[tuple[Compiled, str], ...] = ()
    """(condition, text) of each note: shown after the instructions when it holds."""
    procedures: tuple[tuple[Compiled | None, Procedure], ...] = ()
    """(condition, procedure) of each route: offered at its question's prompt when the
    condition holds (None: always)."""

    # Cached (not plain) properties: after the first read they are ordinary attributes,
    # which matters in the engine's inner loops.
    @functools.cached_property
    def id(self) -> str:
        return self.spec.id


@record(frozen=True)
class CRule:
    spec: Rule
    fails: Compiled
    time_dependent: bool = False
    """Its condition reads the date (through derived values): waiting can clear it, so
    it has an earliest date. A rule that does not (a COWS total, extended-release
    buprenorphine) is not cleared by waiting."""

    @functools.cached_property
    def holds_the_injection_date(self) -> bool:
        """While it blocks, the injection waits for its gate's earliest date: a
        contraindication that waiting clears, or a stop the pack marks so."""
        return self.time_dependent and (
            self.spec.severity == "contraindication" or self.spec.holds_the_injection_date
        )

    @functools.cached_property
    def names_the_injection_date(self) -> bool:
        """Its words show ``{earliest_injection_date}``: filled in once every gate is
        judged (engine/evaluate.py)."""
        return any(
            "{earliest_injection_date}" in t for t in (self.spec.message, *self.spec.instead)
        )

    @functools.cached_property
    def rank(self) -> int:
        """How severe the rule's outcome is (SEVERITY_RANK): the worst failing rule wins."""
        return SEVERITY_RANK[self.spec.severity]


@record(frozen=True)
class CGate:
    spec: Gate
    applies: Compiled | None
    rules: tuple[CRule, ...]
    inputs: frozenset[str]
    """Answer keys the gate depends on, through derived values."""
    time_dependent: bool

    @functools.cached_property
    def id(self) -> str:
        return self.spec.id

    @functools.cached_property
    def sources(self) -> tuple[str, ...]:
        return tuple(self.spec.sources)

    @functools.cached_property
    def inputs_sorted(self) -> tuple[str, ...]:
        return tuple(sorted(self.inputs))

    @functools.cached_property
    def severity(self) -> str:
        """The most severe outcome this gate can have."""
        return max((r.spec.severity for r in self.rules), key=SEVERITY_RANK.__getitem__)

    @functools.cached_property
    def overridable(self) -> bool:
        """Some rule of this gate can be passed by an override (a stop)."""
        return any(r.spec.severity in OVERRIDABLE for r in self.rules)

    @functools.cached_property
    def acknowledgeable(self) -> bool:
        """Some rule of this gate is acknowledged rather than blocking (a caution, a note)."""
        return any(r.spec.severity in ACKNOWLEDGEABLE for r in self.rules)


@record(frozen=True)
class CDerived:
    spec: Derived
    expr: Compiled

    @functools.cached_property
    def name(self) -> str:
        return self.spec.name


class Guarding(Sequence[tuple[CGate, ...]]):
    """``guarding[i]``: the gates checked before step ``i`` or an earlier step.

    Each entry is worked out when first asked for: all of them together would take the
    number of steps times the number of gates, and loading a pack asks for one or two.
    """

    def __init__(self, gates: tuple[CGate, ...], before: tuple[int, ...], steps: int) -> None:
        self._gates = gates
        self._before = before
        self._steps = steps
        self._memo: dict[int, tuple[CGate, ...]] = {}

    def __len__(self) -> int:
        return self._steps

    @overload
    def __getitem__(self, index: int) -> tuple[CGate, ...]: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[tuple[CGate, ...]]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(self._steps)[index]]
        if not -self._steps <= index < self._steps:
            raise IndexError(index)
        index %= self._steps
        found = self._memo.get(index)
        if found is None:
            found = self._memo[index] = tuple(
                g for g, b in zip(self._gates, self._before, strict=True) if b <= index
            )
        return found


@record(frozen=True, eq=False)
class Guide:
    """A loaded, checked step pack: the only thing the engine needs."""

    meta: GuideMeta
    sources: Mapping[str, Source]
    settings: Mapping[str, Setting]
    setting_values: Mapping[str, Any]
    site: str | None
    steps: tuple[CStep, ...]
    questions: Mapping[str, CQuestion]
    derived: Mapping[str, CDerived]
    gates: tuple[CGate, ...]
    types: Mapping[str, Type]
    root: Path
    _deps: Mapping[str, frozenset[str]] = field(default_factory=dict, repr=False)
    _places: Mapping[str, tuple[Path, KeyPath]] = field(default_factory=dict, repr=False)
    """``kind:name`` -> the file and the key path that define it (for messages)."""
    rapid_protocol: tuple[ProtocolDay, ...] | None = None
    """The site file's own day-by-day table of the supervised rapid pathway (checked when
    the site file loads), or None: the shipped pack carries none (reference section 6)."""

    def once(self, key: str, make: Callable[[], T]) -> T:
        """A value that follows from the loaded pack alone (its settings, its questions),
        computed on first use and kept for the guide's life: a batch or a fuzz run asks for
        it on every record. Kept out of the pickled cache, which holds the pack only."""
        memo: dict[str, Any] = self.__dict__.setdefault("_once", {})
        if key not in memo:
            memo[key] = make()
        return memo[key]  # type: ignore[no-any-return]

    @functools.cached_property
    def report_names(self) -> dict[str, str]:
        """The name the pack gives each role of an answer the timeline reads of another
        visit: its visit date (``meta.date_key``), each single name under
        ``[guide.report]`` and ``[guide.report.history]`` (``report.history.last_use``...),
        and each carried answer by the question it fills in
        (``report.history.after_end[agonist_since_last_injection]``) or the opioid a
        history question asks about (``report.history.recent_kind[fentanyl]``): by what
        it is, never by where it stands in a list, so a copy that adds a row or orders
        the rows otherwise reads the same. Lists that only show values (the note's
        lines) are no role. A record keeps its pack's (:attr:`SessionRecord.names`), so
        that a visit walked with a copy that names its answers otherwise is read by what
        each answer is (visit/history.py :func:`in_our_names`)."""
        report = self.meta.report
        history = report.history
        out = {"meta.date_key": self.meta.date_key}
        for where, holder in (("report", report), ("report.history", history)):
            for name, spec in holder.__dataclass_fields__.items():
                value = getattr(holder, name)
                # A name of an answer (an Identifier), never a value (a choice's value).
                if isinstance(value, str) and "Identifier" in str(spec.type):
                    out[f"{where}.{name}"] = value
        for name in ("carry", "offer", "after_end"):
            for carry in getattr(history, name):
                out[f"report.history.{name}[{carry.question}]"] = carry.from_answer
        for recent in history.recent_kind:
            out[f"report.history.recent_kind[{recent.kind}]"] = recent.question
        # The question of the last injection's date, by what it is (the one filled in from
        # the visit date), whatever a copy calls it: a use recorded since it reads it.
        if (last := self.last_injection_key) is not None:
            out["last_injection_key"] = last
        return out

    @property
    def last_injection_key(self) -> str | None:
        """The question of the last injection's date: the one filled in from the earlier
        visit's date (``[guide.report.history] carry``)."""
        date_key = self.meta.date_key
        for carry in self.meta.report.history.carry:
            if carry.from_answer == date_key and carry.question in self.questions:
                return carry.question
        return None

    def of_another_dose(
        self, filled: Mapping[str, object], answers: Mapping[str, object]
    ) -> frozenset[str]:
        """The values carried from the recorded dose (``filled``: what the record fills
        in, by question) that do not describe the dose these ``answers`` name: when they
        give the last injection's date otherwise than the record (a dose given elsewhere,
        or a later one the record does not hold), the recorded dose's other values (its
        side) are of another injection, asked and never filled in (reference 4.4, item
        12: the record says only what is known)."""
        last = self.last_injection_key
        if last is None or last not in filled:
            return frozenset()
        given = answers.get(last)
        if given is None or given == filled[last]:
            return frozenset()
        return frozenset(c.question for c in self.meta.report.history.carry if c.question != last)

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_once"}

    @functools.cached_property
    def dependents(self) -> Mapping[str, frozenset[str]]:
        """For each name, the derived values and computed/defaulted answers that read it,
        directly or not: what to forget when it changes."""
        direct: dict[str, set[str]] = {}
        edges = [(d.name, d.expr.reads) for d in self.derived.values()]
        for cq in self.questions.values():
            # A bound decides whether the given answer counts at all (engine: problem).
            for comp in (cq.computed, cq.default, cq.min, cq.max):
                if comp is not None:
                    edges.append((cq.key, comp.reads))
        for name, reads in edges:
            for r in reads:
                direct.setdefault(r, set()).add(name)
        closed: dict[str, frozenset[str]] = {}
        for start in direct:
            seen: set[str] = set()
            todo = list(direct[start])
            while todo:
                n = todo.pop()
                if n not in seen:
                    seen.add(n)
                    todo.extend(direct.get(n, ()))
            closed[start] = frozenset(seen)
        return closed

    def file_of(self, kind: str, name: str) -> Path:
        """The file that defines a step, gate, question, setting or derived value."""
        return self.place(kind, name)[0]

    def place(self, kind: str, name: str) -> tuple[Path, KeyPath]:
        """The file and key path that define a step, gate, question, setting, source or
        derived value (``kind`` is one of those words; ``guide`` with name ``""``)."""
        return self._places.get(f"{kind}:{name}", (self.root, ()))

    @functools.cached_property
    def date_dependent(self) -> tuple[frozenset[str], frozenset[str]]:
        """(names, step ids) whose value or visibility can change with the date.

        Everything else is the same on every date, so probing later dates can reuse it.
        """
        roots = {"today", self.meta.date_key}
        names = set(roots)
        for r in roots:
            names |= self.dependents.get(r, frozenset())
        steps: set[str] = set()
        changed = True
        while changed:
            changed = False
            for step in self.steps:
                if step.id not in steps and step.when is not None and step.when.reads & names:
                    steps.add(step.id)
                    changed = True
                for cq in step.questions:
                    if cq.key in names:
                        continue
                    moved = step.id in steps or (
                        cq.when is not None and bool(cq.when.reads & names)
                    )
                    if moved:
                        names.add(cq.key)
                        names |= self.dependents.get(cq.key, frozenset())
                        changed = True
        return frozenset(names), frozenset(steps)

    @functools.cached_property
    def setting_names(self) -> dict[str, Any]:
        """Settings as expressions name them: ``settings.<name>`` -> value."""
        return {f"settings.{k}": v for k, v in self.setting_values.items()}

    @functools.cached_property
    def readiness_limit(self) -> int:
        """Index of the last step that requires every gate clear (the injection)."""
        return max(s.index for s in self.steps if s.spec.requires_clear)

    @functools.cached_property
    def readiness_gate_ids(self) -> tuple[str, ...]:
        """Gates that guard the injection: at or before the last requires_clear step."""
        return tuple(g.id for g in self.guarding[self.readiness_limit])

    @functools.cached_property
    def _step_index(self) -> dict[str, CStep]:
        return {s.id: s for s in self.steps}

    @functools.cached_property
    def guarding(self) -> Guarding:
        """For each step index, the gates that guard it: those checked before it or before
        an earlier step (a gate whose own step is hidden is checked at the next one shown),
        in the order of the files."""
        before = tuple(self.step(g.spec.before).index for g in self.gates)
        return Guarding(self.gates, before, len(self.steps))

    @functools.cached_property
    def _gate_index(self) -> dict[str, CGate]:
        return {g.id: g for g in self.gates}

    def step(self, step_id: str) -> CStep:
        return self._step_index[step_id]

    def gate(self, gate_id: str) -> CGate:
        return self._gate_index[gate_id]

    def answer_inputs(self, name: str) -> frozenset[str]:
        """The answer keys (and ``today``) a name depends on, through derived values."""
        return self._deps.get(name, frozenset({name}))

    @functools.cached_property
    def contraindication_inputs(self) -> frozenset[str]:
        """The answers a contraindication rule reads, through derived values and computed
        questions: only a hidden answer among these can be a hidden finding."""
        return frozenset().union(*self.contraindication_inputs_by_gate.values())

    @functools.cached_property
    def contraindication_inputs_by_gate(self) -> dict[str, frozenset[str]]:
        """For each gate, the answers its contraindication rules read, through derived
        values and computed questions (empty for a gate without one)."""
        out: dict[str, frozenset[str]] = {}
        for g in self.gates:
            seen: set[str] = set()
            todo = [
                n for r in g.rules if r.spec.severity == "contraindication" for n in r.fails.reads
            ]
            while todo:
                for key in self.answer_inputs(todo.pop()):
                    if key not in seen:
                        seen.add(key)
                        cq = self.questions.get(key)
                        if cq is not None and cq.computed is not None:
                            todo.extend(cq.computed.reads)
            out[g.id] = frozenset(seen)
        return out

    @functools.cached_property
    def override_codes(self) -> frozenset[str]:
        """The reason codes an override may carry."""
        return frozenset(c.code for c in self.meta.override_codes)

    def phase_title(self, phase_id: str) -> str:
        for p in self.meta.phases:
            if p.id == phase_id:
                return p.title
        return phase_id


@record(frozen=True)
class RecordedSettings:
    """Setting values kept in a session record, applied as a site file would be (the same
    checks and limits): a resumed walk runs under the settings it started with."""

    site: str | None
    values: Mapping[str, Any]
    where: str
    """The session file, for messages."""
