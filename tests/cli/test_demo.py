"""Presenter runs (`demo`): the real walkthrough answered from a scenario, paced by a trainer."""

from __future__ import annotations

import datetime as dt
import html
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pexpect
import pytest

from tests.helpers import EXE, REPO, Run, after_injection
from xrntx_guide.cli.walkthrough import Clock
from xrntx_guide.errors import ExitCode

PAUSE = r"q quit: "


def test_an_unattended_demo_answers_from_the_scenario_and_stops_at_its_gate(
    run: Run, _isolated_home: Path
) -> None:
    result = run("demo", "02-fentanyl-four-days", "--auto", "0", "--plain")
    # The case is blocked, as it says it is: the presenter run succeeds.
    assert result.exit_code == ExitCode.OK, result.output
    assert "the session is saved" not in result.stdout
    assert "TRAINING: scenario 02-fentanyl-four-days" in result.stdout
    assert "Last opioid used -> fentanyl   (from the scenario)" in result.stdout
    assert "CONTRAINDICATION: Opioid-free interval" in result.stdout
    assert "the guide gave the scenario's expected outcome" in result.stdout
    # A demo never writes a care session.
    assert not list(_isolated_home.rglob("*.json"))
    assert not list(_isolated_home.rglob("*.sqlite3")), "the clinic's store is never opened"


def test_a_demo_fast_forwards_the_challenge_timer_and_records_the_screen(
    run: Run, tmp_path: Path
) -> None:
    svg = tmp_path / "run.svg"
    result = run("demo", "01-ready-after-heroin", "--auto", "0", "--record", str(svg))
    assert result.exit_code == ExitCode.OK, result.output
    assert "Demo clock: fast-forwarded" in result.stdout
    assert "Naloxone challenge result -> negative" in result.stdout
    assert "Summary" in result.stdout and "Next dose due" in result.stdout
    text = svg.read_text(encoding="utf-8")
    assert text.startswith("<svg") and "TRAINING" in text


def test_a_demo_without_a_terminal_needs_auto(run: Run) -> None:
    result = run("demo", "02-fentanyl-four-days")
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "--auto" in result.stderr


def test_an_unknown_scenario_suggests_one(run: Run) -> None:
    result = run("demo", "02-fentanyl-for-days", "--auto", "0")
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "did you mean '02-fentanyl-four-days'" in result.stderr


@pytest.mark.parametrize("named", ["2", "02", "02-fentanyl"])
def test_a_case_is_named_as_the_picker_names_it(run: Run, named: str) -> None:
    """By its number in the list, or the start of its id: what the picker takes, and what
    a trainer reads off the list (``01-ready`` was once answered "did you mean
    06-pregnancy?")."""
    result = run("demo", named, "--auto", "0", "--plain")
    assert result.exit_code == ExitCode.OK, result.output
    assert "scenario 02-fentanyl-four-days" in " ".join(result.stdout.split())


def test_the_start_of_several_ids_names_none(run: Run) -> None:
    result = run("demo", "0", "--auto", "0")
    assert result.exit_code == ExitCode.USAGE, result.output


def test_a_what_if_at_a_pause_shows_the_change_and_returns(tmp_path: Path) -> None:
    env = {**os.environ, "XRNTX_GUIDE_HOME": str(tmp_path), "NO_COLOR": "1", "COLUMNS": "100"}
    log = io.StringIO()
    child = pexpect.spawn(
        str(EXE),
        ["demo", "01-ready-after-heroin", "--plain"],
        env=env,
        encoding="utf-8",
        timeout=15,
        dimensions=(50, 100),
    )
    child.logfile_read = log
    try:
        while child.expect([r"Date of last use of any opioid -> 2026-11-14", PAUSE]) == 1:
            child.sendline("")  # next
        child.expect(PAUSE)
        child.sendline("w last_opioid_use=3 days ago")
        child.expect(r"What if last_opioid_use = 2026-11-21\?")
        child.expect(r"Back to the scenario: nothing was changed")
        child.expect(PAUSE)
        child.sendline("q")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    out = log.getvalue()
    what_if = out[out.index("What if") : out.index("Back to the scenario")]
    assert "blocked" in what_if and "2026-11-28" in what_if  # 3 days + the 7-day minimum
    assert "opioid_free_interval" in what_if
    # Beside where the case ends (ready), not where the walk has got to (incomplete).
    assert re.search(r"status\s+ready\s+blocked", what_if), what_if
    assert "incomplete" not in what_if
    assert "Traceback" not in out


