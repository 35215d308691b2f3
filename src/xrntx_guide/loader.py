"""Files -> :class:`Guide`: read the TOML step pack, validate it, compile its expressions.

Every problem is collected with its file and key path, placed at its line and column
(:mod:`xrntx_guide.tomlpos`) and reported at once in a
:class:`~xrntx_guide.errors.PackError`; nothing is reported as a traceback.
"""

from __future__ import annotations

import functools
import re
import types
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, overload

from . import expr, model
from .errors import PackError, Problem
from .expr import Compiled, ExprError, Type
from .model import PLACEHOLDER as PLACEHOLDER
from .model import (
    SEVERITY_RANK,
    Derived,
    Gate,
    GuideMeta,
    PackFile,
    Question,
    Rule,
    Setting,
    SiteFile,
    Source,
    Step,
)
from .tomlpos import Issue, KeyPath, Placer, render_path

if TYPE_CHECKING:
    from pydantic import ValidationError

GATE_LOCAL_NAMES = frozenset({"earliest_date"})
"""Placeholders a gate message may use beyond the pack's names."""


@dataclass(frozen=True)
class CQuestion:
    q: Question
    step_id: str
    key: str
    when: Compiled | None = None
    default: Compiled | None = None
    suggest: Compiled | None = None
    computed: Compiled | None = None
    min: Compiled | None = None
    max: Compiled | None = None
    wait_minutes: Compiled | None = None

    @functools.cached_property
    def choice_values(self) -> frozenset[str]:
        """The allowed values of a choice, as text."""
        return frozenset(str(c.value) for c in self.q.choices or ())

    @functools.cached_property
    def _labels(self) -> dict[object, str]:
        labels: dict[object, str] = {}
        for c in self.q.choices or ():
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
            bool(self.q.choices) and self.min is None and self.max is None and self.computed is None
        )

    @functools.cached_property
    def checked(self) -> bool:
        """An answer to it must be checked against other answers: its bounds, or the value
        it would be computed from (a COWS total against its item scores)."""
        return (
            self.min is not None
            or self.max is not None
            or self.computed is not None
            or bool(self.q.choices)
        )


@dataclass(frozen=True)
class CStep:
    step: Step
    index: int
    when: Compiled | None
    questions: tuple[CQuestion, ...]
    notes: tuple[tuple[Compiled, str], ...] = ()
    """(condition, text) of each note: shown after the instructions when it holds."""

    # Cached (not plain) properties: after the first read they are ordinary attributes,
    # which matters in the engine's inner loops.
    @functools.cached_property
    def id(self) -> str:
        return self.step.id


@dataclass(frozen=True)
class CRule:
    rule: Rule
    fails: Compiled
    time_dependent: bool = False
    """Its condition reads the date (through derived values): waiting can clear it, so
    it has an earliest date. A rule that does not (a COWS total, extended-release
    buprenorphine) is not cleared by waiting."""

    @functools.cached_property
    def rank(self) -> int:
        """How severe the rule's outcome is (SEVERITY_RANK): the worst failing rule wins."""
        return SEVERITY_RANK[self.rule.severity]


@dataclass(frozen=True)
class CGate:
    gate: Gate
    applies: Compiled | None
    rules: tuple[CRule, ...]
    inputs: frozenset[str]
    """Answer keys the gate depends on, through derived values."""
    time_dependent: bool

    @functools.cached_property
    def id(self) -> str:
        return self.gate.id

    @functools.cached_property
    def sources(self) -> tuple[str, ...]:
        return tuple(self.gate.sources)

    @functools.cached_property
    def inputs_sorted(self) -> tuple[str, ...]:
        return tuple(sorted(self.inputs))

    @functools.cached_property
    def severity(self) -> str:
        """The most severe outcome this gate can have."""
        return max((r.rule.severity for r in self.rules), key=SEVERITY_RANK.__getitem__)


@dataclass(frozen=True)
class CDerived:
    d: Derived
    expr: Compiled

    @functools.cached_property
    def name(self) -> str:
        return self.d.name


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


