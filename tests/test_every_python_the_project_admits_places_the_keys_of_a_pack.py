"""Every Python the project admits places the keys of a step file where they are written.

The README asks for "Python 3.11 or newer", and ``pyproject.toml`` says ``>=3.11``. The
scanner that gives ``validate`` its line and column (``pack/read.py``) uses possessive
quantifiers (``*+``, ``++``), which the ``re`` of CPython 3.11.0 to 3.11.4 matches wrongly
(CPython gh-100061 and gh-106052, fixed in 3.11.5). Debian 12's own python3 is 3.11.2: a
newcomer who follows the README with it gets a ``validate`` whose problems name no line,
or the wrong one (a misspelt key on line 27 reported on line 3), and eight failing tests
from the README's test command. Either the scanner does without possessive quantifiers or
the project does not admit those Pythons.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from tests.helpers import REPO
from xrntx_guide.pack import read

# The last CPython release whose re matches possessive quantifiers wrongly.
LAST_BROKEN = "3.11.4"

POSSESSIVE = re.compile(r"(?<!\\)(?:[*+?]|\{\d*,?\d*\})\+")


def _scanner_patterns() -> list[str]:
    return [p.pattern for p in vars(read._patterns()).values() if isinstance(p, re.Pattern)]


def test_the_possessive_finder_finds_them() -> None:
    """The finder this module relies on tells a possessive quantifier from a plain one."""
    assert POSSESSIVE.search(r"[^']*+")
    assert POSSESSIVE.search(r'"{1,2}+')
    assert not POSSESSIVE.search(r"[^,\]}\n#]*")
    assert not POSSESSIVE.search(r"\++")


def test_no_admitted_python_matches_the_scanners_patterns_wrongly() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    admitted = SpecifierSet(project["project"]["requires-python"])
    possessive = [p for p in _scanner_patterns() if POSSESSIVE.search(p)]

    assert not (possessive and LAST_BROKEN in admitted), (
        f"requires-python {admitted} admits {LAST_BROKEN}; possessive patterns: {possessive}"
    )


PLACES = """
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from xrntx_guide.pack.read import Positions
places = {}
for path in sorted(Path(sys.argv[2]).glob("*.toml")):
    scanned = Positions(path.read_text(encoding="utf-8"))
    places[path.name] = sorted([repr(k), scanned.exact(k)] for k in scanned._keys)
print(json.dumps(places))
"""
"""The places the scanner gives every key of the shipped step files, as JSON: the
scanner needs only the standard library, so any Python can run it."""


def _places(python: str) -> object:
    done = subprocess.run(
        [python, "-c", PLACES, str(REPO / "src"), str(REPO / "steps")],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def _other_python() -> str | None:
    """A Python 3.11 or newer on this machine other than the one running the tests (a
    Debian system's /usr/bin/python3, 3.11.2 on Debian 12)."""
    for candidate in ("/usr/bin/python3", "/usr/local/bin/python3"):
        path = Path(candidate)
        if not path.exists() or path.resolve() == Path(sys.executable).resolve():
            continue
        version = subprocess.run(
            [candidate, "-c", "import sys; print(sys.version_info >= (3, 11))"],
            capture_output=True,
            text=True,
            check=False,
        )
        if version.stdout.strip() == "True":
            return candidate
    return None


def test_another_python_on_this_machine_places_every_shipped_key_alike() -> None:
    """The scanner run by the machine's own Python (3.11.2 on Debian 12 matched the
    possessive patterns wrongly, and placed about a quarter of the keys) places every key
    of the shipped step files where this Python does."""
    other = _other_python()
    if other is None:
        pytest.skip("no other Python 3.11 or newer on this machine")
    assert _places(other) == _places(sys.executable)
