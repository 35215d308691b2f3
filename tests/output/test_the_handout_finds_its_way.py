"""The handout can be found around in: contents, the gates on one page, the flow in
Markdown as in HTML, and links for the sources whose reference gives one."""

from __future__ import annotations

import html
import re
from pathlib import Path

from tests.helpers import Run, copy_steps
from xrntx_guide.errors import ExitCode
from xrntx_guide.output import export as ex
from xrntx_guide.pack.guide import Guide


def test_the_html_contents_link_every_phase_and_step_to_its_section(guide: Guide) -> None:
    page = ex.html_document(guide)
    toc = page[page.index('<ol class="toc">') : page.index("</ol>")]
    targets = re.findall(r'href="#([^"]+)"', toc)
    for step in guide.steps:
        assert f"step-{step.id}" in targets, step.id
    for anchor in targets:
        assert f'id="{anchor}"' in page, anchor
    assert {"sources", "settings", "gates-on-one-page", "flow"} <= set(targets)


def test_the_markdown_contents_point_at_the_headings_viewers_make(guide: Guide) -> None:
    text = ex.markdown(guide)
    toc = text[text.index("## Contents") : text.index("## The flow")]
    slugs = set(re.findall(r"\]\(#([^)]+)\)", toc))
    headings = list(re.findall(r"^#{1,6} (.+)$", text, re.M))
    made = set(ex._github_slugs(headings))
    assert slugs and slugs <= made, slugs - made
    assert "step-naloxone-challenge" in slugs


def test_every_gate_is_on_the_one_page_summary_in_the_order_it_is_checked(guide: Guide) -> None:
    text = ex.markdown(guide)
    summary = text[text.index("## The gates on one page") :].split("\n## ", 1)[0]
    rows = [r for r in summary.splitlines() if r.startswith("| ") and "[" in r]
    ids = [re.search(r"\[([a-z_]+)\]", r).group(1) for r in rows]  # type: ignore[union-attr]
    assert sorted(ids) == sorted(g.id for g in guide.gates)
    order = [guide.step(guide.gate(i).spec.before).index for i in ids]
    assert order == sorted(order)
    for gate in guide.gates:
        row = next(r for r in rows if f"[{gate.id}]" in r)
        for rule in gate.rules:
            assert rule.spec.severity in row, (gate.id, rule.spec.severity)


def test_the_markdown_handout_has_the_flow_as_mermaid_and_as_an_outline(guide: Guide) -> None:
    text = ex.markdown(guide)
    flow = text[text.index("## The flow") : text.index("## The gates on one page")]
    block = flow[flow.index("```mermaid") : flow.index("```", flow.index("```mermaid") + 3)]
    assert "flowchart TD" in block
    for step in guide.steps:
        assert f'S_{step.id}["{step.spec.title}"]' in block, step.id
    for gate in guide.gates:
        assert f"G_{gate.id}{{" in block, gate.id
    # Every node is joined, first to last, in the order of the walk.
    edges = re.findall(r"^\s+(\w+) --> (\w+)$", block, re.M)
    nodes = re.findall(r"^\s+([SG]_\w+)[\[{]", block, re.M)
    assert [a for a, _ in edges] == nodes[:-1] and [b for _, b in edges] == nodes[1:]
    outline = flow[flow.index("```", flow.index("```mermaid") + 3) :]
    for phase in guide.meta.phases:
        assert f"\n- {phase.title}\n" in outline
    assert "  - Giving the injection (checked first: Kit storage" in outline


def test_a_source_links_to_the_address_and_doi_its_pack_entry_gives(
    run: Run, tmp_path: Path
) -> None:
    steps = copy_steps(tmp_path)
    guide_file = steps / "00-guide.toml"
    text = guide_file.read_text(encoding="utf-8")
    head = "[sources.cows]\n"
    assert head in text
    extra = 'url = "https://example.org/cows"\ndoi = "10.1234/example.5678"\n'
    guide_file.write_text(text.replace(head, head + extra), encoding="utf-8")
    page = tmp_path / "guide.html"
    result = run("export", "--steps", str(steps), "--format", "html", "-o", str(page))
    assert result.exit_code == ExitCode.OK, result.output
    html = page.read_text(encoding="utf-8")
    assert '<a href="https://example.org/cows">' in html
    assert '<a href="https://doi.org/10.1234/example.5678">' in html
    md = run("export", "--steps", str(steps)).stdout
    assert "<https://doi.org/10.1234/example.5678>" in md
    # Only where the pack gives one: no other source gets a link.
    assert html.count('<a href="https://') == 2


