"""The screen helpers at 80 and 120 columns, on a terminal and off it.

Tables, gate blocks and prompts are checked through :class:`~xrntx_guide.cli.ui.UI`
bound to a fake terminal of a given width, and the table commands once more as a user
sees them, in a pseudo-terminal 80 columns wide.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from xrntx_guide.cli.ui import OUTCOME_STYLE, UI
from xrntx_guide.output.note.markdown import note_markdown
from xrntx_guide.output.text import markdown_text

EXE = Path(sys.executable).with_name("xrntx-guide")
ESC = "\x1b"
SESSIONS = [
    ["a-rather-long-label-for-testing-xyz", "b23858e1", "1.0.0", "readiness", "blocked", ""],
    ["sam-01", "3b4df55d", "1.0.0", "after", "complete", "2026-12-22"],
]
SESSION_COLUMNS = ["label", "id", "guide", "phase", "status", "next dose"]


def screen(plain: bool, width: int, terminal: bool = True) -> tuple[UI, io.StringIO]:
    out = io.StringIO()
    return UI(plain, out=out, err=out, terminal=terminal, width=width), out


def lines_of(text: str) -> list[str]:
    return re.sub(r"\x1b\[[0-9;]*m", "", text).splitlines()


@pytest.mark.parametrize("plain", [True, False])
@pytest.mark.parametrize("width", [80, 120])
def test_a_table_never_splits_a_value(plain: bool, width: int) -> None:
    ui, out = screen(plain, width)
    ui.table([*SESSION_COLUMNS, "updated"], [[*r, "2026-11-27T16:16:36+00:00"] for r in SESSIONS])
    shown = lines_of(out.getvalue())
    for row in SESSIONS:
        for value in row:
            assert any(value in line for line in shown), (value, out.getvalue())
    assert all(len(line) <= width for line in shown), out.getvalue()


@pytest.mark.parametrize("plain", [True, False])
def test_a_table_wraps_only_its_prose_between_words(plain: bool) -> None:
    ui, out = screen(plain, 80)
    reason = "opioid-free 10 days; short-acting opioid needs at least 7 days on the standard path"
    ui.table(
        ["gate", "severity", "outcome", "reason"],
        [["opioid_free_interval", "contraindication", "pass", reason]],
        prose=("reason",),
    )
    shown = lines_of(out.getvalue())
    assert any("opioid_free_interval" in line and "contraindication" in line for line in shown)
    words = " ".join(line.split("pass", 1)[-1] for line in shown if line.strip()).split()
    assert " ".join(words).endswith(reason), out.getvalue()
    assert len(shown) > 2  # wrapped, and in words
    assert all(len(line) <= 80 for line in shown)


def test_a_plain_table_gives_its_header_once() -> None:
    """Plain review: a header, then one row per answer."""
    ui, out = screen(True, 80)
    rows = [["kit_lot", "AB12", "typed"], ["last_opioid_use", "2026-11-14", "file"]]
    ui.table(["answer", "value", "from"], rows, title="Answers", prose=("value",))
    text = out.getvalue()
    assert text.count("answer") == 1 and "value:" not in text and "from:" not in text, text
    assert re.search(r"^last_opioid_use +2026-11-14 +file$", text, re.M), text


def test_a_plain_gate_block_keeps_a_hanging_indent() -> None:
    ui, out = screen(True, 80)
    what = "opioid-free 4 days; short-acting opioid needs at least 7 days " * 3
    lines = [("What", what), ("Instead", ""), ("", "- " + what)]
    ui.gate("CONTRAINDICATION: x", "contraindication", lines)
    shown = [line for line in out.getvalue().splitlines() if line]
    assert shown[1].startswith("  What: ")
    assert "  Instead:" in shown, out.getvalue()
    body = shown[2 : shown.index("  Instead:")]
    assert body and all(line.startswith("      ") for line in body), out.getvalue()
    item = shown[shown.index(next(s for s in shown if s.startswith("    - "))) + 1 :]
    assert item and all(line.startswith("      ") for line in item), out.getvalue()


def test_output_that_is_not_a_terminal_has_no_boxes_and_no_split_path() -> None:
    """A pipe or a file gets plain text, and a long path or record stays on one line."""
    ui, out = screen(False, 80, terminal=False)
    assert ui.plain
    path = "/srv/clinic/" + "x" * 90 + "/sessions/sam-01-3b4df55d.json"
    ui.note(f"Saved. Resume with: xrntx-guide walk --resume --session {path}")
    ui.gate("STOP: y", "stop", [("What", "a reason"), ("Source", path)])
    ui.table(["label", "file"], [["sam-01", path]])
    text = out.getvalue()
    assert not re.search("[─━│┃╭╮╰╯┏┓]", text), text
    assert text.count(path) == 3, text


def test_a_prompt_goes_to_the_terminal_and_the_transcript_gets_prompt_and_answer() -> None:
    """| tee transcript: the prompt on stderr, 'prompt answer' on stdout (items 15, 18)."""
    out, err = io.StringIO(), io.StringIO()
    ui = UI(False, out=out, err=err, stdin=io.StringIO("4 days ago\n"), terminal=False)
    assert ui.ask("Date of last use: ") == "4 days ago"
    assert err.getvalue() == "Date of last use: "
    assert out.getvalue() == "Date of last use: 4 days ago\n"


def test_input_that_is_not_typed_is_shown_after_the_prompt() -> None:
    out = io.StringIO()
    ui = UI(True, out=out, err=io.StringIO(), stdin=io.StringIO("y\n"), terminal=True)
    assert ui.ask("Consent? ") == "y"
    assert out.getvalue() == "Consent? y\n"


HOSTILE = "LOT\x1b[2J\x07\n# Forged heading\r\n- injection_given: no\u202e"


@pytest.mark.parametrize("plain", [True, False])
def test_control_characters_are_shown_never_sent(plain: bool) -> None:
    ui, out = screen(plain, 80)
    ui.line(f"kit_lot: {HOSTILE}")
    ui.note(HOSTILE)
    ui.table(["answer", "value"], [["kit_lot", HOSTILE]], prose=("value",))
    ui.step_header("Summary", HOSTILE)
    ui.gate("OVERRIDE", "stop", [("Override", HOSTILE)])
    text = out.getvalue()
    for raw in ("\x1b[2J", "\x07", "\r", "\u202e"):
        assert raw not in text, repr(text)
    assert not re.search(r"^\W*(# Forged|- injection_given)", text, re.M), text
    assert "\\x1b[2J\\x07\\n# Forged" in text.replace("\n", "")


def test_a_note_escapes_what_was_typed() -> None:
    data = {
        "label": "sam\n# Ready",
        "date": "2026-11-24",
        "visit": "first injection",
        "readiness": "ready",
        "status": "complete",
        "injection_given": False,
        "gates": [],
        "cautions_acknowledged": [],
        "overrides": [
            {"gate": "age", "code": "OTHER", "comment": "ok\n## Overrides\n- none", "at": "x"}
        ],
        "counselling": {},
        "answers": [{"key": "kit_lot", "shown": HOSTILE + " [x](http://e) <b>", "origin": "typed"}],
        "sources": [],
        "guide": {"id": "g", "version": "1", "site": "Clinic\n# Site"},
        "statement": "Supports judgement.",
    }
    for plain in (False, True):
        text = note_markdown(data, plain)
        assert ESC not in text and "\x07" not in text and "\r" not in text
        assert not re.search(r"^(#+ )?(Ready|Site|Forged)", text, re.M), text
        assert len(re.findall(r"^(## )?Overrides$", text, re.M)) == 1, text
        assert not re.search(r"^- (none|injection_given)", text, re.M), text
    md = note_markdown(data)
    assert "\\[x\\](http://e) \\<b\\>" in md
    assert markdown_text("a*b_c") == "a\\*b\\_c"


def test_no_text_is_dim_or_italic_at_projector_width() -> None:
    """large, high contrast; the notes a presenter shows are read at a distance."""
    out = io.StringIO()
    ui = UI(False, out=out, err=out, terminal=True, width=120)
    assert ui.out.is_terminal  # terminal=True: styles are written, as on a projector
    ui.step_header("Readiness · step 1 of 5", "The opioid-free interval")
    ui.note("Last opioid used -> fentanyl   (from the scenario)")
    ui.table(
        ["gate", "outcome"], [["x", "not applicable"]], styles=[OUTCOME_STYLE["not_applicable"]]
    )
    ui.gate("CAUTION: y", "caution", [("What", "a reason")])
    text = out.getvalue()
    assert ESC in text  # colour is on: the check below means something
    assert not re.search(r"\x1b\[(?:[0-9;]*;)?(2|3)(;[0-9;]*)?m", text), repr(text)


# -- the commands, as a user sees them in an 80-column terminal ---------------------------


@pytest.mark.skipif(not EXE.exists(), reason=f"{EXE} is not installed")
@pytest.mark.parametrize("plain", [[], ["--plain"]])
@pytest.mark.parametrize(
    "command, values",
    [
        (["sessions"], ["2026-12-22", "first-patient-with-a-long-label-2026"]),
        (["questions"], ["last_injection_date", "opioid_use_since_last_injection"]),
        (["gates"], ["opioid_free_interval", "urine_drug_screen"]),
        (["scenarios"], ["04-fentanyl-screen-positive-day-eight", "2026-11-24"]),
    ],
)
def test_table_commands_split_no_value_at_80_columns(
    tmp_path: Path, command: list[str], values: list[str], plain: list[str]
) -> None:
    env = {**os.environ, "XRNTX_GUIDE_HOME": str(tmp_path), "TERM": "xterm"}
    for var in ("NO_COLOR", "COLUMNS", "LINES"):
        env.pop(var, None)
    if command == ["sessions"]:
        from typer.testing import CliRunner

        from tests.helpers import after_injection
        from xrntx_guide.cli.app import app

        args = ["walk", "--no-input", "--today", "2026-11-24", "--acknowledge", "all"]
        args += ["--label", values[1]]
        for key, value in after_injection().items():
            text = "yes" if value is True else "no" if value is False else str(value)
            args += ["--answer", f"{key}={text}"]
        got = CliRunner().invoke(app, args, env={"XRNTX_GUIDE_HOME": str(tmp_path)})
        assert got.exit_code == 0, got.output
    child = pexpect.spawn(
        str(EXE), [*command, *plain], env=env, encoding="utf-8", dimensions=(500, 80), timeout=30
    )
    text = child.read()
    child.close()
    shown = lines_of(text.replace("\r\n", "\n"))
    assert child.exitstatus == 0, text
    for value in values:
        assert any(value in line for line in shown), (value, text)
    # A path is never cut: the sessions folder's line may run on (its length is the test
    # folder's, longer under pytest-xdist), every other line fits.
    assert all(len(line) <= 80 for line in shown if str(tmp_path) not in line), text


@pytest.mark.parametrize("terminal", [True, False])
def test_a_note_wraps_between_words_and_never_cuts_a_path(terminal: bool) -> None:
    ui, out = screen(True, 80, terminal=terminal)
    path = "/srv/clinic/" + "x" * 90 + "/sam-01-3b4df55d.json"
    ui.note("Saved. Resume with: xrntx-guide walk --resume --session " + path)
    ui.note("The date the injection is given: today, or an earlier day. " * 3)
    shown = out.getvalue().splitlines()
    assert shown[0].endswith("--session " + path), out.getvalue()  # copied in one piece
    assert all(len(line) <= 80 for line in shown[1:]) and len(shown) > 2, out.getvalue()


# -- the repeated trial at 80 columns -------------------------------


@pytest.mark.parametrize("plain", [True, False])
def test_a_long_prompt_is_wrapped_between_words_and_never_splits_its_default(
    plain: bool,
) -> None:
    """'... N days ago) [2026-' / '11-20]:' at 80 columns: the date was split."""
    out = io.StringIO()
    ui = UI(plain, out=out, err=out, stdin=io.StringIO("\n"), terminal=True, width=80)
    for prompt in (
        "Date of last use of any opioid (YYYY-MM-DD, today, yesterday, N days ago) ",
        "Date of the injection (YYYY-MM-DD, today, yesterday, N days ago) ",  # 79 in all
    ):
        out.seek(0)
        out.truncate()
        ui.stdin = io.StringIO("\n")
        assert ui.ask(prompt + "[2026-11-20]: ") == ""
        shown = lines_of(out.getvalue())
        assert any("[2026-11-20]: " in line for line in shown), out.getvalue()
        assert len(shown) == 2 and all(len(line) <= 80 - 2 for line in shown), out.getvalue()

        assert " ".join(" ".join(shown).split()) == " ".join((prompt + "[2026-11-20]:").split())


@pytest.mark.parametrize("plain", [True, False])
def test_a_prompt_leaves_room_for_an_answer_like_14_days_ago(plain: bool) -> None:
    """Typed after a prompt that ended 2 columns short of the edge, '14 days ago' was
    split by the terminal ('4 day' / 's ago'): a long prompt is wrapped instead."""
    answer = "14 days ago"
    for length in (60, 66, 70, 76):
        prompt = ("word " * 20)[: length - 2].rstrip() + ": "
        out = io.StringIO()
        ui = UI(plain, out=out, err=out, stdin=io.StringIO(answer + "\n"), terminal=True, width=80)
        assert ui.ask(prompt) == answer
        last = lines_of(out.getvalue())[-1]
        assert last.endswith(answer) and len(last) <= 80, (length, last)
        # Room for "14 days ago" or a date with its time, not only for two characters.
        assert len(last) - len(answer) + len("2026-11-24 08:30") <= 80


def test_a_prompt_left_by_ctrl_d_ends_its_line() -> None:
    """What follows an interrupted prompt (the session is saved) starts a line of its own."""
    out = io.StringIO()
    ui = UI(True, out=out, err=out, stdin=io.StringIO(""), terminal=True, width=80)
    with pytest.raises(EOFError):
        ui.ask("Consent? ")
    assert out.getvalue() == "Consent? \n"


@pytest.mark.parametrize("plain", [True, False])
def test_a_warning_on_a_terminal_wraps_between_words(plain: bool) -> None:
    """'... this session is not a care r' / 'ecord': stderr was cut by the terminal."""
    out, err = io.StringIO(), io.StringIO()
    ui = UI(plain, out=out, err=err, terminal=True, width=80)
    text = "TRAINING run: timers run 600 times faster; this session is not a care record"
    ui.warning(text)
    shown = lines_of(err.getvalue())
    assert len(shown) == 2 and all(len(line) <= 80 for line in shown), err.getvalue()
    assert " ".join(shown) == f"warning: {text}"


def test_a_step_header_says_a_title_once_and_cuts_none() -> None:
    ui, out = screen(False, 80)
    ui.step_header("1. Patient history · step 1 of 1", "Patient history")
    ui.step_header(
        "3. Shared decision-making and consent · step 2 of 2",
        "Shared decision-making: the options and their risks",
    )
    shown = lines_of(out.getvalue())
    assert sum(line.count("Patient history") for line in shown) == 1, out.getvalue()
    assert "…" not in out.getvalue() and all(len(line) <= 80 for line in shown)
    assert "options and their risks" in " ".join(shown), out.getvalue()


def test_a_colour_gate_box_keeps_a_hanging_indent() -> None:
    """A wrapped item of 'Instead' started at the box's edge, like a new item."""
    ui, out = screen(False, 80)
    item = "- Or choose the supervised rapid induction pathway (go back to the 'pathway' "
    item += "question) where the setting allows."
    ui.gate("CONTRAINDICATION: x", "contraindication", [("Instead", ""), ("", item)])
    shown = [line.strip("│ ") for line in lines_of(out.getvalue())]
    at = next(i for i, line in enumerate(shown) if line.startswith("- Or choose"))
    assert lines_of(out.getvalue())[at + 1].startswith("│   question)"), out.getvalue()


