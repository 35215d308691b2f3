"""An option that takes one value, given twice, would keep the last one without a word
(click's way): a clinic's alias with its --site overridden by a second --site, the first
of two --answers files dropped (its blocking answer with it), a label or a date replaced.
Each is refused (exit 2, naming the option), on every command, before or after the
command's name; so is one answer key given twice with two values. Options that may be
repeated (-a with other keys, --override) and a flag given twice are taken."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import REPO, json_answers, json_file, main_run, ready_patient
from xrntx_guide.errors import ExitCode

DAY = ["--now", "2026-11-24T23:30"]


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--json", *DAY, "--answers", "{a}", "--answers", "{b}"],
        ["check", "--json", *DAY, "--answers={a}", "--answers={b}"],
        ["--site", "{site}", "check", "--json", *DAY, "--site", "{site}"],
        ["check", "--json", "--today", "2026-11-24", "--today=2026-11-25"],
        ["walk", "--no-input", "--json", *DAY, "--label", "A", "--label", "B"],
        ["--label", "A", "--no-input", *DAY, "--label", "B"],  # the walk, by default
        ["sessions", "--json", "--page", "1", "--page", "2"],
        ["export", "{scenario}", "-o", "{a}", "-o{b}"],  # a short option, its value attached
        ["--version", "--site", "{site}", "--site", "{site}"],
    ],
    ids=[
        "answers",
        "answers=",
        "site-twice",
        "today",
        "label",
        "default-walk",
        "sessions",
        "short-attached",
        "version",
    ],
)
def test_an_option_of_one_value_given_twice_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str]
) -> None:
    blocked = json_file(tmp_path, "a.json", {"opioid_analgesics": True})
    ready = json_file(tmp_path, "b.json", json_answers(ready_patient()))
    site = tmp_path / "site.toml"
    site.write_text("", encoding="utf-8")
    scenario = sorted((REPO / "scenarios").glob("0*.toml"))[0]
    filled = [a.format(a=blocked, b=ready, site=site, scenario=scenario) for a in args]
    code, out, err = main_run(capsys, *filled)
    assert code == ExitCode.USAGE, (out, err)
    assert "given twice: give it once" in err, err
    assert '"status": "ready"' not in out


def test_the_same_answer_key_with_two_values_is_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """-a opioid_analgesics=yes then =no (a wrapper adding its defaults after the
    clinician's flags): refused, naming both values, never ready on the last."""
    answers = ready_patient(opioid_analgesics=None)
    flags = [x for k, v in json_answers(answers).items() for x in ("-a", f"{k}={v}")]
    twice = ["-a", "opioid_analgesics=yes", "-a", "opioid_analgesics=no"]
    code, out, err = main_run(capsys, "check", "--json", *DAY, *flags, *twice)
    assert code == ExitCode.USAGE, (out, err)
    message = json.loads(err)["message"]
    assert "opioid_analgesics is given twice" in message and "'yes'" in message, message


def test_repeatable_options_and_a_flag_twice_are_taken(capsys: pytest.CaptureFixture[str]) -> None:
    """The same key with the same value, other keys, and --json twice: one check."""
    answers = json_answers(ready_patient())
    flags = [x for k, v in answers.items() for x in ("-a", f"{k}={v}")]
    code, out, err = main_run(capsys, "check", "--json", "--json", *DAY, *flags,
                              "-a", f"age={answers['age']}")  # fmt: skip
    assert code == ExitCode.OK, (out, err)
    assert json.loads(out)["status"] == "ready", out


def test_help_is_shown_whatever_else_is_given_twice(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = main_run(capsys, "walk", "--label", "A", "--label", "B", "--help")
    assert code == ExitCode.OK and "Usage" in out, out


@pytest.mark.parametrize(
    "twice",
    [
        [
            "--override",
            "age=specialist_consulted: one",
            "--override",
            "age=clinical_judgement: two",
        ],
        [
            "--correct",
            "cows_total@2026-11-24T08:30=first",
            "--correct",
            "cows_total@2026-11-24T10:00=second",
            "-a",
            "cows_total=3",
        ],
    ],
    ids=["override", "correct"],
)
def test_a_repeatable_option_naming_one_thing_twice_is_refused(
    capsys: pytest.CaptureFixture[str], twice: list[str]
) -> None:
    """An override of one gate with two reasons, or two corrections for one result: one
    would be dropped without a word (the override binds one code and comment)."""
    code, out, err = main_run(capsys, "walk", "--no-input", "--json", *DAY, "-a", "age=16", *twice)
    assert code == ExitCode.USAGE, (out, err)
    assert "is given twice" in err, err
