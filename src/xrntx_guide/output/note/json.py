"""The chart note as data: :func:`.data.note_data` with its format version (its JSON
Schema: ``schema note``)."""

from __future__ import annotations

import json

from ..versions import NOTE
from . import NoteInput


def write(note: NoteInput) -> str:
    return json.dumps({"format_version": NOTE, **note.data}, ensure_ascii=False, indent=2)
