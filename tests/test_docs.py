"""The README, the documents under docs/ and CI tell the truth.

Both ways: every command, option, exit code, environment variable and module the
documents name exists, and every command, option and exit code the program has is
documented somewhere; the two set-up commands work as CI runs them; the links between the
documents resolve.
"""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main

from tests.helpers import DOC_FILES, REPO, all_docs, doc
from xrntx_guide.cli.app import app, main
from xrntx_guide.env import VARIABLES
from xrntx_guide.errors import ExitCode

README = (REPO / "README.md").read_text(encoding="utf-8")
DOCS = all_docs()
PACKAGE = REPO / "src" / "xrntx_guide"

OTHER_TOOLS = {"--check": "ruff format --check"}
"""Options of other tools the documents name, each with the words that show whose it is."""

NOT_IN_THE_REPOSITORY = {"sessions/": "the data folder's sessions/"}
"""Paths the documents name that lie outside the repository, with the words that say so."""


def commands() -> dict[str, Any]:
    """Every command of the program, by name, as click builds it."""
    group = typer.main.get_command(app)
    return dict(getattr(group, "commands", {}))


def program_options() -> dict[str, set[str]]:
    """Every option of the program: ``--opt`` -> the commands that take it."""
    found: dict[str, set[str]] = {}
    for name, command in commands().items():
        for param in command.params:
            for opt in (*param.opts, *param.secondary_opts):
                if opt.startswith("-"):
                    found.setdefault(opt, set()).add(name)
    for param in typer.main.get_command(app).params:
        for opt in (*param.opts, *param.secondary_opts):
            found.setdefault(opt, set()).add("")
    return found


def named_options() -> set[str]:
    return set(re.findall(r"(?<![\w/-])--[a-z][a-z0-9-]*", DOCS))


# ---------------------------------------------------------------------------------------
# the README


def test_every_command_is_in_the_readme_command_list() -> None:
    names = list(commands())
    assert len(names) >= 8
    table = README.split("## Commands", 1)[1].split("\n## ", 1)[0]
    for name in names:
        assert f"`xrntx-guide {name}" in table, name


def test_the_readme_stays_what_a_newcomer_needs() -> None:
    """Under 300 lines, with what a newcomer reads first, and a way to every other document."""
    assert len(README.splitlines()) < 300
    headings = re.findall(r"^## (.+)$", README, flags=re.M)
    for needed in ("Quick start", "What never gives READY", "Commands", "Exit codes", "Read on"):
        assert needed in headings, needed
    for path in DOC_FILES[1:]:
        assert f"](docs/{path.name}" in README, f"the README does not lead to docs/{path.name}"


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


# ---------------------------------------------------------------------------------------
# commands and options, both ways


def test_every_command_named_in_the_documents_exists() -> None:
    known = commands()
    for name in re.findall(r"(?<![\w/.-])xrntx-guide ([a-z][a-z-]*)", DOCS):
        assert name in known, f"`xrntx-guide {name}` is named in the documents: no such command"


@pytest.mark.parametrize(("command", "argument"), [("sessions", "action"), ("scenarios", "action")])
def test_every_action_named_in_the_documents_is_one_the_command_takes(
    command: str, argument: str
) -> None:
    """`sessions export`, `scenarios test`: the word after the command is one its help names."""
    (param,) = [p for p in commands()[command].params if p.name == argument]
    offered = set(re.findall(r"[a-z]+", param.help or ""))
    for word in re.findall(rf"`(?:xrntx-guide )?{command} ([a-z]+)\b", DOCS):
        assert word in offered, f"`{command} {word}` is documented: {command} takes {offered}"


def test_every_schema_is_documented_and_every_schema_named_exists() -> None:
    from xrntx_guide.output.schemas import SCHEMAS

    names = {"answers", "steps", *SCHEMAS}
    for name in names:
        assert f"`{name}`" in DOCS or f"schema {name}" in DOCS, name
    for name in re.findall(r"xrntx-guide schema ([a-z-]+)", DOCS):
        assert name in names | {"list"}, name


def test_every_option_of_the_program_is_documented() -> None:
    for opt, where in sorted(program_options().items()):
        if opt.startswith("--"):
            assert opt in DOCS, f"{opt} ({', '.join(sorted(where))}) is in no document"


def test_every_option_named_in_the_documents_exists() -> None:
    """An option the documents name is the program's (or, named beside its tool, a bench
    script's or another tool's): a renamed or removed option cannot linger in the text."""
    known = program_options()
    bench = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "bench").glob("*.py"))
    for opt in sorted(named_options()):
        if opt in known:
            continue
        if opt in OTHER_TOOLS:
            assert OTHER_TOOLS[opt] in DOCS, opt
            continue
        if f'"{opt}"' in bench:
            continue
        # Options the program reads before any command (--version, --help).
        assert main([opt]) == ExitCode.OK, f"{opt} is documented: the program refuses it"


# ---------------------------------------------------------------------------------------
# exit codes and environment variables, both ways


def test_every_exit_code_is_in_the_readme_and_the_scripting_tables() -> None:
    for text, heading in ((README, "## Exit codes"), (doc("scripting.md"), "## Exit codes")):
        table = text.split(heading, 1)[1].split("\n## ", 1)[0]
        documented = {int(m) for m in re.findall(r"^\| (\d+) \|", table, flags=re.M)}
        assert {int(code) for code in ExitCode} == documented, heading


def test_every_exit_code_named_in_the_documents_exists() -> None:
    named = {int(n) for n in re.findall(r"\bexits?(?: code)? (\d+)\b", DOCS)}
    assert named, "the documents name exit codes"
    assert named <= {int(code) for code in ExitCode}, named - {int(c) for c in ExitCode}


