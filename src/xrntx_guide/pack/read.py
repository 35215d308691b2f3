"""Where each key of a TOML file is: key path -> line and column.

The standard library's ``tomllib`` gives values without positions, so problems found in
the values could only name the file. This module re-reads the text of a file that
``tomllib`` has already accepted and records where each key, table header and array item
starts. It is a scanner, not a parser: it never builds values and never runs anything, it
reads the text once from start to end (linear in its length), and it never fails: on
anything it does not expect it stops and keeps what it has recorded, and a place it has not
recorded is found through the nearest enclosing key.

A key path is a tuple of keys and array indexes, as the data is nested:
``("step", 3, "question", 1, "max")``, written ``step[3].question[1].max``
(:func:`render_path`).
"""

from __future__ import annotations

import bisect
import functools
import json
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Literal, NamedTuple

from ..errors import Problem

KeyPath = tuple[str | int, ...]

_BARE_KEY = r"[A-Za-z0-9_-]+"


class _Patterns:
    """The scanner's patterns, compiled when a file is first scanned (not at start-up:
    most runs place no problem)."""

    def __init__(self) -> None:
        self.bare_key = re.compile(_BARE_KEY)
        self.space = re.compile(r"[ \t]*")
        self.space_lines = re.compile(r"(?:[ \t\r\n]|#[^\n]*)*")
        self.basic = re.compile(r'"(?:[^"\\\n]|\\.)*"')
        self.literal = re.compile(r"'[^'\n]*'")
        # No possessive quantifier or atomic group: CPython before 3.11.5 mis-matches them
        # (a Debian 12 python3 is 3.11.2). Each repetition takes one character or one
        # escape, so nothing is nested and a string that never closes fails in one pass.
        # A multi-line string may end with up to two quotes of its own before the last three.
        self.ml_basic = re.compile(r'"""(?:[^"\\]|\\[\s\S]|"{1,2}(?!"))*"{3,5}')
        self.ml_literal = re.compile(r"'''(?:[^']|'{1,2}(?!'))*'{3,5}")
        # Numbers, booleans, dates and times: up to the next separator (a time may hold a
        # space).
        self.scalar = re.compile(r"[^,\]}\n#]*")


@functools.cache
def _patterns() -> _Patterns:
    return _Patterns()


def render_path(path: Sequence[str | int]) -> str:
    """``("step", 3, "question", 1, "max")`` -> ``step[3].question[1].max``.

    A key that is not a bare TOML key is quoted, so the text reads back unambiguously.
    """
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        key = part if re.fullmatch(_BARE_KEY, part) else _quote(part)
        out += f".{key}" if out else key
    return out


def _quote(key: str) -> str:
    return json.dumps(key, ensure_ascii=False)


class _Stop(Exception):
    """The text is not what the scanner expects: keep what was recorded."""


