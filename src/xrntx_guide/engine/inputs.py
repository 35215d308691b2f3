"""What an evaluation is given: the answers, the day, overrides and acknowledgements, and
where each recorded value came from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Literal

from ..expr import Scalar
from ..records import field, record

Origin = Literal[
    "typed", "flag", "file", "session", "default", "derived", "scenario", "history", "record"
]
"""Where a recorded value came from: shown beside it in the review and the note.
``history`` is a value filled in from the patient's earlier visits (visit/history.py);
``record`` one worked out from the rapid pathway's daily record (visit/rapid.py)."""


@record(frozen=True)
class OverrideRequest:
    """An override given before its gate is reached (``--override GATE=CODE:COMMENT``)."""

    gate: str
    code: str
    comment: str


@record(frozen=True)
class Override:
    """A clinician's override of a ``stop`` gate: coded reason and comment."""

    code: str
    comment: str
    fingerprint: str


@record(frozen=True)
class Inputs:
    """Everything an evaluation depends on."""

    answers: Mapping[str, Scalar]
    today: dt.date
    overrides: Mapping[str, Override] = field(default_factory=dict)
    acks: Mapping[str, str] = field(default_factory=dict)
    """Gate id -> fingerprint of the inputs the clinician acknowledged."""
    use_defaults: bool = True
    """Fill unanswered questions from their defaults (scripts); the walk asks instead."""
    from_record: frozenset[str] = frozenset()
    """Answers worked out from a record kept over days (the rapid pathway's daily record),
    never typed. When their question does not apply (the pathway was left) they are the
    record's history, not a finding that contradicts the path: never refused as one."""
