"""The visit as one FHIR R4 Bundle, for a health record (built by :mod:`..fhir`)."""

from __future__ import annotations

import json

from ..fhir import fhir_bundle
from . import NoteInput


def write(note: NoteInput) -> str:
    bundle = fhir_bundle(note.guide, note.record, note.data, note.now)
    return json.dumps(bundle, ensure_ascii=False, indent=2)
