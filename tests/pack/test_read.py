"""The TOML position scanner: every key of a valid file is found where it is written, and
no text makes it fail (problems with a file, line and column)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import REPO
from tests.strategies.toml import ANY_TEXT, TABLES, TOML_LIKE_TEXT, Writer
from xrntx_guide.pack.read import KeyPath, Positions, render_path

TRICKY = '''\
# a comment with [brackets] and = signs
title = "a # not a comment" # a comment
"quoted key" = 'literal \\ string'
'literal.key' = 1979-05-27 07:32:00Z
dotted.key.here = [1, 2,
  3, # a comment inside
]
text = """
a multi-line string with "quotes" and ""two"" and a [table] and key = value
ending in quotes"""""
raw = \'\'\'
[not.a.table]
x = 1\'\'\'
inline = { a = 1, b = { c = "}" }, "d e" = [ { f = 2 } ] }

[table]
key = true

[table.sub]
"esc\\u0061ped" = 0.5

[[items]]
name = "first"

[[items.inner]]
x = 1

[[items]]
name = "second"
'''

EXPECTED = {
    ("title",): (2, 1),
    ("quoted key",): (3, 1),
    ("literal.key",): (4, 1),
    ("dotted",): (5, 1),
    ("dotted", "key", "here"): (5, 12),
    ("dotted", "key", "here", 2): (6, 3),
    ("text",): (8, 1),
    ("raw",): (11, 1),
    ("inline", "b", "c"): (14, TRICKY.splitlines()[13].index("c =") + 1),
    ("inline", "d e", 0, "f"): (14, TRICKY.splitlines()[13].index("f =") + 1),
    ("table",): (16, 1),
    ("table", "key"): (17, 1),
    ("table", "sub"): (19, 1),
    ("table", "sub", "escaped"): (20, 1),
    ("items",): (22, 1),
    ("items", 0): (22, 1),
    ("items", 0, "name"): (23, 1),
    ("items", 0, "inner", 0): (25, 1),
    ("items", 0, "inner", 0, "x"): (26, 1),
    ("items", 1): (28, 1),
    ("items", 1, "name"): (29, 1),
}


def paths(data: Any, path: KeyPath = ()) -> list[KeyPath]:
    """Every key path of parsed TOML data."""
    out = [path] if path else []
    if isinstance(data, dict):
        for k, v in data.items():
            out += paths(v, (*path, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += paths(v, (*path, i))
    return out


def test_a_tricky_file_has_every_key_where_it_is_written() -> None:
    data = tomllib.loads(TRICKY)
    positions = Positions(TRICKY)
    for path, place in EXPECTED.items():
        assert positions.exact(path) == place, render_path(path)
    missing = [render_path(p) for p in paths(data) if positions.exact(p) is None]
    assert missing == []


def test_windows_line_ends_count_as_one() -> None:
    text = TRICKY.replace("\n", "\r\n")
    positions = Positions(text)
    assert positions.exact(("items", 1, "name")) == (29, 1)


def test_a_character_of_a_plain_string_is_placed_in_it() -> None:
    text = "x = 1\nwhen = \"a and\"\nesc = \"a\\tb\"\nlong = '''\nfirst\nsecond {x}'''\n"
    positions = Positions(text)
    assert positions.in_string(("when",), 6) == (2, 15)
    assert positions.in_string(("esc",), 2) is None, "escapes shift the characters"
    value = tomllib.loads(text)["long"]
    assert positions.in_string(("long",), value.index("{x}")) == (6, 8), "a multi-line string"


def test_a_missing_key_is_placed_at_the_table_that_lacks_it() -> None:
    positions = Positions('[[step]]\nid = "a"\n\n[[step]]\nid = "b"\n')
    assert positions.find(("step", 1, "title")) == (4, 1)
    assert positions.find(("nothing",)) is None


def test_every_shipped_step_file_is_mapped_in_full() -> None:
    for file in sorted((REPO / "steps").glob("*.toml")):
        text = file.read_text(encoding="utf-8")
        positions = Positions(text)
        missing = [p for p in paths(tomllib.loads(text)) if positions.exact(p) is None]
        assert missing == [], f"{file.name}: {[render_path(p) for p in missing[:5]]}"


def test_render_path_quotes_keys_that_are_not_bare() -> None:
    assert render_path(("step", 3, "question", 1, "max")) == "step[3].question[1].max"
    assert render_path(("settings", "cows_threshold")) == "settings.cows_threshold"
    assert render_path(("sources", "a.b")) == 'sources."a.b"'
    assert render_path(()) == ""


@settings(max_examples=300)
@given(ANY_TEXT)
def test_no_text_makes_the_scanner_fail(text: str) -> None:
    positions = Positions(text)
    positions.find(("a", 0, "b"))


@settings(max_examples=300)
@given(TOML_LIKE_TEXT)
def test_no_toml_like_text_makes_the_scanner_fail(text: str) -> None:
    Positions(text).find(("a", 0))


# -- generated TOML: every key where the writer put it --------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_every_key_of_generated_toml_is_found_where_it_was_written(data: st.DataObject) -> None:
    doc = data.draw(TABLES)
    writer = Writer(data.draw)
    writer.table((), doc)
    text = writer.text
    assert tomllib.loads(text) == doc, "the writer writes valid TOML of the data"
    positions = Positions(text)
    for path, offset in writer.where.items():
        assert positions.exact(path) == positions.line_column(offset), render_path(path)


def test_the_scanner_reads_a_large_file_in_one_pass(tmp_path: Path) -> None:
    text = "".join(f'[[step]]\nid = "s{i}"\ntitle = "T"\n\n' for i in range(20000))
    positions = Positions(text)
    assert positions.exact(("step", 19999, "title")) == (20000 * 4 - 1, 1)
