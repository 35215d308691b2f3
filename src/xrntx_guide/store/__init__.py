"""The store of visits: one interface for every command that creates, reads, saves, lists,
finds, deletes or reads the history of a patient's sessions; nothing else touches session
storage.

Two backends keep one schema (store/schema.py): SQLite, a single file under the
program's data folder (the default: nothing to set up), and PostgreSQL for a clinic
that shares one store (a ``postgresql://`` URL). Each stored visit keeps the fields the
listings need (id, normalised label, guide, visit date, status, next dose due, revision,
who and when) beside the full record as JSON: listing and finding read only those
fields; a record is parsed (and checked: :func:`record_from_json`) only when it is read.
A timeline that is only shown (``history``) reads each visit's facts, kept beside its
record by every save and trusted only while they match it (visit/facts.py).

No lost update: every record is read with its revision, and a save names the revision it
was read at; a save over a newer revision is refused with :class:`StoreConflict`, which
says who changed it, when, and what. Core: never prints, never reads the environment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import ExitCode, SessionError
from ..records import field, record
from ..visit.labels import label_key
from .schema import ROW_FIELDS

if TYPE_CHECKING:
    # The records (pydantic models) are imported only where a record is read or written:
    # a listing reads the indexed fields alone, and starts without them.
    from ..visit.facts import VisitFacts
    from ..visit.session import Event, SessionRecord

__all__ = [
    "DuplicateVisit",
    "Found",
    "FoundFacts",
    "Store",
    "StoreConflict",
    "StoreError",
    "VisitRow",
    "open_store",
]

DATABASE_FILE = "visits.sqlite3"
"""The SQLite store's file, in the program's data folder."""


class StoreError(SessionError):
    """The store cannot be used as it is (locked, read-only, full, not a database of this
    program); the message says what and the hint the fix. Exit 2."""


class StoreSchemaError(StoreError):
    """The store was written by a newer version of the program, or is not one of its
    databases (corrupt): exit 3, as a file the program cannot use."""

    exit_code = ExitCode.INVALID_PACK


class VisitGone(StoreError):
    """The visit being saved is no longer in the store: another run deleted it meanwhile.
    Nothing is written; the run still holds the whole record, which it may store again
    (:meth:`xrntx_guide.store.saver.Saver.store_again`)."""


class DuplicateVisit(StoreError):
    """A new visit's id is taken already (ids are short, to be typed: with many visits
    two can be drawn alike); a record not yet stored takes another."""


@record(frozen=True)
class VisitRow:
    """One stored visit as the listings see it: the indexed fields only."""

    id: str
    label: str
    guide_id: str
    guide_version: str
    visit_date: str | None
    status: str
    phase: str | None
    next_dose_due: str | None
    training: bool
    revision: int
    updated: dt.datetime
    updated_by: str | None


class StoreConflict(StoreError):
    """A save over a revision newer than the one the record was read at: someone else
    saved the visit meanwhile. ``stored`` is the record as it is now, ``revision`` its
    revision, ``by`` and ``at`` who saved it and when, ``changed`` what they changed
    (the audit trail's entries added since)."""

    def __init__(
        self,
        visit: str,
        revision: int,
        by: str | None,
        at: dt.datetime,
        changed: list[Event],
        stored: SessionRecord,
    ) -> None:
        keys = sorted({e.key for e in changed if e.key and e.kind in ("answer", "change")})
        what = f"answers {', '.join(keys)}" if keys else f"{len(changed)} entries of the record"
        super().__init__(
            f"session {visit} was saved by {by or 'another run'} at "
            f"{at.astimezone().isoformat(timespec='seconds')} (revision {revision}) after this "
            f"run read it; it changed {what}",
            hint="Resume the session again to continue from the stored record.",
        )
        self.visit = visit
        self.revision = revision
        self.by = by
        self.at = at
        self.changed = changed
        self.stored = stored


@record
class Found:
    """The records of one patient label (a history), and the stored visits of the label
    that cannot be read, each with the reason."""

    records: list[SessionRecord] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)


@record
class FoundFacts:
    """The facts of one patient label's visits (visit/facts.py), for a timeline that is
    only shown, and the stored visits of the label that cannot be read, each with the
    reason: what :class:`Found` holds, read without the records where their facts are
    kept."""

    facts: list[VisitFacts] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)


Hold = Callable[[Found], Exception | None]
"""A check a save makes inside its write transaction, over the patient's other visits
as they stand there (read after every other held save of the label has committed): the
error that refuses the save, or None. See :class:`Withheld`."""


class Withheld(Exception):
    """A save's :data:`Hold` refused it: nothing was written. ``problem`` is the hold's
    error, for the caller to raise once it has decided what to save instead."""

    def __init__(self, problem: Exception) -> None:
        super().__init__(str(problem))
        self.problem = problem


