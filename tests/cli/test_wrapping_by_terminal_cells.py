"""Plain mode wraps text by the cells it takes on a terminal, not by its characters: a
CJK character or an emoji takes two cells, a combining accent none. Wrapped by
characters, a line of such text runs past the edge and the terminal cuts it mid-word."""

from __future__ import annotations

import io
import itertools
import unicodedata

import pytest

from xrntx_guide.cli.ui import UI

WIDTH = 60


def cells(text: str) -> int:
    """Terminal cells, as a terminal lays them out (independently of the program)."""
    total = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        total += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return total


TEXTS = [
    " ".join(["患者の同意"] * 30),
    " ".join(["注射🙂🙂"] * 30),
    " ".join(["ｱｲｳｴｵ", "全角文字", "abc"] * 15),
    " ".join(["e\u0301te\u0301"] * 40),  # combining accents: narrower than their length
]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("say", ["line", "block", "alert"])
def test_every_wrapped_line_fits_the_terminal(text: str, say: str) -> None:
    out = io.StringIO()
    ui = UI(plain=True, out=out, err=io.StringIO(), terminal=True, width=WIDTH)
    getattr(ui, say)(text)
    lines = [ln for ln in out.getvalue().splitlines() if ln.strip()]
    assert len(lines) > 1, lines
    for ln in lines:
        assert cells(ln) <= WIDTH, (cells(ln), ln)
    # Filled, not merely cut short: each line but the last leaves no room for the next word.
    words = text.split()
    assert sorted(" ".join(lines).split()) == sorted(words)
    for ln, after in itertools.pairwise(lines):
        assert cells(ln) + 1 + cells(after.split()[0]) > ui._width, (ln, after)


def test_a_refused_reply_in_the_walkthrough_wraps_between_words() -> None:
    err = io.StringIO()
    ui = UI(plain=True, err=err)
    reason = (
        "'yes' is not a date: use YYYY-MM-DD (e.g. 2026-11-24), 'today', 'yesterday' "
        "or 'N days ago'; please answer again"
    )
    ui.retry(reason)

    lines = err.getvalue().splitlines()
    assert len(lines) > 1
    assert all(len(line) <= ui.err.width for line in lines)
    # Every word arrives whole and in order: the breaks fall between words.
    assert err.getvalue().split() == f"error: {reason}".split()