@dataclass(frozen=True, eq=False)
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
        return max(s.index for s in self.steps if s.step.requires_clear)

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
        before = tuple(self.step(g.gate.before).index for g in self.gates)
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
        out: set[str] = set()
        todo = [
            n
            for g in self.gates
            for r in g.rules
            if r.rule.severity == "contraindication"
            for n in r.fails.reads
        ]
        while todo:
            for key in self.answer_inputs(todo.pop()):
                if key not in out:
                    out.add(key)
                    cq = self.questions.get(key)
                    if cq is not None and cq.computed is not None:
                        todo.extend(cq.computed.reads)
        return frozenset(out)

    @functools.cached_property
    def override_codes(self) -> frozenset[str]:
        """The reason codes an override may carry."""
        return frozenset(c.code for c in self.meta.override_codes)

    def phase_title(self, phase_id: str) -> str:
        for p in self.meta.phases:
            if p.id == phase_id:
                return p.title
        return phase_id


# ---------------------------------------------------------------------------------------
# Reading files and shaping problems


def _data_loc(raw: Any, loc: Sequence[int | str], missing: bool) -> KeyPath:
    """The location without pydantic's union branch names (``int``, ``dict[str,...]``):
    the parts that are keys or indexes of the data (a missing key stays)."""
    kept: list[int | str] = []
    node = raw
    for i, item in enumerate(loc):
        last = i == len(loc) - 1
        in_data = (isinstance(node, dict) and item in node) or (
            isinstance(node, list) and isinstance(item, int) and item < len(node)
        )
        if in_data:
            node = node[item]
        elif not (missing and last):
            continue  # a union branch
        kept.append(item)
    return tuple(kept)


_WRONG_TYPE = frozenset(
    {
        "bool_type",
        "int_type",
        "int_from_float",
        "float_type",
        "string_type",
        "dict_type",
        "list_type",
        "dataclass_type",
    }
)
"""Errors that only say which kind of value one branch of a union wanted."""
_UNKNOWN_KEY = frozenset({"extra_forbidden", "unexpected_keyword_argument"})


@functools.cache
def _fields(kind: type[Any]) -> dict[str, Any]:
    """A file model's keys and their types."""
    import typing

    return typing.get_type_hints(kind, include_extras=True)


def _keys_at(kind: type[Any], loc: KeyPath) -> tuple[str, ...]:
    """The keys the table at ``loc`` of a file of ``kind`` may have (for "did you mean"
    hints); none where that cannot be told."""
    import dataclasses
    import typing

    node: Any = kind
    for part in loc:
        while True:  # see through Annotated[...], X | None, list[...], dict[...]
            origin = typing.get_origin(node)
            if origin is typing.Annotated:
                node = typing.get_args(node)[0]
            elif origin in (typing.Union, types.UnionType):
                tables = [a for a in typing.get_args(node) if dataclasses.is_dataclass(a)]
                if len(tables) != 1:
                    return ()
                node = tables[0]
            else:
                break
        origin = typing.get_origin(node)
        if origin is list and isinstance(part, int):
            node = typing.get_args(node)[0]
        elif origin is dict and isinstance(part, str):
            node = typing.get_args(node)[1]
        elif dataclasses.is_dataclass(node) and isinstance(part, str):
            node = _fields(node).get(part)  # type: ignore[arg-type]
        else:
            return ()
    while typing.get_origin(node) is typing.Annotated:
        node = typing.get_args(node)[0]
    if typing.get_origin(node) in (typing.Union, types.UnionType):
        tables = [a for a in typing.get_args(node) if dataclasses.is_dataclass(a)]
        node = tables[0] if len(tables) == 1 else None
    if not (isinstance(node, type) and dataclasses.is_dataclass(node)):
        return ()
    return tuple(_fields(node))


def _unknown_key(kind: type[Any], loc: KeyPath) -> str:
    import difflib

    hint = ""
    if loc and isinstance(loc[-1], str):
        close = difflib.get_close_matches(loc[-1], _keys_at(kind, loc[:-1]), n=1, cutoff=0.7)
        if close:
            hint = f"did you mean {close[0]!r}? "
    return f"unknown key ({hint}check the spelling; see the step format in the README)"


