"""A trainer runs a workshop from the case picker without rehearsal: the list of cases,
what-ifs that say why, participant mode, the recap, slide-sized recordings."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest

from tests.helpers import EXE, Run
from xrntx_guide import scenarios as sc
from xrntx_guide.errors import ExitCode

PAUSE = r"q quit: "
CASES = sc.read_all(sc.default_dir())


def _spawn(
    tmp_path: Path, *args: str, cols: int = 100, rows: int = 50
) -> tuple[pexpect.spawn[str], io.StringIO]:
    env = {**os.environ, "XRNTX_GUIDE_HOME": str(tmp_path), "NO_COLOR": "1"}
    env.pop("COLUMNS", None)
    log = io.StringIO()
    child = pexpect.spawn(
        str(EXE), ["demo", *args, "--plain"], env=env, encoding="utf-8", timeout=20,
        dimensions=(rows, cols),
    )  # fmt: skip
    child.logfile_read = log
    return child, log


def _to_the_end(child: pexpect.spawn[str], answer_room: str = "") -> None:
    """Press Enter at every pause (and give ``answer_room`` at each gate) to the end."""
    while (at := child.expect([PAUSE, r"reveal: ", pexpect.EOF])) != 2:
        child.sendline(answer_room if at == 1 else "")


@pytest.fixture
def fentanyl() -> Iterator[sc.Scenario]:
    yield next(c for c in CASES if c.id == "02-fentanyl-four-days")


# -- the case picker --------------------------------------------------------------------


def test_demo_without_a_case_lists_the_cases_and_presents_the_one_picked(
    tmp_path: Path, fentanyl: sc.Scenario
) -> None:
    child, log = _spawn(tmp_path)
    try:
        while (
            child.expect(
                [
                    r"Case \[1-\d+, Enter for more, or q to quit\]: ",
                    r"Case \[1-\d+, or q to quit\]: ",
                ]
            )
            == 0
        ):
            child.sendline("")
        listing = log.getvalue()
        for n, case in enumerate(CASES, 1):
            assert re.search(rf"^\s*{n}\. {re.escape(case.title)}", listing, re.M), case.id
        # What the case teaches and where it ends, before it is picked.
        assert "teaches: " + fentanyl.teaching_points[0][:40] in listing.replace("\r\n", " ")
        assert "expected: blocked (opioid_free_interval)" in listing
        child.sendline(str(CASES.index(fentanyl) + 1))
        child.expect(f"TRAINING: scenario {fentanyl.id}")
        _to_the_end(child)
    finally:
        child.close(force=True)
    assert "Traceback" not in log.getvalue()


def test_the_case_list_comes_a_screen_at_a_time_on_a_projector(
    tmp_path: Path, fentanyl: sc.Scenario
) -> None:
    """At 100x30 the list of cases scrolled the first ones away before the trainer could
    read them: each page fits the screen, Enter shows the next, and a number from any
    page picks its case."""
    child, log = _spawn(tmp_path, rows=30)
    pages = []
    try:
        while True:
            at = child.expect([r"Enter for more, or q to quit\]: ", r"or q to quit\]: "])
            pages.append(child.before or "")
            if at == 1:
                break
            child.sendline("")
        child.sendline(str(CASES.index(fentanyl) + 1))
        child.expect(f"TRAINING: scenario {fentanyl.id}")
        child.sendline("q")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert len(pages) > 1
    for page in pages:
        assert len(page.strip("\r\n").splitlines()) <= 30 - 1, page
    listing = log.getvalue()
    for n, case in enumerate(CASES, 1):
        assert re.search(rf"^\s*{n}\. {re.escape(case.title)}", listing, re.M), case.id


def test_demo_without_a_case_or_a_terminal_lists_them_and_asks_for_one(run: Run) -> None:
    result = run("demo", "--auto", "0")
    assert result.exit_code == ExitCode.USAGE, result.output
    assert CASES[0].title in result.stdout
    assert "name the case" in result.stderr and "demo 01-" in result.stderr


def test_scenarios_shows_every_teaching_point_on_request(run: Run) -> None:
    plain = run("scenarios", "--plain")
    points = run("scenarios", "--points", "--plain")
    assert points.exit_code == ExitCode.OK, points.output
    flat = " ".join(points.stdout.split())
    for case in CASES:
        for point in case.teaching_points:
            assert " ".join(point.split()) in flat, (case.id, point)
    assert CASES[0].teaching_points[-1] not in " ".join(plain.stdout.split())


# -- the recap and the stop line --------------------------------------------------------


def test_a_demo_ends_on_a_recap_of_points_outcome_and_earliest_date(
    run: Run, fentanyl: sc.Scenario
) -> None:
    result = run("demo", fentanyl.id, "--auto", "0", "--plain")
    assert result.exit_code == ExitCode.OK, result.output
    recap = " ".join(result.stdout[result.stdout.index("recap") :].split())
    for point in fentanyl.teaching_points:
        assert " ".join(point.split()) in recap
    assert f"status: {fentanyl.expect['status']}" in recap
    assert f"earliest injection date: {fentanyl.expect['earliest_injection_date']}" in recap
    assert "What-ifs tried - none" in recap


def test_the_demos_contraindication_names_the_demos_keys(run: Run, fentanyl: sc.Scenario) -> None:
    out = run("demo", fentanyl.id, "--auto", "0", "--plain").stdout
    stop = " ".join(out[out.index("CONTRAINDICATION") :].split())
    assert "b goes back" in stop
    assert "(back, edit)" not in stop


# -- what-ifs ---------------------------------------------------------------------------


def test_a_what_if_that_ends_incomplete_says_what_is_missing_and_offers_as_if_clear(
    tmp_path: Path, fentanyl: sc.Scenario
) -> None:
    child, log = _spawn(tmp_path, fentanyl.id)
    try:
        while child.expect([r"Enter ends the case", PAUSE]) == 1:
            child.sendline("")
        child.expect(PAUSE)
        # Past the interval, the blocked case has no answers after its gate.
        child.sendline("w last_opioid_use=2026-11-10")
        child.expect(r"\[Enter\] back: ")
        child.sendline("c")
        child.expect(PAUSE)
        child.sendline("")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    out = " ".join(log.getvalue().split())
    first = out[out.index("What if last_opioid_use") :]
    assert re.search(r"status blocked incomplete", first)
    assert "Incomplete: the case stops at its gate" in first
    assert "naloxone_challenge" in first.split("AS IF")[0]
    as_if = first[first.index("What if last_opioid_use = 2026-11-10, AS IF") :]
    assert re.search(r"status blocked ready", as_if), as_if[:600]
    assert "not this patient's answers" in as_if
    # A caution that the ready case brings with its own answers is named as its own:
    # "every later answer clear" beside a failing caution, unexplained, puzzled the room.
    ready = next(c for c in CASES if c.id in as_if.split("Taken from ")[1][:60])
    for gate in ready.expect.get("cautions") or ():
        if re.search(rf"gate {gate} unknown fails \(caution\)", as_if):
            assert f"{gate}: a caution of {ready.id} itself" in as_if
    # The recap lists both what-ifs, the second marked.
    recap = out[out.index("What-ifs tried") :]
    assert "last_opioid_use = 2026-11-10: status blocked -> incomplete" in recap
    assert "(AS IF every later answer were clear): status blocked -> ready" in recap


# -- participant mode -------------------------------------------------------------------


def test_participant_mode_asks_the_room_before_each_verdict_and_tallies(
    tmp_path: Path, fentanyl: sc.Scenario
) -> None:
    child, log = _spawn(tmp_path, fentanyl.id, "--room")
    try:
        _to_the_end(child, answer_room="p")
    finally:
        child.close(force=True)
    out = log.getvalue().replace("\r\n", "\n")
    asked = out.index("Ask the room: will the gate 'Opioid-free interval' pass?")
    verdict = out.index("CONTRAINDICATION: Opioid-free interval")
    assert asked < verdict
    assert out.count("will the gate 'Fentanyl' pass") == 1  # asked once, shown twice
    tally = re.search(r"The room's guesses: (\d+) of (\d+) right", out)
    assert tally is not None
    right, total = int(tally.group(1)), int(tally.group(2))
    assert total == out.count("Ask the room")
    assert right == total - len(re.findall(r"guessed passes, does not pass", out))
    assert "opioid_free_interval: guessed passes, does not pass (wrong)" in out


def test_ctrl_l_at_the_pause_is_not_echoed(tmp_path: Path, fentanyl: sc.Scenario) -> None:
    child, log = _spawn(tmp_path, fentanyl.id)
    try:
        child.expect(PAUSE)
        child.send("\x0c")
        child.sendline("q")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert "^L" not in log.getvalue()


# -- slide-sized recordings -------------------------------------------------------------


def test_slides_are_numbered_svg_files_of_the_chosen_size(
    run: Run, tmp_path: Path, fentanyl: sc.Scenario
) -> None:
    target = tmp_path / "run.svg"
    args = ("demo", fentanyl.id, "--auto", "0", "--record", str(target))
    result = run(*args, "--slide-size", "100x30")
    assert result.exit_code == ExitCode.OK, result.output
    files = sorted(tmp_path.glob("run-*.svg"))
    assert len(files) > 5 and not target.exists()
    assert [f.name for f in files[:2]] == ["run-01.svg", "run-02.svg"]
    boxes = {re.search(r'viewBox="([^"]+)"', f.read_text()).group(1) for f in files}  # type: ignore[union-attr]
    assert len(boxes) == 1, boxes  # every slide the same size
    whole = run(*args).stdout and target.read_text()
    one = float(next(iter(boxes)).split()[3])
    assert one < float(re.search(r'viewBox="0 0 [\d.]+ ([\d.]+)"', whole).group(1)) / 4  # type: ignore[union-attr]
    # 30 lines a slide: rich draws each line as its own text row.
    for f in files:
        rows = set(re.findall(r'class="terminal-\d+-r\d+" x="0" y="([\d.]+)"', f.read_text()))
        assert len(rows) <= 30, f.name
    last = files[-1].read_text().replace("&#160;", " ")
    assert "recap" in last


def test_bad_slide_sizes_are_usage_errors(run: Run) -> None:
    for size in ("huge", "100x2", "5x30"):
        result = run("demo", "02-fentanyl-four-days", "--auto", "0", "--record", "x.html",
                     "--slide-size", size)  # fmt: skip
        assert result.exit_code == ExitCode.USAGE, result.output
        assert "--slide-size" in result.stderr
    result = run("demo", "02-fentanyl-four-days", "--auto", "0", "--slide-size", "100x30")
    assert result.exit_code == ExitCode.USAGE and "--record" in result.stderr


def test_html_slides_show_one_screen_at_a_time_with_arrow_keys(
    run: Run, tmp_path: Path, fentanyl: sc.Scenario
) -> None:
    page = tmp_path / "run.html"
    result = run("demo", fentanyl.id, "--auto", "0", "--record", str(page), "--slide-size",
                 "100x30")  # fmt: skip
    assert result.exit_code == ExitCode.OK, result.output
    text = page.read_text(encoding="utf-8")
    count = text.count('<section class="slide')
    assert count > 5 and f"{count} / {count}" in text
    assert "ArrowRight" in text and "ArrowLeft" in text
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:|url\(\s*["']?https?:""", text)
    for block in re.findall(r"<pre>(.*?)</pre>", text, re.S):
        assert len(block.splitlines()) <= 30
    browser = next(
        (shutil.which(b) for b in ("chromium", "chromium-browser") if shutil.which(b)), None
    )
    if browser is None:
        pytest.skip("no chromium to open the slides: `apt-get install chromium`")
    dom = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu",
         "--user-data-dir=" + str(tmp_path / "profile"), "--dump-dom", page.as_uri() + "#slide-3"],
        capture_output=True, text=True, timeout=120, check=False,
    ).stdout  # fmt: skip
    # The script ran: the slide the address names is the one shown, and only it.
    assert re.findall(r'class="slide current" id="slide-(\d+)"', dom) == ["3"], dom[:500]


