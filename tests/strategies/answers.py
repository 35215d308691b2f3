"""Answers written in the strict form ``schema answers`` describes, drawn from the
schema itself (one property at a time)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st


def schema_values(prop: Mapping[str, Any], today: dt.date) -> st.SearchStrategy[Any]:
    """Values the schema allows for one answer (dates within the two years before
    ``today``: a date after the visit is refused by a bound the schema cannot state)."""
    if "enum" in prop:
        return st.sampled_from(prop["enum"])
    kind = prop["type"]
    if kind == "boolean":
        return st.booleans()
    if kind == "string" and prop.get("format") == "date":
        days = st.integers(min_value=0, max_value=730)
        return days.map(lambda n: (today - dt.timedelta(days=n)).isoformat())
    if kind == "string":
        letters = st.characters(codec="utf-8", categories=("L", "N", "Zs"))
        text = st.text(letters, min_size=1, max_size=prop.get("maxLength"))
        pattern = prop.get("pattern")  # the schema's rule, as a search (JSON Schema's)
        return text.filter(lambda t: re.search(pattern, t) is not None) if pattern else text
    low, high = prop.get("minimum"), prop.get("maximum")
    if kind == "integer":
        return st.integers(min_value=low, max_value=high)
    return st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False)


@st.composite
def strict_answers(
    draw: st.DrawFn, props: Mapping[str, Mapping[str, Any]], today: dt.date
) -> tuple[str, Any]:
    """One answer (key, value) of ``props`` (the schema's properties), in the strict form."""
    key = draw(st.sampled_from(sorted(props)))
    return key, draw(schema_values(props[key], today))
