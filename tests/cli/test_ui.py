"""The one output layer of the CLI: reflowed text, plain mode, stdout and stderr (cli/ui.py)."""

from __future__ import annotations

from xrntx_guide.cli.ui import reflow


def test_reflow_ends_a_list_at_an_unindented_line() -> None:
    assert reflow("- item\n  more\nAfter the list.") == [
        ("- ", "item more"),
        ("", "After the list."),
    ]


def test_reflow_joins_hard_breaks_and_keeps_items() -> None:
    text = "Intro line\ncontinues here.\n- first item\n  wraps on\n- second\n\nNew para."
    assert reflow(text) == [
        ("", "Intro line continues here."),
        ("- ", "first item wraps on"),
        ("- ", "second"),
        ("", ""),
        ("", "New para."),
    ]
