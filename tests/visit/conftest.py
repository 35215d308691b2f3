"""What the visit core's tests of the rapid pathway's daily record share: the example
site file with a protocol table, the guide loaded under it, and a day of the record."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from xrntx_guide.pack.guide import Guide
from xrntx_guide.pack.load import load_guide

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "scenarios" / "_site-rapid-protocol.toml"
DAY1 = dt.date(2026, 11, 22)


@pytest.fixture(scope="module")
def site_guide() -> Guide:
    return load_guide(ROOT / "steps", SITE)


def pathway_day(n: int, **changes: Any) -> dict[str, Any]:
    """Day ``n`` of the example site's protocol as a file gives it, on its consecutive
    date from DAY1, tolerated, with oral naltrexone on the table's days 3-6 and one COWS
    rating of 3 at 09:00; ``changes`` replace any of it."""
    entry: dict[str, Any] = {
        "day": n,
        "date": (DAY1 + dt.timedelta(days=n - 1)).isoformat(),
        "given": "as the site's protocol directs",
        "tolerated": True,
        "naltrexone_given": 3 <= n <= 6,
        "cows": [{"time": "09:00", "total": 3}],
    }
    entry.update(changes)
    return entry
