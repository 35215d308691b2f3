"""The "did you mean" of every message: the closest of the known names to a word given."""

from __future__ import annotations

from collections.abc import Iterable


def closest(word: str, choices: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The choice most like ``word`` (``difflib``'s ratio of at least ``cutoff``), if any."""
    import difflib  # seam: difflib only for a message, never on a check that needs none

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return close[0] if close else None
