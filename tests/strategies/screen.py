"""What a listing writes on a screen: lines of text of every kind of character (one cell
wide, wide, combining, control, white space) and tables of them, for the screens that
must write the same bytes (cli/ui.py, cli/plain.py)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

_ALPHABET = st.one_of(
    st.sampled_from("abcXYZ019 -_.:/'()"),
    st.sampled_from("  \t\n\r\x1b\x00\x7f\u00a0\u00ad"),  # spaces, controls, NBSP, soft hyphen
    st.sampled_from("éßøĦΩЖ─⣿"),  # one cell wide, outside ASCII
    st.sampled_from("中文😀\u0301\u200d\ufe0f\u2028\u202e"),  # wide, combining, joiners, bidi
)

screen_text = st.text(_ALPHABET, max_size=30)
"""A label, a status, a message: any characters, mostly plain."""

words = st.lists(st.text(st.sampled_from("abcdefghij"), min_size=1, max_size=12), max_size=40).map(
    " ".join
)
"""Prose long enough to be wrapped."""


@st.composite
def screen_calls(draw: Any) -> list[tuple[str, tuple[Any, ...]]]:
    """A few calls of a listing's screen: (method, arguments)."""
    calls: list[tuple[str, tuple[Any, ...]]] = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["note", "line", "warning", "error", "blank", "table"]))
        if kind == "blank":
            calls.append((kind, ()))
        elif kind == "table":
            n = draw(st.integers(1, 5))
            columns = draw(st.lists(screen_text, min_size=n, max_size=n))
            rows = draw(st.lists(st.lists(screen_text, min_size=0, max_size=n + 1), max_size=4))
            title = draw(st.none() | screen_text | words)
            header = draw(st.booleans())
            calls.append((kind, (columns, rows, title, None, header)))
        else:
            calls.append((kind, (draw(screen_text | words),)))
    return calls
