"""The one output layer of the CLI: reflowed text, plain mode, stdout and stderr (cli/ui.py)."""

from __future__ import annotations

import io

from xrntx_guide.cli.ui import UI, plain_wanted, reflow


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


def _ui(plain: bool = True) -> tuple[UI, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    return UI(plain=plain, out=out, err=err), out, err


def test_plain_mode_follows_the_flag_no_color_and_a_dumb_terminal() -> None:
    assert plain_wanted(True, {})
    assert plain_wanted(False, {"NO_COLOR": "1"})
    assert plain_wanted(False, {"TERM": "dumb"})
    assert not plain_wanted(False, {"TERM": "xterm"})


def test_results_go_to_stdout_and_messages_to_stderr() -> None:
    ui, out, err = _ui()
    ui.result('{"status": "ready"}')
    ui.error("no such session")
    ui.warning("a file was skipped")
    assert out.getvalue() == '{"status": "ready"}\n'
    assert err.getvalue() == "error: no such session\nwarning: a file was skipped\n"


def test_square_brackets_in_pack_text_are_shown_never_swallowed() -> None:
    ui, out, _ = _ui()
    ui.line("[bold]dose[/bold] [ref 4.2]")
    ui.bullet("caution [x]: see [/]")
    assert "[bold]dose[/bold] [ref 4.2]" in out.getvalue()
    assert "caution [x]: see [/]" in out.getvalue()


def test_plain_mode_writes_no_escape_codes() -> None:
    ui, out, err = _ui(plain=True)
    ui.line("READY", style="bold")
    ui.error("stop")
    assert "\x1b" not in out.getvalue() + err.getvalue()
