"""Loading a pack: its files read (with every problem at once), the compiled pack from the cache
when nothing changed, else compiled and checked; and ``validate``, which also warns.
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import PackError, Problem
from ..records import record
from . import cache as packcache
from . import model
from .guide import (
    Guide,
    RecordedSettings,
)
from .model import PLACEHOLDER as PLACEHOLDER
from .model import GuideMeta, PackFile
from .problems import (
    _UNKNOWN_KEY,
    _data_loc,
    _parse_toml,
    _read_bytes,
    _read_step_file,
    _validation_issues,
)
from .read import Issue, Placer

if TYPE_CHECKING:
    from pydantic import ValidationError


T = TypeVar("T")


def _uncollected(work: Callable[[], T]) -> T:
    """``work()`` with the cycle collector paused.

    Compiling and checking a pack makes hundreds of thousands of small objects that all
    live as long as the pack does; each of Python's full collections on the way walks
    every one of them again, for nothing (a third of the time of a 5,000-step pack). Such
    garbage as there is (few cycles, if any) is bounded by the pack's size and is freed
    at the next collection after."""
    if not gc.isenabled():
        return work()
    gc.disable()
    try:
        return work()
    finally:
        # Everything made while the collector was paused waits in its youngest
        # generation: the first collection after would walk all of it at once (a tenth
        # of validating a 5,000-step pack). What is made here lives as long as the pack,
        # so it is set aside from the collector instead (freed as ever when unreferenced).
        gc.freeze()
        gc.enable()


def default_steps_dir() -> Path:
    """The shipped pack: inside the installed package, or ``steps/`` of a source checkout."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "steps", package.parent.parent / "steps"):
        if candidate.is_dir() and any(candidate.glob("*.toml")):
            return candidate
    return package / "steps"


@record(frozen=True)
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


@record
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
        # Every .toml entry is a step file: one that is not a regular file (a link to
        # nothing, a pipe, a device, a folder) is reported by _read_step_file, never skipped
        # (a gate in it would be left out in silence).
        files = sorted(root.glob("*.toml"))
        if not files:
            issues.append(Issue(root, (), "no .toml files in this folder"))
        contents = {path: _read_step_file(path, issues) for path in files}
        if site_file is not None:
            site_bytes = _read_bytes(site_file, issues)
    texts.update({str(p): b for p, b in contents.items()})
    site: Path | RecordedSettings | None = site_file
    if site_file is not None:
        texts[str(site_file)] = site_bytes
    if recorded is not None:
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
    from pydantic import ValidationError  # seam: pydantic validates only on a cache miss

    from .compile import _Compiler, _File  # seam: the compiler, only on a cache miss

    packs: list[_File] = []
    aside: set[str] = set()
    unread: list[Path] = []
    for path, data in read.contents.items():
        raw = _parse_toml(path, data or b"", issues)
        if data is None:
            unread.append(path)
        if raw is None:
            # Not TOML: what its text seems to define is taken as defined, so that the
            # files that did parse are checked without reporting those names as missing.
            aside |= _names_in_text(data or b"")
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
    if not packs or any(not i.path and Path(i.file) not in read.contents for i in issues):
        return None  # no step file, or a site file that cannot be read
    # The files that did parse are checked all the same, references included; a name that
    # only a file that could not be read at all might define is reported with that word.
    compiler = _Compiler(read.root, packs, read.site, issues, aside, [p.name for p in unread])
    guide = compiler.run()
    if guide is None:
        return None
    from .checks import check_guide  # seam: the compiler's checks, only on a cache miss

    complete = not issues and not aside
    issues.extend(check_guide(guide, complete=complete))
    return guide if complete and not issues else None


_DEFINES = re.compile(
    r"""^[ \t]*(?:(id|key|name)[ \t]*=[ \t]*["']([A-Za-z0-9_.-]+)["']"""
    r"""|\[[ \t]*(guide|sources|settings)(?:[ \t]*\.[ \t]*["']?([A-Za-z0-9_.-]+)["']?)?[ \t]*\])""",
    re.MULTILINE,
)


def _names_in_text(data: bytes) -> set[str]:
    """What a step file that is not valid TOML seems to define (``kind:name``, as
    :func:`_salvage` gives them): every ``id``, ``key`` and ``name`` given as a string
    (a step, a gate, a question, a derived value, any of them), the ``[guide]`` table and
    each ``[sources.NAME]`` and ``[settings.NAME]`` table. A guess from the text, used
    only so that what refers to them is not reported as unknown."""
    text = data.decode("utf-8", errors="replace")
    out: set[str] = set()
    for m in _DEFINES.finditer(text):
        field, value, table, name = m.groups()
        if field is not None:
            out |= {f"{kind}:{value}" for kind in ("step", "gate", "question", "derived")}
        elif table == "guide":
            out.add("guide:")
        elif name is not None:
            out.add(f"{'source' if table == 'sources' else 'setting'}:{name}")
    return out


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


def _salvage(raw: dict[str, Any]) -> tuple[PackFile, dict[str, list[int]], set[str]]:
    """The tables of a file that failed validation that pass it one by one; the indexes
    of the items kept; and the names the others define (``kind:name``), so that what
    refers to them is not reported as unknown."""
    from pydantic import ValidationError  # seam: pydantic validates only on a cache miss

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
    from the cache (see :mod:`xrntx_guide.pack.cache`): no TOML parsing, no validation.
    """
    read, issues = _read_pack(steps_dir, site_file, recorded)
    if issues:
        raise PackError(read.placer.problems(issues))
    key = None
    if use_cache:
        key = packcache.key(read.root, read.contents, read.site_file, read.site_bytes)
        cached = packcache.read(key)
        if cached is not None:
            return cached
    guide = _uncollected(lambda: _build(read, issues))
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

    def check() -> Guide | None:
        # A file that cannot be read does not stop the others from being checked.
        guide = _build(read, issues)
        if guide is not None:
            from .checks import pack_warnings  # seam: the compiler's checks (validate only)

            issues.extend(pack_warnings(guide))
        return guide

    guide = _uncollected(check)
    return Validation(guide, tuple(read.placer.problems(issues)))
