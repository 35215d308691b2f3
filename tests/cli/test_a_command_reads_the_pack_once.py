"""A command reads the step pack once: naming a label's visits (a new walk names the
latest, which may have ended the treatment; note and card name the others) reads the
pack the command itself uses, never a second copy of it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.helpers import Run, days_ago
from tests.test_routes_new_in_the_store_and_screens import (
    care_visit_then_an_end_of_treatment,
    said_of,
)
from xrntx_guide.cli.commands import basics
from xrntx_guide.errors import ExitCode
from xrntx_guide.pack.load import load_guide


def counting(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every load of a pack from now on, in this process."""
    loads: list[Any] = []
    real: Callable[..., Any] = load_guide

    def load(*args: Any, **kwargs: Any) -> Any:
        loads.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(basics, "load_guide", load)  # what guide_of reads
    return loads


def test_a_new_walk_after_an_ended_treatment_reads_the_pack_once(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    ended = care_visit_then_an_end_of_treatment(run, "pat")
    loads = counting(monkeypatch)

    result = run("walk", "--no-input", "--label", "pat", "--today", days_ago(7).isoformat())

    assert result.exit_code == ExitCode.INCOMPLETE, result.output
    said = " ".join(result.output.split())
    assert "treatment ended" in said_of(said[said.index("the latest:") :], ended)
    assert len(loads) == 1, loads


def test_the_note_of_a_label_with_an_ended_visit_reads_the_pack_once(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    ended = care_visit_then_an_end_of_treatment(run, "pat")
    later = run("walk", "--no-input", "--label", "pat", "--today", days_ago(7).isoformat())
    assert later.exit_code == ExitCode.INCOMPLETE, later.output
    loads = counting(monkeypatch)

    result = run("note", "pat", "--format", "json")

    assert "treatment ended" in said_of(" ".join(result.stderr.split()), ended), result.output
    assert len(loads) == 1, (loads, result.output)
