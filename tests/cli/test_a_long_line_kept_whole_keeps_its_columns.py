"""A line kept on one line because it holds a long word (a scenario id, a path) keeps the
spaces within it: ``scenarios test`` at 80 columns listed one case with a single space
after "ok" where the others had their aligned column."""

from __future__ import annotations

import os
import subprocess
import sys


def test_every_case_of_scenarios_test_starts_in_the_same_column() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "xrntx_guide", "scenarios", "test"],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "80"},
        check=False,
    )
    rows = [line for line in out.stdout.splitlines() if line.startswith(("ok ", "FAIL "))]
    assert len(rows) > 1, out.stdout
    longest = max(rows, key=len)
    assert 2 * len(longest.split()[-1]) >= 80, "the list no longer holds a word this long"
    starts = {len(line) - len(line.split()[-1]) for line in rows}
    assert len(starts) == 1, "\n".join(rows)
