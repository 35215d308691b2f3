"""Section 6 (clarified 2026-12-05), the rapid pathway's minimum structure, for every site
table: a table loads only when its injection day, never day 1, comes after at least the
number in force of days it marks as oral naltrexone days; any other is refused at load.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given

from tests import oracle
from tests.helpers import STEPS
from tests.strategies import timed
from tests.strategies.patients import shipped_guide
from xrntx_guide.errors import PackError
from xrntx_guide.pack.load import load_guide


class InForce:
    """The shipped pack with the site's number of oral naltrexone days in force."""

    def __init__(self, required: int | None) -> None:
        values = dict(shipped_guide().setting_values)
        if required is not None:
            values["rapid_naltrexone_days_required"] = required
        self.setting_values = values


@timed.bounded(60)
@given(timed.protocol_tables())
def test_a_site_table_loads_only_with_its_naltrexone_days_before_the_injection(
    tmp_path_factory: Any, table: tuple[int | None, list[dict[str, Any]]]
) -> None:
    required, rows = table
    problems = oracle.protocol_problems(InForce(required), rows)
    site = Path(tmp_path_factory.mktemp("site")) / "site.toml"
    site.write_text(timed.protocol_site_toml(required, rows), encoding="utf-8")
    try:
        guide = load_guide(STEPS, site, use_cache=False)
    except PackError as exc:
        assert problems, f"a table section 6 allows was refused: {rows}\n{exc}"
        return
    assert not problems, f"a table section 6 refuses loaded: {problems}: {rows}"
    assert guide.rapid_protocol is not None and len(guide.rapid_protocol) == len(rows)