def test_slides_show_what_the_trainer_typed_on_its_prompt_line(
    tmp_path: Path, fentanyl: sc.Scenario
) -> None:
    """A slide shows the screen as the room saw it: the room's guess and a what-if typed
    at the pause stay on their prompt's line, and what follows starts a line of its own
    (it was glued to the prompt and cut at the slide's edge)."""
    page = tmp_path / "run.html"
    child, _ = _spawn(
        tmp_path, fentanyl.id, "--room", "--record", str(page), "--slide-size", "100x30"
    )
    try:
        while (at := child.expect([PAUSE, r"reveal: "])) != 1 or "Opioid-free" not in (
            child.before or ""
        ):
            child.sendline("")
        child.sendline("f")
        child.expect(PAUSE)
        child.sendline("w last_opioid_use=10 days ago")
        child.expect(r"\[Enter\] back: ")
        child.sendline("")
        _to_the_end(child)
    finally:
        child.close(force=True)
    assert at == 1
    slides = re.sub(r"<[^>]*>", "", page.read_text(encoding="utf-8").replace("&#160;", " "))
    assert re.search(r"reveal: f\s*\n\s*The room said it does not pass", slides), slides[-3000:]
    assert re.search(r"q quit: w last_opioid_use=10 days ago\s*\n\s*What if", slides)