class Store(Protocol):
    """What every backend offers (store/sqlite.py, store/postgres.py)."""

    where: str
    """The store in words, for messages (a file, or a server without its password)."""

    def create(
        self, record: SessionRecord, by: str, hold: Hold | None = None, *, moved: bool = False
    ) -> int:
        """Add a new visit; returns its revision (1). ``hold``: see :meth:`save`.
        ``moved``: an earlier version's file moved in, whose save time is not known: it
        lists below every visit saved since, as a visit stored before that time was kept.

        Raises:
            Withheld: ``hold`` refused the save (nothing is written).
            StoreError: a visit with this id exists, or the store refuses the write.
        """

    def load(self, visit: str) -> tuple[SessionRecord, int]:
        """The visit with id ``visit`` and the revision it was read at.

        Raises:
            SessionError: no such visit, or its record is not valid.
        """

    def stored_text(self, visit: str) -> str:
        """The record of ``visit`` as it is stored, unchecked (`sessions export` of a record
        that cannot be read, to be put right and imported again).

        Raises:
            SessionError: no such visit.
        """

    def save(self, record: SessionRecord, expected: int, by: str, hold: Hold | None = None) -> int:
        """Store the record over revision ``expected``; returns the new revision.

        With ``hold``, the save first waits for every other held save of the patient's
        label to commit, then reads the label's other visits in its own transaction and
        gives them to ``hold``: nothing another run saves with a hold can come between
        that reading and this write.

        Raises:
            Withheld: ``hold`` refused the save (nothing is written).
            StoreConflict: the stored revision is newer (nothing is written).
            VisitGone: the visit was deleted meanwhile (nothing is written).
            StoreError: the store refuses the write (the previous state is kept).
        """

    def rows(self, limit: int | None = None, offset: int = 0) -> list[VisitRow]:
        """A page of visits, the latest saved first, in real time (indexed fields only)."""

    def count(self) -> int:
        """How many visits are stored."""

    def find(self, label: str) -> list[VisitRow]:
        """The visits whose label is ``label`` by the label rule (visit/labels.py)."""

    def by_id(self, visit: str) -> VisitRow | None:
        """The visit with this id, or None."""

    def history(self, label: str) -> Found:
        """Every record of the patient ``label`` (visit/history.py's timeline reads them)."""

    def history_facts(self, label: str) -> FoundFacts:
        """The facts of every visit of the patient ``label`` (a shown timeline reads them),
        in the order of :meth:`history`: a visit's kept facts where they match its record,
        else read from the record whole (which may then be unreadable)."""

    def visit_facts(self, visit: str) -> VisitFacts:
        """The facts of the visit with id ``visit``, read as :meth:`history_facts` reads
        them: for what a listing shows of a visit beyond its indexed fields.

        Raises:
            SessionError: no such visit, or its record, read whole, is not valid.
        """

    def delete(self, visit: str) -> None:
        """Delete one visit.

        Raises:
            SessionError: no such visit.
        """

    def close(self) -> None:
        """Release the connection."""


def row_of(values: tuple[object, ...] | list[object]) -> VisitRow:
    """A listing's row as both backends read it (columns in :data:`schema.COLUMNS`)."""
    found: dict[str, Any] = dict(zip(ROW_FIELDS, values, strict=True))
    found["training"] = bool(found["training"])
    found["revision"] = int(found["revision"])
    found["updated"] = dt.datetime.fromisoformat(str(found["updated"]))
    return VisitRow(**found)


def row_fields(record: SessionRecord) -> dict[str, object]:
    """The indexed fields of a record, as both backends store them."""
    return {
        "id": record.id,
        "label": record.label,
        "label_key": label_key(record.label),
        "guide_id": record.guide_id,
        "guide_version": record.guide_version,
        "visit_date": record.visit_date,
        "status": record.status,
        "phase": record.phase,
        "next_dose_due": record.next_dose_due,
        "training": 1 if record.demo_clock is not None else 0,
        "updated": utc_text(record.updated),
    }


def utc_text(at: dt.datetime) -> str:
    """A time as sortable text, in UTC (listings order by it)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def saved_now() -> str:
    """The real time of a write, as sortable text in UTC (the ``saved`` column): which
    visit was saved last, whatever clock each visit runs on."""
    return utc_text(dt.datetime.now(dt.UTC))


def added_events(stored: SessionRecord, mine: SessionRecord) -> list[Event]:
    """The audit trail's entries of ``stored`` that ``mine`` does not hold: what another
    run changed since this one read the record."""
    seen = {e.model_dump_json() for e in mine.events}
    return [e for e in stored.events if e.model_dump_json() not in seen]


def is_url(database: str) -> bool:
    return database.startswith(("postgresql://", "postgres://"))


def open_store(database: str | None, data_dir: Path, create: bool = True) -> Store:
    """The store named by ``database`` (a ``postgresql://`` URL, or a SQLite file), else
    the SQLite file in ``data_dir``. ``create`` False (a command that only reads): a SQLite
    file that is not there is not made, and the store reads as empty (``absent``).

    Raises:
        StoreError: it cannot be opened (a message naming the fix).
    """
    if database and is_url(database):
        from .postgres import PostgresStore  # seam: a backend imports this package (a cycle)

        return PostgresStore(database)
    from .sqlite import SqliteStore  # seam: sqlite3 (a backend imports this package), on opening

    path = Path(database) if database else data_dir / DATABASE_FILE
    return SqliteStore(path, create=create)


def absence(store: Store) -> str | None:
    """Where no store was found, in words, for a command that only reads (``open_store``
    with ``create`` False): a mistyped XRNTX_GUIDE_HOME shows as such, never as a patient
    without visits. None when the store is there."""
    if not getattr(store, "absent", False):
        return None
    return (
        f"there is no store at {store.where}: nothing has been saved there (check "
        "XRNTX_GUIDE_HOME, XRNTX_GUIDE_DATABASE or --database if the visits are kept "
        "elsewhere)"
    )


def iter_pages(store: Store, size: int = 500) -> Iterator[VisitRow]:
    """Every stored visit, a page at a time."""
    offset = 0
    while True:
        page = store.rows(size, offset)
        yield from page
        if len(page) < size:
            return
        offset += size
