"""Patient labels: what a label may be, and when two labels name one patient (safety
invariant 11).

A label is the only link between a patient's visits, so a label typed differently must
not start a second record beside the first: a dose recorded days ago would then be
invisible, and a second dose could be given. A label is an **identifier, not a name**:

- :func:`clean_label` takes a typed label. After NFKC normalisation (full-width ``ＰＡＴ``
  is ``PAT``) and stripping white space at either end, it may hold only plain ASCII
  letters, digits, spaces and ``- _ . / #``. Anything else (a Cherokee, Lisu, Coptic,
  Greek or Cyrillic letter that looks Latin, a small capital, a dotless i, a zero-width
  or format character, a hyphen look-alike) is refused, naming the character: such a
  label reads as another patient's. Every route that takes a label calls it: ``walk
  --label``, the label prompt, ``walk --resume --label``, ``check --label``, a batch
  line's ``label`` and ``history``.
- :func:`label_key` is what labels are compared by: case folded, with spaces, ``- _ . /
  #`` and the characters drawn as nothing removed, so ``AB 12``, ``ab-12`` and ``AB12``
  are one patient, and so is a label an earlier version stored with a zero-width space.
  Over-matching is the safe side: a wrong match only refuses an answer or fills one in,
  always naming the session it came from. Labels stored by earlier versions (which took
  any printable text) are compared by the same key and still list and open by id or file.
"""

from __future__ import annotations

import re
import string
import unicodedata

MAX_LABEL = 80

ALLOWED = frozenset(string.ascii_letters + string.digits + " -_./#")
"""The characters a label may hold (after NFKC)."""

IGNORED = " -_./#"
"""Separators that do not tell two labels apart."""

FIX = "type it with plain letters and digits; a hyphen is '-'"

# Greek and Cyrillic letters that look Latin, read as those: only labels stored before
# labels were plain ASCII can hold them, and they are compared as the Latin label.
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


def character_name(ch: str) -> str:
    """``U+2010 (HYPHEN)``: a character named so that it can be found and replaced."""
    return f"U+{ord(ch):04X} ({unicodedata.name(ch, 'a character without a name')})"


def clean_label(text: str) -> str:
    """A typed patient label as stored: NFKC, stripped, plain letters, digits, spaces and
    ``- _ . / #`` only, one space between words, not empty, not too long.

    Raises:
        ValueError: naming the first character refused (U+XXXX and its name) and the fix.
    """
    label = unicodedata.normalize("NFKC", text).strip()
    if not label:
        raise ValueError("a label is needed (not a name: for example initials and a number)")
    bad = next((ch for ch in label if ch not in ALLOWED), None)
    if bad is not None:
        # Named as typed (NFKC turns a Hangul filler into another filler, say).
        bad = next(
            (
                ch
                for ch in text.strip()
                if any(c not in ALLOWED for c in unicodedata.normalize("NFKC", ch))
            ),
            bad,
        )
        raise ValueError(
            f"the label {label!r} holds {character_name(bad)}: a label is an identifier, "
            "not a name, and only plain letters A-Z, digits, spaces and - _ . / # are "
            f"taken, so that it never reads as another patient's label: {FIX}"
        )
    label = re.sub(" +", " ", label)
    if len(label) > MAX_LABEL:
        raise ValueError(f"a label has at most {MAX_LABEL} characters")
    return label


RECORD_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
"""What a record's id may be: a new one is eight hex digits; a record from elsewhere may
use more, but never anything that changes a line, a file name or a calendar property."""

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
"""Control characters (Cc) and the line and paragraph separators."""


def record_identity_problem(ident: object, label: object) -> str | None:
    """What is wrong with a stored record's id and label, or None.

    A record read back (hand-edited, or moved from another machine) is checked here, apart
    from the typed-label rules of :func:`clean_label`: labels stored by earlier versions
    took any printable text and stay readable, but no id or label may hold a control
    character, a CR or an LF, which would start a new line (or a new calendar property)
    in every note that prints it. Pure, so that every reader of records can call it.
    """
    if not isinstance(ident, str) or not RECORD_ID.fullmatch(ident):
        return (
            f"id {ident!r}: a record's id is 1 to 64 letters, digits, '.', '_' or '-' "
            "(a new record's id is eight hex digits)"
        )
    if not isinstance(label, str) or not label.strip():
        return "label: a record needs a label"
    bad = _CONTROL.search(label)
    if bad is not None:
        return (
            f"label {label!r}: holds {character_name(bad.group())}, a control character "
            "or a line break, which no label may hold"
        )
    return None


LABEL_RULE = "nfkc-casefold-latin-no-separators-no-ignorables"
"""The name of the rule :func:`label_key` applies. A store keeps the keys it indexes labels
by, and the rule that made them: opened by a version whose rule is another, it makes every
key again (store/base.py), so a patient's visits are never missed because the rule
changed. Give it a new name whenever :func:`label_key` changes what it returns."""


_IGNORABLE = (
    (0x034F, 0x034F),  # combining grapheme joiner
    (0x115F, 0x1160),  # Hangul fillers
    (0x17B4, 0x17B5),  # Khmer inherent vowels
    (0x180B, 0x180F),  # Mongolian variation selectors
    (0x3164, 0x3164),  # Hangul filler
    (0xFE00, 0xFE0F),  # variation selectors
    (0xFFA0, 0xFFA0),  # halfwidth Hangul filler
    (0xE0100, 0xE01EF),  # variation selectors supplement
)
"""The characters Unicode says are ignorable by default (drawn as nothing) that are not
format characters."""


def _invisible(ch: str) -> bool:
    """Whether ``ch`` is drawn as nothing: a format character (a zero-width space, a soft
    hyphen, a word joiner, a byte-order mark) or another default-ignorable one. Nothing a
    reader sees tells two labels apart by them. Combining marks stay: in many scripts a
    vowel sign is one (कुमार is not कमार)."""
    code = ord(ch)
    return unicodedata.category(ch) == "Cf" or any(a <= code <= b for a, b in _IGNORABLE)


def label_key(label: str) -> str:
    """What labels are compared by: NFKC, case folded, look-alike letters read as Latin,
    spaces, ``- _ . / #`` and the characters drawn as nothing (format characters, variation
    selectors, fillers) removed.
    Two labels with the same key are one patient's: a label stored by an earlier version
    (or moved in from its folder) with a zero-width space is the same patient's as the
    label typed without it."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", label).casefold())
    read = folded.translate(_LOOK_ALIKE)
    return "".join(
        ch for ch in read if ch not in IGNORED and not ch.isspace() and not _invisible(ch)
    )
