"""Ctrl-C that a library catches and turns into an error of its own (pydantic building a
schema at start-up raises SchemaError with no link to the interrupt) ends the run as
interrupted (exit 130), never as an internal error (exit 70)."""

from __future__ import annotations

import pytest

from xrntx_guide import cli
from xrntx_guide.cli.boundary import Failed, boundary
from xrntx_guide.errors import ExitCode


class LibraryError(Exception):
    """An error a library raises in place of the interrupt it caught."""


def test_an_error_after_ctrl_c_ends_as_interrupted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "_ctrl_c", [True])
    with pytest.raises(Failed) as ended, boundary(as_json=False, debug=lambda: False):
        raise LibraryError("schema could not be built")
    assert ended.value.code == ExitCode.INTERRUPTED


def test_the_same_error_without_ctrl_c_is_still_a_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "_ctrl_c", [])
    with pytest.raises(Failed) as ended, boundary(as_json=False, debug=lambda: False):
        raise LibraryError("schema could not be built")
    assert ended.value.code == ExitCode.INTERNAL


def test_the_handler_raises_the_interrupt_and_remembers_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cli, "_ctrl_c", [])
    with pytest.raises(KeyboardInterrupt):
        cli._on_ctrl_c(2, None)
    assert cli.ctrl_c_seen()
