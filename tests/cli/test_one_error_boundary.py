"""Every command runs behind the one error boundary: a user error is a message and its
exit code, and anything else is an internal error (exit 70) without a traceback."""

from __future__ import annotations

import pytest

from tests.helpers import Run
from xrntx_guide.errors import ExitCode


def test_every_command_is_behind_the_one_error_boundary() -> None:
    """A new command registered without the boundary would show a traceback for a user
    error; `command()` is the only way the app registers one."""
    from xrntx_guide.cli.app import app

    assert app.registered_commands
    for info in app.registered_commands:
        assert getattr(info.callback, "guarded", False), info.callback


def test_an_internal_error_exits_with_the_documented_code(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    import xrntx_guide.cli.commands.pack as pack_commands

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(pack_commands, "guide_of", broken)
    result = run("gates", "--json")
    assert result.exit_code == ExitCode.INTERNAL, result.output
    assert int(ExitCode.INTERNAL) == 70
    assert "internal error" in result.stderr and "Traceback" not in result.stderr