def test_participant_mode_reveals_each_verdict_before_the_next_question(
    tmp_path: Path, fentanyl: sc.Scenario
) -> None:
    """docs/trainers.md: the verdict shows when you press Enter, the gate's own, before
    the room is asked of the next gate (they all came together after the last)."""
    child, log = _spawn(tmp_path, fentanyl.id, "--room")
    try:
        _to_the_end(child)
    finally:
        child.close(force=True)
    out = log.getvalue().replace("\r\n", "\n")
    asks = [m.start() for m in re.finditer(r"Ask the room: will the gate '([^']+)' pass", out)]
    names = re.findall(r"Ask the room: will the gate '([^']+)' pass", out)
    assert len(asks) > 2, out[-2000:]
    for name, here, after in zip(names, asks, [*asks[1:], len(out)], strict=True):
        between = out[here:after]
        assert re.search(rf": {re.escape(name)} \[", between) or re.search(
            rf"[A-Z]+: {re.escape(name)}", between
        ), f"the verdict of {name!r} was not shown before the next question:\n{between}"


def test_participant_mode_does_not_give_a_verdict_away_before_the_room_is_asked(
    tmp_path: Path, fentanyl: sc.Scenario
) -> None:
    """The heads-up that a later gate already fails (with its earliest date) answers the
    room's question before it is asked: in participant mode it waits for the gate."""
    child, log = _spawn(tmp_path, fentanyl.id, "--room")
    try:
        _to_the_end(child)
    finally:
        child.close(force=True)
    out = log.getvalue().replace("\r\n", "\n")
    asked = out.index("Ask the room: will the gate 'Opioid-free interval' pass?")
    assert "already fails" not in out[:asked]
    assert "2026-11-27" not in out[:asked]  # the earliest date, the trainer's question
    assert "Earliest date: 2026-11-27" in out[asked:]
    child, log = _spawn(tmp_path, fentanyl.id)  # presenting without the room: a heads-up
    try:
        _to_the_end(child)
    finally:
        child.close(force=True)
    assert "Heads-up: Opioid-free interval already fails" in log.getvalue()