def test_the_demo_clock_speeds_the_timer_not_the_record() -> None:
    clock = Clock(factor=60)
    started = clock.now() - dt.timedelta(seconds=10)
    assert abs((clock.now() - dt.datetime.now(dt.UTC)).total_seconds()) < 1
    assert clock.timer_now(started) - started >= dt.timedelta(seconds=590)


def test_a_walk_can_record_its_screen_as_svg(run: Run, tmp_path: Path) -> None:
    svg = tmp_path / "walk.svg"
    args = [f"--answer={k}={_flag(v)}" for k, v in after_injection().items()]
    result = run(
        "walk", "--no-input", "--label", "rec", "--today", "2026-11-24", "--record", str(svg), *args
    )
    assert result.exit_code == ExitCode.OK, result.output
    text = svg.read_text(encoding="utf-8")
    assert text.startswith("<svg") and "Summary" in text


def test_a_walk_can_record_its_screen_as_html(run: Run, tmp_path: Path) -> None:
    from tests.helpers import after_injection

    page = tmp_path / "walk.html"
    args = [f"--answer={k}={_flag(v)}" for k, v in after_injection().items()]
    result = run(
        "walk", "--no-input", "--label", "rec", "--today", "2026-11-24", "--record", str(page),
        *args,
    )  # fmt: skip
    assert result.exit_code == ExitCode.OK, result.output
    text = page.read_text(encoding="utf-8")
    _assert_self_contained(text)
    assert text.startswith("<!DOCTYPE html>") and "<title>rec</title>" in text
    # What the screen showed: an unattended walk shows its summary.
    assert "Summary" in text and "opioid_free_interval" in text and "Next dose due" in text
    _assert_renders(page, tmp_path, "Next dose due")


def test_a_demo_records_its_screen_as_html_marked_training(run: Run, tmp_path: Path) -> None:
    page = tmp_path / "demo.html"
    result = run("demo", "02-fentanyl-four-days", "--auto", "0", "--record", str(page))
    assert result.exit_code == ExitCode.OK, result.output
    text = page.read_text(encoding="utf-8")
    _assert_self_contained(text)
    assert "<title>TRAINING: Fentanyl four days ago</title>" in text
    assert "TRAINING: scenario 02-fentanyl-four-days" in text
    assert "Visit type and date" in text and "Opioid-free interval" in text
    _assert_renders(page, tmp_path, "TRAINING: scenario 02-fentanyl-four-days")


def test_a_recorded_svg_needs_no_network(run: Run, tmp_path: Path) -> None:
    svg = tmp_path / "demo.svg"
    result = run("demo", "02-fentanyl-four-days", "--auto", "0", "--record", str(svg))
    assert result.exit_code == ExitCode.OK, result.output
    text = svg.read_text(encoding="utf-8")
    shown = text.replace("&#160;", " ")  # rich writes each space of the screen so
    assert text.startswith("<svg") and "TRAINING" in shown and "Visit type and date" in shown
    _assert_self_contained(text)


