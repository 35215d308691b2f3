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
    has it come back a moment later instead (an alarm it handles as the same Ctrl-C), to
    be raised outside the callback; anywhere else it raises at once."""
    import signal

    handlers: list[tuple[int, object]] = []
    alarms: list[float] = []
    monkeypatch.setattr(signal, "signal", lambda sig, handler: handlers.append((sig, handler)))
    monkeypatch.setattr(signal, "setitimer", lambda which, seconds: alarms.append(seconds))
    monkeypatch.setattr(cli, "_ctrl_c", [])  # the run's memory of Ctrl-C, not this test's
    in_callback = types.SimpleNamespace(
        f_code=types.SimpleNamespace(co_filename="<frozen importlib._bootstrap>", co_name="cb")
    )
    cli._on_ctrl_c(signal.SIGINT, in_callback)
    assert handlers == [(signal.SIGALRM, cli._on_ctrl_c)] and alarms == [cli.AGAIN_AFTER]
    assert cli._ctrl_c == []  # not raised, not yet seen: it comes back
    elsewhere = types.SimpleNamespace(
        f_code=types.SimpleNamespace(
            co_filename="<frozen importlib._bootstrap>", co_name="_find_and_load"
        )
    )
    with pytest.raises(KeyboardInterrupt):
        cli._on_ctrl_c(signal.SIGINT, elsewhere)


def _frames(*files: str) -> object:
    """A chain of stand-in frames, the innermost first, in these source files."""
    outer = None
    for name in reversed(files):
        outer = types.SimpleNamespace(f_code=types.SimpleNamespace(co_filename=name), f_back=outer)
    return outer


RE = "/usr/lib/python3.11/re/_compiler.py"
PYDANTIC = "/venv/lib/python3.11/site-packages/pydantic/_internal/_generate_schema.py"


def test_ctrl_c_in_a_pattern_pydantic_compiles_is_sent_again() -> None:
    """Ctrl-C that lands in ``re`` while pydantic's core compiles a field's pattern at
    start-up cannot be raised there (Python prints "Exception ignored" and goes on): it
    is sent again, to be raised outside."""
    assert cli._in_a_pattern_pydantic_builds(
        _frames(RE, "/usr/lib/python3.11/re/__init__.py", PYDANTIC)
    )


def test_ctrl_c_in_what_re_calls_for_pydantic_is_sent_again() -> None:
    """Ctrl-C that lands in code ``re`` calls while it compiles pydantic's pattern (its
    flags are an enum's value, read in ``enum.py``) is inside that compilation all the
    same: raised there, Python would print it as ignored and the walk would go on."""
    assert cli._in_a_pattern_pydantic_builds(
        _frames("/usr/lib/python3.11/enum.py", "/usr/lib/python3.11/re/__init__.py", PYDANTIC)
    )


@pytest.mark.parametrize(
    "files",
    [
        (RE, "/src/xrntx_guide/visit/clock.py"),
        ("/usr/lib/python3.11/enum.py", RE, "/src/xrntx_guide/visit/clock.py"),
        (PYDANTIC, RE),
        ("/src/xrntx_guide/cli/app.py",),
        ("/usr/lib/python3.11/enum.py", PYDANTIC),
    ],
    ids=[
        "re-for-the-program",
        "what-re-calls-for-the-program",
        "pydantic-itself",
        "the-program",
        "no-re-at-all",
    ],
)
def test_ctrl_c_anywhere_else_is_raised_where_it_lands(files: tuple[str, ...]) -> None:
    assert not cli._in_a_pattern_pydantic_builds(_frames(*files))
