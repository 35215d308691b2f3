"""The shape of the house: the core never prints or prompts, and no module imports in a circle.

These read the source, so a new module is covered the day it is added: the lists are
found, not written by hand. The same holds for the tests: Hypothesis strategies are
defined in ``tests/strategies/`` and nowhere else.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import get_args

import pytest

from xrntx_guide.output.note import FORMATS
from xrntx_guide.pack.severity import SEVERITIES, Severity

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "xrntx_guide"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
CORE = sorted(
    name
    for name in MODULES
    if not name.startswith("xrntx_guide.cli") and name != "xrntx_guide.__main__"
)


def imported(path: Path, *, top_level_only: bool) -> Iterator[str]:
    """The package modules that ``path`` imports (lazy imports too, unless top_level_only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = module_name(path).split(".")
    if path.name != "__init__.py":
        here = here[:-1]
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    for node in nodes:
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            for alias in node.names:
                if f"{target}.{alias.name}" in MODULES:
                    yield f"{target}.{alias.name}"
                elif target in MODULES:
                    yield target
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in MODULES:
                    yield alias.name


def test_the_core_is_found_in_every_subsystem() -> None:
    """The list below is built from the tree: each subsystem package is in it."""
    for package in ("expr", "pack", "engine", "visit", "output"):
        assert any(name.startswith(f"xrntx_guide.{package}.") for name in CORE), package


@pytest.mark.parametrize("name", CORE)
def test_the_core_never_imports_the_ui_or_prints(name: str) -> None:
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            mods = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
            )
            for mod in mods:
                assert mod.split(".")[0] not in ("typer", "rich", "click"), (name, mod)
                assert "cli" not in mod.split("."), (name, "imports the CLI")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in ("print", "input", "eval", "exec", "exit"), (
                name,
                node.func.id,
            )
        if isinstance(node, ast.Attribute) and node.attr in ("exit", "stdin", "stdout"):
            raise AssertionError(f"{name} reaches for sys.{node.attr}")


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_module_imports_in_a_circle() -> None:
    """Counting imports inside functions too: a lazy import hides a cycle, it does not
    remove it."""
    graph = {
        name: set(imported(path, top_level_only=False)) - {name}
        for name, path in MODULES.items()
        if path.name != "__init__.py" or name.endswith("expr")
    }
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_no_subsystem_imports_in_a_circle() -> None:
    """Between packages too: pack never needs the engine, the engine never needs a visit."""

    def package(name: str) -> str:
        parts = name.split(".")
        return parts[1] if len(parts) > 2 else "top"

    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        if package(name) == "top":
            continue
        for target in imported(path, top_level_only=False):
            if package(target) not in ("top", package(name)):
                graph.setdefault(package(name), set()).add(package(target))
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_the_condition_language_facade_names_what_it_lists_never_a_module() -> None:
    """``xrntx_guide.expr`` loads explaining and type checking on first use; a submodule
    named like a function would shadow it once imported (``expr.typecheck`` became the
    module and every pack compile crashed): every listed name is what it says, even with
    every submodule imported."""
    import importlib
    import types

    from xrntx_guide import expr

    for path in sorted(Path(expr.__file__).parent.glob("*.py")):
        importlib.import_module(f"xrntx_guide.expr.{path.stem}")
    for name in expr.__all__:
        assert not isinstance(getattr(expr, name), types.ModuleType), name


# --- One module of Hypothesis strategies ----------------------------------------------------

REPO = PACKAGE.parent.parent
STRATEGIES = REPO / "tests" / "strategies"
USED_IN_TESTS = {"data", "DataObject"}
"""What a test may take from ``hypothesis.strategies`` itself: ``st.data()`` to draw
inside a test, and its type. Everything else is a named strategy in ``tests/strategies/``."""