def _assert_self_contained(text: str) -> None:
    """Nothing to fetch: no script, and no stylesheet, image or font from the network."""
    assert "<script" not in text
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:|url\(\s*["']?https?:|@import""", text)


def _assert_renders(page: Path, tmp_path: Path, expected: str) -> None:
    """The page opens in headless Chromium: the text is in its DOM, and a screenshot is
    not blank. Without Chromium the check is skipped, saying so."""
    browser = _chromium()
    if browser is None:
        pytest.skip("no chromium to open the recording: `apt-get install chromium`")
    common = [
        browser, "--headless", "--no-sandbox", "--disable-gpu",
        "--user-data-dir=" + str(tmp_path / "profile"),
    ]  # fmt: skip
    dom = subprocess.run(
        [*common, "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    ).stdout  # fmt: skip
    assert html.escape(expected, quote=False) in dom, dom[:2000]
    shot = tmp_path / "page.png"
    subprocess.run(
        [*common, f"--screenshot={shot}", "--window-size=1000,800", page.as_uri()],
        capture_output=True, timeout=120, check=False,
    )  # fmt: skip
    assert shot.is_file() and shot.stat().st_size > 10_000, "no screenshot, or a blank one"


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _flag(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def test_no_screen_text_is_dim(tmp_path: Path) -> None:
    """Dim text cannot be read on a projector: the UI has none."""
    import io as _io

    from xrntx_guide.cli.ui import UI

    buf = _io.StringIO()
    ui = UI(plain=False, out=buf, err=buf)
    ui.out = type(ui.out)(file=buf, force_terminal=True, color_system="standard", width=100)
    ui.note("a note")
    ui.table(["gate", "outcome"], [["x", "not applicable"]])
    assert "\x1b[2m" not in buf.getvalue()


def test_back_at_a_pause_shows_the_previous_answer_again(tmp_path: Path) -> None:
    env = {**os.environ, "XRNTX_GUIDE_HOME": str(tmp_path), "NO_COLOR": "1", "COLUMNS": "100"}
    log = io.StringIO()
    child = pexpect.spawn(
        str(EXE), ["demo", "02-fentanyl-four-days", "--plain"], env=env, encoding="utf-8",
        timeout=15, dimensions=(50, 100),
    )  # fmt: skip
    child.logfile_read = log
    try:
        while child.expect([r"Last opioid used -> fentanyl", PAUSE]) == 1:
            child.sendline("")
        child.expect(PAUSE)
        child.sendline("")  # on to the next answer
        child.expect(PAUSE)
        child.sendline("b")  # and back
        child.expect(r"Last opioid used -> fentanyl   \(from the scenario\)")
        child.expect(PAUSE)
        child.sendline("q")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert "Traceback" not in log.getvalue()


def test_a_demo_stops_to_show_how_each_gate_on_the_way_decided(run: Run) -> None:
    """the presenter stops at each gate passed, with its verdict, the values it
    read and its source; each gate once, the readiness gates before the injection."""
    import re

    from xrntx_guide.pack.load import load_guide

    guide = load_guide()
    result = run("demo", "01-ready-after-heroin", "--auto", "0", "--plain")
    assert result.exit_code == ExitCode.OK, result.output
    out = result.stdout
    assert "Gates on the way to 'Giving the injection'" in out, out
    shown = re.findall(r"^passes: [^\n]* \[(\w+)\]\n((?:    [^\n]*\n)+)", out, re.MULTILINE)
    passed = {gid: " ".join(detail.split()) for gid, detail in shown}
    assert len(passed) == len(shown), "a gate was shown twice"
    for gid in ("opioid_free_interval", "urine_drug_screen", "withdrawal", "kit_storage"):
        assert gid in passed, out
        gate = guide.gate(gid)
        assert f"Source: {', '.join(gate.sources)}." in passed[gid]
        assert "Read: " in passed[gid]
    assert "last_opioid_use = 2026-11-14" in passed["opioid_free_interval"]
    # each shown before the injection step's header
    assert out.index("[kit_storage]") < out.index("Giving the injection · step")


SCENARIOS = sorted(p.stem for p in (REPO / "scenarios").glob("[!_]*.toml"))


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_shipped_scenario_demos_to_its_expected_outcome(run: Run, scenario: str) -> None:
    """A stop without an override, a second contraindication after the first, a rapid
    pathway's daily record: the demo judges the case as `scenarios test` does."""
    result = run("demo", scenario, "--auto", "0", "--plain")
    assert result.exit_code == ExitCode.OK, result.output
    assert "the guide gave the scenario's expected outcome" in result.stdout, result.stdout[-600:]
    assert "comes from the rapid pathway's daily record" not in result.output
    assert "session is saved" not in result.output


def test_a_demo_whose_outcome_differs_exits_1(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    text = (REPO / "scenarios" / "06-pregnancy.toml").read_text(encoding="utf-8")
    assert 'status = "needs_override"' in text
    (folder / "06.toml").write_text(text.replace('"needs_override"', '"blocked"'), "utf-8")
    result = run("demo", "06", "--dir", str(folder), "--auto", "0", "--plain")
    assert result.exit_code == ExitCode.BLOCKED, result.output
    assert "status: expected blocked, got needs_override" in result.stdout


def test_an_unattended_demo_ends_at_a_question_the_scenario_does_not_answer(
    run: Run, tmp_path: Path
) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    text = (REPO / "scenarios" / "01-ready-after-heroin.toml").read_text(encoding="utf-8")
    (folder / "01.toml").write_text(text.replace("injection_given = true\n", ""), "utf-8")
    result = run("demo", "01", "--dir", str(folder), "--auto", "0", "--plain")
    assert "does not answer injection_given: the unattended run ends here" in result.stdout
    assert "session is saved" not in result.output
    assert "Was the injection given?" not in result.output  # never waits for a person


def test_the_summary_shows_the_scenarios_answers_as_from_the_scenario(run: Run) -> None:
    result = run("demo", "01-ready-after-heroin", "--auto", "0", "--plain")
    assert result.exit_code == ExitCode.OK, result.output
    rows = re.findall(r"^(last_opioid_use|injection_date) .* (\w+)$", result.stdout, re.M)
    assert ("last_opioid_use", "scenario") in rows and ("injection_date", "default") in rows


def test_the_pause_prompt_fits_in_80_columns_with_room_to_type() -> None:
    from xrntx_guide.cli.demo import PAUSE, REVEAL
    from xrntx_guide.cli.ui import _ROOM

    for prompt in (PAUSE, REVEAL):
        assert len(prompt) + _ROOM <= 80, prompt
    assert "w KEY=VALUE" in PAUSE


def _luminance(hex_colour: str) -> float:
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def test_a_recording_is_high_contrast_for_a_projector(run: Run, tmp_path: Path) -> None:
    """Every text colour of a recorded SVG has at least 7:1 contrast on its background:
    slides are read from the back of a room (rich's own theme has red at 3.5:1)."""
    svg = tmp_path / "run.svg"
    result = run("demo", "05-positive-naloxone-challenge", "--auto", "0", "--record", str(svg))
    assert result.exit_code == ExitCode.OK, result.output
    text = svg.read_text(encoding="utf-8")
    fills = set(re.findall(r"\.terminal-\d+-r\d+ \{ fill: #([0-9a-f]{6})", text))
    assert len(fills) >= 3
    background = _luminance("000000")
    for fill in fills:
        ratio = (_luminance(fill) + 0.05) / (background + 0.05)
        assert ratio >= 7, (fill, ratio)
    assert 'fill="#000000"' in text


def test_every_colour_of_the_recording_theme_is_high_contrast() -> None:
    from xrntx_guide.cli.commands.common import _projector_theme

    theme = _projector_theme()
    assert theme.background_color.hex == "#000000"
    for colour in (theme.ansi_colors[i] for i in range(1, 16) if i != 8):
        assert (_luminance(colour.hex[1:]) + 0.05) / 0.05 >= 7, colour.hex
