"""Compiling a pack's definitions into a Guide, one phase per method."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from .. import expr
from ..expr import Compiled, ExprError, Type
from .guide import (
    GATE_LOCAL_NAMES,
    CDerived,
    CGate,
    CQuestion,
    CRule,
    CStep,
    Guide,
    RecordedSettings,
)
from .model import PLACEHOLDER as PLACEHOLDER
from .model import GuideMeta, PackFile, Question, Setting, Source
from .problems import _known
from .read import Issue, KeyPath, render_path
from .site import _limit_problems, _outside_limits, load_site
from .types import _value_type, question_type

if TYPE_CHECKING:
    pass


class _File(NamedTuple):
    path: Path
    pack: PackFile
    indexes: dict[str, list[int]] | None
    """For a file whose tables were set aside: each kept item's index in the file."""


class _Def(NamedTuple):
    """A definition with the file and key path it came from."""

    file: Path
    path: KeyPath
    item: Any


class _Compiler:
    """Puts the validated files together: names defined once, the site overlay, the types
    of names, then every expression compiled and every reference checked.

    Every problem is added to ``issues`` with its file and key path; :meth:`run` returns
    None when there is any.
    """

    def __init__(
        self,
        root: Path,
        packs: list[_File],
        site: Path | RecordedSettings | None,
        issues: list[Issue],
        aside: Iterable[str] = (),
        unread: Iterable[str] = (),
    ) -> None:
        self.root = root
        self.packs = packs
        self.site = site
        self.issues = issues
        self.aside = set(aside)
        """``kind:name`` of definitions set aside (they failed validation): what refers
        to them is not reported again."""
        self.unread = tuple(unread)
        """The step files that could not be read: any name could be defined there."""
        self.meta: _Def | None = None
        self.sources: dict[str, Source] = {}
        self.settings: dict[str, Setting] = {}
        self.steps: list[_Def] = []
        self.gates: list[_Def] = []
        self.derived: list[_Def] = []
        self.places: dict[str, tuple[Path, KeyPath]] = {}
        self.types: dict[str, Type] = {"today": expr.DATE}
        self.compiled: dict[tuple[str, str | None, int], Compiled] = {}
        """Each expression text compiled once (a condition repeated on many steps): the
        names' types only grow, so their count tells one set of them from another."""
        self.bounds: dict[tuple[type, str], Compiled] = {}
        """Each number given as a bound, compiled once."""

    def problem(self, file: Path | str, path: KeyPath, message: str, at: int | None = None) -> None:
        self.issues.append(Issue(file, path, message, at=at))

    def unknown(self, file: Path | str, path: KeyPath, message: str, at: int | None = None) -> None:
        """A reference to something no file that was read defines: when a file could not
        be read, the message says that it may be defined there."""
        if self.unread:
            files = ", ".join(self.unread)
            message += f" (unless {files}, which could not be read, defines it)"
        self.problem(file, path, message, at)

    def run(self) -> Guide | None:
        """The guide, or None without a [guide] table. With problems, the guide holds what
        compiled (for the whole-pack checks to look at) and must not be used."""
        self.collect()
        if self.meta is None:
            if "guide:" not in self.aside:
                self.unknown(
                    self.root, (), "no file has a [guide] table (id, title, version, ...): add one"
                )
            return None
        meta: GuideMeta = self.meta.item
        setting_values: dict[str, Any] = {k: s.value for k, s in self.settings.items()}
        site_name: str | None = None
        protocol = None
        if self.site is not None:
            site_name, overrides, protocol = load_site(self.site, self.settings, self.issues)
            setting_values.update(overrides)
        for name, value in setting_values.items():
            self.types[f"settings.{name}"] = _value_type(value)
        self.name_questions()
        derived, deps = self.compile_derived()
        self.deps = deps
        steps = self.compile_steps(meta)
        ids = {s.id for s in steps}
        gates = self.compile_gates(meta, ids)
        self.check_definitions(meta)
        if self.issues or self.aside:  # keep only what the whole-pack checks can read
            gates = [g for g in gates if g.spec.before in ids and g.rules]
        return Guide(
            meta=meta,
            sources=self.sources,
            settings=self.settings,
            setting_values=setting_values,
            site=site_name,
            steps=tuple(steps),
            questions={cq.key: cq for s in steps for cq in s.questions},
            derived=derived,
            gates=tuple(gates),
            types=self.types,
            root=self.root,
            _deps=deps,
            _places=self.places,
            rapid_protocol=protocol,
        )

    def set_aside(self, kind: str, name: str) -> bool:
        """Whether ``name`` is defined by a table that failed validation."""
        return f"{kind}:{name}" in self.aside

    def name_set_aside(self, name: str) -> bool:
        """Whether an expression's name is defined by a table set aside."""
        if name.startswith("settings."):
            return self.set_aside("setting", name.removeprefix("settings."))
        return self.set_aside("question", name) or self.set_aside("derived", name)

    # -- names defined once ------------------------------------------------------------

    def claim(self, kind: str, name: str, file: Path, path: KeyPath, at: KeyPath) -> bool:
        """Record where ``name`` is defined; a second definition is a problem at ``at``."""
        key = f"{kind}:{name}"
        other = self.places.get(key)
        if other is not None:
            self.problem(
                file,
                at,
                f"{kind} {name!r} is already defined in {other[0]} at "
                f"{render_path(other[1])}: rename one of them",
            )
            return False
        self.places[key] = (file, path)
        return True

    def collect(self) -> None:
        for file, pack, indexes in self.packs:
            if pack.guide is not None:
                if self.meta is not None:
                    self.problem(
                        file,
                        ("guide",),
                        f"[guide] is already defined in {self.meta.file}: only one file has it",
                    )
                else:
                    self.meta = _Def(file, ("guide",), pack.guide)
                    self.places["guide:"] = (file, ("guide",))
            where: KeyPath
            for key, src in pack.sources.items():
                where = ("sources", key)
                if self.claim("source", key, file, where, where):
                    self.sources[key] = src
            for key, setting in pack.settings.items():
                where = ("settings", key)
                if self.claim("setting", key, file, where, where):
                    self.settings[key] = setting
            for kind, items, ident, into in (
                ("step", pack.step, "id", self.steps),
                ("gate", pack.gate, "id", self.gates),
                ("derived", pack.derived, "name", self.derived),
            ):
                for i, item in enumerate(items):
                    where = (kind, indexes[kind][i] if indexes else i)
                    name = getattr(item, ident)
                    if self.claim(kind, name, file, where, (*where, ident)):
                        into.append(_Def(file, where, item))

    def name_questions(self) -> None:
        """The type of every question and derived name; keys asked once."""
        for file, path, step in self.steps:
            for i, q in enumerate(step.question):
                here: KeyPath = (*path, "question", i)
                if not self.claim("question", q.key, file, here, (*here, "key")):
                    continue
                if q.key in RESERVED_NAMES:
                    self.problem(
                        file, (*here, "key"), f"{q.key!r} is a built-in name; choose another key"
                    )
                self.issues.extend(_question_shape(q, file, here))
                self.types[q.key] = question_type(q)
        for file, path, d in self.derived:
            if d.name in RESERVED_NAMES:
                self.problem(
                    file, (*path, "name"), f"{d.name!r} is a built-in name; choose another"
                )
            if d.name in self.types:
                other = self.places.get(f"question:{d.name}")
                where = f" (asked at {render_path(other[1])} in {other[0]})" if other else ""
                self.problem(
                    file,
                    (*path, "name"),
                    f"the name {d.name!r} is already a question{where}; choose another",
                )

    # -- expressions -------------------------------------------------------------------

    def compile(
        self, source: str | None, file: Path, path: KeyPath, want: str | None = None
    ) -> Compiled | None:
        if source is None:
            return None
        key = (source, want, len(self.types))
        done = self.compiled.get(key)
        if done is not None:
            return done
        try:
            done = self.compiled[key] = Compiled.compile(source, self.types, want)
        except ExprError as exc:  # said at each place it is written
            self.expr_problem(exc, source, file, path)
            return None
        return done

    def expr_problem(self, exc: ExprError, source: str, file: Path, path: KeyPath) -> None:
        unknown = _UNKNOWN_NAME.fullmatch(exc.message)
        if unknown is not None and self.name_set_aside(unknown.group(1)):
            return  # the name is defined, in a table that failed validation
        say = self.problem if unknown is None else self.unknown
        say(file, path, f"{exc} in {source!r}", at=exc.position)

    def compile_like(self, source: str | None, file: Path, path: KeyPath, own: Type) -> Any:
        """An expression that stands for the question's own value (default, computed)."""
        c = self.compile(source, file, path)
        if c is not None and not (c.type.kind == own.kind or (own.numeric and c.type.numeric)):
            self.problem(file, path, f"gives {c.type} but the question is {own}")
            return None
        return c

    def compile_bound(
        self, bound: int | float | str | None, file: Path, path: KeyPath, own: Type
    ) -> Compiled | None:
        if bound is None:
            return None
        if own.kind not in ("int", "number", "date"):
            self.problem(file, path, "only numbers and dates have bounds: remove it")
            return None
        if isinstance(bound, str):
            return self.compile_like(bound, file, path, own)  # type: ignore[no-any-return]
        # A number: no text round trip (1e-05 would not parse).
        if bound != bound or bound in (float("inf"), float("-inf")):
            self.problem(file, path, f"must be a finite number, not {bound}")
            return None
        key = (type(bound), repr(bound))
        made = self.bounds.get(key)
        if made is None:
            node = expr.Literal(0, bound)
            made = self.bounds[key] = Compiled(
                repr(bound), node, expr.typecheck(node, {}), frozenset()
            )
        typ = made.type
        if not (typ.kind == own.kind or (own.numeric and typ.numeric)):
            self.problem(file, path, f"gives {typ} but the question is {own}")
            return None
        return made

    def compile_derived(self) -> tuple[dict[str, CDerived], dict[str, frozenset[str]]]:
        """Compile derived values in dependency order; report circles and type errors.

        The order is found without recursion, so a long chain of derived values is no
        problem here (the whole-pack checks limit how deep evaluation may go)."""
        parsed: dict[str, tuple[_Def, expr.Node]] = {}
        for definition in self.derived:
            d = definition.item
            try:
                parsed[d.name] = (definition, expr.parse(d.expr))
            except ExprError as exc:
                self.expr_problem(exc, d.expr, definition.file, (*definition.path, "expr"))
                self.aside.add(f"derived:{d.name}")  # its problem is said once, here
        reads = {name: expr.names(node) for name, (_, node) in parsed.items()}
        order: list[str] = []
        state: dict[str, int] = {}  # 1: on the stack, 2: done
        reported: set[frozenset[str]] = set()
        for root in parsed:
            if root in state:
                continue
            state[root] = 1
            stack = [(root, iter(sorted(n for n in reads[root] if n in parsed)))]
            at = {root: 0}
            while stack:
                name, deps_left = stack[-1]
                dep = next(deps_left, None)
                if dep is None:
                    state[name] = 2
                    order.append(name)
                    del at[name]
                    stack.pop()
                elif state.get(dep) == 1:
                    circle = [n for n, _ in stack[at[dep] :]]
                    if frozenset(circle) not in reported:
                        reported.add(frozenset(circle))
                        first = parsed[circle[0]][0]
                        self.problem(
                            first.file,
                            (*first.path, "expr"),
                            "derived values refer to each other: "
                            + " -> ".join([*circle, circle[0]]),
                        )
                elif dep not in state:
                    state[dep] = 1
                    at[dep] = len(stack)
                    stack.append((dep, iter(sorted(n for n in reads[dep] if n in parsed))))
        compiled: dict[str, CDerived] = {}
        deps: dict[str, frozenset[str]] = {}
        for name in order:
            definition, node = parsed[name]
            d = definition.item
            try:
                typ = expr.typecheck(node, self.types)
            except ExprError as exc:
                self.expr_problem(exc, d.expr, definition.file, (*definition.path, "expr"))
                self.aside.add(f"derived:{name}")  # what reads it is not reported again
                continue
            self.types[name] = typ
            compiled[name] = CDerived(d, Compiled(d.expr, node, typ, frozenset(reads[name])))
            acc: set[str] = set()
            for n in reads[name]:
                acc |= deps.get(n, {n})
            deps[name] = frozenset(acc)
        return compiled, deps

    # -- steps and gates ---------------------------------------------------------------

    def check_sources(self, keys: Iterable[str], file: Path, path: KeyPath) -> None:
        for i, key in enumerate(keys):
            if key not in self.sources and not self.set_aside("source", key):
                self.unknown(
                    file,
                    (*path, i),
                    f"unknown source {key!r} (known: {self.known_sources}): add it under "
                    "[sources] or correct the key",
                )

    @functools.cached_property
    def known_sources(self) -> str:
        return _known(self.sources)

    def check_template(
        self, text: str, file: Path, path: KeyPath, extra: frozenset[str] = frozenset()
    ) -> None:
        for m in PLACEHOLDER.finditer(text):
            name = m.group(1)
            if name not in self.types and name not in extra and not self.name_set_aside(name):
                self.unknown(
                    file,
                    path,
                    f"unknown placeholder {{{m.group(1)}}}: use a question key, a derived "
                    "value or settings.NAME",
                    at=m.start(),
                )

    def compile_steps(self, meta: GuideMeta) -> list[CStep]:
        phase_ids = {p.id for p in meta.phases}
        csteps: list[CStep] = []
        for index, (file, path, step) in enumerate(self.steps):
            if step.phase not in phase_ids:
                self.problem(
                    file,
                    (*path, "phase"),
                    f"phase {step.phase!r} is not one of the guide's phases ({_known(phase_ids)})",
                )
            self.check_sources(step.sources, file, (*path, "sources"))
            self.check_template(step.instructions, file, (*path, "instructions"))
            notes = []
            for ni, note in enumerate(step.note):
                here: KeyPath = (*path, "note", ni)
                self.check_template(note.text, file, (*here, "text"))
                note_when = self.compile(note.when, file, (*here, "when"), "bool")
                if note_when is not None:
                    notes.append((note_when, note.text))
            cqs = []
            for qi, q in enumerate(step.question):
                here = (*path, "question", qi)
                if q.sources:
                    self.check_sources(q.sources, file, (*here, "sources"))
                cq = self.compile_question(q, step.id, file, here)
                if self.places.get(f"question:{q.key}") == (file, here):
                    cqs.append(cq)  # a key asked twice is reported; the first one counts
            procedures = []
            keys = {q.key for q in step.question}
            for pi, proc in enumerate(step.procedure):
                here = (*path, "procedure", pi)
                if proc.question not in keys:
                    self.problem(
                        file,
                        (*here, "question"),
                        f"procedure {proc.route!r}: {proc.question!r} is not a question of "
                        f"step {step.id!r} ({_known(keys)})",
                    )
                self.check_sources(proc.sources, file, (*here, "sources"))
                for ai, action in enumerate(proc.actions):
                    self.check_template(action, file, (*here, "actions", ai))
                proc_when = self.compile(proc.when, file, (*here, "when"), "bool")
                procedures.append((proc_when, proc))
            when = self.compile(step.when, file, (*path, "when"), "bool")
            csteps.append(CStep(step, index, when, tuple(cqs), tuple(notes), tuple(procedures)))
        return csteps

    def compile_question(self, q: Question, step_id: str, file: Path, here: KeyPath) -> CQuestion:
        """A question's expressions compiled (each place's key path made only for an
        expression that is there: a pack has many questions, with few expressions each)."""
        own = self.types.get(q.key, expr.STRING)
        got: dict[str, Compiled | None] = {}
        for name, source, kind in (
            ("when", q.when, "bool"),
            ("default", q.default, None),
            ("suggest", q.suggest, None),
            ("computed", q.computed, None),
            ("min", q.min, "bound"),
            ("max", q.max, "bound"),
            ("wait_minutes", q.wait_minutes, "number"),
            ("refused_when", q.refused_when, "bool"),
        ):
            if source is None:
                continue
            at: KeyPath = (*here, name)
            if kind is None:
                got[name] = self.compile_like(source, file, at, own)  # type: ignore[arg-type]
            elif kind == "bound":
                got[name] = self.compile_bound(source, file, at, own)
            else:
                got[name] = self.compile(source, file, at, kind)  # type: ignore[arg-type]
        return CQuestion(
            q,
            step_id,
            q.key,
            got.get("when"),
            got.get("default"),
            got.get("suggest"),
            got.get("computed"),
            got.get("min"),
            got.get("max"),
            got.get("wait_minutes"),
            got.get("refused_when"),
        )

    def inputs(self, compiled: Iterable[Compiled | None]) -> set[str]:
        reads: set[str] = set()
        for c in compiled:
            if c is not None:
                for n in c.reads:
                    reads |= self.deps.get(n, {n})
        return reads

    def compile_gates(self, meta: GuideMeta, step_ids: set[str]) -> list[CGate]:
        cgates: list[CGate] = []
        for file, path, gate in self.gates:
            if gate.before not in step_ids and not self.set_aside("step", gate.before):
                self.unknown(file, (*path, "before"), f"before = {gate.before!r} is not a step id")
            self.check_sources(gate.sources, file, (*path, "sources"))
            if gate.pass_message:
                self.check_template(gate.pass_message, file, (*path, "pass_message"))
            rules = []
            for i, rule in enumerate(gate.rule):
                here: KeyPath = (*path, "rule", i)
                self.check_sources(rule.sources, file, (*here, "sources"))
                if rule.own_sources_only and not rule.sources:
                    self.problem(
                        file,
                        (*here, "own_sources_only"),
                        "own_sources_only needs the rule's own sources (sources = [...])",
                    )
                self.check_template(rule.message, file, (*here, "message"), GATE_LOCAL_NAMES)
                for ii, text in enumerate(rule.instead):
                    self.check_template(text, file, (*here, "instead", ii), GATE_LOCAL_NAMES)
                fails = self.compile(rule.fails_when, file, (*here, "fails_when"), "bool")
                if fails is not None:
                    rule_reads = self.inputs([fails])
                    waits = "today" in rule_reads or meta.date_key in rule_reads
                    if rule.holds_the_injection_date and (rule.severity != "stop" or not waits):
                        self.problem(
                            file,
                            (*here, "holds_the_injection_date"),
                            "holds_the_injection_date is for a stop whose condition reads the "
                            "date (waiting clears it); a contraindication that waiting clears "
                            "holds it always",
                        )
                    rules.append(CRule(rule, fails, waits))
            applies = self.compile(gate.applies_when, file, (*path, "applies_when"), "bool")
            reads = self.inputs([applies, *(r.fails for r in rules)])
            time_dependent = "today" in reads or meta.date_key in reads
            cgates.append(
                CGate(gate, applies, tuple(rules), frozenset(reads - {"today"}), time_dependent)
            )
        return cgates

    def check_definitions(self, meta: GuideMeta) -> None:
        for file, path, d in self.derived:
            self.check_sources(d.sources, file, (*path, "sources"))
        defaults = {k: s.value for k, s in self.settings.items()}
        for key, setting in self.settings.items():
            file, path = self.places[f"setting:{key}"]
            self.check_sources(setting.sources, file, (*path, "sources"))
            self.check_sources(setting.limit_sources, file, (*path, "limit_sources"))
            for about, message in _limit_problems(setting, self.settings):
                self.problem(file, (*path, about), message)
            for entry, message in _outside_limits(setting, setting.value, defaults):
                where = (*path, "value") if entry is None else (*path, "value", entry)
                self.problem(file, where, f"the default {message}")
        date_type = self.types.get(meta.date_key)
        if self.name_set_aside(meta.date_key):
            pass  # asked in a step that failed validation
        elif date_type is None or date_type.kind != "date":
            assert self.meta is not None
            say = self.unknown if date_type is None else self.problem
            say(
                self.meta.file,
                ("guide", "date_key"),
                f"guide.date_key {meta.date_key!r} is not a date question",
            )
        self.check_report(meta)

    def check_report(self, meta: GuideMeta) -> None:
        """Each name in ``[guide.report]`` is a question or derived value of the right type."""
        assert self.meta is not None
        if meta.card is not None:
            self.check_sources(meta.card.sources, self.meta.file, ("guide", "card", "sources"))
        report = meta.report
        lists = (
            ("result", report.result),
            ("summary", report.summary),
            ("after_injection", report.after_injection),
            ("needle", report.needle),
            ("dose_planned", [line.value for line in report.dose_planned]),
            ("dose_given", [line.value for line in report.dose_given]),
            ("end_of_treatment", [line.value for line in report.end_of_treatment]),
            ("visit", [report.visit] if report.visit else []),
            ("side_given", [report.side_given] if report.side_given else []),
            ("side_advised", [report.side_advised] if report.side_advised else []),
            ("dose_setting", [f"settings.{report.dose_setting}"] if report.dose_setting else []),
            ("history.carry", [c.question for c in report.history.carry]),
            ("history.carry", [c.from_answer for c in report.history.carry]),
            ("history.offer", [c.question for c in report.history.offer]),
            ("history.offer", [c.from_answer for c in report.history.offer]),
            ("history.after_end", [c.question for c in report.history.after_end]),
            ("history.after_end", [c.from_answer for c in report.history.after_end]),
            ("history.due", report.history.due),
            ("history.kit_lot", [report.history.kit_lot] if report.history.kit_lot else []),
            (
                "history.end_reason",
                [report.history.end_reason] if report.history.end_reason else [],
            ),
        )
        for field_name, names in lists:
            for i, name in enumerate(names):
                if name not in self.types and not self.name_set_aside(name):
                    one = field_name in (
                        "visit",
                        "side_given",
                        "side_advised",
                        "dose_setting",
                        "history.kit_lot",
                        "history.end_reason",
                    )
                    self.unknown(
                        self.meta.file,
                        ("guide", "report", *field_name.split("."), *(() if one else (i,))),
                        f"guide.report.{field_name}: {name!r} is not a question or derived "
                        "value of the pack",
                    )
        repeat = report.history.repeat_visit
        visit_type = self.types.get(report.visit) if report.visit else None
        if repeat is not None and (
            visit_type is None or visit_type.choices is None or repeat not in visit_type.choices
        ):
            self.problem(
                self.meta.file,
                ("guide", "report", "history", "repeat_visit"),
                f"guide.report.history.repeat_visit: {repeat!r} is not one of the choices of "
                "the visit answer (guide.report.visit)",
            )
        history = report.history
        # (a missing or mistyped last_kind is said by the loop below)
        kinds = self.types.get(history.last_kind) if history.last_kind else None
        for where, kind in (
            (("pathway_opioid",), history.pathway_opioid),
            (("unnamed_kind",), history.unnamed_kind),
            *(((("recent_kind", i, "kind"), r.kind) for i, r in enumerate(history.recent_kind))),
        ):
            if (
                kind is not None
                and kinds is not None
                and kinds.choices is not None
                and kind not in kinds.choices
            ):
                self.problem(
                    self.meta.file,
                    ("guide", "report", "history", *where),
                    f"guide.report.history.{'.'.join(map(str, where))}: {kind!r} is not one "
                    "of the choices of guide.report.history.last_kind",
                )
        for i, recent in enumerate(history.recent_kind):
            days = self.types.get(f"settings.{recent.days}")
            if days is None or days.kind != "int":
                self.problem(
                    self.meta.file,
                    ("guide", "report", "history", "recent_kind", i, "days"),
                    f"guide.report.history.recent_kind.{i}.days: {recent.days!r} is not a "
                    "setting of whole days of the pack",
                )
        for field_name, key, kind in (
            ("injection_given", report.injection_given, "bool"),
            ("next_dose_due", report.next_dose_due, "date"),
            ("history.use_since", report.history.use_since, "bool"),
            ("history.last_use", report.history.last_use, "date"),
            ("history.last_kind", report.history.last_kind, "string"),
            ("history.end_of_treatment", report.history.end_of_treatment, "bool"),
            *(("history.standing", key, "bool") for key in report.history.standing),
            *(("history.recent_kind", r.question, "bool") for r in report.history.recent_kind),
        ):
            if key is None or self.name_set_aside(key):
                continue
            typ = self.types.get(key)
            if typ is None or typ.kind != kind:
                say = self.unknown if typ is None else self.problem
                say(
                    self.meta.file,
                    ("guide", "report", *field_name.split(".")),
                    f"guide.report.{field_name}: {key!r} is not a {kind} question or derived "
                    "value of the pack",
                )


