"""The store fixture: every contract test runs against each backend.

SQLite always runs. PostgreSQL runs when ``XRNTX_GUIDE_TEST_DATABASE`` holds the URL of
a server the tests may write to (``.ci/run`` starts one); without it those tests are
skipped, saying how to run them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from xrntx_guide.store import Store, open_store

POSTGRES_VAR = "XRNTX_GUIDE_TEST_DATABASE"
HOW = (
    f"PostgreSQL store tests need a server: set {POSTGRES_VAR}=postgresql://USER@/DB?host=SOCKET "
    "(.ci/run starts one)"
)


def _postgres_url() -> str | None:
    return os.environ.get(POSTGRES_VAR) or None


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        opened = open_store(None, tmp_path / "data")
    else:
        url = _postgres_url()
        if url is None:
            pytest.skip(HOW)
        pytest.importorskip("psycopg", reason=f"psycopg is not installed; {HOW}")
        opened = open_store(url, tmp_path)
        wipe = getattr(opened, "wipe", None)
        if wipe is not None:
            wipe()
    try:
        yield opened
    finally:
        opened.close()
