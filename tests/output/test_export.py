"""The handout of the whole guide (`export`): complete, in words, self-contained."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import Run
from xrntx_guide.errors import ExitCode
from xrntx_guide.output import export as ex
from xrntx_guide.pack.guide import Guide
from xrntx_guide.pack.severity import SEVERITIES


def test_the_markdown_handout_holds_every_step_question_gate_and_source(guide: Guide) -> None:
    text = ex.markdown(guide)
    for step in guide.steps:
        assert f"Step: {step.spec.title}" in text, step.id
    for key in guide.questions:
        assert f"| {key} |" in text, key
    for gate in guide.gates:
        assert f"[{gate.id}]" in text, gate.id
        for rule in gate.rules:
            assert f"{rule.spec.severity.upper()} when " in text
    for key, source in guide.sources.items():
        assert f"{key}: {source.citation}" in text, key
    assert guide.meta.statement in text


def test_conditions_are_in_words_not_expressions(guide: Guide) -> None:
    text = ex.markdown(guide)
    for syntax in ("==", "!=", "coalesce(", "days_between(", "settings.", "answered("):
        assert syntax not in text, syntax
    interval = ex.condition_words(
        guide, guide.gate("opioid_free_interval").rules[0].spec.fails_when
    )
    assert (
        interval
        == "'Last opioid used' is 'extended-release buprenorphine (monthly injection or implant)'"
    )


def test_conditions_and_messages_read_as_sentences(guide: Guide) -> None:
    """No rendering a clinician would stumble on: settings named by their code, a setting
    placeholder followed by its own unit, "not (...)", a default in the middle of a
    comparison, a condition glued to "Shown when"."""
    text = ex.markdown(guide)
    for awkward in ("the setting '", "(counted as", "not (", "Shown when '", "] days", "|---|\n\n"):
        assert awkward not in text, awkward
    lines = text.splitlines()
    shown = [line for line in lines if line.startswith("Shown when")]
    assert shown and all(line.startswith("Shown when: ") for line in shown)
    # A setting in a condition: its value in force, then which setting it is.
    assert "is at least 5 COWS points (the cows threshold setting)" in text
    # A setting in a message reads as the screen shows it: "about 28 days".
    assert "the blockade lasts about 28 days;" in text
    # A defaulted answer: what an unanswered question does to this comparison.
    interval = ex.condition_words(
        guide, guide.gate("opioid_free_interval").rules[1].spec.fails_when
    )
    assert interval.startswith(
        "'Which pathway?' is 'standard: wait out the interval' (or not answered)"
    )
    assert ex.condition_words(guide, "not answered(cows_total)") == (
        "'COWS total (0-48)' is not answered"
    )
    assert ex.condition_words(guide, "not naloxone_challenge_required") == (
        "no naloxone challenge required"
    )


def test_a_step_without_questions_has_no_empty_table(guide: Guide) -> None:
    text = ex.markdown(guide)
    after = text.split("### Step: Next dose", 1)[1].split("####", 1)[0]
    assert "| answer key |" not in after


def test_the_settings_in_force_follow_the_site_file(run: Run, tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text(
        'site = "Strict clinic"\n[settings]\nmin_opioid_free_days = { methadone = 21 }\n'
    )
    result = run("export", "--site", str(site))
    assert result.exit_code == ExitCode.OK, result.output
    assert "Settings in force (site: Strict clinic)" in result.stdout
    assert "methadone 21" in result.stdout
    # What the site changed is marked, with the value it replaced; nothing else is.
    assert "(site; shipped: short acting 7, fentanyl 7, methadone 14," in result.stdout
    assert result.stdout.count("(site; shipped:") == 1
    # A bound that is another setting is named and shown with its value.
    assert "at least 3 x upper limit of normal (the liver caution multiple setting)" in (
        result.stdout
    )


def test_a_site_name_cannot_start_a_line_of_the_handout(run: Run, tmp_path: Path) -> None:
    """a newline in the site's name is shown, never a new heading."""
    site = tmp_path / "site.toml"
    site.write_text('site = "Clinic\\n# Forged\\u001b[2J"\n[settings]\n')
    result = run("export", "--site", str(site))
    assert result.exit_code == ExitCode.OK, result.output
    assert "# Forged" not in "\n".join(ln[:9] for ln in result.stdout.splitlines())
    assert "\x1b" not in result.stdout
    # Shown escaped, and escaped again as Markdown: a viewer shows Clinic\n# Forged\x1b[2J.
    assert "Settings in force (site: Clinic\\\\n\\# Forged\\\\x1b\\[2J)" in result.stdout


def test_facts_marked_verify_are_listed(guide: Guide) -> None:
    text = ex.markdown(guide).split("## Facts marked verify", 1)[1]
    assert "source tip63" in text
    assert "gate opioid_free_interval, contraindication rule" in text


def test_the_html_handout_is_one_self_contained_file(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "guide.html"
    result = run("export", "--format", "html", "--output", str(out))
    assert result.exit_code == ExitCode.OK, result.output
    assert result.stdout == "", "scripts get nothing on stdout"
    assert f"Written: {out}" in result.stderr, "a person is told where it went"
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "@media print" in page
    assert "<svg" in page and "The flow" in page
    # The flow links each gate and step to its section.
    assert 'href="#gate-opioid_free_interval"' in page and 'href="#step-inject"' in page
    assert "<colgroup>" in page and "break-before: page" in page
    # Nothing to fetch: no external stylesheet, script, image or font.
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", page)
    assert "<script" not in page


def test_a_bad_format_is_a_usage_error(run: Run) -> None:
    result = run("export", "--format", "pdf")
    assert result.exit_code == ExitCode.USAGE, result.output


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.mark.skipif(_chromium() is None, reason="no chromium: `apt-get install chromium`")
def test_the_html_handout_renders_in_a_browser_with_every_gate(
    guide: Guide, tmp_path: Path
) -> None:
    page = tmp_path / "guide.html"
    page.write_text(ex.html_document(guide), encoding="utf-8")
    browser = _chromium()
    assert browser is not None
    common = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--user-data-dir=" + str(tmp_path / "profile"),
    ]
    shot = tmp_path / "guide.png"
    subprocess.run(
        [*common, f"--screenshot={shot}", "--window-size=1100,2400", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert shot.is_file() and shot.stat().st_size > 20_000, "no screenshot, or a blank one"
    dom = subprocess.run(
        [*common, "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    ).stdout
    for gate in guide.gates:
        assert f'id="gate-{gate.id}"' in dom, gate.id


def _contrast_on_white(hex_colour: str) -> float:
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    lum = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (lum + 0.05)


def test_every_colour_of_the_handout_reads_on_white(guide: Guide) -> None:
    """The severity colours (the flow diagram's labels, the gates' borders) at 7:1 or
    more on white: a handout is printed, photocopied and projected (caution was 3.8:1)."""
    page = ex.html_document(guide)
    colours = set(re.findall(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b", page))
    severity_colours = {k.colour for k in SEVERITIES.values()}
    text_colours = severity_colours | set(re.findall(r'fill="(#[0-9a-fA-F]+)"', page))
    assert severity_colours <= colours
    for colour in text_colours - {"#f4f4f4", "#fff", "#ffffff"}:
        assert _contrast_on_white(colour) >= 7, colour
