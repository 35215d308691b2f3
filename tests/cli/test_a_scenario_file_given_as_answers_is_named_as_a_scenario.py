"""A scenario file given where an answers file goes is named as a scenario, with the
commands that take one.

The trainers' guide says "a scripted case is an answers file: walk --answers case.toml",
and the shipped cases sit in ``scenarios/`` as TOML with an ``[answers]`` table. A trainer
who passes one of them to ``walk --answers`` is told "unknown answer key 'scenario'", which
sends them to ``xrntx-guide questions`` to look for a key that was never meant as an
answer. The file is a scenario: the message can say so and name ``demo`` (or the
``[answers]`` table), as it is exit 2 either way.
"""

from __future__ import annotations

from tests.helpers import REPO, TODAY, Run, flat

CASE = REPO / "scenarios" / "02-fentanyl-four-days.toml"


def test_walk_answers_with_a_scenario_file_names_it_a_scenario(run: Run) -> None:
    assert CASE.exists() and "[scenario]" in CASE.read_text(encoding="utf-8")

    refused = run(
        "walk", "--no-input", "--label", "W1", "--today", TODAY.isoformat(),
        "--answers", str(CASE),
    )  # fmt: skip

    assert refused.exit_code == 2, refused.output
    said = flat(refused.stderr)
    assert "unknown answer key 'scenario'" not in said, refused.output
    assert "demo" in said, refused.output
