"""The long safety run's chooser (``RandomChooser``) makes every choice it is offered, and
no other: a patient the fuzz cannot make is a patient it never checks."""

from __future__ import annotations

import random
from collections import Counter

from tests.strategies import patients as gen


def test_integers_cover_the_range_and_stay_in_it() -> None:
    c = gen.RandomChooser(random.Random("range"))
    seen = Counter(c.integer(3, 9) for _ in range(5_000))
    assert set(seen) == set(range(3, 10))
    assert min(seen.values()) > 5_000 / 7 / 2  # none starved


def test_picks_reach_every_option() -> None:
    c = gen.RandomChooser(random.Random("pick"))
    options = ("a", "b", "c", "d", "e")
    seen = Counter(c.pick(options) for _ in range(5_000))
    assert set(seen) == set(options)
    assert min(seen.values()) > 5_000 / len(options) / 2


def test_chances_come_about_as_often_as_asked() -> None:
    c = gen.RandomChooser(random.Random("chance"))
    for percent in (0, 1, 30, 100):
        hits = sum(c.chance(percent) for _ in range(20_000))
        assert abs(hits / 20_000 - percent / 100) < 0.02
    assert not any(c.chance(0) for _ in range(10_000))
    assert all(c.chance(100) for _ in range(10_000))
