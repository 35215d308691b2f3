"""Conventions users expect: deleting asks first, "did you mean" for
mistyped names, and --explain says what it needs."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import TODAY, Result, stored_sessions
from xrntx_guide.env import Environment

Run = Callable[..., Result]


def saved_session(run: Run, home: Path) -> Any:
    run("walk", "--no-input", "--label", "jd-01", "-a", "visit=first_injection")
    (path,) = stored_sessions()
    return path


def test_delete_off_a_terminal_refuses_without_yes_and_deletes_nothing(
    run: Run, _isolated_home: Path
) -> None:
    path = saved_session(run, _isolated_home)
    result = run("sessions", "--delete", "jd-01")
    assert result.exit_code == 2, result.output
    assert "--yes" in result.stderr and path.exists(), result.output


def test_delete_with_yes_deletes_without_asking(run: Run, _isolated_home: Path) -> None:
    path = saved_session(run, _isolated_home)
    result = run("sessions", "--delete", "jd-01", "--yes")
    assert result.exit_code == 0 and not path.exists(), result.output


def test_a_session_named_twice_is_deleted_once(run: Run, _isolated_home: Path) -> None:
    """By its label and by its id: one session, one deletion, and a clean exit."""
    path = saved_session(run, _isolated_home)
    result = run("sessions", "--delete", "jd-01", "--delete", str(path), "--yes")
    assert result.exit_code == 0 and not path.exists(), result.output
    assert result.output.count("deleted session") == 1, result.output


@pytest.mark.parametrize(("reply", "deleted"), [("y\n", True), ("n\n", False), ("", False)])
def test_delete_at_a_terminal_asks_first(
    run: Run, _isolated_home: Path, at_a_terminal: Any, reply: str, deleted: bool
) -> None:
    path = saved_session(run, _isolated_home)
    result = run("sessions", "--delete", "jd-01", input=reply)
    assert result.exit_code == 0, result.output
    assert str(path) in result.stdout, result.output
    assert path.exists() is not deleted, result.output


def test_a_mistyped_delete_reference_deletes_and_asks_nothing(
    run: Run, _isolated_home: Path, at_a_terminal: Any
) -> None:
    path = saved_session(run, _isolated_home)
    result = run("sessions", "--delete", "nobody", input="y\n")
    assert result.exit_code == 2 and path.exists(), result.output
    assert "Delete?" not in result.stdout, result.output


@pytest.mark.parametrize(
    ("args", "suggestion"),
    [
        (("schema", "answer"), "'answers'"),
        (("export", "--format", "htm"), "'html'"),
        (("walk", "--no-input", "--acknowledge", "fentanly"), "'fentanyl'"),
    ],
)
def test_a_mistyped_name_gets_a_did_you_mean(
    run: Run, args: tuple[str, ...], suggestion: str
) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert f"did you mean {suggestion}?" in result.stderr, result.output


def test_note_format_gets_a_did_you_mean(run: Run, _isolated_home: Path) -> None:
    saved_session(run, _isolated_home)
    result = run("note", "jd-01", "--format", "markdwn")
    assert result.exit_code == 2 and "did you mean 'markdown'?" in result.stderr, result.output


def test_explain_without_json_is_refused_clearly(run: Run) -> None:
    result = run("check", "--explain", "--today", TODAY.isoformat(), "-a", "visit=first_injection")
    assert result.exit_code == 2, result.output
    assert "--explain" in result.stderr and "--json" in result.stderr, result.output
    assert result.stdout == "", result.output


# -- --plain, --site and --steps on every command (item 26) ----------------------------------


def _commands() -> dict[str, Any]:
    import typer.main

    from xrntx_guide.cli.app import app

    group = typer.main.get_command(app)
    commands: dict[str, Any] = getattr(group, "commands", {})
    return commands


def _options(name: str) -> set[str]:
    return {opt for param in _commands()[name].params for opt in param.opts}


# `sessions` lists and deletes session records: it never reads the step pack.
NO_PACK = {"sessions"}


@pytest.mark.parametrize("name", sorted(_commands()))
def test_every_command_takes_plain_and_every_command_that_reads_the_pack_steps_and_site(
    name: str,
) -> None:
    options = _options(name)
    assert "--plain" in options, name
    if name not in NO_PACK:
        assert {"--steps", "--site"} <= options, name


# -- XRNTX_GUIDE_SITE and XRNTX_GUIDE_STEPS as defaults (item 26) ------------------------------

SITE = Path(__file__).resolve().parents[2] / "scenarios" / "_site-strict-methadone.toml"

# How to run each command that reads the pack, so that it gets as far as reading it.
RUNS: dict[str, tuple[str, ...]] = {
    "walk": ("walk", "--no-input", "-a", "visit=first_injection"),
    "check": ("check", "--json"),
    "validate": ("validate",),
    "questions": ("questions",),
    "gates": ("gates",),
    "schema": ("schema", "answers"),
    "history": ("history", "jd-01"),
    "scenarios": ("scenarios",),
    "export": ("export",),
    "demo": ("demo", "01-ready-after-heroin", "--auto", "0"),
    "note": ("note", "jd-01"),
    "card": ("card", "jd-01"),
}


def test_every_command_that_reads_the_pack_is_run_below() -> None:
    assert set(RUNS) == set(_commands()) - NO_PACK


@pytest.mark.parametrize("name", sorted(RUNS))
def test_a_missing_steps_folder_named_by_the_variable_is_an_error_naming_it(
    run: Run, _isolated_home: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    saved_session(run, _isolated_home)
    monkeypatch.setenv("XRNTX_GUIDE_STEPS", "/no/such/pack")
    result = run(*RUNS[name])
    assert result.exit_code == 2, result.output
    assert "XRNTX_GUIDE_STEPS=/no/such/pack: does not exist" in result.stderr, result.output


@pytest.mark.parametrize("name", sorted(set(RUNS) - {"note", "card"}))
def test_a_missing_site_file_named_by_the_variable_is_an_error_naming_it(
    run: Run, _isolated_home: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    saved_session(run, _isolated_home)
    monkeypatch.setenv("XRNTX_GUIDE_SITE", "/no/such/site.toml")
    result = run(*RUNS[name])
    assert result.exit_code == 2, result.output
    assert "XRNTX_GUIDE_SITE=/no/such/site.toml: does not exist" in result.stderr, result.output


def test_the_site_variable_is_the_default_for_site(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    monkeypatch.setenv("XRNTX_GUIDE_SITE", str(SITE))
    result = run("check", "--json", "--today", TODAY.isoformat(), "-a", "visit=first_injection")
    assert json.loads(result.stdout)["guide"]["site"] is not None, result.output


def test_an_explicit_site_or_steps_wins_over_the_variables(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.helpers import STEPS

    monkeypatch.setenv("XRNTX_GUIDE_SITE", "/no/such/site.toml")
    monkeypatch.setenv("XRNTX_GUIDE_STEPS", "/no/such/pack")
    result = run("gates", "--json", "--site", str(SITE), "--steps", str(STEPS))
    assert result.exit_code == 0, result.output


def test_a_site_variable_naming_a_folder_is_refused_by_name(
    run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XRNTX_GUIDE_SITE", str(tmp_path))
    result = run("gates")
    assert result.exit_code == 2, result.output
    assert f"XRNTX_GUIDE_SITE={tmp_path}: is a folder" in result.stderr, result.output


def test_a_note_and_a_resume_use_the_sessions_own_settings_not_the_site_variable(
    run: Run, _isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved_session(run, _isolated_home)
    monkeypatch.setenv("XRNTX_GUIDE_SITE", "/no/such/site.toml")
    assert run("note", "jd-01").exit_code == 0
    resumed = run("walk", "--resume", "--label", "jd-01", "--no-input")
    assert "XRNTX_GUIDE_SITE" not in resumed.stderr and resumed.exit_code == 4, resumed.output


@pytest.mark.parametrize("name", ["walk", "check", "gates"])
def test_help_shows_the_variables_behind_site_and_steps(run: Run, name: str) -> None:
    result = run(name, "--help")
    assert "XRNTX_GUIDE_SITE" in result.stdout and "XRNTX_GUIDE_STEPS" in result.stdout


# -- "did you mean" for labels (item 26) -------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("walk", "--resume", "--label", "jd-1", "--no-input"),
        ("note", "jd-1"),
        ("history", "jd-1"),
        ("sessions", "--delete", "jd-1", "--yes"),
    ],
    ids=lambda a: a[0],
)
def test_a_mistyped_label_gets_a_did_you_mean(
    run: Run, _isolated_home: Path, args: tuple[str, ...]
) -> None:
    path = saved_session(run, _isolated_home)
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "did you mean 'jd-01'?" in result.stderr, result.output
    assert path.exists(), result.output


def test_a_label_nothing_is_near_gets_no_suggestion(run: Run, _isolated_home: Path) -> None:
    saved_session(run, _isolated_home)
    result = run("note", "zzzzzzzz")
    assert result.exit_code == 2 and "did you mean" not in result.stderr, result.output


# -- --answers - reads standard input (item 26) ------------------------------------------------


def test_check_reads_the_answers_from_stdin(run: Run) -> None:
    import json

    from tests.helpers import ready_patient

    answers = json.dumps(ready_patient(), default=str)
    result = run("check", "--json", "--today", TODAY.isoformat(), "--answers", "-", input=answers)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == "ready", result.output


def test_a_flag_beats_the_answers_from_stdin(run: Run) -> None:
    import json

    stdin = json.dumps({"visit": "first_injection", "age": 34})
    args = ("check", "--json", "--today", TODAY.isoformat(), "--answers", "-", "-a", "age=12")
    result = run(*args, input=stdin)
    assert json.loads(result.stdout)["blocking"] == ["age"], result.output


def test_walk_without_input_reads_the_answers_from_stdin(run: Run, tmp_path: Path) -> None:
    import json

    result = run(
        "walk",
        "--no-input",
        "--answers",
        "-",
        input=json.dumps({"visit": "first_injection", "age": 34}),
    )
    session = stored_sessions()[-1]
    assert result.exit_code == 4, result.output
    record = json.loads(session.read_text(encoding="utf-8"))
    assert record["answers"]["age"]["origin"] == "file", result.output


@pytest.mark.parametrize(
    ("stdin", "words"),
    [
        ("{not json", "not valid JSON: line 1 column 2"),
        ("[1, 2]", "must hold one object"),
        ("", "not valid JSON"),
    ],
)
@pytest.mark.parametrize("command", [("check", "--json"), ("walk", "--no-input")])
def test_bad_json_on_stdin_is_an_error_naming_stdin(
    run: Run, stdin: str, words: str, command: tuple[str, ...]
) -> None:
    result = run(*command, "--answers", "-", input=stdin)
    assert result.exit_code == 2, result.output
    assert "stdin" in result.stderr and words in result.stderr, result.output


def test_an_interactive_walk_refuses_answers_from_stdin(run: Run, at_a_terminal: Any) -> None:
    result = run("walk", "--answers", "-", "--label", "x", input="{}")
    assert result.exit_code == 2 and "--no-input" in result.stderr, result.output


def test_batch_and_answers_cannot_both_read_stdin(run: Run) -> None:
    result = run("check", "--batch", "-", "--answers", "-", input="{}\n")
    assert result.exit_code == 2 and "standard input" in result.stderr, result.output


# -- walk --json and walk --no-save (item 26) --------------------------------------------------


def _sessions(home: Path) -> list[str]:
    return [str(s) for s in stored_sessions()]


def _ready_args(**changes: object) -> list[str]:
    from tests.helpers import after_injection

    args = ["--today", TODAY.isoformat()]
    for key, value in (after_injection() | changes).items():
        text = {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value
        args += ["-a", f"{key}={text}"]
    return args


def test_walk_json_gives_the_outcome_of_a_finished_walk_as_one_object(
    run: Run, _isolated_home: Path
) -> None:
    import json

    result = run("walk", "--no-input", "--json", "--label", "jd-01", *_ready_args())
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    (path,) = _sessions(_isolated_home)
    assert data["status"] == "complete" and data["session"] == str(path), result.output
    assert data["blocking"] == [] and data["missing"] == [], result.output
    assert data["missing_until"] is None, result.output
    assert data["next_dose_due"] is not None and data["exit_code"] == 0, result.output
    assert set(data) == {
        "format_version", "status", "session", "label", "today", "stopped_at", "blocking",
        "missing", "missing_until", "next_dose_due", "side_against_advice", "exit_code",
    }  # fmt: skip
    assert data["side_against_advice"] is None, result.output  # a first injection: either side


def test_walk_json_names_the_gate_that_blocks(run: Run) -> None:
    import json

    from tests.helpers import days_ago

    args = _ready_args(last_opioid_use=days_ago(3).isoformat())
    result = run("walk", "--no-input", "--json", *args)
    data = json.loads(result.stdout)
    assert result.exit_code == 1 and data["exit_code"] == 1, result.output
    assert data["status"] == "blocked", result.output
    assert data["stopped_at"] == "opioid_free_interval", result.output
    assert "opioid_free_interval" in data["blocking"], result.output


def test_walk_json_lists_what_is_missing(run: Run) -> None:
    import json

    result = run("walk", "--no-input", "--json", "-a", "visit=first_injection")
    data = json.loads(result.stdout)
    assert result.exit_code == 4 and data["status"] == "incomplete", result.output
    assert "last_opioid_use" in data["missing"], result.output


def test_walk_json_writes_nothing_but_the_object_on_stdout(run: Run, _isolated_home: Path) -> None:
    import json

    run("walk", "--no-input", "--label", "jd-01", "-a", "visit=first_injection")
    # A second visit of the label shows the history: on stderr in --json mode.
    result = run("walk", "--no-input", "--json", "--label", "jd-01", *_ready_args())
    assert len(result.stdout.splitlines()) == 1, result.output
    json.loads(result.stdout)


def test_walk_json_at_a_terminal_needs_no_input(run: Run, at_a_terminal: Any) -> None:
    result = run("walk", "--json", "--label", "x")
    assert result.exit_code == 2 and "--no-input" in result.stderr, result.output


def test_a_usage_error_of_walk_json_is_json_on_stderr(run: Run) -> None:
    import json

    result = run("walk", "--no-input", "--json", "-a", "age=abc")
    assert result.exit_code == 2 and result.stdout == "", result.output
    assert json.loads(result.stderr)["code"] == "invalid_answer", result.output


@pytest.mark.parametrize("json_out", [False, True])
def test_no_save_never_writes_a_session_without_input(
    run: Run, _isolated_home: Path, json_out: bool
) -> None:
    import json

    args = ["walk", "--no-input", "--no-save", "--label", "jd-01", *_ready_args()]
    result = run(*args, *(["--json"] if json_out else []))
    assert result.exit_code == 0, result.output
    assert _sessions(_isolated_home) == [], result.output
    if json_out:
        assert json.loads(result.stdout)["session"] is None, result.output
        assert "DRY RUN" in result.stderr, result.output
    else:
        assert "DRY RUN (--no-save)" in result.stdout, result.output
        assert "nothing was saved" in result.stdout, result.output


def test_no_save_with_answers_missing_says_nothing_was_saved(
    run: Run, _isolated_home: Path
) -> None:
    result = run("walk", "--no-input", "--no-save", "-a", "visit=first_injection")
    assert result.exit_code == 4 and _sessions(_isolated_home) == [], result.output
    assert "nothing was saved" in result.stderr, result.output


def test_no_save_never_writes_a_session_interactively(
    run: Run, _isolated_home: Path, at_a_terminal: Any
) -> None:
    result = run(
        "walk", "--no-save", "--label", "jd-01", "--today", TODAY.isoformat(),
        input="\n1\n\nquit\n",
    )  # fmt: skip
    assert _sessions(_isolated_home) == [], result.output
    assert "DRY RUN (--no-save)" in result.stdout, result.output
    assert "nothing was saved" in result.stdout, result.output
    assert "Resume with" not in result.stdout, result.output


def test_no_save_resumes_a_session_without_changing_it(run: Run, _isolated_home: Path) -> None:
    path = saved_session(run, _isolated_home)
    before = path.read_text()
    result = run(
        "walk", "--resume", "--label", "jd-01", "--no-input", "--no-save", "-a", "age=40"
    )  # fmt: skip
    assert result.exit_code == 4, result.output
    assert path.read_text() == before, result.output


# -- --help: examples, exit codes, environment variables; shell completion (item 26) -----------


def _help(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    from xrntx_guide.cli.app import main

    assert main([*args, "--help"]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("command", ["", "walk", "check", "sessions", "note", "history"])
def test_help_gives_examples_every_exit_code_and_every_variable(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    from xrntx_guide.cli.helptext import exit_code_meanings
    from xrntx_guide.env import VARIABLES
    from xrntx_guide.errors import ExitCode

    text = _help(capsys, *([command] if command else []))
    assert "Examples:" in text
    meanings = exit_code_meanings()
    for code in ExitCode:
        assert f"{int(code):<5} {meanings[code]}" in text, code
    for name in VARIABLES:
        assert name in text, name
    assert max(len(line) for line in text.splitlines()) <= 80


def test_the_exit_codes_in_help_are_the_docstrings_of_exit_code() -> None:
    from xrntx_guide.cli.helptext import exit_code_meanings
    from xrntx_guide.errors import ExitCode

    meanings = exit_code_meanings()
    assert set(meanings) == set(ExitCode)
    assert (
        meanings[ExitCode.BLOCKED]
        == "A gate blocks the injection, or a stop gate needs an override"
    )
    assert meanings[ExitCode.INCOMPLETE].startswith("Answers are missing")


def _program(*args: str, **env: str) -> Any:
    import os
    import subprocess

    return subprocess.run(
        [sys.executable, "-m", "xrntx_guide", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("words", "cword", "expect"),
    [("xrntx-guide ch", "1", "check"), ("xrntx-guide check --ex", "2", "--explain")],
)
def test_the_shell_completes_commands_and_options(words: str, cword: str, expect: str) -> None:
    done = _program(_XRNTX_GUIDE_COMPLETE="complete_bash", COMP_WORDS=words, COMP_CWORD=cword)
    assert done.returncode == 0, done.stderr
    assert expect in done.stdout.split(), done.stdout


def test_show_completion_prints_the_script_for_a_shell() -> None:
    done = _program("--show-completion", "bash", _TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION="1")
    assert done.returncode == 0, done.stderr
    assert "_XRNTX_GUIDE_COMPLETE=complete_bash" in done.stdout, done.stdout


def test_install_completion_installs_it_for_a_shell(tmp_path: Path) -> None:
    done = _program(
        "--install-completion",
        "bash",
        HOME=str(tmp_path),
        _TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION="1",
    )
    assert done.returncode == 0, done.stderr
    assert "xrntx-guide" in (tmp_path / ".bashrc").read_text(encoding="utf-8")


def test_the_resume_command_printed_works_without_the_venv_on_the_path(tmp_path: Path) -> None:
    """The README's quick start runs `.venv/bin/xrntx-guide` without activating the venv:
    the resume command the walk prints must then name that path, or it fails as typed."""
    import subprocess
    import sys

    exe = Path(sys.executable).with_name("xrntx-guide")
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "XRNTX_GUIDE_HOME": str(tmp_path)}
    code = (
        "import sys\n"
        "from xrntx_guide.cli.commands.common import program_name\n"
        "from xrntx_guide.env import Environment\n"
        f"sys.argv[0] = {str(exe)!r}\n"
        "env = Environment.of(sys.stdin, sys.stdout, sys.stderr)\n"
        "print(program_name(env))\n"
    )
    run_it = [sys.executable, "-c", code]
    hidden = subprocess.run(run_it, env=env, capture_output=True, text=True, check=False)
    assert hidden.stdout.strip() == str(exe.resolve()), hidden.stderr
    on_path = {**env, "PATH": f"{exe.parent}:/usr/bin:/bin"}
    shown = subprocess.run(
        [sys.executable, "-c", code], env=on_path, capture_output=True, text=True
    )
    assert shown.stdout.strip() == "xrntx-guide", shown.stderr


def test_a_run_builds_only_the_command_it_runs() -> None:
    """typer reads every registered command's signature on each run; a run needs one
    (start-up, README: Benchmarks). Help, an unknown command and completion get them all,
    so that they can be listed and suggested."""
    import sys

    from xrntx_guide.cli import app as cli

    env = Environment.of(sys.stdin, sys.stdout, sys.stderr, vars={})
    solo = cli._app_for(["check", "--json"], env)
    names = [getattr(i.callback, "__name__", None) for i in solo.registered_commands]
    assert names == ["check"]
    for args in (["--help"], ["check", "-h"], ["chek"], ["--plain"]):
        assert cli._app_for(args, env) is cli.app, args
    completing = Environment.of(
        sys.stdin, sys.stdout, sys.stderr, vars={"_XRNTX_GUIDE_COMPLETE": "complete_bash"}
    )
    assert cli._app_for(["check"], completing) is cli.app
