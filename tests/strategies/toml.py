"""TOML documents, and text that only looks like TOML, for the reader that maps each key
to its line and column.

:class:`Writer` writes generated data in several styles (bare and quoted keys, basic,
literal and multi-line strings, inline tables, arrays, table headers and arrays of
tables) and notes where each key path starts, so a property can check the reader against
the writer.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from xrntx_guide.pack.read import KeyPath

ANY_TEXT = st.text()
TOML_LIKE_TEXT = st.text(alphabet="[]{}=,.\"'#\n abc\\0123")
"""Text made of the characters that TOML's syntax turns on."""

KEYS = st.one_of(
    st.from_regex(r"[A-Za-z0-9_-]{1,8}", fullmatch=True),
    st.text(min_size=1, max_size=6).filter(lambda k: "\r" not in k),
)
SCALARS = st.one_of(
    st.integers(-(10**6), 10**6),
    st.booleans(),
    st.text(max_size=30),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
)


def basic(value: str) -> str:
    """A TOML basic string: escapes for quotes, backslashes and control characters."""
    out = []
    for c in value:
        if c in '"\\':
            out.append("\\" + c)
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\u{ord(c):04X}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def _key(key: str) -> str:
    if all(c.isascii() and (c.isalnum() or c in "_-") for c in key):
        return key
    return basic(key)


def header(path: KeyPath) -> str:
    """A table header names keys only: an array of tables stands for its last item."""
    return ".".join(_key(p) for p in path if isinstance(p, str))


class Writer:
    """Writes data as TOML in several styles, noting where each key path starts."""

    def __init__(self, draw: Any) -> None:
        self.draw = draw
        self.text = ""
        self.where: dict[KeyPath, int] = {}

    def note(self, path: KeyPath) -> None:
        self.where.setdefault(path, len(self.text))

    def string(self, value: str) -> str:
        style = self.draw(st.sampled_from(["basic", "literal", "multi"]))
        printable = all(c == "\t" or (ord(c) >= 0x20 and ord(c) != 0x7F) for c in value)
        if style == "literal" and "'" not in value and printable:
            return f"'{value}'"
        if style == "multi":
            return '""' + basic(value) + '""'
        return basic(value)

    def scalar(self, value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str):
            return self.string(value)
        return repr(value)

    def value(self, path: KeyPath, value: Any) -> None:
        if isinstance(value, dict):
            self.text += "{ "
            for i, (k, v) in enumerate(value.items()):
                self.text += ", " if i else ""
                self.note((*path, k))
                self.text += f"{_key(k)} = "
                self.value((*path, k), v)
            self.text += " }"
        elif isinstance(value, list):
            self.text += "["
            for i, v in enumerate(value):
                self.text += ",\n  " if i else "\n  "
                self.note((*path, i))
                self.value((*path, i), v)
            self.text += "\n]"
        else:
            self.text += self.scalar(value)

    def table(self, path: KeyPath, data: dict[str, Any]) -> None:
        tables = {k: v for k, v in data.items() if isinstance(v, dict) and v}
        arrays = {
            k: v
            for k, v in data.items()
            if isinstance(v, list) and v and all(isinstance(x, dict) for x in v)
        }
        for k, v in data.items():
            if k in tables or k in arrays:
                continue
            self.note((*path, k))
            self.text += f"{_key(k)} = "
            self.value((*path, k), v)
            self.text += "\n"
        for k, v in tables.items():
            self.text += "\n"
            self.note((*path, k))
            self.text += "[" + header((*path, k)) + "]\n"
            self.table((*path, k), v)
        for k, items in arrays.items():
            for i, item in enumerate(items):
                self.text += "\n"
                self.note((*path, k))
                self.note((*path, k, i))
                self.text += "[[" + header((*path, k)) + "]]\n"
                self.table((*path, k, i), item)


TABLES = st.recursive(
    st.dictionaries(KEYS, SCALARS, max_size=4),
    lambda inner: st.dictionaries(
        KEYS, st.one_of(SCALARS, inner, st.lists(inner, min_size=1, max_size=3)), max_size=4
    ),
    max_leaves=20,
)