def _question_shape(q: Question, file: Path, path: KeyPath) -> list[Issue]:
    if (
        not q.choices
        and not q.wait_for
        and q.type != "choice"
        and (q.refused_when is None) == (q.refused_because is None)
    ):
        return []  # the common question: none of the checks below has anything to see
    out: list[Issue] = []
    choices: KeyPath = (*path, "choices")
    if q.type == "choice":
        if not q.choices:
            out.append(Issue(file, (*path, "type"), "a choice question needs choices"))
        elif not all(isinstance(c.value, str) for c in q.choices):
            out.append(
                Issue(file, choices, "choice values must be strings (use type = 'int' for scores)")
            )
    elif q.type == "int":
        if q.choices and not all(isinstance(c.value, int) for c in q.choices):
            out.append(Issue(file, choices, "an int question's choices must be whole numbers"))
    elif q.choices:
        out.append(Issue(file, choices, "only choice and int questions have choices"))
    if q.choices:
        values = [c.value for c in q.choices]
        if len(set(values)) != len(values):
            out.append(Issue(file, choices, "choice values repeat"))
        reserved = {v for v in values if str(v).lower() in RESERVED_WORDS}
        if reserved:
            out.append(
                Issue(file, choices, f"{sorted(reserved)} are walkthrough commands, not values")
            )
    allowed = {c.value for c in q.choices or ()}
    for i, v in enumerate(q.wait_for):
        if q.choices and v not in allowed:
            out.append(
                Issue(
                    file, (*path, "wait_for", i), f"wait_for value {v!r} is not one of the choices"
                )
            )
    if q.wait_for and not q.wait_minutes:
        out.append(Issue(file, (*path, "wait_for"), "wait_for needs wait_minutes"))
    if (q.refused_when is None) != (q.refused_because is None):
        out.append(
            Issue(file, (*path, "refused_when"), "refused_when and refused_because go together")
        )
    for ci, c in enumerate(q.choices or ()):
        clash = [a for a in c.aliases if a in {str(v) for v in allowed}]
        if clash:
            out.append(
                Issue(
                    file,
                    (*path, "choices", ci, "aliases"),
                    f"{clash} are values of this question, not other words for one",
                )
            )
    return out


_UNKNOWN_NAME = re.compile(r"unknown name '([^']*)'")


RESERVED_WORDS = frozenset({"back", "review", "edit", "why", "quit", "help", "start", "wait"})


"""Words the interactive prompt reads as commands (in any case), so no choice may use them."""


RESERVED_NAMES = frozenset({"today", "settings"})


"""Names the expression language gives itself; no question or derived value may take them."""
