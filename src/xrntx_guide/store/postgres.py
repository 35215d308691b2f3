"""The PostgreSQL store, for a clinic whose workstations share one store: chosen by a
``postgresql://`` URL (``--database``, ``XRNTX_GUIDE_DATABASE``), through psycopg 3. The
same schema and migrations as SQLite (store/schema.py); a save locks the visit's row and
checks its revision in one transaction."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

from . import StoreError
from .base import BUSY_TIMEOUT_MS, Dialect, KeyTaken, Run, SqlStore, rows_of
from .schema import VERSION

LOCK = 7_317_016
"""The advisory lock that keeps two programs from migrating at once."""
LABELS = LOCK
"""The first of the two keys of a label's advisory lock (the second: the label key's
hash): two-key locks never meet the one-key migration lock."""


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", url)


class PostgresStore(SqlStore):
    """The store in a PostgreSQL database (see the module docstring)."""

    dialect = Dialect(
        mark="%s",
        lock_row=" FOR UPDATE",
        lock_label=f"SELECT pg_advisory_xact_lock({LABELS}, hashtext(?))",
        lock_wait=f"SET LOCAL lock_timeout = {BUSY_TIMEOUT_MS}",
    )

    def __init__(self, url: str) -> None:
        try:
            import psycopg  # seam: an optional driver, only for a postgresql:// store
        except ImportError:
            raise StoreError(
                "a postgresql:// store needs the psycopg driver, which is not installed",
                hint="Install it: .venv/bin/pip install 'psycopg[binary]'.",
            ) from None
        self._psycopg = psycopg
        self.where = _safe(url)
        try:
            self._db = psycopg.connect(url, connect_timeout=10)
            # Every save reads what other programs committed before it (the revision its
            # row lock holds, the patient's visits its label lock holds): a server whose
            # default is repeatable read or serializable would read a snapshot taken
            # before the lock was granted.
            self._db.isolation_level = psycopg.IsolationLevel.READ_COMMITTED
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
        if isinstance(exc, self._psycopg.errors.LockNotAvailable):
            return StoreError(
                f"{self.where}: cannot {doing}: another program is saving a visit of this "
                f"patient and has held it for over {BUSY_TIMEOUT_MS // 1000} s; nothing was "
                "changed",
                hint="Wait for the other xrntx-guide to finish, then try again.",
            )
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
                raise self._newer(version, "Install the newer xrntx-guide that wrote it.")

            def run(sql: str, args: tuple[Any, ...] = ()) -> list[Any]:
                cur.execute(sql, args)
                return rows_of(cur)

            self._migrate_from(version, run)
            self._rekey(run)
        self._db.commit()

    # -- reading and writing: the queries are the base's (store/base.py) ----------------

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

    @contextlib.contextmanager
    def _transaction(self, doing: str) -> Iterator[Run]:
        # A transaction begins at the first statement; a save's SELECT ... FOR UPDATE
        # (the dialect's lock) holds the visit's row until the commit.
        try:
            with self._db.cursor() as cur:

                def run(sql: str, args: tuple[Any, ...] = ()) -> list[Any]:
                    cur.execute(sql, args)
                    return rows_of(cur)

                yield run
            self._db.commit()
        except self._psycopg.errors.UniqueViolation:
            self._db.rollback()
            raise KeyTaken() from None
        except self._psycopg.Error as exc:
            self._db.rollback()
            raise self._problem(exc, doing) from None
        except BaseException:
            self._db.rollback()
            raise

    def wipe(self) -> None:
        """Delete every visit (the tests' fresh store on a shared server)."""
        with self._db.cursor() as cur:
            cur.execute("DELETE FROM visits")
        self._db.commit()

    def close(self) -> None:
        self._db.close()
