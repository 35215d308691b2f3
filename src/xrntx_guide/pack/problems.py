"""Shaping what pydantic and the parser report into located problems an author can act on."""

from __future__ import annotations

import functools
import re
import types
import typing
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..files import Unreadable, read_regular
from ..suggest import closest
from .model import PLACEHOLDER as PLACEHOLDER
from .read import Issue, KeyPath

if TYPE_CHECKING:
    from pydantic import ValidationError


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
    return typing.get_type_hints(kind, include_extras=True)


def _keys_at(kind: type[Any], loc: KeyPath) -> tuple[str, ...]:
    """The keys the table at ``loc`` of a file of ``kind`` may have (for "did you mean"
    hints); none where that cannot be told."""
    import dataclasses  # seam: dataclasses (and inspect), only for a misspelt key's hint

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
    hint = ""
    if loc and isinstance(loc[-1], str):
        close = closest(loc[-1], _keys_at(kind, loc[:-1]), cutoff=0.7)
        if close:
            hint = f"did you mean {close!r}? "
    return f"unknown key ({hint}check the spelling; see the step format in docs/pack-format.md)"


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
    """The bytes of a file given by name (a site file), or None with the problem added."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            issues.append(Issue(path, (), f"file is larger than {MAX_FILE_BYTES} bytes"))
            return None
        return path.read_bytes()
    except OSError as exc:
        issues.append(Issue(path, (), f"cannot read: {exc.strerror or exc}"))
    return None


def _read_step_file(path: Path, issues: list[Issue]) -> bytes | None:
    """The bytes of a ``.toml`` entry of the pack's folder, or None with the problem
    added: never a wait on a pipe or a device (files.py ``read_regular``), and an entry
    that is no file (a link to nothing, a folder) is named as such, never skipped."""
    try:
        return read_regular(path, MAX_FILE_BYTES)
    except Unreadable as exc:
        if exc.reason.startswith("is larger than"):
            issues.append(Issue(path, (), f"file is larger than {MAX_FILE_BYTES} bytes"))
            return None
        missing_target = exc.missing and path.is_symlink()
        why = "is a link to a file that is not there" if missing_target else exc.reason
        if exc.missing or why.startswith("is "):  # a .toml of the folder that is no file
            why = f"every .toml file of the folder is a step file, and this one {why}"
            issues.append(Issue(path, (), f"{why}: remove it, or make it a step file"))
        else:
            issues.append(Issue(path, (), f"cannot read: {why}"))
    return None


def _parse_toml(path: Path, data: bytes, issues: list[Issue]) -> dict[str, Any] | None:
    import tomllib  # seam: TOML is parsed only on a cache miss

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
