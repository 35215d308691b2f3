"""The SQLite store: one database file under the program's data folder (the default).

The file is created 0600 in a folder created 0700 (whatever the umask), and a symbolic
link in its place is refused (it could send a clinic's records anywhere). WAL mode with
a busy timeout: readers never wait for a writer, and two writers take turns. Every save
is one transaction that checks the revision first (store/__init__.py), so a save killed
at any moment leaves the previous revision or the new one, never part of one.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..visit.labels import LABEL_RULE
from . import StoreError, StoreSchemaError
from .base import BUSY_TIMEOUT_MS, RULE, Dialect, KeyTaken, Run, SqlStore
from .schema import VERSION


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


def _in_wal_mode(db: sqlite3.Connection) -> None:
    """Put the store in write-ahead-log mode, waiting for another process as a write
    does. On a store being made by two processes at once, SQLite can refuse the change
    at once ("database is locked") without calling its busy handler: it is tried again
    until the busy timeout, so the second process waits its turn as documented."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            busy = "locked" in str(exc).lower() or "busy" in str(exc).lower()
            if not busy or time.monotonic() >= deadline:
                raise
            time.sleep(0.02)


class SqliteStore(SqlStore):
    """The store in one SQLite file (see the module docstring)."""

    dialect = Dialect(mark="?")

    def __init__(self, path: Path, create: bool = True) -> None:
        self.path = path
        self.where = str(path)
        self.absent = not create and not path.exists()
        """Opened to read where there is no store: an empty one, in memory, and nothing
        is made on the disk (a mistyped XRNTX_GUIDE_HOME is not filled by a listing)."""
        self._db = self._empty() if self.absent else self._open()

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

    def _empty(self) -> sqlite3.Connection:
        """An empty store in memory, for a command that only reads where none is."""
        db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        self._migrate(db)
        return db

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
            _in_wal_mode(db)
            db.execute("PRAGMA synchronous = FULL")
            self._migrate(db)
        except sqlite3.Error as exc:
            raise self._problem(exc, "open the store") from None
        return db

    def _migrate(self, db: sqlite3.Connection) -> None:
        """Bring the schema up to :data:`VERSION` (store/schema.py), in one transaction."""
        version = self._version(db)
        if version > VERSION:
            raise self._newer(
                version,
                "Install the newer xrntx-guide that wrote it (or point "
                "XRNTX_GUIDE_HOME / --database at another store).",
            )
        if version == VERSION and self._rule(db) == LABEL_RULE:
            return
        db.execute("BEGIN IMMEDIATE")
        try:
            version = self._version(db)  # another process may have migrated meanwhile

            def run(sql: str, args: tuple[Any, ...] = ()) -> list[Any]:
                return db.execute(sql, args).fetchall()

            self._migrate_from(version, run)
            self._rekey(run)
            db.execute("COMMIT")
        except BaseException:
            # An interrupt can come before the transaction began: the rollback then has
            # nothing to undo, and the interrupt is what is said.
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            raise

    @staticmethod
    def _rule(db: sqlite3.Connection) -> str | None:
        row = db.execute("SELECT value FROM store_meta WHERE name = ?", (RULE,)).fetchone()
        return str(row[0]) if row else None

    @staticmethod
    def _version(db: sqlite3.Connection) -> int:
        has = db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
        ).fetchone()
        if has is None:
            return 0
        row = db.execute("SELECT MAX(version) FROM schema_version").fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    # -- reading and writing: the queries are the base's (store/base.py) ----------------

    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[Any]:
        try:
            return self._db.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise self._problem(exc, "read the store") from None

    @contextlib.contextmanager
    def _transaction(self, doing: str) -> Iterator[Run]:
        # BEGIN IMMEDIATE takes the write lock at once: a save reads the revision it
        # checks and writes over it with no other writer in between.
        db = self._db
        if db.in_transaction:  # the caller's own (a bulk load): it commits, or rolls back
            try:
                yield lambda sql, args=(): db.execute(sql, args).fetchall()
            except sqlite3.Error as exc:
                if isinstance(exc, sqlite3.IntegrityError) and "UNIQUE" in str(exc):
                    raise KeyTaken() from None
                raise self._problem(exc, doing) from None
            return
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self._problem(exc, doing) from None
        try:
            yield lambda sql, args=(): db.execute(sql, args).fetchall()
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            if isinstance(exc, sqlite3.IntegrityError) and "UNIQUE" in str(exc):
                raise KeyTaken() from None
            raise self._problem(exc, doing) from None
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        try:
            self._db.execute("ROLLBACK")
        except sqlite3.Error:
            pass

    def close(self) -> None:
        self._db.close()
