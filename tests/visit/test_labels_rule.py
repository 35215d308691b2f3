"""The label rule is named (visit/labels.py LABEL_RULE): a store keeps the keys it made by
it, and makes them again when a program with another rule opens it. So a change to what
``label_key`` returns must come with a new name, or stores keep keys that hide visits."""

from __future__ import annotations

from xrntx_guide.visit.labels import LABEL_RULE, label_key

# What the rule named below gives. A change here is a new rule: give LABEL_RULE a new name.
PINNED = {
    "AB-12": "ab12",
    "ab 12": "ab12",
    "Ａｂ_12": "ab12",
    "A.B/12#": "ab12",
    "Straße": "strasse",
    "ΡΑΤ": "pat",
    # Invisible format characters tell no labels apart: a label an earlier version
    # stored (or a file moved in from its folder) with a zero-width space is the same
    # patient's as the label typed without it. A combining mark does: a vowel sign.
    "P1\u200b": "p1",
    "P\u00ad1": "p1",
    "\ufeffP\u20601": "p1",
    "P1\ufe0f": "p1",
    "P\u034f1": "p1",
    "Zoë-12": "zoë12",
    "कुमार": "कुमार",
    "कमार": "कमार",
}


def test_the_label_rule_is_the_one_named() -> None:
    assert LABEL_RULE == "nfkc-casefold-latin-no-separators-no-ignorables", (
        "the rule's name changed: update PINNED to what the new rule gives"
    )
    assert {label: label_key(label) for label in PINNED} == PINNED, (
        "label_key gives other keys than the rule named LABEL_RULE: give the new rule a new "
        "name (stores then make their keys again) and update PINNED"
    )