def strategy_uses(source: str) -> Iterator[tuple[int, str]]:
    """Each name taken from ``hypothesis.strategies`` in ``source``, with its line, however
    the module was imported (``st.text``, ``from hypothesis.strategies import composite``,
    ``hypothesis.strategies.text``)."""
    tree = ast.parse(source)
    bound: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    bound[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    bound[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
                if node.module == "hypothesis.strategies":
                    yield node.lineno, alias.name

    def dotted(node: ast.expr) -> str | None:
        if isinstance(node, ast.Name):
            return bound.get(node.id)
        if isinstance(node, ast.Attribute):
            base = dotted(node.value)
            return None if base is None else f"{base}.{node.attr}"
        return None

    prefix = "hypothesis.strategies."
    for node in ast.walk(tree):
        if isinstance(node, ast.Name | ast.Attribute):
            name = dotted(node)
            # The outermost node of a chain names the thing used; the inner ones name
            # the module, which is not a use.
            if name and name.startswith(prefix) and name.count(".") == prefix.count("."):
                yield node.lineno, name.removeprefix(prefix)


def test_the_strategy_scan_finds_every_way_of_naming_a_strategy() -> None:
    source = (
        "import hypothesis\n"
        "import hypothesis.strategies as s\n"
        "from hypothesis import strategies as st\n"
        "from hypothesis.strategies import composite as c\n"
        "@c\n"
        "def f(draw): return draw(st.text().filter(bool))\n"
        "x = hypothesis.strategies.integers()\n"
        "y = s.booleans()\n"
        "z = st.data()\n"
    )
    assert sorted(strategy_uses(source)) == [
        (4, "composite"),
        (5, "composite"),
        (6, "text"),
        (7, "integers"),
        (8, "booleans"),
        (9, "data"),
    ]


def test_strategies_are_defined_only_in_the_strategies_package() -> None:
    """One place for strategies: tests name a strategy from ``tests/strategies/``
    and take only ``st.data()`` from Hypothesis, so no test builds or composes its own."""
    checked = [
        path
        for folder in ("tests", "bench")
        for path in sorted((REPO / folder).rglob("*.py"))
        if STRATEGIES not in path.parents
    ]
    assert REPO / "tests" / "test_safety_invariants.py" in checked
    problems = [
        f"{path.relative_to(REPO)}:{line}: hypothesis.strategies.{name}"
        for path in checked
        for line, name in strategy_uses(path.read_text(encoding="utf-8"))
        if name not in USED_IN_TESTS
    ]
    assert not problems, "define these in tests/strategies/:\n" + "\n".join(problems)


def test_a_check_from_the_cache_imports_neither_pydantic_nor_rich(tmp_path: Path) -> None:
    """Start-up time is a feature (docs/benchmarks.md): a `check --json` on a cached pack
    needs no validation library and no screen. Imports hide easily (a module that defines
    a pydantic model, imported at the top of one the check uses, cost 80% once)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from xrntx_guide.cli.app import main\n"
        "main(['check', '--json', '--today', '2026-11-24', '-a', 'visit=first_injection'])\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'rich'))\n"
        "sys.stderr.write('LOADED ' + ' '.join(bad))\n"
    )
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "XRNTX_GUIDE_HOME": str(tmp_path)}
    runs = [
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
        )
        for _ in range(2)  # the first compiles the pack and fills the cache
    ]
    assert "pydantic" in runs[0].stderr, "the first run compiles: it does validate"
    loaded = runs[1].stderr.rsplit("LOADED ", 1)[-1].strip()
    assert "LOADED" in runs[1].stderr, runs[1].stderr
    assert loaded == "", f"imported at a cached check: {loaded}"


HEAVY_FOR_A_CHECK = (
    "typer",
    "click",
    "rich",
    "pydantic",
    "subprocess",
    "platform",
    "uuid",
    "gettext",
    "shellingham",
    "zlib",
    "bz2",
    "lzma",
)
TIMELINE_FOR_A_CHECK = ("xrntx_guide.visit.history", "xrntx_guide.engine.drive")
"""The patient's timeline and the walk's loop: a check without a label reads neither."""


def test_a_plain_check_from_the_cache_imports_no_command_line_library(tmp_path: Path) -> None:
    """`check` as a user runs it (the program's entry point) on a cached pack imports
    neither typer, click, rich nor pydantic, nor what only other commands use: importing
    typer alone costs more than the whole check (docs/benchmarks.md)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "sys.argv = ['xrntx-guide', 'check', '--json', '--today', '2026-11-24',"
        " '-a', 'visit=first_injection']\n"
        "from xrntx_guide.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY_FOR_A_CHECK!r}"
        f" or m in {TIMELINE_FOR_A_CHECK!r})\n"
        "sys.stderr.write('LOADED ' + ' '.join(bad))\n"
    )
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "XRNTX_GUIDE_HOME": str(tmp_path)}
    runs = [
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
        )
        for _ in range(2)  # the first compiles the pack and fills the cache
    ]
    assert '"status"' in runs[1].stdout, runs[1].stderr
    loaded = runs[1].stderr.rsplit("LOADED ", 1)[-1].strip()
    assert "LOADED" in runs[1].stderr, runs[1].stderr
    assert loaded == "", f"imported at a cached check: {loaded}"


