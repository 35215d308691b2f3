"""The SQLite store: one database file under the program's data folder (the default).

The file is created 0600 in a folder created 0700 (whatever the umask), and a symbolic
link in its place is refused (it could send a clinic's records anywhere). WAL mode with
a busy timeout: readers never wait for a writer, and two writers take turns. Every save
is one transaction that checks the revision first (store/__init__.py), so a save killed
at any moment leaves the previous revision or the new one, never part of one.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import stat
from pathlib import Path
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

BUSY_TIMEOUT_MS = 10_000
"""How long a write waits for another process's write to finish before it gives up."""


def make_private_dir(folder: Path) -> None:
    """Create ``folder`` and its missing parents owner-only (0700), whatever the umask."""
    missing = []
    here = folder
    while not here.exists() and here != here.parent:
        missing.append(here)
        here = here.parent
    for part in reversed(missing):
        try:
            part.mkdir(mode=0o700)
        except FileExistsError:
            continue
        part.chmod(0o700)


class SqliteStore:
    """The store in one SQLite file (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = str(path)
        self._db = self._open()

    # -- opening -----------------------------------------------------------------------

    def _problem(self, exc: BaseException, doing: str) -> StoreError:
        """A database error, said as what it means and the fix."""
        text = str(exc)
        low = text.lower()
        if isinstance(exc, OSError):
            low = (exc.strerror or text).lower()
        if "locked" in low or "busy" in low:
            return StoreError(
                f"{self.path}: cannot {doing}: the store is locked by another program",
                hint="Wait for the other xrntx-guide (or backup) to finish, then try again.",
            )
        if "readonly" in low or "read-only" in low or "permission" in low or "access" in low:
            return StoreError(
                f"{self.path}: cannot {doing}: the store is read-only for this user",
                hint="Give this user write access to the file and its folder, or set "
                "XRNTX_GUIDE_HOME to a folder you can write.",
            )
        if "full" in low or "no space" in low or "quota" in low:
            return StoreError(
                f"{self.path}: cannot {doing}: the disk is full; nothing was changed "
                "(the store keeps its previous state)",
                hint="Free some space, then try again.",
            )
        if "not a database" in low or "malformed" in low or "corrupt" in low:
            return StoreSchemaError(
                f"{self.path}: the store is damaged (not a readable database: {text})",
                hint="Restore the file from a backup, or move it aside to start an empty "
                "store (`sessions import FILE` takes exported visits back in).",
            )
        return StoreError(
            f"{self.path}: cannot {doing}: {text}",
            hint="Check the file and its folder, or set XRNTX_GUIDE_HOME to another folder.",
        )

    def _check_not_link(self, path: Path) -> None:
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            return
        except OSError as exc:
            raise self._problem(exc, "open the store") from None
        if stat.S_ISLNK(mode):
            raise StoreError(
                f"{path}: the store is a symbolic link, which is refused (it could send "
                "the records elsewhere)",
                hint="Replace the link by the database file itself, or point "
                "XRNTX_GUIDE_HOME (or --database) at the real location.",
            )
        if not stat.S_ISREG(mode):
            raise StoreError(
                f"{path}: the store is not a regular file",
                hint="Move it aside, or point XRNTX_GUIDE_HOME at another folder.",
            )

    def _open(self) -> sqlite3.Connection:
        path = self.path
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
            self._check_not_link(p)
        try:
            make_private_dir(path.parent)
            folder = path.parent.stat()
            if folder.st_uid == os.getuid() and stat.S_IMODE(folder.st_mode) & 0o077:
                path.parent.chmod(0o700)  # made by another part (the pack cache) or umask
            flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0)
            try:
                fd = os.open(path, flags, 0o600)
            except PermissionError:
                fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0))
            try:
                info = os.fstat(fd)
                if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) & 0o077:
                    os.fchmod(fd, 0o600)
            finally:
                os.close(fd)
        except OSError as exc:
            raise self._problem(exc, "open the store") from None
        try:
            db = sqlite3.connect(
                path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
            )
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = FULL")
            self._migrate(db)
        except sqlite3.Error as exc:
            raise self._problem(exc, "open the store") from None
        return db

    def _migrate(self, db: sqlite3.Connection) -> None:
        """Bring the schema up to :data:`VERSION` (store/schema.py), in one transaction."""
        version = self._version(db)
        if version > VERSION:
            raise StoreSchemaError(
                f"{self.path}: the store has schema version {version}, written by a newer "
                f"xrntx-guide; this version knows up to {VERSION} and never changes it",
                hint="Install the newer xrntx-guide that wrote it (or point "
                "XRNTX_GUIDE_HOME / --database at another store).",
            )
        if version == VERSION:
            return
        db.execute("BEGIN IMMEDIATE")
        try:
            version = self._version(db)  # another process may have migrated meanwhile
            for number, statements in MIGRATIONS:
                if number <= version:
                    continue
                for sql in statements:
                    db.execute(sql)
                db.execute("DELETE FROM schema_version")
                db.execute("INSERT INTO schema_version (version) VALUES (?)", (number,))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    @staticmethod
    def _version(db: sqlite3.Connection) -> int:
        has = db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
        ).fetchone()
        if has is None:
            return 0
        row = db.execute("SELECT MAX(version) FROM schema_version").fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    # -- reading -----------------------------------------------------------------------

    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[Any]:
        try:
            return self._db.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise self._problem(exc, "read the store") from None

    @staticmethod
    def _row(r: Any) -> VisitRow:
        return row_of(r)

    def load(self, visit: str) -> tuple[SessionRecord, int]:
        found = self._query("SELECT record, revision FROM visits WHERE id = ?", (visit,))
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
            f"SELECT {COLUMNS} FROM visits WHERE label_key = ? ORDER BY updated DESC, id",
            (label_key(label),),
        )
        return [self._row(r) for r in rows]

    def by_id(self, visit: str) -> VisitRow | None:
        rows = self._query(f"SELECT {COLUMNS} FROM visits WHERE id = ?", (visit,))
        return self._row(rows[0]) if rows else None

    def history(self, label: str) -> Found:
        found = Found()
        rows = self._query(
            "SELECT id, record FROM visits WHERE label_key = ? ORDER BY updated DESC, id",
            (label_key(label),),
        )
        for visit, text in rows:
            try:
                found.records.append(record_from_json(text, f"session {visit}"))
            except SessionError as exc:
                found.unreadable.append((f"session {visit}", exc.message))
        return found

    # -- writing -----------------------------------------------------------------------

    def _write(self, doing: str, sql: str, args: tuple[Any, ...]) -> None:
        try:
            self._db.execute(sql, args)
        except sqlite3.Error as exc:
            raise self._problem(exc, doing) from None

    def create(self, record: SessionRecord, by: str) -> int:
        fields = row_fields(record)
        names = ", ".join(fields)
        marks = ", ".join("?" for _ in fields)
        try:
            self._db.execute(
                f"INSERT INTO visits ({names}, revision, updated_by, record) "
                f"VALUES ({marks}, 1, ?, ?)",
                (*fields.values(), by, record.model_dump_json()),
            )
        except sqlite3.IntegrityError:
            raise DuplicateVisit(
                f"a session with id {record.id} is already in the store",
                hint=f"Resume it: `xrntx-guide walk --resume --session {record.id}`.",
            ) from None
        except sqlite3.Error as exc:
            raise self._problem(exc, "save the session") from None
        return 1

    def save(self, record: SessionRecord, expected: int, by: str) -> int:
        fields = row_fields(record)
        sets = ", ".join(f"{k} = ?" for k in fields if k != "id")
        values = [v for k, v in fields.items() if k != "id"]
        db = self._db
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self._problem(exc, "save the session") from None
        try:
            now = db.execute(
                "SELECT revision, updated_by, updated, record FROM visits WHERE id = ?",
                (record.id,),
            ).fetchone()
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
            db.execute(
                f"UPDATE visits SET {sets}, revision = ?, updated_by = ?, record = ? WHERE id = ?",
                (*values, expected + 1, by, record.model_dump_json(), record.id),
            )
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise self._problem(exc, "save the session") from None
        except BaseException:
            self._rollback()
            raise
        return expected + 1

    def _rollback(self) -> None:
        try:
            self._db.execute("ROLLBACK")
        except sqlite3.Error:
            pass

    def delete(self, visit: str) -> None:
        if self.by_id(visit) is None:
            raise SessionError(f"no session with id {visit!r} in the store")
        self._write("delete the session", "DELETE FROM visits WHERE id = ?", (visit,))

    def close(self) -> None:
        self._db.close()
