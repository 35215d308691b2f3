"""Ctrl-C while a class is being created at start-up reaches the program wrapped (Python
3.11 raises ``RuntimeError: Error calling __set_name__ ...`` from the KeyboardInterrupt):
it is still an interrupt, said as such with its exit code, never a traceback."""

from __future__ import annotations

import sys
import types

import pytest

from xrntx_guide import cli
from xrntx_guide.errors import ExitCode


def _wrapped_interrupt() -> int:
    try:
        raise KeyboardInterrupt
    except KeyboardInterrupt as exc:
        raise RuntimeError("Error calling __set_name__ on 'Field' instance") from exc


def _a_bug() -> int:
    raise RuntimeError("a bug, not an interrupt")


def test_an_interrupt_wrapped_in_another_error_is_an_interrupt(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    app = types.ModuleType("xrntx_guide.cli.app")
    app.main = _wrapped_interrupt  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "xrntx_guide.cli.app", app)
    monkeypatch.setattr(cli, "app", app, raising=False)

    with pytest.raises(SystemExit) as ended:
        cli.main()

    assert ended.value.code == ExitCode.INTERRUPTED
    assert "interrupted" in capsys.readouterr().err


def test_another_error_at_start_up_is_not_taken_for_an_interrupt(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = types.ModuleType("xrntx_guide.cli.app")
    app.main = _a_bug  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "xrntx_guide.cli.app", app)
    monkeypatch.setattr(cli, "app", app, raising=False)

    with pytest.raises(RuntimeError, match="a bug"):
        cli.main()


def test_ctrl_c_in_an_import_lock_callback_is_sent_again_not_printed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ctrl-C landing in the import machinery's lock callback cannot be raised there
    (Python prints it as an ignored exception with a traceback and goes on): the handler
    sends it again instead, to be raised just after; anywhere else it raises at once."""
    import os
    import signal

    sent: list[tuple[int, int]] = []
    monkeypatch.setattr(os, "kill", lambda pid, sig: sent.append((pid, sig)))
    monkeypatch.setattr(cli, "_ctrl_c", [])  # the run's memory of Ctrl-C, not this test's
    in_callback = types.SimpleNamespace(
        f_code=types.SimpleNamespace(co_filename="<frozen importlib._bootstrap>", co_name="cb")
    )
    cli._on_ctrl_c(signal.SIGINT, in_callback)
    assert sent == [(os.getpid(), signal.SIGINT)]
    elsewhere = types.SimpleNamespace(
        f_code=types.SimpleNamespace(
            co_filename="<frozen importlib._bootstrap>", co_name="_find_and_load"
        )
    )
    with pytest.raises(KeyboardInterrupt):
        cli._on_ctrl_c(signal.SIGINT, elsewhere)