def _validation_issues(
    file: Path | str, kind: type[Any], raw: Any, error: ValidationError
) -> list[Issue]:
    """One issue per place. For a value that fits no branch of a union, the branch that
    says something (e.g. "should be a finite number") rather than every branch's kind.

    Linear in the number of errors: a file with thousands of misspelled keys is as quick to
    report, per key, as one with a single one."""
    places: dict[KeyPath, list[Any]] = {}
    for e in error.errors():
        places.setdefault(_data_loc(raw, e["loc"], e["type"] == "missing"), []).append(e)
    enclosing = {loc[:end] for loc in places for end in range(len(loc))}
    out: dict[tuple[KeyPath, str], Issue] = {}
    hints = 100
    for loc, errors in places.items():
        if loc in enclosing and all(e["type"] in _WRONG_TYPE for e in errors):
            continue  # another branch of the union got further: its problem says more
        telling = [e for e in errors if e["type"] not in _WRONG_TYPE] or errors[:1]
        if len(errors) > 1 and telling == errors[:1] and errors[0]["type"] in _WRONG_TYPE:
            kinds = [e["msg"].removeprefix("Input should be ") for e in errors]
            telling = [{**errors[0], "msg": "should be " + " or ".join(dict.fromkeys(kinds))}]
        for e in telling:
            msg = e["msg"]
            if e["type"] in _UNKNOWN_KEY:
                # A hint for the first keys only: thousands would repeat one another.
                hints = hints - 1
                msg = _unknown_key(kind, loc if hints >= 0 else ())
            elif e["type"] == "missing":
                msg = f"{msg}: add the key {loc[-1]!s}" if loc else msg
            out.setdefault((loc, msg), Issue(file, loc, msg))
    return list(out.values())


MAX_FILE_BYTES = 2 * 1024 * 1024
_TOML_PLACE = re.compile(
    r"^(?P<msg>.*?) \(at (?:line (?P<line>\d+), column (?P<col>\d+)|end of document)\)$"
)


def _read_bytes(path: Path, issues: list[Issue]) -> bytes | None:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            issues.append(Issue(path, (), f"file is larger than {MAX_FILE_BYTES} bytes"))
            return None
        return path.read_bytes()
    except OSError as exc:
        issues.append(Issue(path, (), f"cannot read: {exc.strerror or exc}"))
    return None


