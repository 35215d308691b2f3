"""An unattended walk's list of missing answers never stops at a gate that the walk will
pass when it gets there: a gate that reads a computed answer whose value comes from a
default recorded only at a later step fails in the evaluation with every default applied,
but passes when the walk reaches it (the default not yet recorded), so the walk goes on
and needs the answers after it. Those are listed, as they are when the gate reads the
defaulted answer itself or through a derived value."""

from __future__ import annotations

from pathlib import Path

from tests.engine.test_drive import NOW, session_with
from tests.helpers import MINIMAL, TODAY, make_pack
from xrntx_guide.engine.drive import walk_unattended
from xrntx_guide.pack.load import load_guide

# "measure" (asked at intake, computed) reads the size, whose default (5) is recorded
# only when the walk reaches the sizing step, after the width.
THROUGH_A_COMPUTED_ANSWER = {
    """key = "allergic"
type = "bool"
prompt = "Allergic to the drug?"
""": """key = "allergic"
type = "bool"
prompt = "Allergic to the drug?"

[[step.question]]
key = "measure"
type = "int"
prompt = "Measure"
computed = "coalesce(size, 0)"
""",
    """[[step]]
id = "inject"
""": """[[step]]
id = "sizing"
phase = "intake"
title = "Sizing"

[[step.question]]
key = "width"
type = "int"
prompt = "Width"

[[step.question]]
key = "size"
type = "int"
prompt = "Size"
default = "5"

[[gate]]
id = "too_big"
title = "Too big"
before = "sizing"
sources = ["ref"]

[[gate.rule]]
severity = "contraindication"
fails_when = "measure > 3"
message = "Too big."

[[step]]
id = "inject"
""",
}


def test_an_answer_the_walk_needs_past_a_gate_read_through_a_computed_answer_is_listed(
    tmp_path: Path,
) -> None:
    guide = load_guide(make_pack(tmp_path, base=MINIMAL, replace=THROUGH_A_COMPUTED_ANSWER))
    first = walk_unattended(guide, session_with(guide, {}), TODAY, {}, (), NOW)
    assert first.kind == "missing", first
    then = walk_unattended(guide, session_with(guide, {"allergic": False}), TODAY, {}, (), NOW)
    # What the walk then needs, the list before named: nothing it needs is left out.
    assert then.kind == "missing" and then.missing == ["width"], then
    assert "width" in first.missing, first.missing
