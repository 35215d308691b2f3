"""A cache of compiled step packs, so that a command starts without parsing and validating.

The key is a hash of everything the compiled pack depends on: every pack file's name and
bytes, the site file, the program's own source files (their names, sizes and times) and
the Python version. Any change gives a new key, so a stale entry is never used. Entries
live in the user's cache folder with owner-only permissions, like Python's own bytecode
cache, and are written atomically; a missing, unreadable or damaged entry is simply
rebuilt. ``XRNTX_GUIDE_NO_CACHE=1`` turns the cache off.

The folder is a setting of the run, never read from the process here: the command line
works it out from its Environment (:func:`cache_dir` of the environment's variables) and
sets it with :func:`using` for the command. Without it (the core used as a library) there
is no cache.

Only this program writes these files, from packs it has validated. Step files themselves
are never unpickled: they are TOML, read as data.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING

from ..digest import sha256

if TYPE_CHECKING:
    from .guide import Guide

FORMAT = b"xrntx-guide pack cache 1"


_FOLDER: ContextVar[Path | None] = ContextVar("xrntx_guide_pack_cache", default=None)


def folder() -> Path | None:
    """The cache folder in use, or None for no cache."""
    return _FOLDER.get()


@contextlib.contextmanager
def using(path: Path | None) -> Iterator[None]:
    """Cache compiled packs in ``path`` (None: no cache) for the duration of the block."""
    token = _FOLDER.set(path)
    try:
        yield
    finally:
        _FOLDER.reset(token)


def cache_dir(env: Mapping[str, str]) -> Path | None:
    """The cache folder the environment's variables name, or None for no cache."""
    if env.get("XRNTX_GUIDE_NO_CACHE"):
        return None
    if env.get("XRNTX_GUIDE_HOME"):
        return Path(env["XRNTX_GUIDE_HOME"]) / "cache"
    base = env.get("XDG_CACHE_HOME")
    if not base:
        home = env.get("HOME")
        if not home:  # no home folder: run without the cache (it is only an optimisation)
            return None
        base = str(Path(home) / ".cache")
    return Path(base) / "xrntx-guide"


def _program_stamp() -> bytes:
    """Every source file of the package, its size and time: any change to the code.

    One ``os.scandir`` per folder, ``__pycache__`` skipped: a stat per file from the
    directory entry, not a glob over the bytecode folders too (it ran on every start-up)."""
    here = str(Path(__file__).resolve().parent.parent)
    parts: list[str] = []
    todo = [""]
    while todo:
        rel = todo.pop()
        with os.scandir(f"{here}/{rel}" if rel else here) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
                    todo.append(f"{rel}/{entry.name}" if rel else entry.name)
                elif entry.name.endswith(".py"):
                    st = entry.stat()
                    name = f"{rel}/{entry.name}" if rel else entry.name
                    parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
    return "\n".join(sorted(parts)).encode()


def key(
    root: Path, contents: Mapping[Path, bytes | None], site: Path | None, site_bytes: bytes | None
) -> str | None:
    if folder() is None:
        return None
    h = sha256(FORMAT)
    h.update(sys.version.encode())
    h.update(_program_stamp())
    h.update(str(root.resolve()).encode())
    for path, data in contents.items():
        h.update(path.name.encode() + b"\0" + (data or b"") + b"\0")
    if site is not None:
        h.update(b"site\0" + str(site.resolve()).encode() + b"\0" + (site_bytes or b""))
    return h.hexdigest()


def read(cache_key: str | None) -> Guide | None:
    where = folder()
    if cache_key is None or where is None:
        return None
    import pickle  # seam: pickle, only where a pack is loaded (not sessions, not --help)

    path = where / f"{cache_key}.pickle"
    try:
        st = path.stat()
        # Never read an entry someone else could have written.
        if st.st_uid != os.getuid() or st.st_mode & 0o022:
            return None
        with path.open("rb") as fh:
            guide = pickle.load(fh)
    except FileNotFoundError:
        return None
    except Exception:  # a damaged entry: rebuild it
        with contextlib.suppress(OSError):
            path.unlink()
        return None
    from .guide import Guide  # seam: loaded by the unpickling; not for a run that names no pack

    return guide if isinstance(guide, Guide) else None


def write(cache_key: str | None, guide: Guide) -> None:
    where = folder()
    if cache_key is None or where is None:
        return
    # The cache makes its own folder and at most the one holding it (the data home), never
    # a path of missing folders: a mistyped XRNTX_GUIDE_HOME is not made for a cache, by a
    # command that only reads (the cache is an optimisation: this run goes without it).
    if not where.parent.parent.is_dir():
        return
    import pickle  # seam: pickle, only where a pack is loaded (not sessions, not --help)

    try:
        where.mkdir(parents=True, exist_ok=True, mode=0o700)
        import tempfile  # seam: tempfile (13 ms), only when an entry is written, not read

        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=where)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(guide, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, where / f"{cache_key}.pickle")
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return  # the cache is only an optimisation: never fail a command for it