def test_a_source_address_that_is_not_https_is_refused_naming_the_place(
    run: Run, tmp_path: Path
) -> None:
    steps = copy_steps(tmp_path)
    guide_file = steps / "00-guide.toml"
    text = guide_file.read_text(encoding="utf-8")
    head = "[sources.cows]\n"
    guide_file.write_text(text.replace(head, head + 'url = "javascript:alert(1)"\n'))
    result = run("export", "--steps", str(steps), "--format", "html")
    assert result.exit_code == ExitCode.INVALID_PACK, result.output
    assert "sources.cows.url" in result.stderr


# -- case cards -------------------------------------------------------------------------


def test_case_cards_give_each_scenario_a_front_and_a_back_page(run: Run, tmp_path: Path) -> None:
    from xrntx_guide import scenarios as sc

    cases = sc.read_all(sc.default_dir())
    out = tmp_path / "cards.html"
    result = run("export", "--format", "cards", "-o", str(out))
    assert result.exit_code == ExitCode.OK, result.output
    page = out.read_text(encoding="utf-8")
    assert page.count('class="card front"') == len(cases) == page.count('class="card back"')
    assert "break-after: page" in page and "@media print" in page
    assert "<script" not in page and not re.search(r"(src|href)\s*=\s*[\"']?https?:", page)
    flat = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    for case in cases:
        front = page.index(f'id="card-{case.id}"')
        back = page.index(f'id="card-{case.id}-back"')
        assert front < back
        assert " ".join(case.story.split()) in flat, case.id
        for note in case.notes.values():
            assert " ".join(note.split()) in flat, case.id
        back_text = page[back : page.index("</section>", back)]
        for point in case.teaching_points:
            assert html_escape(point) in back_text, (case.id, point)
        assert f"status: {case.expect['status']}" in back_text


def test_case_cards_print_two_pages_a_case(run: Run, tmp_path: Path) -> None:
    """Printed, each card is one page front and one page back: none runs over."""
    import shutil
    import subprocess

    import pytest

    from xrntx_guide import scenarios as sc

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("no chromium to print the cards: `apt-get install chromium`")
    out = tmp_path / "cards.html"
    assert run("export", "--format", "cards", "-o", str(out)).exit_code == ExitCode.OK
    pdf = tmp_path / "cards.pdf"
    subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu",
         "--user-data-dir=" + str(tmp_path / "profile"), f"--print-to-pdf={pdf}", out.as_uri()],
        capture_output=True, timeout=120, check=False,
    )  # fmt: skip
    counts = [int(n) for n in re.findall(rb"/Count (\d+)", pdf.read_bytes())]
    assert max(counts) == 2 * len(sc.read_all(sc.default_dir()))


def html_escape(text: str) -> str:
    import html

    return html.escape(text)


def test_printed_the_flow_and_the_gates_summary_each_take_one_page(
    guide: Guide, tmp_path: Path
) -> None:
    """Printed, the flow diagram was pushed off its heading's page (a page with a heading
    alone), ran over two more, and the "gates on one page" began under its end and ran
    onto the next: each section now takes exactly one page. Measured by printing the
    handout with and without the section."""
    import shutil
    import subprocess

    import pytest

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("no chromium to print the handout: `apt-get install chromium`")
    page = ex.html_document(guide)

    def pages(html: str, name: str) -> int:
        src, pdf = tmp_path / f"{name}.html", tmp_path / f"{name}.pdf"
        src.write_text(html, encoding="utf-8")
        subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
             "--user-data-dir=" + str(tmp_path / "profile"), f"--print-to-pdf={pdf}",
             src.as_uri()],
            capture_output=True, timeout=120, check=False,
        )  # fmt: skip
        return max(int(n) for n in re.findall(rb"/Count (\d+)", pdf.read_bytes()))

    def without(section: str) -> str:
        start = page.index(f'<section id="{section}">')
        return page[:start] + page[page.index("</section>", start) + len("</section>") :]

    whole = pages(page, "whole")
    assert whole - pages(without("flow"), "no-flow") == 1
    assert whole - pages(without("gates-on-one-page"), "no-gates") == 1
