"""The compiled-pack cache: same result as a fresh load, never stale, never required."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import TODAY, copy_steps
from xrntx_guide.engine.evaluate import Inputs, evaluate
from xrntx_guide.expr.values import Scalar
from xrntx_guide.output.check import check_result
from xrntx_guide.pack import cache as packcache
from xrntx_guide.pack.load import load_guide


@pytest.fixture(autouse=True)
def _cache_in_home(_isolated_home: Path) -> Iterator[None]:
    """The cache in the folder the test's home names, as the command line sets it."""
    with packcache.using(packcache.cache_dir({"XRNTX_GUIDE_HOME": str(_isolated_home)})):
        yield


def _entries(home: Path) -> list[Path]:
    folder = home / "cache"
    return sorted(folder.glob("*.pickle")) if folder.is_dir() else []


ANSWERS: dict[str, Scalar] = {
    "visit": "first_injection",
    "last_opioid_kind": "short_acting",
    "last_opioid_use": TODAY - dt.timedelta(days=4),
    "injection_date": TODAY,
}


def test_a_cached_pack_gives_the_same_results_as_a_fresh_load(
    tmp_path: Path, _isolated_home: Path
) -> None:
    steps = copy_steps(tmp_path)
    fresh = load_guide(steps, use_cache=False)
    first = load_guide(steps)  # builds the entry
    assert len(_entries(_isolated_home)) == 1
    cached = load_guide(steps)  # reads it
    for guide in (first, cached):
        a = check_result(evaluate(fresh, Inputs(ANSWERS, TODAY)), explain=True)
        b = check_result(evaluate(guide, Inputs(ANSWERS, TODAY)), explain=True)
        assert a == b


def test_changing_a_step_file_never_uses_the_old_entry(
    tmp_path: Path, _isolated_home: Path
) -> None:
    steps = copy_steps(tmp_path)
    load_guide(steps)
    guide_toml = steps / "00-guide.toml"
    guide_toml.write_text(
        guide_toml.read_text(encoding="utf-8").replace('version = "1.0.0"', 'version = "9.9.9"'),
        encoding="utf-8",
    )
    assert load_guide(steps).meta.version == "9.9.9"
    assert len(_entries(_isolated_home)) == 2


def test_a_damaged_entry_is_rebuilt(tmp_path: Path, _isolated_home: Path) -> None:
    steps = copy_steps(tmp_path)
    load_guide(steps)
    (entry,) = _entries(_isolated_home)
    entry.write_bytes(b"not a pickle")
    assert load_guide(steps).meta.id == "xrntx_induction"
    assert entry.read_bytes() != b"not a pickle"


def test_an_entry_others_could_write_is_ignored(tmp_path: Path, _isolated_home: Path) -> None:
    steps = copy_steps(tmp_path)
    load_guide(steps)
    (entry,) = _entries(_isolated_home)
    entry.chmod(0o666)
    key = entry.stem
    assert packcache.read(key) is None


def test_the_cache_can_be_turned_off(tmp_path: Path, _isolated_home: Path) -> None:
    variables = {"XRNTX_GUIDE_HOME": str(_isolated_home), "XRNTX_GUIDE_NO_CACHE": "1"}
    with packcache.using(packcache.cache_dir(variables)):
        load_guide(copy_steps(tmp_path))
    assert _entries(_isolated_home) == []


def test_without_a_folder_set_there_is_no_cache(tmp_path: Path, _isolated_home: Path) -> None:
    with packcache.using(None):
        load_guide(copy_steps(tmp_path))
    assert _entries(_isolated_home) == []


def test_the_cache_folder_follows_the_variables_it_is_given(tmp_path: Path) -> None:
    assert packcache.cache_dir({"XDG_CACHE_HOME": "/x"}) == Path("/x/xrntx-guide")
    assert packcache.cache_dir({"HOME": "/h"}) == Path("/h/.cache/xrntx-guide")
    assert packcache.cache_dir({}) is None


def test_entries_are_private(tmp_path: Path, _isolated_home: Path) -> None:
    load_guide(copy_steps(tmp_path))
    (entry,) = _entries(_isolated_home)
    assert entry.stat().st_mode & 0o077 == 0
    assert entry.parent.stat().st_mode & 0o077 == 0


def test_a_broken_pack_is_reported_even_when_an_older_version_was_cached(
    tmp_path: Path,
) -> None:
    from xrntx_guide.errors import PackError

    steps = copy_steps(tmp_path)
    load_guide(steps)
    (steps / "99-broken.toml").write_text("[[step]\n", encoding="utf-8")
    with pytest.raises(PackError, match=r"99-broken\.toml"):
        load_guide(steps)
