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

import re
import tomllib

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


@pytest.mark.xfail(
    strict=True,
    reason="pack/read.py uses possessive quantifiers while pyproject admits Python "
    "3.11.0-3.11.4, whose re matches them wrongly (validate loses its line numbers)",
)
def test_no_admitted_python_matches_the_scanners_patterns_wrongly() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    admitted = SpecifierSet(project["project"]["requires-python"])
    possessive = [p for p in _scanner_patterns() if POSSESSIVE.search(p)]

    assert not (possessive and LAST_BROKEN in admitted), (
        f"requires-python {admitted} admits {LAST_BROKEN}; possessive patterns: {possessive}"
    )
