"""What the two SQL backends share: the queries of reading, listing and saving a visit,
written once, and the small dialect that tells them apart (how a query marks its values,
how a save locks the row it checks). A backend adds only its connection: how it opens
and migrates, how it runs a read and a transaction, and what its driver's errors mean
(store/sqlite.py, store/postgres.py). Core: never prints, never reads the environment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from ..errors import SessionError, resume_command
from ..records import record
from ..visit.facts import facts_of, read_facts, stored_facts
from ..visit.labels import LABEL_RULE, label_key
from . import (
    DuplicateVisit,
    Found,
    FoundFacts,
    Hold,
    StoreConflict,
    StoreSchemaError,
    VisitGone,
    VisitRow,
    Withheld,
    added_events,
    row_fields,
    row_of,
    saved_now,
)
from .schema import COLUMNS, MIGRATIONS, VERSION

if TYPE_CHECKING:
    from ..visit.facts import VisitFacts
    from ..visit.session import SessionRecord

Run = Callable[..., list[Any]]

BUSY_TIMEOUT_MS = 10_000
"""How long a write waits for another process's write (SQLite) or for another held save
of the patient (PostgreSQL's label lock) to finish before it gives up, saying so."""

RULE = "label_rule"
"""The store's note of the label rule its keys were made by (``store_meta``)."""
"""Runs one statement in a transaction (SQL, its values): the rows it returns, if any."""


@record(frozen=True)
class Dialect:
    """How one database's SQL differs from the queries written here (with ``?`` marks)."""

    mark: str
    """The placeholder of a value: ``?`` (SQLite), ``%s`` (psycopg)."""
    lock_row: str = ""
    """Added to the SELECT with which a save reads the stored revision, to hold the row
    until the save commits (SQLite needs none: its write transaction holds the file)."""
    lock_label: str = ""
    """The statement (one value: the label key) with which a held save waits for every
    other held save of the label and keeps them waiting until it commits (SQLite needs
    none: its write transaction holds the file)."""
    lock_wait: str = ""
    """Run first in a held save's transaction: how long it waits for the label's lock
    before it gives up (``BUSY_TIMEOUT_MS``; SQLite's busy timeout does it there)."""

    def sql(self, text: str) -> str:
        """``text`` written with ``?`` marks, in this dialect."""
        return text if self.mark == "?" else text.replace("?", self.mark)


class KeyTaken(Exception):
    """The driver refused an insert because the visit's id is stored already."""


class SqlStore:
    """The store's queries over a backend's connection (see the module docstring)."""

    dialect: Dialect
    where: str

    # -- the backend's part --------------------------------------------------------------

    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[Any]:
        """The rows of one read.

        Raises:
            StoreError: the store cannot be read (the message names the fix).
        """
        raise NotImplementedError

    def _transaction(self, doing: str) -> AbstractContextManager[Run]:
        """A write transaction, committed when the block ends and rolled back if it
        raises.

        Raises:
            KeyTaken: an insert met a stored id.
            StoreError: the store refuses the write (``doing`` says what was done).
        """
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    # -- migrating -----------------------------------------------------------------------

    def _newer(self, version: int, hint: str) -> StoreSchemaError:
        return StoreSchemaError(
            f"{self.where}: the store has schema version {version}, written by a newer "
            f"xrntx-guide; this version knows up to {VERSION} and never changes it",
            hint=hint,
        )

    def _migrate_from(self, version: int, run: Run) -> None:
        """Apply every migration after ``version`` (store/schema.py), in the caller's
        transaction."""
        for number, statements in MIGRATIONS:
            if number <= version:
                continue
            for sql in statements:
                run(sql)
            run("DELETE FROM schema_version")
            run(self.dialect.sql("INSERT INTO schema_version (version) VALUES (?)"), (number,))

    def _rekey(self, run: Run) -> None:
        """Make every visit's label key again when the store's keys were made by another
        label rule than this program's (or by a version that did not say), in the
        caller's transaction: a patient's visits are found by that key, and a key made by
        an older rule would hide them (safety invariant 11)."""
        said = run(self.dialect.sql("SELECT value FROM store_meta WHERE name = ?"), (RULE,))
        if said and said[0][0] == LABEL_RULE:
            return
        update = self.dialect.sql("UPDATE visits SET label_key = ? WHERE id = ?")
        for ident, label, key in run("SELECT id, label, label_key FROM visits"):
            if label_key(label) != key:
                run(update, (label_key(label), ident))
        run(self.dialect.sql("DELETE FROM store_meta WHERE name = ?"), (RULE,))
        run(
            self.dialect.sql("INSERT INTO store_meta (name, value) VALUES (?, ?)"),
            (RULE, LABEL_RULE),
        )

    # -- reading -------------------------------------------------------------------------

    def load(self, visit: str) -> tuple[SessionRecord, int]:
        from ..visit.session import record_from_json  # seam: pydantic, not for a listing

        text, revision = self._stored(visit)
        return record_from_json(text, f"session {visit} in {self.where}"), revision

    def stored_text(self, visit: str) -> str:
        """The record of ``visit`` as it is stored, unchecked: what `sessions export` writes
        out of a record that cannot be read, to be put right and imported again (bytes
        that are not UTF-8 with each bad byte replaced, to be seen and put right)."""
        text = self._stored(visit)[0]
        return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)

    def _stored(self, visit: str) -> tuple[str | bytes, int]:
        """The stored record of ``visit`` (text, or bytes as a store may hand them on:
        record_from_json reads either) and its revision."""
        found = self._query(
            self.dialect.sql("SELECT record, revision FROM visits WHERE id = ?"), (visit,)
        )
        if not found:
            raise SessionError(
                f"no session with id {visit!r} in the store",
                hint="`xrntx-guide sessions` lists saved sessions.",
            )
        text, revision = found[0]
        return text, int(revision)  # as the store hands it on

    def rows(self, limit: int | None = None, offset: int = 0) -> list[VisitRow]:
        sql = f"SELECT {COLUMNS} FROM visits ORDER BY saved DESC, updated DESC, id"
        if limit is not None:
            sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
        return [row_of(r) for r in self._query(sql)]

    def count(self) -> int:
        return int(self._query("SELECT COUNT(*) FROM visits")[0][0])

    def find(self, label: str) -> list[VisitRow]:
        rows = self._query(
            self.dialect.sql(
                f"SELECT {COLUMNS} FROM visits WHERE label_key = ? ORDER BY updated DESC, id"
            ),
            (label_key(label),),
        )
        return [row_of(r) for r in rows]

    def by_id(self, visit: str) -> VisitRow | None:
        rows = self._query(self.dialect.sql(f"SELECT {COLUMNS} FROM visits WHERE id = ?"), (visit,))
        return row_of(rows[0]) if rows else None

    def history(self, label: str) -> Found:
        from ..visit.session import record_from_json  # seam: pydantic, not for a listing

        found = Found()
        for visit, _, text in self._of_label(label):
            try:
                found.records.append(record_from_json(text, f"session {visit}"))
            except SessionError as exc:
                found.unreadable.append((f"session {visit}", exc.message))
        return found

    def history_facts(self, label: str) -> FoundFacts:
        found = FoundFacts()
        for visit, facts, text in self._of_label(label):
            try:
                found.facts.append(self._facts(visit, facts, text))
            except SessionError as exc:
                found.unreadable.append((f"session {visit}", exc.message))
        return found

    def visit_facts(self, visit: str) -> VisitFacts:
        found = self._query(
            self.dialect.sql("SELECT facts, record FROM visits WHERE id = ?"), (visit,)
        )
        if not found:
            raise SessionError(
                f"no session with id {visit!r} in the store",
                hint="`xrntx-guide sessions` lists saved sessions.",
            )
        return self._facts(visit, *found[0])

    @staticmethod
    def _facts(visit: str, facts: str | None, text: str) -> VisitFacts:
        """A visit's kept facts where they match its record, else the record's, read whole.

        Raises:
            SessionError: the record, read whole, is refused by the one check.
        """
        kept = read_facts(facts, text)
        if kept is not None:
            return kept
        # Facts missing, stale or of another version: the record read whole, as
        # history() reads it (the pydantic models are loaded only then).
        from ..visit.session import record_from_json  # seam: pydantic, not for a listing

        return facts_of(record_from_json(text, f"session {visit}"))

    def _of_label(self, label: str) -> list[Any]:
        """Each visit of the label (by the label rule): its id, kept facts and record."""
        return self._query(
            self.dialect.sql(
                "SELECT id, facts, record FROM visits WHERE label_key = ? ORDER BY updated DESC, id"
            ),
            (label_key(label),),
        )

    # -- writing -------------------------------------------------------------------------

    def create(
        self, record: SessionRecord, by: str, hold: Hold | None = None, *, moved: bool = False
    ) -> int:
        fields = row_fields(record)
        names = ", ".join(fields)
        marks = ", ".join("?" for _ in fields)
        text = record.model_dump_json()
        facts = stored_facts(text)
        try:
            with self._transaction("save the session") as run:
                if hold is not None:
                    self._hold(run, record, hold)
                run(
                    self.dialect.sql(
                        f"INSERT INTO visits ({names}, revision, updated_by, record, facts, "
                        f"saved) VALUES ({marks}, 1, ?, ?, ?, ?)"
                    ),
                    (*fields.values(), by, text, facts, "" if moved else saved_now()),
                )
        except KeyTaken:
            raise DuplicateVisit(
                f"a session with id {record.id} is already in the store",
                hint=f"Resume it: {resume_command(record.id)}.",
            ) from None
        return 1

    def save(self, record: SessionRecord, expected: int, by: str, hold: Hold | None = None) -> int:
        fields = row_fields(record)
        sets = ", ".join(f"{k} = ?" for k in fields if k != "id")
        values = [v for k, v in fields.items() if k != "id"]
        text = record.model_dump_json()
        facts = stored_facts(text)
        with self._transaction("save the session") as run:
            found = run(
                self.dialect.sql(
                    "SELECT revision, updated_by, updated, record FROM visits WHERE id = ?"
                )
                + self.dialect.lock_row,
                (record.id,),
            )
            if not found:
                raise VisitGone(
                    f"session {record.id} is no longer in the store (deleted meanwhile by "
                    "another run); this run's answers are not saved",
                    hint="Import an exported copy (`sessions import FILE`) or start again.",
                )
            revision, saved_by, saved_at, stored = found[0]
            if int(revision) != expected:
                raise self._conflict(record, int(revision), saved_by, saved_at, stored)
            if hold is not None:
                self._hold(run, record, hold)
            run(
                self.dialect.sql(
                    f"UPDATE visits SET {sets}, revision = ?, updated_by = ?, record = ?, "
                    "facts = ?, saved = ? WHERE id = ?"
                ),
                (*values, expected + 1, by, text, facts, saved_now(), record.id),
            )
        return expected + 1

    def _hold(self, run: Run, record: SessionRecord, hold: Hold) -> None:
        """Wait for the label's other held saves, read its other visits as they stand
        in this transaction, and give them to ``hold`` (see :meth:`Store.save`).

        Raises:
            Withheld: ``hold`` refused the save; the transaction is rolled back.
        """
        from ..visit.session import record_from_json  # seam: pydantic, not for a listing

        key = label_key(record.label)
        if self.dialect.lock_wait:
            run(self.dialect.lock_wait)
        if self.dialect.lock_label:
            run(self.dialect.sql(self.dialect.lock_label), (key,))
        found = Found()
        rows = run(
            self.dialect.sql(
                "SELECT id, record FROM visits WHERE label_key = ? AND id <> ? "
                "ORDER BY updated DESC, id"
            ),
            (key, record.id),
        )
        for visit, text in rows:
            try:
                found.records.append(record_from_json(text, f"session {visit}"))
            except SessionError as exc:
                found.unreadable.append((f"session {visit}", exc.message))
        problem = hold(found)
        if problem is not None:
            raise Withheld(problem)

    @staticmethod
    def _conflict(
        mine: SessionRecord, revision: int, by: str | None, at: str, text: str
    ) -> StoreConflict:
        from ..visit.session import record_from_json  # seam: pydantic, not for a listing

        stored = record_from_json(text, f"session {mine.id}")
        return StoreConflict(
            mine.id,
            revision,
            by,
            dt.datetime.fromisoformat(at),
            added_events(stored, mine),
            stored,
        )

    def delete(self, visit: str) -> None:
        if self.by_id(visit) is None:
            raise SessionError(f"no session with id {visit!r} in the store")
        with self._transaction("delete the session") as run:
            run(self.dialect.sql("DELETE FROM visits WHERE id = ?"), (visit,))


def rows_of(cursor: Any) -> list[Any]:
    """What a statement returned: its rows, or none for a statement that returns none."""
    return list(cursor.fetchall()) if cursor.description is not None else []
