"""What a patient's timeline reads of one stored visit, kept beside its record.

A timeline that is only shown (``history``) reads, of each visit, its id, label, guide,
status, whether it was a training run, when it was last changed, its next dose, how its
dose was counted, and its answers' values (visit/history.py :func:`entry`). Reading the
whole record for that means building every model of the session (pydantic), which costs
a ``history`` several times what reading the store does; so each save keeps these
**facts** beside the record, as JSON (the store's ``facts`` field), and a shown timeline
reads them instead (so does ``sessions``, to tell a blocked visit that ended the
treatment).

They are a copy that is trusted only while it is certainly what a full read would give:

- they are made from the record **as stored**: its JSON text read back through the one
  check of a stored record (visit/session.py :func:`record_from_json`). A record that
  check refuses gets no facts, so it is read whole, and refused, as before;
- they are sealed with the SHA-256 of that text and of themselves: a record (or facts)
  changed since by anything but a save (by hand, by another program) no longer matches,
  and the record is read whole;
- they carry the program's version and :data:`FORMAT`: facts written by another version
  (whose check or whose facts may differ) are not used, and the record is read whole.

A timeline that is judged by (a walk, ``check --label``, a batch line) never reads them:
it reads the full records, and takes these facts from them by the same function
(:func:`facts_of`), so what the gates see is the record's.

Core: never prints, never reads the environment. Importing this module loads neither
pydantic nor the session's models.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..digest import sha256
from ..errors import SessionError
from ..records import field, record

if TYPE_CHECKING:
    from .session import JSONScalar, SessionRecord

FORMAT = 10
"""The shape of the stored facts: a change to what they hold, or to how they are made
(the check of a stored record they are made through included: a challenge's result one
of the program's own), changes it, and facts of another shape are not used."""


@record(frozen=True)
class VisitFacts:
    """What a shown timeline reads of one visit (see the module docstring)."""

    id: str
    label: str
    guide_id: str
    status: str
    training: bool
    """A training run (the record has a demo clock): never part of the record."""
    updated: dt.datetime
    next_dose_due: str | None
    injection_given: bool | None
    """The record's count of the dose (None in records written before it was kept)."""
    logged_dose: bool
    """Whether the audit trail logs that count (visit/session.py ``logged_dose``)."""
    answers: dict[str, JSONScalar]
    """Every answer's value, by key (without its origin and time)."""
    visit_date: str | None = None
    """The visit's date as the record keeps it beside its answers (whatever the pack
    calls the answer): how a visit walked with another pack is placed in time."""
    created: dt.datetime | None = None
    """When the visit's walk began: what orders two visits of one day (an end of
    treatment, then a dose) when the times of their answers are not known."""
    standing: tuple[str, ...] = ()
    """The record's own ``standing`` answers (:attr:`SessionRecord.standing`)."""
    names: dict[str, str] = field(default_factory=dict)
    """The record's own names of the roles the timeline reads (:attr:`SessionRecord.names`)."""
    day_results: tuple[tuple[str, JSONScalar, str], ...] = ()
    """(question, value, day) of each result a move of the visit cleared
    (:attr:`SessionRecord.day_results`): still that day's."""
    yes_at: dict[str, dt.datetime] = field(default_factory=dict)
    """Since when each answer whose value is yes has been yes, by key, by the audit trail
    (:meth:`SessionRecord.since`): what orders an end of treatment and a dose of one day
    (the end, then the dose, whichever walk began first), which neither a later change to
    another answer of either, nor the same yes given again, moves."""


def facts_of(record: SessionRecord) -> VisitFacts:
    """The facts of a record: the one reading of them, for a stored record read whole
    and for the facts kept beside it."""
    return VisitFacts(
        id=record.id,
        label=record.label,
        guide_id=record.guide_id,
        status=record.status,
        training=record.demo_clock is not None,
        updated=record.updated,
        next_dose_due=record.next_dose_due,
        injection_given=record.injection_given,
        logged_dose=record.logged_dose(),
        answers={key: rec.value for key, rec in record.answers.items()},
        visit_date=record.visit_date,
        created=record.created,
        standing=tuple(record.standing),
        names=dict(record.names),
        yes_at={
            key: record.since(key) or rec.at
            for key, rec in record.answers.items()
            if rec.value is True
        },
        day_results=tuple(
            (k, v, day)
            for day, taken in sorted(record.day_results.items())
            for k, values in taken.items()
            for v in values
        ),
    )


def _seal(text: str | bytes, payload: str) -> str:
    """The SHA-256 of a record's text and its facts' together: a change to either alone
    breaks it. A store may hand the record on as bytes: they are sealed as they are."""
    both = sha256(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    both.update(b"\n")
    both.update(payload.encode("utf-8", "surrogatepass"))
    return both.hexdigest()


def stored_facts(text: str) -> str | None:
    """The facts to keep beside the record stored as ``text`` (its JSON): their seal, a
    line break, and the facts as JSON; None when the one check of a stored record
    refuses it (it is then always read whole)."""
    from .session import record_from_json  # seam: pydantic, only when a record is saved

    try:
        read = record_from_json(text, "the record")
    except SessionError:
        return None
    facts = facts_of(read)
    payload = json.dumps(
        {
            "format": FORMAT,
            "program": __version__,
            "id": facts.id,
            "label": facts.label,
            "guide_id": facts.guide_id,
            "status": facts.status,
            "training": facts.training,
            "updated": facts.updated.isoformat(),
            "next_dose_due": facts.next_dose_due,
            "injection_given": facts.injection_given,
            "logged_dose": facts.logged_dose,
            "answers": facts.answers,
            "visit_date": facts.visit_date,
            "created": facts.created.isoformat() if facts.created else None,
            "standing": list(facts.standing),
            "names": facts.names,
            "yes_at": {k: at.isoformat() for k, at in facts.yes_at.items()},
            "day_results": [list(t) for t in facts.day_results],
        },
        separators=(",", ":"),
    )
    return f"{_seal(text, payload)}\n{payload}"


def read_facts(facts: str | None, text: str | bytes) -> VisitFacts | None:
    """The facts kept beside the record stored as ``text``, when they are certainly what
    reading ``text`` whole gives (the module docstring); else None (read it whole)."""
    if not facts:
        return None
    seal, _, payload = facts.partition("\n")
    if seal != _seal(text, payload):
        return None
    try:
        data: Any = json.loads(payload)
        if data["format"] != FORMAT or data["program"] != __version__:
            return None
        return VisitFacts(
            id=data["id"],
            label=data["label"],
            guide_id=data["guide_id"],
            status=data["status"],
            training=data["training"],
            updated=dt.datetime.fromisoformat(data["updated"]),
            next_dose_due=data["next_dose_due"],
            injection_given=data["injection_given"],
            logged_dose=data["logged_dose"],
            answers=data["answers"],
            visit_date=data["visit_date"],
            created=dt.datetime.fromisoformat(data["created"]) if data["created"] else None,
            standing=tuple(data["standing"]),
            names=dict(data["names"]),
            yes_at={k: dt.datetime.fromisoformat(at) for k, at in data["yes_at"].items()},
            day_results=tuple((k, v, day) for k, v, day in data["day_results"]),
        )
    except (ValueError, KeyError, TypeError, RecursionError):
        return None
