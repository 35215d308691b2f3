"""Files -> :class:`Guide`: read the TOML step pack, validate it, compile its expressions.

Every problem is collected with the file and the location inside it and reported at once
in a :class:`~xrntx_guide.errors.PackError`; nothing is reported as a traceback.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import expr, model
from .errors import PackError
from .expr import Compiled, ExprError, Type
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

if TYPE_CHECKING:
    from pydantic import ValidationError

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)\}")
GATE_LOCAL_NAMES = frozenset({"earliest_date"})
"""Placeholders a gate message may use beyond the pack's names."""
MAX_FILE_BYTES = 2 * 1024 * 1024


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
    _files: Mapping[str, Path] = field(default_factory=dict, repr=False)

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
        return self._files.get(f"{kind}:{name}", self.root)

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
    def guarding(self) -> tuple[tuple[CGate, ...], ...]:
        """For each step index, the gates that guard it: those checked before it or before
        an earlier step (a gate whose own step is hidden is checked at the next one shown)."""
        before = {g.id: self.step(g.gate.before).index for g in self.gates}
        return tuple(tuple(g for g in self.gates if before[g.id] <= s.index) for s in self.steps)

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
    def override_codes(self) -> frozenset[str]:
        """The reason codes an override may carry."""
        return frozenset(c.code for c in self.meta.override_codes)

    def phase_title(self, phase_id: str) -> str:
        for p in self.meta.phases:
            if p.id == phase_id:
                return p.title
        return phase_id


# ---------------------------------------------------------------------------------------
# Locating problems


def _describe_loc(raw: Any, loc: Sequence[int | str]) -> str:
    """Render a pydantic location, naming list items by their id or key where they have one."""
    parts: list[str] = []
    node = raw
    for item in loc:
        if isinstance(item, int) and parts:
            label = f"{parts.pop()}[{item}]"
            child = node[item] if isinstance(node, list) and item < len(node) else None
            if isinstance(child, dict):
                ident = child.get("id") or child.get("key") or child.get("name")
                if isinstance(ident, str):
                    label += f" ({ident})"
            parts.append(label)
            node = child
        else:
            parts.append(str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts) if parts else "(top level)"


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


def _data_loc(raw: Any, loc: Sequence[int | str], missing: bool) -> tuple[int | str, ...]:
    """The location without pydantic's union branch names (``int``, ``dict[str,...]``):
    the parts that are not keys or indexes of the data (a missing key stays)."""
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


