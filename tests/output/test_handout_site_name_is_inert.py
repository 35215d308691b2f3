"""A site's name comes from the clinic's file: in the Markdown handout it is text, never
HTML, a link or emphasis that a Markdown viewer would act on."""

from __future__ import annotations

import re
from pathlib import Path

from markdown_it import MarkdownIt

from tests.helpers import Run
from xrntx_guide.errors import ExitCode

NAME = "<img src=x onerror=alert(1)> *Main* [clinic](javascript:alert(1)) `x` _y_ | z"
ACTIVE = {"html_inline", "html_block", "link_open", "em_open", "strong_open", "code_inline"}


def test_the_site_name_is_text_in_the_markdown_handout(run: Run, tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text(f"site = {NAME!r}\n[settings]\n".replace("'", '"'), encoding="utf-8")
    result = run("export", "--format", "markdown", "--site", str(site))
    assert result.exit_code == ExitCode.OK, result.output
    lines = [ln for ln in result.stdout.splitlines() if "onerror" in ln]
    # The contents link to the settings heading by its slug: a fragment of letters, digits
    # and hyphens, with the site's name out of the link's text.
    toc = [ln for ln in lines if ln.startswith("- [")]
    assert len(toc) == 1 and re.fullmatch(r"- \[[^\]<>`*_]+\]\(#[a-z0-9_-]+\)", toc[0]), toc
    lines = [ln for ln in lines if ln not in toc]
    assert len(lines) == 2, result.stdout[:2000]  # the opening paragraph and a heading
    for line in lines:
        tokens = MarkdownIt("commonmark").parse(line)
        kinds = {t.type for t in tokens} | {c.type for t in tokens for c in t.children or ()}
        assert not kinds & ACTIVE, (line, kinds & ACTIVE)
        shown = "".join(c.content for t in tokens for c in t.children or () if c.type == "text")
        assert "Main" in shown and "onerror=alert(1)" in shown