def test_a_wrapped_check_line_keeps_its_indent() -> None:
    ui, out = screen(True, 80)
    ui.line(
        "      Or choose the supervised rapid induction pathway (go back to the "
        "'pathway' question) where the setting allows.",
        hang=8,
    )
    shown = out.getvalue().splitlines()
    assert len(shown) == 2 and shown[1].startswith("        'pathway'"), out.getvalue()


def test_gates_names_each_severity_once_and_puts_the_long_rules_last(tmp_path: Path) -> None:
    """'contraindication, contraindication, contraindication, ...' and rows padded to
    the longest rule in `gates --plain | head -3`."""
    env = {**os.environ, "XRNTX_GUIDE_HOME": str(tmp_path)}
    got = subprocess.run(
        [str(EXE), "gates", "--plain"], env=env, capture_output=True, text=True, check=True
    )
    lines = got.stdout.splitlines()
    assert lines[0].split() == ["gate", "severity", "before", "step", "sources", "fails", "when"]
    rapid = next(line for line in lines if line.startswith("rapid_pathway "))
    assert "contraindication, caution  " in rapid, rapid
    assert "contraindication: not rapid_supervised_setting" in rapid, rapid
    assert all(len(line) < 200 for line in lines if line.split()[0] in ("age", "consent"))
