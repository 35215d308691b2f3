"""Text that came from a person or a file, made safe to show.

Answers, labels and comments can come from a hand-edited session file; these make them
inert on a terminal (:func:`visible`) and in Markdown (:func:`markdown_text`). Screens,
notes and handouts all use them.
"""

from __future__ import annotations

import re

_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def visible(text: str, newlines: bool = False) -> str:
    """``text`` with every control character shown as an escape (``\\x1b``, ``\\n``).

    Answers, labels and comments can come from a hand-edited session file: printed raw, an
    ESC or BEL would drive the terminal, and a newline would start a line that looks like
    the program's own. Bidirectional overrides are shown too, since they
    reorder what is seen; so are the Unicode line and paragraph separators. ``newlines``
    keeps line breaks, for messages the program composes. Screens and notes both use it.
    """
    unsafe = _UNSAFE_KEEP_NEWLINES if newlines else _UNSAFE
    return unsafe.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


# Control characters (Unicode category Cc: C0, DEL, C1), the line and paragraph
# separators (Zl, Zp), and the explicit bidirectional embeddings, overrides and isolates
# (a soft hyphen or a joiner is harmless). A class, not unicodedata: no import at start-up.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{_BIDI}]")
_UNSAFE_KEEP_NEWLINES = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029{_BIDI}]")


_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>#|~!&])")


def markdown_text(text: str) -> str:
    """User-supplied text (a label, an answer, a comment, a site's name) made inert in
    Markdown: no control character, so no new line and no forged heading or list item;
    every character that could start a link, an emphasis, HTML or a table cell escaped."""
    return _MARKDOWN.sub(r"\\\1", visible(text))
