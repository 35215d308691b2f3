"""The store fixture: every contract test runs against each backend.

SQLite always runs. PostgreSQL runs when ``XRNTX_GUIDE_TEST_DATABASE`` holds the URL of
a server the tests may write to (``.ci/run`` starts one); without it those tests are
skipped, saying how to run them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from xrntx_guide.store import Store, open_store

POSTGRES_VAR = "XRNTX_GUIDE_TEST_DATABASE"
HOW = (
    f"PostgreSQL store tests need a server: set {POSTGRES_VAR}=postgresql://USER@/DB?host=SOCKET "
    "(.ci/run starts one)"
)


def _postgres_url() -> str | None:
    return os.environ.get(POSTGRES_VAR) or None


def _database_of_worker(url: str, worker: str) -> str:
    """``url`` with a database of this test worker's own: parallel workers (pytest-xdist)
    each wipe their store, so they must not share one database. Made on first use."""
    if worker in ("", "master"):
        return url
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/')}_{worker}"
    with psycopg.connect(url, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return urlunsplit(parts._replace(path="/" + name))


@pytest.fixture(scope="session")
def postgres_url(worker_id: str) -> str | None:
    url = _postgres_url()
    return None if url is None else _database_of_worker(url, worker_id)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        opened = open_store(None, tmp_path / "data")
    else:
        if _postgres_url() is None:
            pytest.skip(HOW)
        pytest.importorskip("psycopg", reason=f"psycopg is not installed; {HOW}")
        url = request.getfixturevalue("postgres_url")
        opened = open_store(url, tmp_path)
        wipe = getattr(opened, "wipe", None)
        if wipe is not None:
            wipe()
    try:
        yield opened
    finally:
        opened.close()
