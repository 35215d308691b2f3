"""Off a terminal, a listing's screen without rich (cli/plain.py) writes byte for byte
what the rich screen (cli/ui.py) writes: the same lines, wrapped at the same width, the
same tables, the same messages."""

from __future__ import annotations

import io
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.strategies.screen import screen_calls
from xrntx_guide.cli.plain import PlainScreen, one_cell_each, plain_possible
from xrntx_guide.cli.ui import UI


def _written(screen_of: Any, calls: list[tuple[str, tuple[Any, ...]]]) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    screen = screen_of(out, err)
    for name, args in calls:
        getattr(screen, name)(*args)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize("columns", ["1", "60", "80", "130"])
# The variables set are the same for every example: the fixture need not be reset.
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_the_plain_screen_writes_what_the_rich_screen_writes(
    columns: str, data: st.DataObject, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    calls = data.draw(screen_calls())
    plain = _written(lambda o, e: PlainScreen(o, e), calls)
    rich = _written(lambda o, e: UI(True, out=o, err=e), calls)
    assert plain == rich


def test_a_width_of_nought_is_left_to_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    """COLUMNS=0: rich writes nothing at all; the plain screen is not used."""
    monkeypatch.setenv("COLUMNS", "0")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    assert not plain_possible(io.StringIO(), io.StringIO())
    monkeypatch.setenv("COLUMNS", "1")
    assert plain_possible(io.StringIO(), io.StringIO())


def test_a_listing_of_plain_text_needs_no_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    """The common case, a table and notes of one-cell characters, is written without
    the rich screen (which is created only for what needs it)."""
    monkeypatch.setenv("COLUMNS", "80")
    screen = PlainScreen(io.StringIO(), io.StringIO())
    screen.table(["label", "id"], [["Müller", "a1b2c3d4"], ["P00042", "e5f6a7b8"]], title="Visits")
    screen.note("100 visits, page 1 of 2; --page 2 for more. The store:")
    screen.warning("session 1234: unreadable")
    assert screen._rich is None
    assert screen.out.getvalue().splitlines() == [  # type: ignore[attr-defined]
        "",
        "Visits",
        "label   id",
        "Müller  a1b2c3d4",
        "P00042  e5f6a7b8",
        "100 visits, page 1 of 2; --page 2 for more. The store:",
    ]


def test_characters_counted_one_cell_are_rich_s() -> None:
    from rich.cells import cell_len

    for code in range(0x3000):
        ch = chr(code)
        if one_cell_each(ch):
            assert cell_len(ch) == 1, hex(code)