def _parse_toml(path: Path, data: bytes, issues: list[Issue]) -> dict[str, Any] | None:
    import tomllib  # only when the pack is read, not when it comes from the cache

    try:
        return tomllib.loads(data.decode("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        m = _TOML_PLACE.match(str(exc))
        if m is None or m.group("line") is None:
            message = m.group("msg") if m is not None else str(exc)
            issues.append(Issue(path, (), f"not valid TOML: {message}"))
        else:
            line, column = int(m.group("line")), int(m.group("col"))
            issues.append(
                Issue(path, (), f"not valid TOML: {m.group('msg')}", line=line, column=column)
            )
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        issues.append(Issue(path, (), f"not UTF-8 text: {exc.reason}", line=line, column=column))
    except RecursionError:  # tomllib reads nested arrays and tables recursively
        issues.append(Issue(path, (), "not a step file: values nest too deeply to read"))
    return None


def _read_toml(path: Path, issues: list[Issue]) -> tuple[dict[str, Any] | None, bytes | None]:
    data = _read_bytes(path, issues)
    return (None if data is None else _parse_toml(path, data, issues)), data


def _known(names: Iterable[str], limit: int = 8) -> str:
    """A list of names for a message, cut short: a pack with thousands of sources does not
    repeat all of them in each problem."""
    shown = sorted(names)
    if len(shown) <= limit:
        return ", ".join(shown)
    return ", ".join(shown[:limit]) + f", ... ({len(shown)} in all)"


# ---------------------------------------------------------------------------------------
# Types of names


def question_type(q: Question) -> Type:
    if q.type == "bool":
        return expr.BOOL
    if q.type == "int":
        if q.choices:
            return Type("int", frozenset(c.value for c in q.choices))
        return expr.INT
    if q.type == "number":
        return expr.NUMBER
    if q.type == "date":
        return expr.DATE
    if q.type == "choice":
        return Type("string", frozenset(c.value for c in q.choices or ()))
    return expr.STRING


def _value_type(value: Any) -> Type:
    if isinstance(value, bool):
        return expr.BOOL
    if isinstance(value, int):
        return expr.INT
    if isinstance(value, float):
        return expr.NUMBER
    if isinstance(value, str):
        return expr.STRING
    item: Type | None = None
    for v in value.values():
        t = _value_type(v)
        item = t if item is None else (expr.NUMBER if item.numeric and t.numeric else item)
    return Type("table", item=item or expr.STRING, keys=frozenset(value))


def _same_shape(default: Any, new: Any) -> bool:
    a, b = _value_type(default), _value_type(new)
    if a.kind == "table" and b.kind == "table":
        return (
            a.item is not None
            and b.item is not None
            and (a.item.kind == b.item.kind or (a.item.numeric and b.item.numeric))
        )
    return a.kind == b.kind or (a.kind == "number" and b.kind == "int")


# ---------------------------------------------------------------------------------------
# Loading


def default_steps_dir() -> Path:
    """The shipped pack: inside the installed package, or ``steps/`` of a source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "steps", here.parent.parent / "steps"):
        if candidate.is_dir() and any(candidate.glob("*.toml")):
            return candidate
    return here / "steps"


@dataclass(frozen=True)
class RecordedSettings:
    """Setting values kept in a session record, applied as a site file would be (the same
    checks and limits): a resumed walk runs under the settings it started with."""

    site: str | None
    values: Mapping[str, Any]
    where: str
    """The session file, for messages."""


@dataclass(frozen=True)
class Validation:
    """What ``validate`` reports: the guide (None when it cannot be loaded) and every
    problem found, errors and warnings, each with its place."""

    guide: Guide | None
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


@dataclass
class _Read:
    """The bytes of a pack's files and its site file, and a placer over their text."""

    root: Path
    contents: dict[Path, bytes | None]
    site: Path | RecordedSettings | None
    site_file: Path | None
    site_bytes: bytes | None
    placer: Placer


def _read_pack(
    steps_dir: Path | None, site_file: Path | None, recorded: RecordedSettings | None
) -> tuple[_Read, list[Issue]]:
    root = steps_dir or default_steps_dir()
    issues: list[Issue] = []
    texts: dict[str, bytes | None] = {}

    def read(name: str) -> str | None:
        data = texts.get(name)
        return None if data is None else data.decode("utf-8", errors="replace")

    placer = Placer(read)
    contents: dict[Path, bytes | None] = {}
    site_bytes: bytes | None = None
    if not root.is_dir():
        what = "is not a folder" if root.exists() else "no such folder"
        issues.append(Issue(root, (), f"{what} (give --steps a folder of .toml files)"))
    else:
        files = sorted(p for p in root.glob("*.toml") if p.is_file())
        if not files:
            issues.append(Issue(root, (), "no .toml files in this folder"))
        contents = {path: _read_bytes(path, issues) for path in files}
        if site_file is not None:
            site_bytes = _read_bytes(site_file, issues)
    texts.update({str(p): b for p, b in contents.items()})
    site: Path | RecordedSettings | None = site_file
    if site_file is not None:
        texts[str(site_file)] = site_bytes
    if recorded is not None:
        import json

        site = recorded
        site_file = Path(recorded.where)
        site_bytes = json.dumps([recorded.site, dict(recorded.values)], sort_keys=True).encode()
    return _Read(root, contents, site, site_file, site_bytes, placer), issues


def _build(read: _Read, issues: list[Issue]) -> Guide | None:
    """Parse, validate and compile the files; None (with ``issues``) when they fail.

    Every problem is found in one run: an unknown key is reported and left out; a table
    that still fails validation (a value of the wrong type, a key missing) is set aside and
    the rest of its file is compiled and checked all the same. What refers to a table set
    aside is not reported again (its step id, question keys, source key are taken as
    defined); the checks that need the whole pack (a requires_clear step, gates after it)
    wait until there is no other problem.
    """
    from pydantic import ValidationError

    packs: list[_File] = []
    aside: set[str] = set()
    for path, data in read.contents.items():
        raw = _parse_toml(path, data or b"", issues)
        if raw is None:
            continue
        try:
            packs.append(_File(path, model.validate(PackFile, raw), None))
        except ValidationError as exc:
            issues.extend(_validation_issues(path, PackFile, raw, exc))
            _drop_unknown_keys(raw, exc)
            try:
                packs.append(_File(path, model.validate(PackFile, raw), None))
            except ValidationError:
                pack, indexes, names = _salvage(raw)
                packs.append(_File(path, pack, indexes))
                aside |= names
    if any(not i.path for i in issues):
        return None  # a file that cannot be read at all: its names are unknown
    compiler = _Compiler(read.root, packs, read.site, issues, aside)
    guide = compiler.run()
    if guide is None:
        return None
    from .checks import check_guide  # only when a pack is compiled, not from the cache

    complete = not issues and not aside
    issues.extend(check_guide(guide, complete=complete))
    return guide if complete and not issues else None


def _drop_unknown_keys(raw: dict[str, Any], error: ValidationError) -> None:
    """Remove the unknown keys (reported already) from the data: nothing reads them, so
    the rest of their table can still be checked."""
    for e in error.errors():
        if e["type"] not in _UNKNOWN_KEY:
            continue
        loc = _data_loc(raw, e["loc"], False)
        node: Any = raw
        for part in loc[:-1]:
            node = node[part]
        if isinstance(node, dict) and loc:
            node.pop(loc[-1], None)


class _File(NamedTuple):
    path: Path
    pack: PackFile
    indexes: dict[str, list[int]] | None
    """For a file whose tables were set aside: each kept item's index in the file."""


def _salvage(raw: dict[str, Any]) -> tuple[PackFile, dict[str, list[int]], set[str]]:
    """The tables of a file that failed validation that pass it one by one; the indexes
    of the items kept; and the names the others define (``kind:name``), so that what
    refers to them is not reported as unknown."""
    from pydantic import ValidationError

    def alone(key: str, value: Any) -> PackFile | None:
        try:
            return model.validate(PackFile, {key: value})  # type: ignore[no-any-return]
        except ValidationError:
            return None

    guide: GuideMeta | None = None
    tables: dict[str, dict[str, Any]] = {"sources": {}, "settings": {}}
    items: dict[str, list[Any]] = {"step": [], "gate": [], "derived": []}
    indexes: dict[str, list[int]] = {"step": [], "gate": [], "derived": []}
    aside: set[str] = set()
    if "guide" in raw:
        one = alone("guide", raw["guide"])
        if one is None:
            aside.add("guide:")
        else:
            guide = one.guide
    for key, kind in (("sources", "source"), ("settings", "setting")):
        value = raw.get(key)
        for name, table in value.items() if isinstance(value, dict) else ():
            one = alone(key, {name: table})
            if one is None:
                aside.add(f"{kind}:{name}")
            else:
                tables[key].update(getattr(one, key))
    for key, ident in (("step", "id"), ("gate", "id"), ("derived", "name")):
        value = raw.get(key)
        for i, item in enumerate(value if isinstance(value, list) else ()):
            one = alone(key, [item])
            if one is not None:
                items[key].extend(getattr(one, key))
                indexes[key].append(i)
                continue
            if isinstance(item, dict):
                if isinstance(item.get(ident), str):
                    aside.add(f"{key}:{item[ident]}")
                for q in item.get("question", ()) if key == "step" else ():
                    if isinstance(q, dict) and isinstance(q.get("key"), str):
                        aside.add(f"question:{q['key']}")
    pack = PackFile(
        guide=guide,
        sources=tables["sources"],
        settings=tables["settings"],
        step=items["step"],
        gate=items["gate"],
        derived=items["derived"],
    )
    return pack, indexes, aside


def load_guide(
    steps_dir: Path | None = None,
    site_file: Path | None = None,
    *,
    use_cache: bool = True,
    recorded: RecordedSettings | None = None,
) -> Guide:
    """Load, validate and compile a step pack; raise :class:`PackError` with every problem.

    ``recorded`` (instead of ``site_file``) applies the settings a session recorded.

    A pack that loaded before, byte for byte, with the same program and site file, comes
    from the cache (see :mod:`xrntx_guide.packcache`): no TOML parsing, no validation.
    """
    from . import packcache

    read, issues = _read_pack(steps_dir, site_file, recorded)
    if issues:
        raise PackError(read.placer.problems(issues))
    key = None
    if use_cache:
        key = packcache.key(read.root, read.contents, read.site_file, read.site_bytes)
        cached = packcache.read(key)
        if cached is not None:
            return cached
    guide = _build(read, issues)
    if guide is None:
        raise PackError(read.placer.problems(issues))
    if key is not None:
        packcache.write(key, guide)
    return guide


def validate_pack(steps_dir: Path | None = None, site_file: Path | None = None) -> Validation:
    """Read and check a pack as :func:`load_guide` does, never from the cache, and also
    look for what is allowed but worth a look (warnings): a source nothing cites, facts
    marked verify, a step or question that no answers can reach.

    Never raises :class:`PackError`: every problem is in the result, errors first as found.
    """
    read, issues = _read_pack(steps_dir, site_file, None)
    guide = None if issues else _build(read, issues)
    if guide is not None:
        from .checks import pack_warnings

        issues.extend(pack_warnings(guide))
    return Validation(guide, tuple(read.placer.problems(issues)))


def _load_site(
    site: Path | RecordedSettings, settings: Mapping[str, Setting], issues: list[Issue]
) -> tuple[str | None, dict[str, Any]]:
    """A site file's values, or a session's recorded ones: checked alike, limits included."""
    from pydantic import ValidationError

    if isinstance(site, RecordedSettings):
        site_file: Path | str = site.where
        raw: dict[str, Any] | None = {"site": site.site or "session", "settings": dict(site.values)}
    else:
        site_file = site
        raw, _ = _read_toml(site, issues)
    if raw is None:
        return None, {}
    try:
        parsed = model.validate(SiteFile, raw)
    except ValidationError as exc:
        issues.extend(_validation_issues(site_file, SiteFile, raw, exc))
        return None, {}
    values: dict[str, Any] = {}
    for name, value in parsed.settings.items():
        here: KeyPath = ("settings", name)
        if name not in settings:
            issues.append(Issue(site_file, here, f"no such setting (known: {_known(settings)})"))
        elif not settings[name].site_adjustable:
            sources = ", ".join(settings[name].sources)
            issues.append(
                Issue(
                    site_file,
                    here,
                    f"a site may not change it: the value comes from the sources ({sources}), "
                    "not site policy",
                )
            )
        elif not _same_shape(settings[name].value, value):
            issues.append(
                Issue(
                    site_file,
                    here,
                    f"must be like the default {settings[name].value!r}, not {value!r}",
                )
            )
        elif isinstance(value, dict):
            default = settings[name].value
            assert isinstance(default, dict)
            unknown = sorted(set(value) - set(default))
            # Each entry like its default's: a table's shape check looks at one entry.
            unlike = sorted(
                k for k in value if k in default and not _same_shape(default[k], value[k])
            )
            issues.extend(
                Issue(
                    site_file,
                    (*here, k),
                    f"unknown key {k!r} of settings.{name} (known: {_known(default)})",
                )
                for k in unknown
            )
            issues.extend(
                Issue(
                    site_file,
                    (*here, k),
                    f"{k} must be like the default {default[k]!r}, not {value[k]!r}",
                )
                for k in unlike
            )
            if not unknown and not unlike:  # a site changes the entries it names
                values[name] = {**default, **value}
        else:
            values[name] = value
    # Limits are checked on the values in force once the whole file is read: a limit may
    # name another setting (the liver stop is never below the liver caution).
    in_force = {**{k: s.value for k, s in settings.items()}, **values}
    for name, value in values.items():
        setting = settings[name]
        for entry, p in _outside_limits(setting, value, in_force):
            sources = ", ".join(setting.limit_sources)
            where: KeyPath = ("settings", name) if entry is None else ("settings", name, entry)
            issues.append(Issue(site_file, where, f"{p} ({sources})"))
    return parsed.site, values


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _limit_problems(setting: Setting, settings: Mapping[str, Setting]) -> list[tuple[str, str]]:
    """What is wrong with a setting's site_min/site_max/site_choices themselves, each with
    the key it is about.

    Every setting a site may change must say how far it may go, with the source of the
    limit: a site may make the policy stricter, never looser (reference 4.3)."""
    out: list[tuple[str, str]] = []
    bounds = (("site_min", setting.site_min), ("site_max", setting.site_max))
    has_limit = any(b is not None for _, b in bounds) or setting.site_choices is not None
    if setting.site_adjustable and not has_limit:
        out.append(
            (
                "site_adjustable",
                "a site may change it, so it needs the limit a site may not pass "
                "(site_min, site_max or site_choices, with limit_sources); "
                "or set site_adjustable = false",
            )
        )
    if has_limit and not setting.limit_sources:
        out.append(("limit_sources", "a site limit needs limit_sources: the source that sets it"))
    for label, bound in bounds:
        if bound is None:
            continue
        if isinstance(bound, str):
            other = settings.get(bound)
            if other is None:
                out.append((label, f"{label} = {bound!r} is not a setting"))
            elif not (_is_number(other.value) and _is_number(setting.value)):
                out.append((label, f"{label} = {bound!r}: both settings must be numbers"))
            continue
        if isinstance(setting.value, dict):
            if not isinstance(bound, dict):
                out.append((label, f"{label} must be a table of entries of the value"))
                continue
            for key in sorted(bound):
                if key not in setting.value:
                    out.append((label, f"{label}: {key!r} is not an entry of the value"))
                elif not _is_number(setting.value[key]):
                    out.append((label, f"{label}: the entry {key!r} is not a number"))
            if setting.site_adjustable and label == "site_min" and setting.site_max is None:
                unbounded = sorted(
                    k for k, v in setting.value.items() if _is_number(v) and k not in bound
                )
                if unbounded:
                    out.append((label, f"{label} has no limit for {unbounded}"))
        elif isinstance(bound, dict) or not _is_number(setting.value):
            out.append((label, f"{label} must be a number, for a setting whose value is a number"))
    if setting.site_choices is not None:
        if not isinstance(setting.value, str):
            out.append(("site_choices", "site_choices is for a setting whose value is text"))
        elif setting.value not in setting.site_choices:
            out.append(("site_choices", f"site_choices must include the default {setting.value!r}"))
    return out


def _outside_limits(
    setting: Setting, value: object, in_force: Mapping[str, Any]
) -> list[tuple[str | None, str]]:
    """Each way ``value`` is outside the setting's site_min/site_max/site_choices, with the
    entry of a table it is about (None for the whole value)."""
    out: list[tuple[str | None, str]] = []
    if setting.site_choices is not None and value not in setting.site_choices:
        allowed = ", ".join(repr(c) for c in setting.site_choices)
        out.append((None, f"{value!r} is not one a site may set (allowed: {allowed})"))
    for bound, below in ((setting.site_min, True), (setting.site_max, False)):
        if bound is None:
            continue
        pairs: list[tuple[str | None, object, object, str]]
        if isinstance(bound, dict):
            got = value if isinstance(value, dict) else {}
            pairs = [(k, got.get(k), b, "") for k, b in bound.items()]
        elif isinstance(bound, str):
            pairs = [(None, value, in_force.get(bound), f" (settings.{bound} in force)")]
        else:
            pairs = [(None, value, bound, "")]
        for entry, v, b, what in pairs:
            if not (_is_number(v) and _is_number(b)):
                continue  # a wrong shape is reported on its own
            if (v < b) if below else (v > b):  # type: ignore[operator]
                word = "below" if below else "above"
                edge = "lowest" if below else "highest"
                prefix = "" if entry is None else f"{entry} = "
                out.append((entry, f"{prefix}{v} is {word} {b}{what}, the {edge} a site may set"))
    return out


# ---------------------------------------------------------------------------------------
# Compiling: the files' definitions -> a Guide, one phase per method


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
    ) -> None:
        self.root = root
        self.packs = packs
        self.site = site
        self.issues = issues
        self.aside = set(aside)
        """``kind:name`` of definitions set aside (they failed validation): what refers
        to them is not reported again."""
        self.meta: _Def | None = None
        self.sources: dict[str, Source] = {}
        self.settings: dict[str, Setting] = {}
        self.steps: list[_Def] = []
        self.gates: list[_Def] = []
        self.derived: list[_Def] = []
        self.places: dict[str, tuple[Path, KeyPath]] = {}
        self.types: dict[str, Type] = {"today": expr.DATE}

    def problem(self, file: Path | str, path: KeyPath, message: str, at: int | None = None) -> None:
        self.issues.append(Issue(file, path, message, at=at))

    def run(self) -> Guide | None:
        """The guide, or None without a [guide] table. With problems, the guide holds what
        compiled (for the whole-pack checks to look at) and must not be used."""
        self.collect()
        if self.meta is None:
            if "guide:" not in self.aside:
                self.problem(
                    self.root, (), "no file has a [guide] table (id, title, version, ...): add one"
                )
            return None
        meta: GuideMeta = self.meta.item
        setting_values: dict[str, Any] = {k: s.value for k, s in self.settings.items()}
        site_name: str | None = None
        if self.site is not None:
            site_name, overrides = _load_site(self.site, self.settings, self.issues)
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
            gates = [g for g in gates if g.gate.before in ids and g.rules]
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
        try:
            return Compiled.compile(source, self.types, want)
        except ExprError as exc:
            self.expr_problem(exc, source, file, path)
            return None

    def expr_problem(self, exc: ExprError, source: str, file: Path, path: KeyPath) -> None:
        unknown = _UNKNOWN_NAME.fullmatch(exc.message)
        if unknown is not None and self.name_set_aside(unknown.group(1)):
            return  # the name is defined, in a table that failed validation
        self.problem(file, path, f"{exc} in {source!r}", at=exc.position)

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
        node = expr.Literal(0, bound)
        typ = expr.typecheck(node, {})
        if not (typ.kind == own.kind or (own.numeric and typ.numeric)):
            self.problem(file, path, f"gives {typ} but the question is {own}")
            return None
        return Compiled(repr(bound), node, typ, frozenset())

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
                self.problem(
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
                self.problem(
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
                self.check_sources(q.sources, file, (*here, "sources"))
                own = self.types.get(q.key, expr.STRING)
                cq = CQuestion(
                    q=q,
                    step_id=step.id,
                    key=q.key,
                    when=self.compile(q.when, file, (*here, "when"), "bool"),
                    default=self.compile_like(q.default, file, (*here, "default"), own),
                    suggest=self.compile_like(q.suggest, file, (*here, "suggest"), own),
                    computed=self.compile_like(q.computed, file, (*here, "computed"), own),
                    min=self.compile_bound(q.min, file, (*here, "min"), own),
                    max=self.compile_bound(q.max, file, (*here, "max"), own),
                    wait_minutes=self.compile(
                        q.wait_minutes, file, (*here, "wait_minutes"), "number"
                    ),
                )
                if self.places.get(f"question:{q.key}") == (file, here):
                    cqs.append(cq)  # a key asked twice is reported; the first one counts
            when = self.compile(step.when, file, (*path, "when"), "bool")
            csteps.append(CStep(step, index, when, tuple(cqs), tuple(notes)))
        return csteps

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
                self.problem(file, (*path, "before"), f"before = {gate.before!r} is not a step id")
            self.check_sources(gate.sources, file, (*path, "sources"))
            if gate.pass_message:
                self.check_template(gate.pass_message, file, (*path, "pass_message"))
            rules = []
            for i, rule in enumerate(gate.rule):
                here: KeyPath = (*path, "rule", i)
                self.check_sources(rule.sources, file, (*here, "sources"))
                self.check_template(rule.message, file, (*here, "message"), GATE_LOCAL_NAMES)
                for ii, text in enumerate(rule.instead):
                    self.check_template(text, file, (*here, "instead", ii), GATE_LOCAL_NAMES)
                fails = self.compile(rule.fails_when, file, (*here, "fails_when"), "bool")
                if fails is not None:
                    rule_reads = self.inputs([fails])
                    waits = "today" in rule_reads or meta.date_key in rule_reads
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
            self.problem(
                self.meta.file,
                ("guide", "date_key"),
                f"guide.date_key {meta.date_key!r} is not a date question",
            )


def _question_shape(q: Question, file: Path, path: KeyPath) -> list[Issue]:
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
    return out


_UNKNOWN_NAME = re.compile(r"unknown name '([^']*)'")

RESERVED_WORDS = frozenset({"back", "review", "edit", "why", "quit", "help", "start", "wait"})
"""Words the interactive prompt reads as commands (in any case), so no choice may use them."""
RESERVED_NAMES = frozenset({"today", "settings"})
"""Names the expression language gives itself; no question or derived value may take them."""
