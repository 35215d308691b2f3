"""The README, the documents under docs/ and CI tell the truth: commands, exit codes, the
two set-up commands, the layout."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from tests.helpers import REPO, doc
from xrntx_guide.cli.app import app
from xrntx_guide.errors import ExitCode

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_every_command_is_documented_in_the_readme() -> None:
    names = [c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands]
    assert len(names) >= 8
    for name in names:
        assert f"xrntx-guide {name}" in README, name


def test_every_exit_code_is_in_the_readme_and_the_scripting_tables() -> None:
    for text, heading in ((README, "## Exit codes"), (doc("scripting.md"), "## Exit codes")):
        table = text.split(heading, 1)[1].split("\n## ", 1)[0]
        documented = {int(m) for m in re.findall(r"^\| (\d+) \|", table, flags=re.M)}
        assert {int(code) for code in ExitCode} == documented, heading


def test_the_readme_gives_two_set_up_commands_and_ci_runs_the_test_one() -> None:
    blocks = re.findall(r"```sh\n(.*?)\n```", README, flags=re.S)
    run_cmd = next(b for b in blocks if b.strip().endswith("xrntx-guide"))
    test_cmd = next(b for b in blocks if re.search(r"/pytest(?: -n auto)?$", b.strip()))
    assert "pip install" in run_cmd and "pip install" in test_cmd
    assert "\n" not in test_cmd.strip(), "one line to copy"
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert test_cmd.strip() in ci


def test_the_readme_states_the_clinical_judgement_principle() -> None:
    assert "supports, and does not replace, clinical judgement" in README


@pytest.mark.parametrize("tool", ["ruff", "mypy"])
def test_lint_and_types_are_clean(tool: str) -> None:
    exe = shutil.which(tool, path=str(REPO / ".venv" / "bin")) or shutil.which(
        tool, path=str(sys.executable.rsplit("/", 1)[0])
    )
    if exe is None:
        pytest.skip(f"{tool} is not installed (pip install -e '.[test]')")
    commands = [[exe, "check", "."], [exe, "format", "--check", "."]] if tool == "ruff" else [[exe]]
    for cmd in commands:
        done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr


def test_the_layout_names_every_package_and_top_level_module() -> None:
    """The architecture's layout is the tree: a new subsystem or module is documented there."""
    block = doc("architecture.md").split("## The layout", 1)[1].split("```", 2)[1]
    package = REPO / "src" / "xrntx_guide"
    names = {p.name for p in package.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    names |= {p.name for p in package.glob("*.py") if not p.name.startswith("__")}
    for name in sorted(names):
        shown = f"{name}/" if (package / name).is_dir() else name
        assert shown in block, f"{shown} is not in the layout of docs/architecture.md"


def test_the_trainers_guide_counts_the_scenarios_that_ship() -> None:
    """The number of vignettes the trainers' guide names is the number that ship."""
    words = ["twenty", "thirty", "forty"]
    units = ["", "-one", "-two", "-three", "-four", "-five", "-six", "-seven", "-eight", "-nine"]
    number = {f"{w}{u}": 20 + 10 * i + j for i, w in enumerate(words) for j, u in enumerate(units)}
    said = re.search(r"ship in `scenarios/`: ([a-z-]+) vignettes", doc("trainers.md"))
    assert said is not None and said.group(1) in number
    shipped = [p for p in (REPO / "scenarios").glob("*.toml") if not p.name.startswith("_")]
    assert number[said.group(1)] == len(shipped)
