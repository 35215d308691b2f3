"""The chart note: what it says (:mod:`.data`) and the formats it is written in.

:data:`FORMATS` is the one list of the formats ``note --format`` takes (its help, its
choices and its error message read it). Each format is a module of this package, named
after it, with one function ``write(note: NoteInput) -> str``; a new format is a new
module and one entry below. A format's module is imported only when it is asked for.
"""

from __future__ import annotations

import datetime as dt
import importlib
from typing import TYPE_CHECKING

from ...records import record

if TYPE_CHECKING:
    from ...pack.guide import Guide
    from ...visit.session import SessionRecord
    from .data import NoteData


@record(frozen=True, slots=True)
class NoteInput:
    """What a format writes from: the note's data (:func:`.data.note_data`) and the
    visit it was made of."""

    guide: Guide
    record: SessionRecord
    data: NoteData
    now: dt.datetime


@record(frozen=True, slots=True)
class NoteFormat:
    name: str
    """The ``--format`` value and the name of the module that writes it."""
    summary: str
    raw: bool = False
    """Written out as it is (a calendar file ends its own lines), not as a result line."""


FORMATS: dict[str, NoteFormat] = {
    f.name: f
    for f in (
        NoteFormat("markdown", "the chart note in Markdown"),
        NoteFormat("text", "the chart note as plain text"),
        NoteFormat("json", "the note as data (its JSON Schema: `schema note`)"),
        NoteFormat("ics", "the next dose as an all-day calendar event", raw=True),
        NoteFormat("fhir", "the visit as one FHIR R4 Bundle, for a health record"),
    )
}
"""Every note format, in the order ``--help`` lists them; the first is the default."""


def choices(joiner: str = " | ") -> str:
    """The format names joined, or as a sentence's list (``joiner=", "``: "a, b or c")."""
    names = list(FORMATS)
    if joiner == " | ":
        return joiner.join(names)
    return f"{joiner.join(names[:-1])} or {names[-1]}"


def write_note(fmt: NoteFormat, note: NoteInput) -> str:
    """The note in ``fmt``; its module is imported here, when first asked for."""
    module = importlib.import_module(f"{__name__}.{fmt.name}")
    text: str = module.write(note)
    return text