def _validation_problems(where: str, raw: Any, error: ValidationError) -> list[str]:
    """One line per place. For a value that fits no branch of a union, the branch that
    says something (e.g. "should be a finite number") rather than every branch's kind."""
    places: dict[tuple[int | str, ...], list[Any]] = {}
    for e in error.errors():
        places.setdefault(_data_loc(raw, e["loc"], e["type"] == "missing"), []).append(e)
    out = []
    for loc, errors in places.items():
        deeper = any(len(other) > len(loc) and other[: len(loc)] == loc for other in places)
        if deeper and all(e["type"] in _WRONG_TYPE for e in errors):
            continue  # another branch of the union got further: its problem says more
        telling = [e for e in errors if e["type"] not in _WRONG_TYPE] or errors[:1]
        if len(errors) > 1 and telling == errors[:1] and errors[0]["type"] in _WRONG_TYPE:
            kinds = [e["msg"].removeprefix("Input should be ") for e in errors]
            telling = [{**errors[0], "msg": "should be " + " or ".join(dict.fromkeys(kinds))}]
        for e in telling:
            msg = e["msg"]
            if e["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
                msg = "unknown key (check the spelling; see the step format in the README)"
            out.append(f"{where}: {_describe_loc(raw, loc)}: {msg}")
    return list(dict.fromkeys(out))


def _read_bytes(path: Path, problems: list[str]) -> bytes | None:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            problems.append(f"{path}: file is larger than {MAX_FILE_BYTES} bytes")
            return None
        return path.read_bytes()
    except OSError as exc:
        problems.append(f"{path}: cannot read: {exc.strerror or exc}")
    return None


def _parse_toml(path: Path, data: bytes, problems: list[str]) -> dict[str, Any] | None:
    import tomllib  # only when the pack is read, not when it comes from the cache

    try:
        return tomllib.loads(data.decode("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"{path}: not valid TOML: {exc}")
    except UnicodeDecodeError as exc:
        problems.append(f"{path}: not UTF-8 text: {exc.reason}")
    return None


def _read_toml(path: Path, problems: list[str]) -> dict[str, Any] | None:
    data = _read_bytes(path, problems)
    return None if data is None else _parse_toml(path, data, problems)


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

    root = steps_dir or default_steps_dir()
    problems: list[str] = []
    if not root.is_dir():
        what = "is not a folder" if root.exists() else "no such folder"
        raise PackError([f"{root}: {what} (give --steps a folder of .toml files)"])
    files = sorted(p for p in root.glob("*.toml") if p.is_file())
    if not files:
        raise PackError([f"{root}: no .toml files in this folder"])
    contents = {path: _read_bytes(path, problems) for path in files}
    site_bytes = _read_bytes(site_file, problems) if site_file is not None else None
    if problems:
        raise PackError(problems)
    site: Path | RecordedSettings | None = site_file
    if recorded is not None:
        import json

        site = recorded
        site_file = Path(recorded.where)
        site_bytes = json.dumps([recorded.site, dict(recorded.values)], sort_keys=True).encode()
    key = None
    if use_cache:
        key = packcache.key(root, contents, site_file, site_bytes)
        cached = packcache.read(key)
        if cached is not None:
            return cached

    from pydantic import ValidationError

    packs: list[tuple[Path, PackFile]] = []
    for path, data in contents.items():
        raw = _parse_toml(path, data or b"", problems)
        if raw is None:
            continue
        try:
            packs.append((path, model.validate(PackFile, raw)))
        except ValidationError as exc:
            problems.extend(_validation_problems(str(path), raw, exc))
    if problems:
        raise PackError(problems)
    guide = _assemble(root, packs, site)
    if key is not None:
        packcache.write(key, guide)
    return guide


def _load_site(
    site: Path | RecordedSettings, settings: Mapping[str, Setting], problems: list[str]
) -> tuple[str | None, dict[str, Any]]:
    """A site file's values, or a session's recorded ones: checked alike, limits included."""
    from pydantic import ValidationError

    if isinstance(site, RecordedSettings):
        site_file: object = site.where
        raw: dict[str, Any] | None = {"site": site.site or "session", "settings": dict(site.values)}
    else:
        site_file = site
        raw = _read_toml(site, problems)
    if raw is None:
        return None, {}
    try:
        parsed = model.validate(SiteFile, raw)
    except ValidationError as exc:
        problems.extend(_validation_problems(str(site_file), raw, exc))
        return None, {}
    values: dict[str, Any] = {}
    for name, value in parsed.settings.items():
        if name not in settings:
            known = ", ".join(sorted(settings))
            problems.append(f"{site_file}: settings.{name}: no such setting (known: {known})")
        elif not settings[name].site_adjustable:
            sources = ", ".join(settings[name].sources)
            problems.append(
                f"{site_file}: settings.{name}: a site may not change it: the value comes "
                f"from the sources ({sources}), not site policy"
            )
        elif not _same_shape(settings[name].value, value):
            problems.append(
                f"{site_file}: settings.{name}: must be like the default "
                f"{settings[name].value!r}, not {value!r}"
            )
        elif isinstance(value, dict):
            default = settings[name].value
            assert isinstance(default, dict)
            unknown = sorted(set(value) - set(default))
            # Each entry like its default's: a table's shape check looks at one entry.
            unlike = sorted(
                k for k in value if k in default and not _same_shape(default[k], value[k])
            )
            if unknown:
                problems.append(
                    f"{site_file}: settings.{name}: unknown keys {unknown} "
                    f"(known: {sorted(default)})"
                )
            elif unlike:
                problems.extend(
                    f"{site_file}: settings.{name}: {k} must be like the default "
                    f"{default[k]!r}, not {value[k]!r}"
                    for k in unlike
                )
            else:  # a site changes the entries it names; the others keep their defaults
                values[name] = {**default, **value}
        else:
            values[name] = value
    # Limits are checked on the values in force once the whole file is read: a limit may
    # name another setting (the liver stop is never below the liver caution).
    in_force = {**{k: s.value for k, s in settings.items()}, **values}
    for name, value in values.items():
        setting = settings[name]
        for p in _outside_limits(setting, value, in_force):
            sources = ", ".join(setting.limit_sources)
            problems.append(f"{site_file}: settings.{name}: {p} ({sources})")
    return parsed.site, values


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _limit_problems(setting: Setting, settings: Mapping[str, Setting]) -> list[str]:
    """What is wrong with a setting's site_min/site_max/site_choices themselves.

    Every setting a site may change must say how far it may go, with the source of the
    limit: a site may make the policy stricter, never looser (reference 4.3)."""
    out: list[str] = []
    bounds = (("site_min", setting.site_min), ("site_max", setting.site_max))
    has_limit = any(b is not None for _, b in bounds) or setting.site_choices is not None
    if setting.site_adjustable and not has_limit:
        out.append(
            "a site may change it, so it needs the limit a site may not pass "
            "(site_min, site_max or site_choices, with limit_sources); "
            "or set site_adjustable = false"
        )
    if has_limit and not setting.limit_sources:
        out.append("a site limit needs limit_sources: the source that sets it")
    for label, bound in bounds:
        if bound is None:
            continue
        if isinstance(bound, str):
            other = settings.get(bound)
            if other is None:
                out.append(f"{label} = {bound!r} is not a setting")
            elif not (_is_number(other.value) and _is_number(setting.value)):
                out.append(f"{label} = {bound!r}: both settings must be numbers")
            continue
        if isinstance(setting.value, dict):
            if not isinstance(bound, dict):
                out.append(f"{label} must be a table of entries of the value")
                continue
            for key in sorted(bound):
                if key not in setting.value:
                    out.append(f"{label}: {key!r} is not an entry of the value")
                elif not _is_number(setting.value[key]):
                    out.append(f"{label}: the entry {key!r} is not a number")
            if setting.site_adjustable and label == "site_min" and setting.site_max is None:
                unbounded = sorted(
                    k for k, v in setting.value.items() if _is_number(v) and k not in bound
                )
                if unbounded:
                    out.append(f"{label} has no limit for {unbounded}")
        elif isinstance(bound, dict) or not _is_number(setting.value):
            out.append(f"{label} must be a number, for a setting whose value is a number")
    if setting.site_choices is not None:
        if not isinstance(setting.value, str):
            out.append("site_choices is for a setting whose value is text")
        elif setting.value not in setting.site_choices:
            out.append(f"site_choices must include the default {setting.value!r}")
    return out


def _outside_limits(setting: Setting, value: object, in_force: Mapping[str, Any]) -> list[str]:
    """Each way ``value`` is outside the setting's site_min/site_max/site_choices."""
    out: list[str] = []
    if setting.site_choices is not None and value not in setting.site_choices:
        allowed = ", ".join(repr(c) for c in setting.site_choices)
        out.append(f"{value!r} is not one a site may set (allowed: {allowed})")
    for bound, below in ((setting.site_min, True), (setting.site_max, False)):
        if bound is None:
            continue
        pairs: list[tuple[str, object, object, str]]
        if isinstance(bound, dict):
            got = value if isinstance(value, dict) else {}
            pairs = [(f"{k} = ", got.get(k), b, "") for k, b in bound.items()]
        elif isinstance(bound, str):
            pairs = [("", value, in_force.get(bound), f" (settings.{bound} in force)")]
        else:
            pairs = [("", value, bound, "")]
        for prefix, v, b, what in pairs:
            if not (_is_number(v) and _is_number(b)):
                continue  # a wrong shape is reported on its own
            if (v < b) if below else (v > b):  # type: ignore[operator]
                word = "below" if below else "above"
                edge = "lowest" if below else "highest"
                out.append(f"{prefix}{v} is {word} {b}{what}, the {edge} a site may set")
    return out


def _assemble(
    root: Path, packs: list[tuple[Path, PackFile]], site_file: Path | RecordedSettings | None
) -> Guide:
    problems: list[str] = []
    meta: GuideMeta | None = None
    sources: dict[str, Source] = {}
    settings: dict[str, Setting] = {}
    steps: list[tuple[Path, Step]] = []
    gates: list[tuple[Path, Gate]] = []
    derived: list[tuple[Path, Derived]] = []
    origin: dict[str, Path] = {}

    def claim(kind: str, name: str, path: Path) -> bool:
        key = f"{kind}:{name}"
        if key in origin:
            problems.append(f"{path}: {kind} {name!r} is already defined in {origin[key]}")
            return False
        origin[key] = path
        return True

    for path, pack in packs:
        if pack.guide is not None:
            if meta is not None:
                problems.append(f"{path}: [guide] is already defined in {origin['guide:']}")
            else:
                meta = pack.guide
                origin["guide:"] = path
        for key, src in pack.sources.items():
            if claim("source", key, path):
                sources[key] = src
        for key, setting in pack.settings.items():
            if claim("setting", key, path):
                settings[key] = setting
        steps.extend((path, s) for s in pack.step if claim("step", s.id, path))
        gates.extend((path, g) for g in pack.gate if claim("gate", g.id, path))
        derived.extend((path, d) for d in pack.derived if claim("derived", d.name, path))
    if meta is None:
        problems.append(f"{root}: no file has a [guide] table (title, version, ...)")
    if problems or meta is None:
        raise PackError(problems)

    setting_values = {k: s.value for k, s in settings.items()}
    site_name: str | None = None
    if site_file is not None:
        site_name, overrides = _load_site(site_file, settings, problems)
        setting_values.update(overrides)

    # The names expressions may read, with their types.
    types: dict[str, Type] = {"today": expr.DATE}
    for name, value in setting_values.items():
        types[f"settings.{name}"] = _value_type(value)
    question_at: dict[str, tuple[Path, str]] = {}
    for path, step in steps:
        for i, q in enumerate(step.question):
            where = f"step {step.id!r} question[{i}] ({q.key})"
            if q.key in question_at:
                other = question_at[q.key]
                problems.append(f"{path}: {where}: key already asked in {other[0]} {other[1]}")
                continue
            question_at[q.key] = (path, where)
            if q.key in RESERVED_NAMES:
                problems.append(
                    f"{path}: {where}: {q.key!r} is a built-in name; choose another key"
                )
            _check_question_shape(q, f"{path}: {where}", problems)
            types[q.key] = question_type(q)
    for path, d in derived:
        if d.name in RESERVED_NAMES:
            problems.append(f"{path}: derived {d.name!r}: a built-in name; choose another")
        if d.name in types:
            problems.append(f"{path}: derived {d.name!r}: the name is already a question")

    compiled_derived, deps = _compile_derived(derived, types, problems)

    def comp(source: str | None, where: str, want: str | None = None) -> Compiled | None:
        if source is None:
            return None
        try:
            return Compiled.compile(source, types, want)
        except ExprError as exc:
            problems.append(f"{where}: {exc} in {source!r}")
            return None

    def check_sources(keys: Iterable[str], where: str) -> None:
        for key in keys:
            if key not in sources:
                problems.append(f"{where}: unknown source {key!r} (known: {', '.join(sources)})")

    def check_template(text: str, where: str, extra: frozenset[str] = frozenset()) -> None:
        for m in PLACEHOLDER.finditer(text):
            if m.group(1) not in types and m.group(1) not in extra:
                problems.append(f"{where}: unknown placeholder {{{m.group(1)}}}")

    phase_ids = {p.id for p in meta.phases}
    cq_by_key: dict[str, CQuestion] = {}
    csteps: list[CStep] = []
    for index, (path, step) in enumerate(steps):
        where = f"{path}: step {step.id!r}"
        if step.phase not in phase_ids:
            problems.append(f"{where}: phase {step.phase!r} is not one of {sorted(phase_ids)}")
        check_sources(step.sources, where)
        check_template(step.instructions, f"{where}: instructions")
        notes = []
        for ni, note in enumerate(step.note):
            check_template(note.text, f"{where}: note[{ni}]: text")
            note_when = comp(note.when, f"{where}: note[{ni}]: when", "bool")
            if note_when is not None:
                notes.append((note_when, note.text))
        cqs = []
        for q in step.question:
            qw = f"{where}: question {q.key!r}"
            check_sources(q.sources, qw)
            own = types.get(q.key, expr.STRING)
            cq = CQuestion(
                q=q,
                step_id=step.id,
                key=q.key,
                when=comp(q.when, f"{qw}: when", "bool"),
                default=_comp_like(comp, q.default, f"{qw}: default", own, problems),
                suggest=_comp_like(comp, q.suggest, f"{qw}: suggest", own, problems),
                computed=_comp_like(comp, q.computed, f"{qw}: computed", own, problems),
                min=_comp_bound(comp, q.min, f"{qw}: min", own, problems),
                max=_comp_bound(comp, q.max, f"{qw}: max", own, problems),
                wait_minutes=comp(q.wait_minutes, f"{qw}: wait_minutes", "number"),
            )
            cqs.append(cq)
            cq_by_key.setdefault(q.key, cq)
        csteps.append(
            CStep(step, index, comp(step.when, f"{where}: when", "bool"), tuple(cqs), tuple(notes))
        )

    step_ids = {s.id for s in csteps}
    cgates: list[CGate] = []
    for path, gate in gates:
        where = f"{path}: gate {gate.id!r}"
        if gate.before not in step_ids:
            problems.append(f"{where}: before = {gate.before!r} is not a step id")
        check_sources(gate.sources, where)
        if gate.pass_message:
            check_template(gate.pass_message, f"{where}: pass_message")
        rules = []
        for i, rule in enumerate(gate.rule):
            rw = f"{where}: rule[{i}]"
            check_sources(rule.sources, rw)
            check_template(rule.message, f"{rw}: message", GATE_LOCAL_NAMES)
            for text in rule.instead:
                check_template(text, f"{rw}: instead", GATE_LOCAL_NAMES)
            fails = comp(rule.fails_when, f"{rw}: fails_when", "bool")
            if fails is not None:
                rule_reads: set[str] = set()
                for n in fails.reads:
                    rule_reads |= deps.get(n, {n})
                waits = "today" in rule_reads or meta.date_key in rule_reads
                rules.append(CRule(rule, fails, waits))
        applies = comp(gate.applies_when, f"{where}: applies_when", "bool")
        reads: set[str] = set()
        for c in [applies, *(r.fails for r in rules)]:
            if c is not None:
                for n in c.reads:
                    reads |= deps.get(n, {n})
        time_dependent = "today" in reads or meta.date_key in reads
        cgates.append(
            CGate(gate, applies, tuple(rules), frozenset(reads - {"today"}), time_dependent)
        )

    for path, d in derived:
        check_sources(d.sources, f"{path}: derived {d.name!r}")
    for key, setting in settings.items():
        where = f"{origin['setting:' + key]}: settings.{key}"
        check_sources(setting.sources, where)
        check_sources(setting.limit_sources, where)
        problems.extend(f"{where}: {p}" for p in _limit_problems(setting, settings))
        defaults = {k: s.value for k, s in settings.items()}
        problems.extend(
            f"{where}: the default {p}" for p in _outside_limits(setting, setting.value, defaults)
        )
    if meta.date_key not in types or types[meta.date_key].kind != "date":
        problems.append(
            f"{origin['guide:']}: guide.date_key {meta.date_key!r} is not a date question"
        )

    if problems:
        raise PackError(problems)
    guide = Guide(
        meta=meta,
        sources=sources,
        settings=settings,
        setting_values=setting_values,
        site=site_name,
        steps=tuple(csteps),
        questions=cq_by_key,
        derived=compiled_derived,
        gates=tuple(cgates),
        types=types,
        root=root,
        _deps=deps,
        _files={**origin, **{f"question:{k}": v[0] for k, v in question_at.items()}},
    )
    from .checks import check_guide  # late: checks needs Guide

    problems = check_guide(guide)
    if problems:
        raise PackError(problems)
    return guide


def _comp_like(comp: Any, source: str | None, where: str, own: Type, problems: list[str]) -> Any:
    c = comp(source, where)
    if c is not None and not (c.type.kind == own.kind or (own.numeric and c.type.numeric)):
        problems.append(f"{where}: gives {c.type} but the question is {own}")
        return None
    return c


def _comp_bound(
    comp: Any, bound: int | float | str | None, where: str, own: Type, problems: list[str]
) -> Any:
    if bound is None:
        return None
    if own.kind not in ("int", "number", "date"):
        problems.append(f"{where}: only numbers and dates have bounds")
        return None
    if not isinstance(bound, str):  # a number: no text round trip (1e-05 would not parse)
        return _literal_bound(bound, where, own, problems)
    return _comp_like(comp, bound, where, own, problems)


def _literal_bound(bound: float, where: str, own: Type, problems: list[str]) -> Compiled | None:
    if bound != bound or bound in (float("inf"), float("-inf")):
        problems.append(f"{where}: must be a finite number, not {bound}")
        return None
    node = expr.Literal(0, bound)
    typ = expr.typecheck(node, {})
    if not (typ.kind == own.kind or (own.numeric and typ.numeric)):
        problems.append(f"{where}: gives {typ} but the question is {own}")
        return None
    return Compiled(repr(bound), node, typ, frozenset())


def _check_question_shape(q: Question, where: str, problems: list[str]) -> None:
    if q.type == "choice":
        if not q.choices:
            problems.append(f"{where}: a choice question needs choices")
        elif not all(isinstance(c.value, str) for c in q.choices):
            problems.append(f"{where}: choice values must be strings (use type = 'int' for scores)")
    elif q.type == "int":
        if q.choices and not all(isinstance(c.value, int) for c in q.choices):
            problems.append(f"{where}: an int question's choices must be whole numbers")
    elif q.choices:
        problems.append(f"{where}: only choice and int questions have choices")
    if q.choices:
        values = [c.value for c in q.choices]
        if len(set(values)) != len(values):
            problems.append(f"{where}: choice values repeat")
        reserved = {v for v in values if str(v).lower() in RESERVED_WORDS}
        if reserved:
            problems.append(f"{where}: {sorted(reserved)} are walkthrough commands, not values")
    for v in q.wait_for:
        if q.choices and v not in [c.value for c in q.choices]:
            problems.append(f"{where}: wait_for value {v!r} is not one of the choices")
    if q.wait_for and not q.wait_minutes:
        problems.append(f"{where}: wait_for needs wait_minutes")


RESERVED_WORDS = frozenset({"back", "review", "edit", "why", "quit", "help", "start", "wait"})
"""Words the interactive prompt reads as commands (in any case), so no choice may use them."""
RESERVED_NAMES = frozenset({"today", "settings"})
"""Names the expression language gives itself; no question or derived value may take them."""


def _compile_derived(
    derived: list[tuple[Path, Derived]], types: dict[str, Type], problems: list[str]
) -> tuple[dict[str, CDerived], dict[str, frozenset[str]]]:
    """Compile derived values in dependency order; report cycles and type errors."""
    parsed: dict[str, tuple[Path, Derived, expr.Node]] = {}
    for path, d in derived:
        try:
            parsed[d.name] = (path, d, expr.parse(d.expr))
        except ExprError as exc:
            problems.append(f"{path}: derived {d.name!r}: {exc} in {d.expr!r}")
    reads = {name: expr.names(node) for name, (_, _, node) in parsed.items()}
    order: list[str] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(name: str, trail: list[str]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            cycle = " -> ".join([*trail[trail.index(name) :], name])
            problems.append(f"{parsed[name][0]}: derived values refer to each other: {cycle}")
            return
        state[name] = 1
        for dep in sorted(reads[name]):
            if dep in parsed:
                visit(dep, [*trail, name])
        state[name] = 2
        order.append(name)

    for name in parsed:
        visit(name, [])
    compiled: dict[str, CDerived] = {}
    deps: dict[str, frozenset[str]] = {}
    for name in order:
        path, d, node = parsed[name]
        try:
            typ = expr.typecheck(node, types)
        except ExprError as exc:
            problems.append(f"{path}: derived {name!r}: {exc} in {d.expr!r}")
            continue
        types[name] = typ
        compiled[name] = CDerived(d, Compiled(d.expr, node, typ, frozenset(reads[name])))
        acc: set[str] = set()
        for n in reads[name]:
            acc |= deps.get(n, {n})
        deps[name] = frozenset(acc)
    return compiled, deps
