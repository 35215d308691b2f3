"""The plain ``check`` says why a readiness gate is undecided when no missing answer
explains it: a gate no answer can decide (no challenge requirement is established after
extended-release buprenorphine) is listed with its reason, never left off the screen."""

from __future__ import annotations

from tests.helpers import TODAY, Run, answer_flags, ready_patient
from xrntx_guide.pack.load import load_guide


def test_an_undecided_gate_no_answer_decides_is_on_the_screen(run: Run) -> None:
    answers = ready_patient(
        last_opioid_kind="buprenorphine_extended_release", naloxone_challenge="not_done"
    )
    result = run("check", "--today", TODAY.isoformat(), *answer_flags(answers))
    words = str(load_guide(None, None).derived["naloxone_challenge_required"].spec.no_value)
    screen = " ".join(result.stdout.split())
    assert "not decided naloxone_challenge" in screen, result.output
    assert words in screen, result.output
    assert "rapid_day1_date" not in screen, result.output
