"""The format version of every JSON output, one constant each (kept apart from the
schemas, which need pydantic, so that writing an output never loads it).

Every JSON object a command writes carries its output's version as ``format_version``
(in a list, each item does). A version is raised when a field is removed or renamed, or
changes its type or meaning; a field added leaves it alone (readers ignore what they do not
know). docs/scripting.md, Format versions.
"""

from __future__ import annotations

CHECK_RESULT = 1
"""``check --json`` and each ``check --batch`` result line."""
BATCH_ERROR = 1
"""An error line of ``check --batch``."""
USAGE_ERROR = 1
"""The JSON error a command writes on stderr in ``--json`` mode."""
WALK = 1
"""``walk --no-input --json``."""
HISTORY = 1
"""``history LABEL --json``."""
NOTE = 1
"""``note SESSION --format json``."""
SCENARIOS_TEST = 1
"""Each item of ``scenarios test --json``."""
