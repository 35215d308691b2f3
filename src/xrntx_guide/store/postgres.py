"""The PostgreSQL store, for a clinic whose workstations share one store: chosen by a
``postgresql://`` URL (``--database``, ``XRNTX_GUIDE_DATABASE``), through psycopg 3. The
same schema and migrations as SQLite (store/schema.py); a save locks the visit's row and
checks its revision in one transaction."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ..errors import SessionError
from ..visit.labels import label_key
from ..visit.session import SessionRecord, record_from_json
from . import (
    DuplicateVisit,
    Found,
    StoreConflict,
    StoreError,
    StoreSchemaError,
    VisitRow,
    added_events,
    row_fields,
    row_of,
)
from .schema import COLUMNS, MIGRATIONS, VERSION

LOCK = 7_317_016
"""The advisory lock that keeps two programs from migrating at once."""


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", url)


class PostgresStore:
    """The store in a PostgreSQL database (see the module docstring)."""

    def __init__(self, url: str) -> None:
        try:
            import psycopg
        except ImportError:
            raise StoreError(
                "a postgresql:// store needs the psycopg driver, which is not installed",
                hint="Install it: .venv/bin/pip install 'psycopg[binary]'.",
            ) from None
        self._psycopg = psycopg
        self.where = _safe(url)
        try:
            self._db = psycopg.connect(url, connect_timeout=10)
        except psycopg.Error as exc:
            raise StoreError(
                f"{self.where}: cannot connect to the store: {str(exc).strip()}",
                hint="Check the URL (--database or XRNTX_GUIDE_DATABASE), that the server "
                "is running, and that the role may log in.",
            ) from None
        try:
            self._migrate()
        except psycopg.Error as exc:
            raise self._problem(exc, "open the store") from None

    def _problem(self, exc: Exception, doing: str) -> StoreError:
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if "read-only" in text or "permission denied" in text:
            return StoreError(
                f"{self.where}: cannot {doing}: {text}",
                hint="Ask the database's administrator to grant this role write access.",
            )
        return StoreError(
            f"{self.where}: cannot {doing}: {text}",
            hint="Check that the server is running and reachable, then try again.",
        )

    def _version(self, cur: Any) -> int:
        cur.execute("SELECT to_regclass('schema_version')")
        if cur.fetchone()[0] is None:
            return 0
        cur.execute("SELECT MAX(version) FROM schema_version")
        row = cur.fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def _migrate(self) -> None:
        with self._db.transaction(), self._db.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK,))
            version = self._version(cur)
            if version > VERSION:
                raise StoreSchemaError(
                    f"{self.where}: the store has schema version {version}, written by a "
                    f"newer xrntx-guide; this version knows up to {VERSION} and never "
                    "changes it",
                    hint="Install the newer xrntx-guide that wrote it.",
                )
            for number, statements in MIGRATIONS:
                if number <= version:
                    continue
                for sql in statements:
                    cur.execute(sql)
                cur.execute("DELETE FROM schema_version")
                cur.execute("INSERT INTO schema_version (version) VALUES (%s)", (number,))
        self._db.commit()

    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[Any]:
        try:
            with self._db.cursor() as cur:
                cur.execute(sql, args)
                rows = cur.fetchall()
            self._db.commit()
            return rows
        except self._psycopg.Error as exc:
            self._db.rollback()
            raise self._problem(exc, "read the store") from None

    @staticmethod
    def _row(r: Any) -> VisitRow:
        return row_of(r)

    def load(self, visit: str) -> tuple[SessionRecord, int]:
        found = self._query("SELECT record, revision FROM visits WHERE id = %s", (visit,))
        if not found:
            raise SessionError(
                f"no session with id {visit!r} in the store",
                hint="`xrntx-guide sessions` lists saved sessions.",
            )
        text, revision = found[0]
        return record_from_json(text, f"session {visit} in {self.where}"), int(revision)

    def rows(self, limit: int | None = None, offset: int = 0) -> list[VisitRow]:
        sql = f"SELECT {COLUMNS} FROM visits ORDER BY updated DESC, id"
        if limit is not None:
            sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
        return [self._row(r) for r in self._query(sql)]

    def count(self) -> int:
        return int(self._query("SELECT COUNT(*) FROM visits")[0][0])

    def find(self, label: str) -> list[VisitRow]:
        rows = self._query(
            f"SELECT {COLUMNS} FROM visits WHERE label_key = %s ORDER BY updated DESC, id",
            (label_key(label),),
        )
        return [self._row(r) for r in rows]

    def by_id(self, visit: str) -> VisitRow | None:
        rows = self._query(f"SELECT {COLUMNS} FROM visits WHERE id = %s", (visit,))
        return self._row(rows[0]) if rows else None

    def history(self, label: str) -> Found:
        found = Found()
        rows = self._query(
            "SELECT id, record FROM visits WHERE label_key = %s ORDER BY updated DESC, id",
            (label_key(label),),
        )
        for visit, text in rows:
            try:
                found.records.append(record_from_json(text, f"session {visit}"))
            except SessionError as exc:
                found.unreadable.append((f"session {visit}", exc.message))
        return found

    def create(self, record: SessionRecord, by: str) -> int:
        fields = row_fields(record)
        names = ", ".join(fields)
        marks = ", ".join("%s" for _ in fields)
        try:
            with self._db.cursor() as cur:
                cur.execute(
                    f"INSERT INTO visits ({names}, revision, updated_by, record) "
                    f"VALUES ({marks}, 1, %s, %s)",
                    (*fields.values(), by, record.model_dump_json()),
                )
            self._db.commit()
        except self._psycopg.errors.UniqueViolation:
            self._db.rollback()
            raise DuplicateVisit(
                f"a session with id {record.id} is already in the store",
                hint=f"Resume it: `xrntx-guide walk --resume --session {record.id}`.",
            ) from None
        except self._psycopg.Error as exc:
            self._db.rollback()
            raise self._problem(exc, "save the session") from None
        return 1

    def save(self, record: SessionRecord, expected: int, by: str) -> int:
        fields = row_fields(record)
        sets = ", ".join(f"{k} = %s" for k in fields if k != "id")
        values = [v for k, v in fields.items() if k != "id"]
        try:
            with self._db.cursor() as cur:
                cur.execute(
                    "SELECT revision, updated_by, updated, record FROM visits "
                    "WHERE id = %s FOR UPDATE",
                    (record.id,),
                )
                now = cur.fetchone()
                if now is None:
                    raise SessionError(
                        f"session {record.id} is no longer in the store (deleted meanwhile); "
                        "this run's answers are not saved",
                        hint="Import an exported copy (`sessions import FILE`) or start again.",
                    )
                if int(now[0]) != expected:
                    stored = record_from_json(now[3], f"session {record.id}")
                    raise StoreConflict(
                        record.id,
                        int(now[0]),
                        now[1],
                        dt.datetime.fromisoformat(now[2]),
                        added_events(stored, record),
                        stored,
                    )
                cur.execute(
                    f"UPDATE visits SET {sets}, revision = %s, updated_by = %s, record = %s "
                    "WHERE id = %s",
                    (*values, expected + 1, by, record.model_dump_json(), record.id),
                )
            self._db.commit()
        except self._psycopg.Error as exc:
            self._db.rollback()
            raise self._problem(exc, "save the session") from None
        except BaseException:
            self._db.rollback()
            raise
        return expected + 1

    def delete(self, visit: str) -> None:
        if self.by_id(visit) is None:
            raise SessionError(f"no session with id {visit!r} in the store")
        try:
            with self._db.cursor() as cur:
                cur.execute("DELETE FROM visits WHERE id = %s", (visit,))
            self._db.commit()
        except self._psycopg.Error as exc:
            self._db.rollback()
            raise self._problem(exc, "delete the session") from None

    def wipe(self) -> None:
        """Delete every visit (the tests' fresh store on a shared server)."""
        with self._db.cursor() as cur:
            cur.execute("DELETE FROM visits")
        self._db.commit()

    def close(self) -> None:
        self._db.close()
