"""The chart note as plain text: the Markdown note's lines without its marks."""

from __future__ import annotations

from . import NoteInput
from .markdown import note_markdown


def write(note: NoteInput) -> str:
    return note_markdown(note.data, plain=True)
