"""A recording (``--record FILE.svg|html``) shows a patient's answers: it is written for
its owner only (0600), and it is a well-formed document whatever text the screen showed
(an SVG is XML, which has no place for most control characters)."""

from __future__ import annotations

import os
import stat
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.helpers import REPO, TODAY, Run, after_injection, answer_flags
from xrntx_guide.errors import ExitCode

CONTROL = "\\u001b[31m\\u0007\\u000c\\u0000\\u0085"
"""Control characters, as TOML escapes them."""


def _hostile_scenario(folder: Path) -> str:
    """The first shipped scenario with control characters in its title and story."""
    text = (REPO / "scenarios" / "01-ready-after-heroin.toml").read_text(encoding="utf-8")
    title = 'title = "Ready after heroin: the whole way to the injection"'
    assert title in text
    text = text.replace(title, f'title = "Ready{CONTROL} after heroin"')
    folder.mkdir()
    (folder / "01-hostile.toml").write_text(text, encoding="utf-8")
    return "01-hostile"


def test_a_recorded_svg_is_xml_whatever_the_scenario_holds(run: Run, tmp_path: Path) -> None:
    case = _hostile_scenario(tmp_path / "cases")
    svg = tmp_path / "run.svg"
    result = run(
        "demo", case, "--dir", str(tmp_path / "cases"), "--auto", "0", "--record", str(svg)
    )
    assert result.exit_code == ExitCode.OK, result.output
    ET.parse(svg)  # raises on a character XML does not allow


def test_a_recorded_pages_title_holds_no_control_character(run: Run, tmp_path: Path) -> None:
    case = _hostile_scenario(tmp_path / "cases")
    page = tmp_path / "run.html"
    result = run(
        "demo", case, "--dir", str(tmp_path / "cases"), "--auto", "0", "--record", str(page)
    )
    assert result.exit_code == ExitCode.OK, result.output
    title = page.read_text(encoding="utf-8").split("<title>")[1].split("</title>")[0]
    assert "Ready" in title
    assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in title), repr(title)


@pytest.mark.parametrize("suffix", [".svg", ".html"])
@pytest.mark.parametrize("existing", [False, True])
def test_a_walks_recording_is_readable_by_its_owner_only(
    run: Run, tmp_path: Path, suffix: str, existing: bool
) -> None:
    record = tmp_path / f"walk{suffix}"
    if existing:  # a file already there, readable by all: its mode is not kept
        record.write_text("old", encoding="utf-8")
        record.chmod(0o644)
    result = run(
        "walk", "--no-input", "--label", "rec", "--today", TODAY.isoformat(),
        "--record", str(record), *answer_flags(after_injection()),
    )  # fmt: skip
    assert result.exit_code == ExitCode.OK, result.output
    if os.name == "posix":
        assert stat.S_IMODE(record.stat().st_mode) == 0o600
