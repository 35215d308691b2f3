"""Patient labels: when two labels name one patient (safety invariant 11).

A label is the only link between a patient's visits, so a label typed differently must
not start a second record beside the first: a dose recorded days ago would then be
invisible, and a second dose could be given. Labels are compared by :func:`label_key`:
after NFKC normalisation (full-width ``ＰＡＴ`` is ``PAT``) and case folding (``pat`` is
``PAT``), with the Greek and Cyrillic letters that look like Latin ones read as those
(``ΡΑΤ`` in Greek letters is ``PAT``). A label whose letters mix Latin, Greek and Cyrillic
(``PΑT`` with a Greek alpha) is refused by :func:`refuse_mixed_scripts`: nobody types one
on purpose, and it reads as another patient's label.
"""

from __future__ import annotations

import unicodedata

SCRIPTS = ("LATIN", "GREEK", "CYRILLIC")
"""Scripts whose letters look alike: a label may use one of them, never two."""

_LOOK_ALIKE = str.maketrans(
    {
        # Greek, case-folded
        "α": "a", "β": "b", "ε": "e", "ζ": "z", "η": "h", "ι": "i", "κ": "k", "μ": "m",
        "ν": "n", "ο": "o", "ρ": "p", "τ": "t", "υ": "y", "χ": "x",
        # Cyrillic, case-folded
        "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
        "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s",
    }
)  # fmt: skip


def label_key(label: str) -> str:
    """What labels are compared by: NFKC, case folded, look-alike letters read as Latin.
    Two labels with the same key are one patient's."""
    folded = unicodedata.normalize("NFKC", label).casefold()
    return unicodedata.normalize("NFKC", folded).translate(_LOOK_ALIKE)


def scripts_of(label: str) -> list[str]:
    """The look-alike scripts (:data:`SCRIPTS`) whose letters the label uses, in order."""
    found: list[str] = []
    for ch in unicodedata.normalize("NFKC", label):
        if not ch.isalpha():
            continue
        script = unicodedata.name(ch, "").split(" ", 1)[0]
        if script in SCRIPTS and script not in found:
            found.append(script)
    return found


def refuse_mixed_scripts(label: str) -> None:
    """Refuse a label whose letters mix Latin, Greek and Cyrillic.

    Raises:
        ValueError: naming the scripts and the fix.
    """
    found = scripts_of(label)
    if len(found) > 1:
        odd = [
            ch
            for ch in unicodedata.normalize("NFKC", label)
            if ch.isalpha() and unicodedata.name(ch, "").split(" ", 1)[0] in found[1:]
        ]
        names = ", ".join(f"{ch!r} ({unicodedata.name(ch, '?').lower()})" for ch in odd)
        raise ValueError(
            f"the label {label!r} mixes letters of the {' and '.join(s.title() for s in found)} "
            f"scripts ({names}): it would read as another patient's label; type it in one "
            "script"
        )
