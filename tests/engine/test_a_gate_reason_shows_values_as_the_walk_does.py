"""A gate's reason shows each value it names as the rest of the program shows it: a value
the pack has words for having none (``no_value``: no challenge requirement is established
after extended-release buprenorphine) reads in those words in the reason too, never as
"not answered" beside every answer given.

The reason is filled in while the gates are judged; the walk's screens, notes and answer
tables show values from the finished evaluation (``State.display``). Both come from one
rule, so a clinician reading the reason and the derived values sees one account."""

from __future__ import annotations

import random

from tests.helpers import TODAY, ready_patient
from tests.strategies import patients as gen
from xrntx_guide.engine.evaluate import Inputs, State, evaluate
from xrntx_guide.engine.text import render
from xrntx_guide.pack.load import load_guide


def _pass_reason_as_shown(state: State, gate_id: str) -> str:
    spec = state.guide.gate(gate_id).spec
    return render(spec.pass_message or "", state.display)


def test_a_requirement_with_none_established_reads_in_the_packs_words() -> None:
    guide = load_guide(None, None)
    answers = ready_patient(
        last_opioid_kind="buprenorphine_extended_release", naloxone_challenge="negative"
    )
    state = evaluate(guide, Inputs(answers, TODAY))
    names = [n for n, d in guide.derived.items() if d.spec.no_value is not None]
    shown = {n: state.display(n) for n in names}
    words = {n: str(guide.derived[n].spec.no_value) for n in names}
    absent = [n for n in names if shown[n] == words[n]]
    assert absent, shown  # the patient has a value with none established
    named = [
        g
        for g in state.gates.values()
        if any(f"{{{n}}}" in (guide.gate(g.id).spec.pass_message or "") for n in absent)
        and g.outcome == "pass"
    ]
    assert named, "no passing gate names such a value: the test needs another patient"
    for g in named:
        assert g.reason == _pass_reason_as_shown(state, g.id), g.reason
        assert any(words[n] in g.reason for n in absent), g.reason


def test_every_passing_reason_reads_as_the_walk_shows_its_values() -> None:
    compared = 0
    for i in range(300):
        c = gen.RandomChooser(random.Random(f"reason:{i}"))
        guide = gen.pool_guide(c.integer(0, len(gen.SITE_POOL_NAMES) - 1))
        p = gen.random_patient(c, guide)
        state = evaluate(guide, Inputs(p.answers, p.today))
        for g in state.gates.values():
            message = guide.gate(g.id).spec.pass_message
            if g.outcome != "pass" or not message:
                continue
            compared += 1
            assert g.reason == _pass_reason_as_shown(state, g.id), (g.id, p.answers)
    assert compared > 1000


def test_a_gate_no_answer_can_decide_says_why_and_names_nothing_as_needed() -> None:
    """After extended-release buprenorphine no challenge requirement is established, so
    the challenge gate stays undecided whatever is typed: its reason gives the pack's
    words for that, instead of naming a value never asked at the prompt as needed, and
    the patient is never ready."""
    guide = load_guide(None, None)
    answers = ready_patient(
        last_opioid_kind="buprenorphine_extended_release", naloxone_challenge="not_done"
    )
    state = evaluate(guide, Inputs(answers, TODAY))
    result = state.gates["naloxone_challenge"]
    required = guide.derived["naloxone_challenge_required"].spec
    assert result.outcome == "unknown"
    assert str(required.no_value) in result.reason and "needs" not in result.reason
    assert result.missing == ()
    assert state.status != "ready"
    # Given as well, a value never asked decides nothing more.
    more = evaluate(guide, Inputs({**answers, "rapid_day1_date": TODAY}, TODAY))
    assert more.gates["naloxone_challenge"].outcome == "unknown"
    # A gate undecided for want of an answer still names it.
    pending = evaluate(guide, Inputs({**answers, "last_opioid_kind": "short_acting"}, TODAY))
    wanting = [g for g in pending.gates.values() if g.outcome == "unknown" and g.missing]
    assert wanting
    assert all(f"needs {g.missing[0]}" in g.reason for g in wanting), wanting
