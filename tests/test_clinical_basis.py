"""docs/clinical-basis.md and the shipped pack in steps/ say the same thing.

The clinical basis is what a reviewer checks the pack against, so each of its tables is
compared with the pack in both directions: a gate, a source or a site setting added to one
and not the other fails here, as does a gate whose severities or sources differ.
"""

from __future__ import annotations

import re

import pytest

from tests.helpers import (
    BASIS_GATES,
    CLINICAL_BASIS,
    REPO,
    backticked,
    basis_gate_rows,
    basis_severities,
    basis_table,
)
from xrntx_guide.pack.guide import Guide

SEVERITIES = {"contraindication", "stop", "caution", "info"}


def pack_gate_sources(guide: Guide, gate_id: str) -> set[str]:
    """The keys a gate of the pack cites, on the gate itself or on any of its rules."""
    gate = guide.gate(gate_id)
    return {*gate.spec.sources, *(s for r in gate.rules for s in r.spec.sources)}


def test_the_gates_table_and_the_pack_hold_the_same_gates(guide: Guide) -> None:
    pack = {g.id for g in guide.gates}
    basis = set(BASIS_GATES)
    assert sorted(pack - basis) == [], "gates of the pack missing from the basis"
    assert sorted(basis - pack) == [], "gates of the basis missing from the pack"


@pytest.mark.parametrize("gate_id", BASIS_GATES)
def test_a_gate_has_exactly_the_severities_the_basis_names(guide: Guide, gate_id: str) -> None:
    row = basis_gate_rows()[gate_id]
    named = basis_severities(row)
    assert named <= SEVERITIES, (gate_id, row["severities"])
    assert gate_id in {g.id for g in guide.gates}, f"{gate_id} is not in the pack"
    assert {r.spec.severity for r in guide.gate(gate_id).rules} == named


@pytest.mark.parametrize("gate_id", BASIS_GATES)
def test_a_gate_cites_exactly_the_sources_the_basis_names(guide: Guide, gate_id: str) -> None:
    row = basis_gate_rows()[gate_id]
    assert gate_id in {g.id for g in guide.gates}, f"{gate_id} is not in the pack"
    assert pack_gate_sources(guide, gate_id) == set(backticked(row["sources"]))


def test_the_sources_table_and_the_pack_hold_the_same_keys(guide: Guide) -> None:
    basis = [backticked(row["key"])[0] for row in basis_table("Sources")]
    assert len(basis) == len(set(basis)), "a source key is listed twice"
    assert sorted(set(guide.sources) - set(basis)) == [], "pack sources missing from the basis"
    assert sorted(set(basis) - set(guide.sources)) == [], "basis sources missing from the pack"


def test_every_key_the_basis_cites_is_in_its_sources_table() -> None:
    known = {backticked(row["key"])[0] for row in basis_table("Sources")}
    cited = {key for row in basis_gate_rows().values() for key in backticked(row["sources"])}
    cited |= {key for row in basis_table("Site limits") for key in backticked(row["basis"])}
    assert sorted(cited - known) == []


def test_every_site_adjustable_setting_has_a_row_in_site_limits(guide: Guide) -> None:
    rows = basis_table("Site limits")
    listed = {backticked(row["setting"])[0] for row in rows}
    adjustable = {name for name, s in guide.settings.items() if s.site_adjustable}
    assert sorted(adjustable - listed) == []
    assert sorted(listed - set(guide.settings)) == [], "site limits name unknown settings"


def test_the_site_limits_defaults_are_the_shipped_values(guide: Guide) -> None:
    for row in basis_table("Site limits"):
        name, *entries = backticked(row["setting"])
        value = guide.setting_values[name]
        if entries:
            # One row per group of entries of a table setting (minimum days per kind).
            assert {e: value[e] for e in entries} == dict.fromkeys(entries, int(row["default"]))
        elif isinstance(value, str):
            assert row["default"] == value, name
        elif isinstance(value, bool):
            assert row["default"] == ("true" if value else "false"), name
        else:
            assert float(row["default"]) == value, name


def test_every_entry_of_the_minimum_days_has_a_site_limit(guide: Guide) -> None:
    entries = [
        e
        for row in basis_table("Site limits")
        for e in backticked(row["setting"])[1:]
        if backticked(row["setting"])[0] == "min_opioid_free_days"
    ]
    assert sorted(entries) == sorted(guide.setting_values["min_opioid_free_days"])


def test_the_default_minimum_table_matches_the_shipped_minimum_days(guide: Guide) -> None:
    shipped = guide.setting_values["min_opioid_free_days"]
    for row in basis_table("Default minimum by last opioid"):
        (kind,) = backticked(row["last opioid"])
        days = re.match(r"\d+", row["minimum whole days opioid-free"])
        if days is None:
            # No interval is established: the pack has no number for it either.
            assert kind not in shipped, kind
        else:
            assert shipped[kind] == int(days.group()), kind


def test_nothing_in_src_or_tests_reads_the_folder_beside_the_repository() -> None:
    """The repository stands on its own: a clone alone must collect and pass, so neither code
    nor tests may name the folder of clinical notes that sat beside the working copy."""
    # Written so that this file does not match itself; catches a path join as well.
    pattern = re.compile(r"share[d]\W{1,6}clinical|xrntx-referenc[e]", re.IGNORECASE)
    offenders = []
    for top in ("src", "tests"):
        for path in sorted((REPO / top).rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            offenders += [
                f"{path.relative_to(REPO)}:{n}"
                for n, line in enumerate(text.splitlines(), 1)
                if pattern.search(line)
            ]
    assert offenders == []
    assert CLINICAL_BASIS.is_relative_to(REPO)