@pytest.mark.parametrize(
    "args",
    [
        ["--version"],
        ["questions", "--json"],
        ["gates", "--json"],
        ["schema", "answers"],
        ["schema", "check-result"],
        ["schema", "steps"],
        ["schema", "list"],
    ],
)
def test_plain_and_json_output_imports_no_screen(args: list[str], tmp_path: Path) -> None:
    """A command whose output is a version line or JSON writes it without rich (the
    screen library costs more than the command's own work)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        f"sys.argv = ['xrntx-guide', *{args!r}]\n"
        "from xrntx_guide.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    sys.stderr.write(f'EXIT {exc.code} ')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'rich')\n"
        "sys.stderr.write('LOADED ' + ' '.join(bad))\n"
    )
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "XRNTX_GUIDE_HOME": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert "EXIT 0 " in run.stderr and run.stdout.strip(), run.stderr
    assert run.stderr.rsplit("LOADED ", 1)[-1].strip() == ""


def _calls(path: Path, names: set[str]) -> list[str]:
    """The calls in ``path`` of a function or method named in ``names``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)
            if name in names:
                found.append(f"{module_name(path)}:{node.lineno} {name}")
    return found


def test_a_runs_answers_go_into_a_record_in_one_place() -> None:
    """What a run was given (a file's series, the results, the pathway's days) is taken
    into a visit's record by visit/start.py alone: walk, scenarios and any new route call
    it, so a rule about taking answers is never repeated in a command."""
    taking = {"take_given", "set_rapid_days"}
    outside = [
        call
        for name, path in MODULES.items()
        if name not in ("xrntx_guide.visit.start", "xrntx_guide.visit.results")
        and not name.startswith("xrntx_guide.visit.session")
        for call in _calls(path, taking)
    ]
    # The presenter's training case keeps the pathway's days of its own (a case, not a run).
    assert [c for c in outside if not c.startswith("xrntx_guide.cli.commands.presenting:")] == []


@pytest.mark.parametrize(
    ("args", "heavy"),
    [
        (["history", "PT-1"], ("typer", "click", "rich", "pydantic")),
        (["history", "PT-1", "--json"], ("typer", "click", "rich", "pydantic")),
        (["history", "PT-9"], ("typer", "click", "rich", "pydantic")),  # an unknown label
        (["sessions"], ("typer", "click", "rich", "pydantic")),
        (["sessions", "--json", "--page", "1"], ("typer", "click", "rich", "pydantic")),
        (["walk", "--no-input", "--no-save", "--label", "PT-1"], ("typer", "click")),
    ],
)
def test_a_plain_listing_imports_no_command_line_library(
    args: list[str], heavy: tuple[str, ...], tmp_path: Path
) -> None:
    """`history LABEL` and a page of `sessions`, their output going to a file or a pipe,
    import neither typer, click nor rich (cli/direct.py, cli/plain.py); a listing reads
    the indexed fields alone, and `history` the facts kept beside each record
    (visit/facts.py), so neither needs a record model (pydantic). A plain `walk` starts
    without typer and click (its screen is rich's). The pack's cache is warmed first (a
    first run compiles the pack, which validates it with pydantic)."""
    import datetime as dt
    import subprocess
    import sys

    from xrntx_guide.pack.load import load_guide
    from xrntx_guide.store import open_store
    from xrntx_guide.visit.session import new_session

    store = open_store(None, tmp_path)
    at = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    record = new_session(load_guide(REPO / "steps"), "PT-1", at, at.date())
    record.set_answer("visit", "repeat_injection", "typed", at)
    record.visit_date = at.date().isoformat()
    store.create(record, "test")
    blocked = new_session(load_guide(REPO / "steps"), "PT-2", at, at.date())
    blocked.status = "blocked"  # listed: its record's facts tell whether treatment ended
    store.create(blocked, "test")
    store.close()
    code = (
        "import sys\n"
        f"sys.argv = ['xrntx-guide', *{args!r}]\n"
        "from xrntx_guide.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    sys.stderr.write(f'EXIT {exc.code} ')\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {heavy!r})\n"
        "sys.stderr.write('LOADED ' + ' '.join(bad))\n"
    )
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "XRNTX_GUIDE_HOME": str(tmp_path)}
    for _ in range(2):  # the first run warms the pack's cache
        run = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
        )
    assert "EXIT " in run.stderr and "PT-" in run.stdout + run.stderr, run.stderr
    assert run.stderr.rsplit("LOADED ", 1)[-1].strip() == "", run.stderr


