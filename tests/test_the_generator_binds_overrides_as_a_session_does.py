"""The random patients' overrides and acknowledgements are bound as a session binds them.

A session binds an override (or an acknowledgement) to the gate's fingerprint in the
evaluation of the answers it was given for. The generator (``engine_run``, which the
safety properties and ``bench/fuzz_safety.py`` use) works that fingerprint out without
judging every gate; here it is compared with the one a whole evaluation shows, for every
gate, over random patients of every site of the pool, on the answers and on the earlier
answers an override may have been given for.
"""

from __future__ import annotations

import random

from tests.strategies import patients as gen
from xrntx_guide.engine.evaluate import Inputs, evaluate


def test_the_bound_fingerprint_is_the_evaluated_one() -> None:
    compared = differing = 0
    for i in range(120):
        c = gen.RandomChooser(random.Random(f"bind:{i}"))
        site = c.integer(0, len(gen.SITE_POOL_NAMES) - 1)
        guide = gen.pool_guide(site)
        p = gen.random_patient(c, guide)
        for answers in (p.answers, p.earlier):
            state = evaluate(guide, Inputs(answers, p.today))
            for gate in guide.gates:
                compared += 1
                bound = gen.bound_fingerprint(guide, answers, p.today, gate.id)
                differing += bound != state.gates[gate.id].fingerprint
    assert compared > 0 and differing == 0, f"{differing} of {compared} fingerprints differ"
