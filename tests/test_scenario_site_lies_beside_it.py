"""A scenario names its own site file, which must lie beside it (in its folder): a
scenario handed round a class must not read a file elsewhere on the machine
(``site = "/etc/passwd"``), nor one up the tree."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import REPO, Run
from xrntx_guide.errors import ExitCode

CASE = REPO / "scenarios" / "02-fentanyl-four-days.toml"
SITE = 'site = "Outside clinic"\n[settings]\n'


def _case_with_site(folder: Path, site: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    text = CASE.read_text(encoding="utf-8")
    assert "today = 2026-11-24" in text
    text = text.replace("today = 2026-11-24", f"today = 2026-11-24\nsite = {site!r}", 1)
    (folder / "case.toml").write_text(text.replace("'", '"'), encoding="utf-8")


@pytest.mark.parametrize("where", ["/etc/passwd", "ABSOLUTE", "../outside.toml", "LINK"])
def test_a_site_file_away_from_the_scenario_is_refused(
    run: Run, tmp_path: Path, where: str
) -> None:
    outside = tmp_path / "outside.toml"
    outside.write_text(SITE, encoding="utf-8")
    folder = tmp_path / "cases"
    folder.mkdir()
    if where == "ABSOLUTE":
        where = str(outside)
    elif where == "LINK":  # a link in the folder to a file elsewhere
        (folder / "link.toml").symlink_to(outside)
        where = "link.toml"
    _case_with_site(folder, where)
    result = run("scenarios", "test", str(folder))
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "scenario.site" in result.stderr and "beside" in result.stderr


def test_a_site_file_beside_the_scenario_is_read(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "cases"
    _case_with_site(folder, "_site.toml")
    (folder / "_site.toml").write_text(SITE, encoding="utf-8")
    result = run("scenarios", "test", str(folder))
    assert result.exit_code == ExitCode.OK, result.output