class Positions:
    """The places of the keys of one TOML text.

    Args:
        text: the text of a file that ``tomllib`` accepted. Any other text is scanned as
            far as it goes; nothing is raised.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._p = _patterns()
        self._keys: dict[KeyPath, int] = {}
        self._strings: dict[KeyPath, tuple[int, bool]] = {}
        self._arrays: dict[KeyPath, int] = {}
        self._newlines: list[int] | None = None
        try:
            self._scan()
        except (_Stop, IndexError, RecursionError):
            pass  # keep what was recorded; the rest is found through enclosing keys

    # -- queries -------------------------------------------------------------------------

    def line_column(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column (in characters) of a character offset."""
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        line = bisect.bisect_right(self._newlines, offset - 1)
        start = self._newlines[line - 1] + 1 if line else 0
        return line + 1, offset - start + 1

    def exact(self, path: KeyPath) -> tuple[int, int] | None:
        """Where the key (or table header, or array item) at ``path`` starts, if recorded."""
        offset = self._keys.get(path)
        return None if offset is None else self.line_column(offset)

    def find(self, path: KeyPath) -> tuple[int, int] | None:
        """Where ``path`` starts, or else the nearest enclosing key that was recorded (a
        missing key is reported at the table that lacks it)."""
        for end in range(len(path), 0, -1):
            offset = self._keys.get(path[:end])
            if offset is not None:
                return self.line_column(offset)
        return None

    def in_string(self, path: KeyPath, index: int) -> tuple[int, int] | None:
        """Where character ``index`` of the string value at ``path`` is, when the string
        has no escapes (so that its characters are those of the text, line breaks too)."""
        found = self._strings.get(path)
        if found is None or not found[1]:
            return None
        return self.line_column(found[0] + index)

    # -- scanning ------------------------------------------------------------------------

    def _record(self, path: KeyPath, offset: int) -> None:
        self._keys.setdefault(path, offset)

    def _skip(self, pattern: re.Pattern[str], i: int) -> int:
        m = pattern.match(self.text, i)
        assert m is not None  # both patterns match the empty string
        return m.end()

    def _expect(self, token: str, i: int) -> int:
        if not self.text.startswith(token, i):
            raise _Stop
        return i + len(token)

    def _scan(self) -> None:
        text = self.text
        table: KeyPath = ()
        i = 0
        while True:
            i = self._skip(self._p.space_lines, i)
            if i >= len(text):
                return
            if text.startswith("[[", i):
                start = i
                keys, j = self._key(self._skip(self._p.space, i + 2))
                i = self._expect("]]", self._skip(self._p.space, j))
                table = self._array_table(keys, start)
            elif text[i] == "[":
                start = i
                keys, j = self._key(self._skip(self._p.space, i + 1))
                i = self._expect("]", self._skip(self._p.space, j))
                table = self._table(keys, start)
            else:
                i = self._key_value(table, i)

    def _resolve(self, keys: list[tuple[str, int]]) -> KeyPath:
        """A header's keys as a path: an array of tables stands for its last item."""
        path: KeyPath = ()
        for name, offset in keys:
            path = (*path, name)
            self._record(path, offset)
            count = self._arrays.get(path)
            if count is not None:
                path = (*path, count - 1)
        return path

    def _table(self, keys: list[tuple[str, int]], start: int) -> KeyPath:
        path = self._resolve(keys)
        self._keys[path] = start  # the header itself, not an earlier dotted mention
        return path

    def _array_table(self, keys: list[tuple[str, int]], start: int) -> KeyPath:
        parent = self._resolve(keys[:-1])
        array = (*parent, keys[-1][0])
        count = self._arrays.get(array, 0)
        self._arrays[array] = count + 1
        self._record(array, start)
        item = (*array, count)
        self._keys[item] = start
        return item

    def _key(self, i: int) -> tuple[list[tuple[str, int]], int]:
        """A dotted key: each part with its offset."""
        text = self.text
        keys: list[tuple[str, int]] = []
        while True:
            c = text[i]
            if c == '"':
                m = self._p.basic.match(text, i)
                if m is None:
                    raise _Stop
                keys.append((_unescape(m.group()), i))
            elif c == "'":
                m = self._p.literal.match(text, i)
                if m is None:
                    raise _Stop
                keys.append((m.group()[1:-1], i))
            else:
                m = self._p.bare_key.match(text, i)
                if m is None:
                    raise _Stop
                keys.append((m.group(), i))
            i = self._skip(self._p.space, m.end())
            if not text.startswith(".", i):
                return keys, i
            i = self._skip(self._p.space, i + 1)

    def _key_value(self, table: KeyPath, i: int) -> int:
        keys, i = self._key(i)
        path = table
        for name, offset in keys:
            path = (*path, name)
            self._record(path, offset)
        i = self._skip(self._p.space, self._expect("=", i))
        return self._value(path, i)

    def _value(self, path: KeyPath, i: int) -> int:
        text = self.text
        c = text[i]
        if c == '"' or c == "'":
            multi = text.startswith(c * 3, i)
            if c == '"':
                m = (self._p.ml_basic if multi else self._p.basic).match(text, i)
            else:
                m = (self._p.ml_literal if multi else self._p.literal).match(text, i)
            if m is None:
                raise _Stop
            start = i + (3 if multi else 1)
            if multi:  # a newline right after the opening quotes is not part of the value
                start += 1 if text.startswith("\n", start) else 0
            raw = m.group()
            plain = (c == "'" or "\\" not in raw) and "\r" not in raw
            self._strings[path] = (start, plain)
            return m.end()
        if c == "[":
            return self._array(path, i + 1)
        if c == "{":
            return self._inline_table(path, i + 1)
        m = self._p.scalar.match(text, i)
        assert m is not None  # it matches the empty string
        if m.end() == i:
            raise _Stop
        return m.end()

    def _array(self, path: KeyPath, i: int) -> int:
        text = self.text
        index = 0
        while True:
            i = self._skip(self._p.space_lines, i)
            if text[i] == "]":
                return i + 1
            item = (*path, index)
            self._record(item, i)
            i = self._skip(self._p.space_lines, self._value(item, i))
            if text[i] == ",":
                i += 1
            elif text[i] != "]":
                raise _Stop
            index += 1

    def _inline_table(self, path: KeyPath, i: int) -> int:
        text = self.text
        while True:
            i = self._skip(self._p.space_lines, i)
            if text[i] == "}":
                return i + 1
            i = self._skip(self._p.space_lines, self._key_value(path, i))
            if text[i] == ",":
                i += 1
            elif text[i] != "}":
                raise _Stop


