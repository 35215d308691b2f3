"""With `--json` (and `--batch`) the error a command stops with is one line of JSON on
stderr, command-line errors included (docs/scripting.md, "Errors in --json mode")."""

from __future__ import annotations

import pytest

from tests.helpers import Run, main_run, one_json_object
from xrntx_guide.errors import ExitCode


@pytest.mark.parametrize(
    ("args", "code", "key"),
    [
        (["check", "--json", "--answer", "age=abc"], "invalid_answer", "age"),
        (["check", "--json", "--answer", "agee=34"], "unknown_key", "agee"),
        (["check", "--json", "--override", "nosuch=clinical_judgement: x"], "usage", None),
        (["check", "--batch", "-", "--override", "nosuch=clinical_judgement: x"], "usage", None),
        (["sessions", "--json", "--delete", "nobody"], "session", None),
    ],
)
def test_in_json_mode_an_error_is_one_json_object_on_stderr(
    run: Run, args: list[str], code: str, key: str | None
) -> None:
    from xrntx_guide.output.schemas import UsageErrorOut

    result = run(*args, input="")
    assert result.exit_code == ExitCode.USAGE, result.output
    assert result.stdout == ""
    error = UsageErrorOut.model_validate(one_json_object(result.stderr))
    assert (error.code, error.key, error.exit_code) == (code, key, ExitCode.USAGE)


def test_in_json_mode_a_command_line_error_is_json_too(capsys: pytest.CaptureFixture[str]) -> None:
    from xrntx_guide.output.schemas import UsageErrorOut

    code, out, err = main_run(capsys, "check", "--json", "--no-such-option")
    assert code == ExitCode.USAGE and out == ""
    error = UsageErrorOut.model_validate(one_json_object(err))
    assert error.code == "usage" and "--no-such-option" in error.message
