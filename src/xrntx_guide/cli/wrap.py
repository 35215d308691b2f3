"""The one rule of wrapping words to a width, shared by the screen (cli/ui.py) and the
screen without rich (cli/plain.py)."""

from __future__ import annotations

import re
from collections.abc import Callable


def fill(
    text: str,
    width: int,
    first: str = "",
    rest: str = "",
    whole: bool = False,
    cells: Callable[[str], int] = len,
) -> str:
    """Word-wrap by terminal cells as ``cells`` counts them (the screen passes rich's
    count: a CJK character or an emoji takes two, a combining accent none); a word
    longer than the line (a path, a record) is never cut.

    With ``whole``, a message that holds a word of half the line or more is left on one
    line: no prose word is so long, and a command with its path (``walk --resume
    --session PATH``) is then copied in one piece; the terminal runs the line on. So is a
    line that holds a command of this program (a word naming ``xrntx-guide`` followed by
    more), however short its path: broken, a copied ``walk --resume`` would resume
    another walk."""
    words = text.split()
    if whole and (any(2 * cells(word) >= width for word in words) or _a_command(words)):
        # One line: its breaks go, the spaces within it stay (an aligned column).
        one = re.sub(r"\s*\n\s*", " ", text.expandtabs().rstrip())
        return first + one if text.startswith(" ") else first + one.lstrip()
    lines: list[str] = []
    line, used, empty = first, cells(first), True
    # Each word with the white space before it: kept within a line (an aligned column,
    # "answer ->   value"), dropped where the line breaks; the paragraph's own indent
    # stays on its first line.
    for space, word in re.findall(r"(\s*)(\S+)", text.expandtabs()):
        gap = " " * len(space)
        size = cells(word)
        if not empty and used + len(gap) + size > width:
            lines.append(line)
            line, used, empty, gap = rest, cells(rest), True, ""
        line, used, empty = line + gap + word, used + len(gap) + size, False
    if not empty:
        lines.append(line)
    return "\n".join(lines)


PROGRAM = "xrntx-guide"
"""The program's name, as the commands it prints start (after a path or a backquote)."""


def _a_command(words: list[str]) -> bool:
    """Whether the words hold a command of this program: its name, then more words."""
    return any(w.strip("`'\"(").endswith(PROGRAM) for w in words[:-1])