def test_a_default_the_scenario_leaves_to_enter_is_shown_as_its_value(
    run: Run, fentanyl: sc.Scenario
) -> None:
    """The room sees which answer Enter took ("-> its default" named none): the visit
    date the case's today gives, and the pathway's default."""
    result = run("demo", fentanyl.id, "--auto", "0", "--plain")
    assert result.exit_code == ExitCode.OK, result.output
    today = str(fentanyl.today)
    assert re.search(rf"Date of the injection -> {today}\s+\(the default", result.stdout)
    assert re.search(r"Which pathway\? -> standard\s+\(the default", result.stdout)
    assert "its default" not in result.stdout


def test_as_if_clear_takes_a_ready_case_that_answers_the_steps_left_open(tmp_path: Path) -> None:
    """A repeat visit that becomes a new induction lacks the urine screen, COWS and
    challenge: the ready repeat visit (which skips them) left the what-if incomplete
    under the words "as if every later answer were clear"; a ready case that answers
    them is taken instead, and the what-if is ready."""
    case = next(c for c in CASES if c.id == "09-missed-dose-new-induction")
    child, log = _spawn(tmp_path, case.id)
    try:
        while child.expect([r"Enter ends the case", PAUSE]) == 1:
            child.sendline("")
        child.expect(PAUSE)
        child.sendline("w last_opioid_use=30 days ago")
        child.expect(r"\[Enter\] back: ")
        child.sendline("c")
        child.expect(PAUSE)
        child.sendline("q")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    out = " ".join(log.getvalue().split())
    as_if = out[out.index(", AS IF every later answer were clear?") :]
    assert re.search(r"status blocked ready", as_if), as_if[:800]
    assert "gate urine_drug_screen unknown pass" in as_if