def test_every_environment_variable_named_in_the_documents_is_read() -> None:
    named = set(re.findall(r"\b(XRNTX_GUIDE_[A-Z_]+|XDG_[A-Z_]+|NO_COLOR)\b", DOCS))
    assert named, "the documents name environment variables"
    assert named <= set(VARIABLES), named - set(VARIABLES)


def test_every_environment_variable_read_is_documented() -> None:
    table = doc("scripting.md").split("## Environment variables", 1)[1].split("\n## ", 1)[0]
    for name in VARIABLES:
        assert f"`{name}`" in table, name


# ---------------------------------------------------------------------------------------
# modules and files, both ways


def _path_of(token: str) -> Path | None:
    """Where a path the documents name lies: in the repository, src/, the package, or
    (a case or a site file) the scenarios."""
    for base in (REPO, REPO / "src", PACKAGE, REPO / "scenarios"):
        if (base / token).exists():
            return base / token
    return None


def test_every_module_and_file_named_in_the_documents_exists() -> None:
    """`xrntx_guide/schemas.py` stayed in the README long after it moved: every path a
    document names in backticks is there."""
    tokens = set(re.findall(r"`([\w./-]+(?:\.py|\.toml|\.md|/))`", DOCS))
    assert len(tokens) > 20
    for token in sorted(tokens):
        if token in NOT_IN_THE_REPOSITORY:
            assert NOT_IN_THE_REPOSITORY[token] in DOCS.replace("`", ""), token
            continue
        assert _path_of(token) is not None, f"`{token}` is named in the documents: not found"


def test_every_document_the_program_points_to_exists() -> None:
    """A hint that says "see docs/scripting.md" leads to a file that is there."""
    named = {
        name
        for path in PACKAGE.rglob("*.py")
        for name in re.findall(r"docs/[\w-]+\.md", path.read_text(encoding="utf-8"))
    }
    assert named, "the program's hints name documents"
    for name in sorted(named):
        assert (REPO / name).is_file(), f"the program points to {name}: not there"


def _resolve(dotted: str) -> object:
    """``engine.drive.drive``: the module of the longest importable prefix, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(["xrntx_guide", *parts[:cut]]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            found = getattr(found, attr)
        return found
    raise AssertionError(f"`{dotted}` names nothing in xrntx_guide")


def test_every_python_name_in_the_documents_exists() -> None:
    """`engine.drive.drive`, `cli/streams.write_result`, "`UsageErrorOut` in
    `xrntx_guide/output/schemas.py`": each is there under that name."""
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    dotted = re.findall(r"`([a-z_]+(?:[./][A-Za-z_]\w*)+)`", DOCS)
    checked = 0
    for name in dotted:
        head = re.split(r"[./]", name, maxsplit=1)[0]
        if head not in packages or name.endswith((".py", ".toml")):
            continue
        _resolve(name.replace("/", "."))
        checked += 1
    assert checked >= 3
    for model, path in re.findall(r"model is `(\w+)` in\s+`xrntx_guide/([\w/]+)\.py`", DOCS):
        module = importlib.import_module("xrntx_guide." + path.replace("/", "."))
        assert hasattr(module, model), (model, path)


def test_the_layout_names_every_package_and_top_level_module() -> None:
    """The architecture's layout is the tree: a new subsystem or module is documented
    there, and each entry that heads a line of it exists."""
    block = doc("architecture.md").split("## The layout", 1)[1].split("```", 2)[1]
    names = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    names |= {p.name for p in PACKAGE.glob("*.py") if not p.name.startswith("__")}
    for name in sorted(names):
        shown = f"{name}/" if (PACKAGE / name).is_dir() else name
        assert shown in block, f"{shown} is not in the layout of docs/architecture.md"
    for entry in re.findall(r"^  (\S+(?:\.py|/))\s", block, flags=re.M):
        assert (PACKAGE / entry).exists(), f"the layout names {entry}: not in the package"


# ---------------------------------------------------------------------------------------
# links


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as '-'."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    return {_slug(h) for h in re.findall(r"^#{1,6} (.+)$", text, flags=re.M)}


def _links() -> Iterator[tuple[Path, str]]:
    for path in DOC_FILES:
        text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if not re.match(r"[a-z]+:", target):
                yield path, target


def test_every_link_between_the_documents_resolves() -> None:
    links = list(_links())
    assert len(links) > 10
    for path, target in links:
        file, _, anchor = target.partition("#")
        there = (path.parent / file).resolve() if file else path
        assert there.exists(), f"{path.name}: link to {target}: no such file"
        if anchor:
            assert anchor in _anchors(there), f"{path.name}: link to {target}: no such heading"


def test_the_trainers_guide_counts_the_scenarios_that_ship() -> None:
    """The number of vignettes the trainers' guide names is the number that ship."""
    words = ["twenty", "thirty", "forty"]
    units = ["", "-one", "-two", "-three", "-four", "-five", "-six", "-seven", "-eight", "-nine"]
    number = {f"{w}{u}": 20 + 10 * i + j for i, w in enumerate(words) for j, u in enumerate(units)}
    said = re.search(r"ship in `scenarios/`: ([a-z-]+) vignettes", doc("trainers.md"))
    assert said is not None and said.group(1) in number
    shipped = [p for p in (REPO / "scenarios").glob("*.toml") if not p.name.startswith("_")]
    assert number[said.group(1)] == len(shipped)


# ---------------------------------------------------------------------------------------
# tooling


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
