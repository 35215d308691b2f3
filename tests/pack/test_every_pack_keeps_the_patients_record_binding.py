"""A pack is data from an author who may be careless or hostile, and the safety invariants
hold for every pack (clinical basis, section 4.4). What the patient's record is read by
(the dose's answer, the repeat visit and the last injection's date), the results that
count only for their day, and the visit's date never after today are the program's
conditions on a pack: a copy of the shipped pack that drops one is refused by `validate`
and by every command, naming the place. Before, each of these copies validated, and then
counted a second dose three days after the first, read a COWS rating of four days before
as today's, took today's screens for a date two weeks away, asked for the dose before a
gate guarding a later step was clear, or left a gate out in silence (a step file that was
a link to nothing)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.helpers import TODAY, Run, after_injection, answer_flags, copy_steps, flat, ready_patient
from xrntx_guide.errors import ExitCode


def edited(root: Path, name: str, old: str, new: str) -> Path:
    """A copy of the shipped pack with ``old`` (which must be there once) replaced in one
    file; the folder."""
    steps = copy_steps(root)
    path = steps / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"test setup: {old!r} is not once in {name}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return steps


def refused(run: Run, steps: Path, *said: str) -> str:
    out = run("validate", "--steps", str(steps))
    assert out.exit_code == ExitCode.INVALID_PACK, out.output
    text = flat(out.stderr)
    for words in said:
        assert words in text, text
    return text


def test_a_pack_that_does_not_name_the_dose_answer_is_refused(run: Run, tmp_path: Path) -> None:
    steps = edited(tmp_path, "00-guide.toml", 'injection_given = "injection_given"\n', "")
    refused(run, steps, "guide.report.injection_given is not named", "00-guide.toml")
    check = run("check", "--steps", str(steps), "--json", *answer_flags(ready_patient()))
    assert check.exit_code == ExitCode.INVALID_PACK, "every command refuses it, not only validate"


def test_a_repeat_visit_without_the_last_injections_date_carried_is_refused(
    run: Run, tmp_path: Path
) -> None:
    steps = edited(
        tmp_path,
        "00-guide.toml",
        '  { question = "last_injection_date", from_answer = "injection_date" },\n',
        "",
    )
    refused(run, steps, "carry", "injection_date", "unchecked")


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("55-cows-challenge.toml", "cows_total"),
        ("55-cows-challenge.toml", "cows_pulse"),
        ("50-readiness.toml", "uds_fentanyl"),
        ("30-medical.toml", "pregnancy_test"),
    ],
)
def test_a_result_of_the_day_that_would_carry_over_is_refused(
    run: Run, tmp_path: Path, name: str, key: str
) -> None:
    steps = copy_steps(tmp_path)
    path = steps / name
    text = path.read_text(encoding="utf-8")
    head = f'key = "{key}"\n'
    at = text.index(head) + len(head)
    rest = text[at:].replace("point_in_time = true\n", "", 1)
    path.write_text(text[:at] + rest, encoding="utf-8")
    refused(run, steps, f"'{key}' is a result of the day of the injection", "point_in_time")


def test_a_visit_date_after_today_is_refused(run: Run, tmp_path: Path) -> None:
    steps = edited(
        tmp_path, "10-visit.toml", 'default = "today"\nmax = "today"\n', 'default = "today"\n'
        'max = "add_days(today, 90)"\n'
    )  # fmt: skip
    refused(run, steps, "'injection_date' is the visit's date", 'max = "today"')


def test_the_dose_asked_before_a_later_step_that_requires_every_gate_clear_is_refused(
    run: Run, tmp_path: Path
) -> None:
    steps = copy_steps(tmp_path)
    (steps / "90-final.toml").write_text(
        '[[step]]\nid = "final_check"\nphase = "after"\ntitle = "Final check"\n'
        'sources = ["label"]\nrequires_clear = true\n',
        encoding="utf-8",
    )
    refused(run, steps, "guide.report.injection_given 'injection_given'", "before the gates")


def test_a_step_file_that_is_not_a_file_is_named(run: Run, tmp_path: Path) -> None:
    steps = copy_steps(tmp_path)
    (steps / "31-hypersensitivity.toml").symlink_to(tmp_path / "gone.toml")
    refused(run, steps, "31-hypersensitivity.toml", "a link to a file that is not there")


def test_a_guide_without_a_repeat_visit_never_judges_a_visit_after_a_dose(
    run: Run, tmp_path: Path
) -> None:
    """The shipped pack records a dose; three days later, a copy that names no repeat
    visit (so every visit is a first one to it) refuses to judge the patient, on a check
    and on a batch line, instead of saying ready."""
    day = TODAY - dt.timedelta(days=3)
    dose = after_injection(last_opioid_use=day - dt.timedelta(days=14))
    first = run(
        "walk", "--no-input", "--today", day.isoformat(), "--label", "NR-1",
        "--acknowledge", "all", *answer_flags(dose),
    )  # fmt: skip
    assert first.exit_code == ExitCode.OK, first.output
    steps = edited(tmp_path, "00-guide.toml", 'repeat_visit = "repeat_injection"\n', "")
    assert run("validate", "--steps", str(steps)).exit_code == ExitCode.OK
    patient = ready_patient(last_opioid_use=TODAY - dt.timedelta(days=20))
    out = run(
        "check", "--steps", str(steps), "--today", TODAY.isoformat(), "--json",
        "--label", "NR-1", *answer_flags(patient),
    )  # fmt: skip
    assert out.exit_code == ExitCode.USAGE, out.output
    assert "names no repeat visit" in flat(out.stdout + out.stderr), out.output
    line = json.dumps({**patient, "label": "NR-1"}, default=str)
    batch = run(
        "check", "--steps", str(steps), "--today", TODAY.isoformat(), "--batch", "-",
        input=line + "\n",
    )  # fmt: skip
    (result,) = [json.loads(x) for x in batch.stdout.splitlines()]
    assert result["status"] == "error" and "names no repeat visit" in result["message"], result


def test_a_default_its_own_bounds_refuse_is_no_default(run: Run, tmp_path: Path) -> None:
    """The visit's date defaulted to a week ahead (its max still today): a check that
    gives no date is judged for no date, never for the day the default names. Before,
    today's screens and a last use four days ago were judged for a date a week away:
    ready."""
    steps = edited(
        tmp_path, "10-visit.toml", 'default = "today"\nmax = "today"\n',
        'default = "add_days(today, 7)"\nmax = "today"\n',
    )  # fmt: skip
    assert run("validate", "--steps", str(steps)).exit_code == ExitCode.OK
    patient = ready_patient(
        last_opioid_use=TODAY - dt.timedelta(days=4), naloxone_challenge="negative"
    )
    out = run(
        "check", "--steps", str(steps), "--today", TODAY.isoformat(), "--json",
        *answer_flags(patient),
    )  # fmt: skip
    result = json.loads(out.stdout)
    assert result["status"] != "ready", result["status"]
    shipped = run("check", "--today", TODAY.isoformat(), "--json", *answer_flags(patient))
    assert json.loads(shipped.stdout)["status"] == "blocked", "the control: four days is too few"


@pytest.mark.parametrize(
    "change", ["when = \"visit == 'repeat_injection'\"\n", "optional = true\n"]
)
def test_a_dose_answer_that_may_go_unasked_is_refused(
    run: Run, tmp_path: Path, change: str
) -> None:
    """A first injection walked with the dose's answer hidden (or left empty at Enter)
    records no dose, and a check three days later was ready."""
    steps = edited(
        tmp_path, "70-injection.toml", 'prompt = "Was the injection given?"\n',
        f'prompt = "Was the injection given?"\n{change}',
    )  # fmt: skip
    refused(run, steps, "'injection_given' records the injection as given", "asked whenever")


def test_a_carried_last_injection_the_repeat_visit_may_not_ask_is_refused(
    run: Run, tmp_path: Path
) -> None:
    """The record's last injection carried into a question asked only when the side is
    not known: the gates read the date typed in the other, never the record's."""
    steps = copy_steps(tmp_path)
    visit = steps / "10-visit.toml"
    visit.write_text(
        visit.read_text(encoding="utf-8").replace(
            '[[step.question]]\nkey = "last_injection_side"',
            '[[step.question]]\nkey = "record_injection_date"\ntype = "date"\n'
            'prompt = "Recorded injection date"\noptional = true\n'
            "when = \"last_injection_side == 'unknown'\"\n\n"
            '[[step.question]]\nkey = "last_injection_side"',
            1,
        ),
        encoding="utf-8",
    )
    guide = steps / "00-guide.toml"
    guide.write_text(
        guide.read_text(encoding="utf-8").replace(
            '{ question = "last_injection_date", from_answer = "injection_date" }',
            '{ question = "record_injection_date", from_answer = "injection_date" }',
        ),
        encoding="utf-8",
    )
    refused(run, steps, "'record_injection_date' is the last injection's date", "a gate")


@pytest.mark.parametrize(
    ("name", "prompt", "change"),
    [
        ("70-injection.toml", 'prompt = "Was the injection given?"\n', 'computed = "false"\n'),
        ("70-injection.toml", 'prompt = "Was the injection given?"\n', 'default = "false"\n'),
        (
            "10-visit.toml",
            'prompt = "Date of the last XR-naltrexone injection"\n',
            'computed = "add_days(injection_date, -28)"\n',
        ),
    ],
)
def test_a_dose_answer_or_last_injection_worked_out_instead_of_asked_is_refused(
    run: Run, tmp_path: Path, name: str, prompt: str, change: str
) -> None:
    """Never asked, the dose was never recorded (the walk finished "not given"), or a last
    dose 28 days ago was invented for a patient with no record: ready."""
    steps = edited(tmp_path, name, prompt, prompt + change)
    refused(run, steps, "neither computed nor defaulted")
