"""Opening the store for a command: which store (``--database``, XRNTX_GUIDE_DATABASE,
else the SQLite file in the data folder), who is making the changes (``--clinician``,
XRNTX_GUIDE_CLINICIAN, else the login name), and the one-time import of an earlier
version's session files. Only the commands that read or write sessions call it: ``check``
opens the store only for ``--label``. No typer here: ``history`` and ``sessions`` open the
store on the direct route too (cli/direct.py); their options are in commands/common.py."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..env import Environment
from .boundary import opened
from .commands.statuses import status_words

if TYPE_CHECKING:  # the store (and pydantic) is imported only by a command that opens it
    from ..store import Store

IMPORTED_MARK = ".sessions-imported"
"""Left in the data folder once the earlier version's session files were imported."""


def clinician(env: Environment, given: str | None = None) -> str:
    """Who makes this run's changes."""
    if given and given.strip():
        return given.strip()
    named = env.var("XRNTX_GUIDE_CLINICIAN")
    if named and named.strip():
        return named.strip()
    for var in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        if env.var(var):
            return str(env.var(var))
    try:
        import pwd  # seam: pwd exists on POSIX systems only

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):
        return "unknown"


def warn_on_stderr(env: Environment) -> Callable[[str], None]:
    """``say`` for a command without a screen of its own (``check --label``, a batch's
    labelled lines): a warning line on standard error, beside a JSON result on stdout."""

    def say(text: str) -> None:
        env.stderr.write(f"warning: {text}\n")
        env.stderr.flush()

    return say


def the_store(
    env: Environment,
    database: str | None = None,
    say: Callable[[str], None] | None = None,
    by: str | None = None,
    *,
    reading: bool = False,
) -> Store:
    """The run's store, opened; with the default store, an earlier version's session
    files are imported once (left in place), and ``say`` is told so. ``reading``: the
    command only reads (a listing, a history, a note, a check of a label): a SQLite store
    that is not there is not made, it reads as empty, and ``say`` is told where none was
    found (a mistyped XRNTX_GUIDE_HOME shows as such, never as a patient without visits).

    Raises:
        StoreError: it cannot be opened (the message names the fix).
    """
    from ..store import absence, open_store  # seam: the store (sqlite3), when a command opens it

    url = database or env.var("XRNTX_GUIDE_DATABASE")
    data = env.data_dir()
    if reading and url is None and env.sessions_dir().is_dir():
        reading = False  # an earlier version's session files: the store takes them in
    store = open_store(url, data, create=not reading)
    opened(store)
    missing = absence(store)
    if missing is not None:
        if say is not None:
            say(missing)
        return store
    if url is None:
        _import_once(store, env.sessions_dir(), data, by or clinician(env), say)
    return store


def _import_once(
    store: Store, folder: Path, data: Path, by: str, say: Callable[[str], None] | None
) -> None:
    mark = data / IMPORTED_MARK
    if mark.exists() or not folder.is_dir():
        return
    # seam: the store's references, only when a command opens the store
    from ..store.refs import import_folder

    done = import_folder(store, folder, by)
    try:
        fd = os.open(mark, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        os.close(fd)
    except OSError:
        pass
    if say is None or not (done.imported or done.unreadable):
        return
    say(
        f"imported {len(done.imported)} session file(s) from {folder} into the store "
        f"{store.where}; the files are left in place (this is said once)"
    )
    for path, why in done.unreadable:
        say(f"not imported: {path} ({why})")


def given_record(
    ui: Any, env: Any, store: Any, ref: str, pack: Callable[[], Any] | None = None
) -> tuple[Any, bool]:
    """The record ``ref`` names (for ``note`` and ``card``), and whether it was read from a
    file: an id or a label in the store (a label with several visits: the latest by visit
    date, saying so on stderr); a JSON file's path is read and checked as a stored record
    is, never looked up as a label, and never stored: viewing a record from elsewhere (a
    colleague's export, another clinic's file) adds nothing to this store's patients
    (``sessions import FILE`` stores one). ``pack``: the command's own pack, read when
    first asked for, for the status of the label's other visits."""
    # seam: the store's references, only when a command opens the store
    from ..store.refs import check_file_record, latest_visit, listed, read_record_file, record_file

    path = record_file(store, ref)
    if path is not None:
        record = read_record_file(path)
        check_file_record(store, record)
        # On stderr: the note or the card on stdout may be JSON or HTML.
        env.stderr.write(
            f"{ref}: read from the file, not stored (`xrntx-guide sessions import {ref}` "
            "stores it); the store's visits are not read beside it\n"
        )
        return record, True
    row, others = latest_visit(store, ref)
    if others:
        env.stderr.write(
            f"{ref}: {len(others) + 1} visits have this label; the latest care visit by "
            f"visit date is used: session {row.id} (visit of "
            f"{row.visit_date or 'no date yet'}). The others: "
            f"{listed(others, status_words(env, store, others, pack))}; give an id for one of "
            "them.\n"
        )
    return store.load(row.id)[0], False