def _severity_lists(tree: ast.AST, names: frozenset[str]) -> Iterator[int]:
    """Lines where a tuple, list, set or dict (a ``Literal[...]`` too) names two or more
    severities: a list of severities written out is a second home for them."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            items: list[ast.expr | None] = list(node.elts)
        elif isinstance(node, ast.Dict):
            items = list(node.keys)
        else:
            continue
        found = {i.value for i in items if isinstance(i, ast.Constant) and i.value in names}
        if len(found) >= 2:
            yield node.lineno


def test_the_severity_scan_finds_a_written_out_list() -> None:
    names = frozenset(SEVERITIES)
    for source in (
        'ok = severity in ("caution", "info")',
        'Severity = Literal["contraindication", "stop"]',
        'STYLE = {"stop": "bold", "caution": "yellow"}',
    ):
        assert list(_severity_lists(ast.parse(source), names)), source
    assert not list(_severity_lists(ast.parse('ok = outcome in ("pass", "stop")'), names))


def test_the_severities_have_one_home() -> None:
    """What each severity means (rank, blocking, acknowledged, overridden, how it is shown)
    is read from ``pack/severity.py``; no other module writes a list of severity names."""
    names = frozenset(SEVERITIES)
    home = PACKAGE / "pack" / "severity.py"
    found = [
        f"{path.relative_to(PACKAGE)}:{line}"
        for path in MODULES.values()
        if path != home
        for line in _severity_lists(ast.parse(path.read_text(encoding="utf-8")), names)
    ]
    assert not found, f"severity names listed outside pack/severity.py: {found}"
    assert set(get_args(Severity)) == names, "the step files' names are the severities"


def _format_lists(tree: ast.AST, names: frozenset[str]) -> Iterator[int]:
    """Lines where a tuple, list or set names two or more note formats: a second list of
    them. (A comparison with one name is not counted: ``pack export`` has formats of its
    own, and one of them is also called markdown.)"""
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            found = {e.value for e in node.elts if isinstance(e, ast.Constant) and e.value in names}
            if len(found) >= 2:
                yield node.lineno


def test_the_format_scan_finds_a_second_list() -> None:
    names = frozenset(FORMATS)
    for source in ('formats = ("markdown", "text", "json")', 'ok = fmt in ["ics", "fhir"]'):
        assert list(_format_lists(ast.parse(source), names)), source
    assert not list(_format_lists(ast.parse('kinds = ("markdown", "html")'), names))


def test_the_note_formats_are_listed_once() -> None:
    """``note --format`` takes its choices from ``output/note``'s registry, and each
    format there is a module of that package: no other module lists or picks formats."""
    names = frozenset(FORMATS)
    home = PACKAGE / "output" / "note" / "__init__.py"
    found = [
        f"{path.relative_to(PACKAGE)}:{line}"
        for path in MODULES.values()
        if path != home
        for line in _format_lists(ast.parse(path.read_text(encoding="utf-8")), names)
    ]
    assert not found, f"note formats listed outside output/note/__init__.py: {found}"
    for name in FORMATS:
        module = MODULES.get(f"xrntx_guide.output.note.{name}")
        assert module is not None, f"the format {name!r} has no module output/note/{name}.py"
        assert "def write(note: NoteInput) -> str:" in module.read_text(encoding="utf-8"), name


def _pack_names() -> dict[str, str]:
    """The names of ``pack/keys.py``, by value: the strings no other module writes."""
    tree = ast.parse((PACKAGE / "pack" / "keys.py").read_text(encoding="utf-8"))
    names: dict[str, str] = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            names[node.value.value] = ast.unparse(node.targets[0])
    return names


# Names of published formats that are spelled as a pack name is, and keep their spelling
# if the pack's changes: the note's JSON fields (the threshold it drew, the pathway's
# record) and the session record's event kind of a pathway day.
_FORMAT_FIELDS = {
    ("output/note/data.py", "cows_threshold"),
    ("output/note/markdown.py", "cows_threshold"),
    ("output/note/data.py", "rapid_pathway"),
    ("output/note/markdown.py", "rapid_pathway"),
    ("visit/session.py", "rapid_day"),
}


def test_the_pack_names_the_program_reads_have_one_home() -> None:
    """The COWS series, the naloxone challenge and the rapid pathway are named by the pack;
    the program reads those names from ``pack/keys.py`` and writes them nowhere else
    (``startswith("cows_")`` included)."""
    names = _pack_names()
    assert {"cows_total", "cows_", "cows_threshold", "rapid_pathway"} <= set(names)
    home = PACKAGE / "pack" / "keys.py"
    found = []
    for path in MODULES.values():
        if path == home:
            continue
        where = str(path.relative_to(PACKAGE))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and node.value in names
                and (where, node.value) not in _FORMAT_FIELDS
            ):
                found.append(f"{where}:{node.lineno}: {node.value!r} ({names[node.value]})")
    assert not found, "pack names written outside pack/keys.py:\n" + "\n".join(found)


def test_the_shipped_pack_has_every_name_the_program_reads() -> None:
    """Each name of ``pack/keys.py`` is in the shipped steps/, as what it says it is."""
    from xrntx_guide.pack import keys
    from xrntx_guide.pack.load import load_guide

    guide = load_guide()
    questions = {
        keys.COWS_TOTAL,
        keys.CHALLENGE,
        keys.RECHALLENGE,
        keys.RECHALLENGE_HOURS,
        *keys.RAPID_RECORD_KEYS,
    }
    for key in questions:
        assert key in guide.questions or key in guide.derived, key
    for setting in (
        keys.COWS_THRESHOLD,
        keys.RECHALLENGE_WINDOW,
        keys.RECHALLENGE_DOSE,
        keys.OBSERVATION_MINUTES,
        keys.RAPID_NALTREXONE_DAYS_REQUIRED,
    ):
        assert setting in guide.settings, setting
    assert keys.RAPID_GATE in {g.id for g in guide.gates}
    assert any(
        k.startswith(keys.COWS_ITEM_PREFIX) and k != keys.COWS_TOTAL for k in guide.questions
    )


# -- imports at the top ------------------------------------------------------------------

SEAM = "# seam:"
"""The mark of an import left inside a function on purpose, with what it saves (``# seam:
keeps pydantic out of check``), on the import's line or the line above it."""