def _unescape(quoted: str) -> str:
    """A basic-string key as ``tomllib`` reads it (escapes are rare in keys)."""
    if "\\" not in quoted:
        return quoted[1:-1]
    import tomllib  # seam: TOML is parsed only on a cache miss

    try:
        value = tomllib.loads(f"k = {quoted}")["k"]
    except tomllib.TOMLDecodeError:
        raise _Stop from None
    return value if isinstance(value, str) else quoted[1:-1]


class Issue(NamedTuple):
    """A problem before it is placed: the file and the key path in it, not yet a line.

    The loader and the whole-pack checks speak of places as key paths; :class:`Placer`
    turns them into :class:`~xrntx_guide.errors.Problem` with a line and column once,
    reading each file's text only if one of its problems needs it.
    """

    file: Path | str
    path: KeyPath
    message: str
    severity: Literal["error", "warning"] = "error"
    at: int | None = None
    """A character of the string value at ``path`` (where an expression goes wrong)."""
    line: int | None = None
    """The line, when it is known without the text (a TOML syntax error)."""
    column: int | None = None


class Placer:
    """Places issues in the text of their files.

    Args:
        read: the text of a file by its name, or None when it has none (a session's
            recorded settings, a folder).
    """

    def __init__(self, read: Callable[[str], str | None]) -> None:
        self._read = read
        self._maps: dict[str, Positions | None] = {}

    def _positions(self, file: str) -> Positions | None:
        if file not in self._maps:
            text = self._read(file)
            self._maps[file] = None if text is None else Positions(text)
        return self._maps[file]

    def problem(self, issue: Issue) -> Problem:
        file = str(issue.file)
        place = None if issue.line is None else (issue.line, issue.column)
        positions = self._positions(file) if issue.path and place is None else None
        if positions is not None:
            if issue.at is not None:
                place = positions.in_string(issue.path, issue.at)
            place = place or positions.find(issue.path)
        line, column = place if place is not None else (None, None)
        return Problem(file, line, column, render_path(issue.path), issue.message, issue.severity)

    def problems(self, issues: Iterable[Issue]) -> list[Problem]:
        """The issues placed, in the order of their files and lines (a problem without a
        line first in its file)."""
        placed = [self.problem(i) for i in issues]
        return sorted(placed, key=lambda p: (p.file, p.line or 0, p.column or 0))