def _unmarked_imports(source: str) -> list[int]:
    """The lines of imports inside a function (a method, a nested function) that carry no
    seam mark on their line or the line above."""
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    here = lines[inner.lineno - 1]
                    above = lines[inner.lineno - 2].strip() if inner.lineno > 1 else ""
                    if SEAM not in here and not above.startswith(SEAM):
                        found.append(inner.lineno)
    return sorted(set(found))


def test_the_import_scan_finds_an_import_inside_a_function() -> None:
    hidden = "def f():\n    import json\n    return json\n"
    nested = "class A:\n    def f(self):\n        def g():\n            from x import y\n"
    assert _unmarked_imports(hidden) == [2]
    assert _unmarked_imports(nested) == [4]
    marked = "def f():\n    import json  # seam: keeps json out of check\n"
    above = "def f():\n    # seam: keeps json out of check\n    import json\n"
    top = "import json\nif TYPE_CHECKING:\n    from x import y\n"
    assert _unmarked_imports(marked) == _unmarked_imports(above) == _unmarked_imports(top) == []


def test_a_module_names_what_it_needs_at_its_top() -> None:
    """Imports live at the top of a module, so that its import list says what it needs.
    One inside a function is allowed only at a seam of start-up - the command's own work,
    loaded when it runs; pydantic and the compiler, only on a cache miss; rich, only for a
    screen; the store, only when opened (docs/architecture.md lists them) - and says with
    a ``# seam:`` mark what it keeps out of which start-up."""
    found = [
        f"{path.relative_to(PACKAGE)}:{line}"
        for path in MODULES.values()
        for line in _unmarked_imports(path.read_text(encoding="utf-8"))
    ]
    assert not found, f"move to the top, or mark as a seam (# seam: what it saves): {found}"


def test_a_seam_says_what_it_saves() -> None:
    """A seam mark is followed by its reason, not left bare."""
    bare = [
        f"{path.relative_to(PACKAGE)}:{i}"
        for path in MODULES.values()
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SEAM in line and len(line.split(SEAM, 1)[1].strip()) < 10
    ]
    assert not bare, bare
