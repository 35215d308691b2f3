"""The non-interactive commands, driven the way a script drives them.

Every test starts from one 'ready' patient (:func:`ready`) and changes one thing; the
assertions are the ones a script would make: the exit code, the JSON on stdout, the
message on stderr. Exit codes are asserted with ``result.output`` as the message so a
failure shows both streams.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import (
    BASIS_GATES,
    STEPS,
    TODAY,
    Run,
    after_injection,
    answer_flags,
    check,
    copy_steps,
    flat,
    gate,
    json_answers,
    no_traceback,
    ready_patient,
    stored_ids,
    stored_sessions,
    walk,
)
from xrntx_guide.errors import ExitCode
from xrntx_guide.output.schemas import BatchError, CheckResult
from xrntx_guide.pack.guide import Guide

# The public vocabulary of reference section 8 (answer keys and their types) ...
VOCABULARY: dict[str, tuple[str, list[Any] | None]] = {
    "visit": ("choice", ["first_injection", "repeat_injection"]),
    "oud_diagnosis": ("bool", None),
    "last_opioid_use": ("date", None),
    "last_opioid_kind": (
        "choice",
        [
            "short_acting",
            "fentanyl",
            "methadone",
            "buprenorphine",
            "buprenorphine_extended_release",
            "unknown",
        ],
    ),
    "abstinence_evidence": ("choice", ["supervised", "self_report"]),
    "opioid_analgesics": ("bool", None),
    "hypersensitivity": ("bool", None),
    "pregnancy_test": ("choice", ["negative", "positive", "not_applicable"]),
    "breastfeeding": ("bool", None),
    "age": ("int", None),
    "acute_hepatitis": ("bool", None),
    "lft_multiple_uln": ("number", None),
    "bleeding_risk": ("bool", None),
    "mood_concern": ("bool", None),
    **{
        f"uds_{assay}": ("choice", ["negative", "positive", "not_done"])
        for assay in ("opiates", "fentanyl", "buprenorphine", "methadone", "oxycodone")
    },
    "cows_total": ("int", None),
    # ... the eleven COWS items of section 5.1 ...
    "cows_pulse": ("int", [0, 1, 2, 4]),
    "cows_sweating": ("int", [0, 1, 2, 3, 4]),
    "cows_restlessness": ("int", [0, 1, 3, 5]),
    "cows_pupils": ("int", [0, 1, 2, 5]),
    "cows_aches": ("int", [0, 1, 2, 4]),
    "cows_runny_nose": ("int", [0, 1, 2, 4]),
    "cows_gi_upset": ("int", [0, 1, 2, 3, 5]),
    "cows_tremor": ("int", [0, 1, 2, 4]),
    "cows_yawning": ("int", [0, 1, 2, 4]),
    "cows_anxiety": ("int", [0, 1, 2, 4]),
    "cows_gooseflesh": ("int", [0, 3, 5]),
    "naloxone_challenge": ("choice", ["negative", "positive", "not_done"]),
    "consent": ("bool", None),
    "medication_guide_given": ("bool", None),
    "overdose_counselled": ("bool", None),
    "reversal_agent_offered": ("bool", None),
    "wallet_card_given": ("bool", None),
    "kit_storage_ok": ("bool", None),
    "body_habitus": ("choice", ["lean", "average", "more_subcutaneous_tissue", "unsuitable"]),
    "last_injection_side": ("choice", ["left", "right", "unknown"]),
    "last_injection_date": ("date", None),
    "injection_date": ("date", None),
}
COWS_ITEMS = [k for k in VOCABULARY if k.startswith("cows_") and k != "cows_total"]

# ... and the gate ids of reference section 4.2.


# -- helpers ------------------------------------------------------------------------------


def ready(**changes: Any) -> dict[str, Any]:
    """A patient ready for the first injection on TODAY; ``changes`` vary it."""
    return ready_patient(**changes)


def without(answers: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in answers.items() if k not in keys}


def toml_answers(answers: Mapping[str, Any]) -> str:
    """TOML with native booleans, numbers and dates (not strings)."""
    lines = []
    for key, value in answers.items():
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, int | float | dt.date):
            text = value.isoformat() if isinstance(value, dt.date) else repr(value)
        else:
            text = json.dumps(value)
        lines.append(f"{key} = {text}")
    return "\n".join(lines) + "\n"


def one_json_object(stdout: str) -> dict[str, Any]:
    """stdout holds exactly one JSON object on one line, nothing else."""
    assert stdout.endswith("\n") and stdout.count("\n") == 1, stdout
    data = json.loads(stdout)
    assert isinstance(data, dict)
    return data


def cows_items_summing_to(guide: Guide, target: int) -> dict[str, int]:
    """Allowed scores for the eleven items (read from the guide) adding up to ``target``."""
    choices = {
        k: sorted(int(c.value) for c in guide.questions[k].spec.choices or ()) for k in COWS_ITEMS
    }

    def solve(keys: list[str], left: int) -> dict[str, int] | None:
        if not keys:
            return {} if left == 0 else None
        for score in reversed(choices[keys[0]]):
            if score <= left:
                rest = solve(keys[1:], left - score)
                if rest is not None:
                    return {keys[0]: score, **rest}
        return None

    items = solve(COWS_ITEMS, target)
    assert items is not None and sum(items.values()) == target
    return items


def min_days(guide: Guide, kind: str) -> int:
    return int(guide.setting_values["min_opioid_free_days"][kind])


# -- check: the ready patient -------------------------------------------------------------


def test_check_json_ready_patient(run: Run, guide: Guide) -> None:
    result = check(run, ready())

    assert result.exit_code == ExitCode.OK, result.output
    assert result.stderr == ""
    data = one_json_object(result.stdout)
    parsed = CheckResult.model_validate(data)
    assert parsed.status == "ready"
    assert parsed.blocking == []
    assert parsed.missing == []
    assert parsed.today == TODAY
    interval = int(guide.setting_values["dose_interval_days"])
    assert data["derived"]["next_dose_due"] == (TODAY + dt.timedelta(days=interval)).isoformat()
    assert data["derived"]["days_opioid_free"] == 14
    assert data["guide"]["id"] == guide.meta.id
    assert all(g["outcome"] != "fail" for g in data["gates"])


def test_check_human_output_ready_goes_to_stdout(run: Run) -> None:
    result = run("check", "--today", TODAY.isoformat(), *answer_flags(ready()))

    assert result.exit_code == ExitCode.OK, result.output
    assert result.stderr == ""
    assert result.stdout.strip()
    no_traceback(result)


# -- the opioid-free interval -------------------------------------------------------------


def test_recent_short_acting_use_blocks_with_earliest_date(run: Run, guide: Guide) -> None:
    last = TODAY - dt.timedelta(days=4)
    minimum = min_days(guide, "short_acting")
    result = check(run, ready(last_opioid_use=last))

    assert result.exit_code == ExitCode.BLOCKED, result.output
    data = one_json_object(result.stdout)
    CheckResult.model_validate(data)
    assert data["status"] == "blocked"
    # Within the challenge window (reference 3.4) the ready patient's 'not_done' naloxone
    # challenge becomes a stop as well; the contraindication comes first.
    assert data["blocking"] == ["opioid_free_interval", "naloxone_challenge"]
    g = gate(data, "opioid_free_interval")
    assert g["outcome"] == "fail"
    assert g["severity"] == "contraindication"
    assert g["sources"]
    assert "4 days" in g["reason"]
    assert f"{minimum} days" in g["reason"]
    assert g["earliest_date"] == (last + dt.timedelta(days=minimum)).isoformat()
    assert data["derived"]["days_opioid_free"] == 4
    assert data["derived"]["required_opioid_free_days"] == minimum


def test_recent_use_with_challenge_done_blocks_on_interval_only(run: Run, guide: Guide) -> None:
    """With the challenge done, the interval is the only thing that blocks."""
    last = TODAY - dt.timedelta(days=4)
    minimum = min_days(guide, "short_acting")
    result = check(run, ready(last_opioid_use=last, naloxone_challenge="negative"))

    assert result.exit_code == ExitCode.BLOCKED, result.output
    data = one_json_object(result.stdout)
    assert data["status"] == "blocked"
    assert data["blocking"] == ["opioid_free_interval"]
    expected = (last + dt.timedelta(days=minimum)).isoformat()
    assert data["derived"]["earliest_injection_date"] == expected


def test_earliest_injection_date_is_last_use_plus_minimum(run: Run, guide: Guide) -> None:
    """Reference 3.3; the challenge (a stop, cleared by doing it) does not push it later."""
    last = TODAY - dt.timedelta(days=4)
    minimum = min_days(guide, "short_acting")
    result = check(run, ready(last_opioid_use=last))

    assert result.exit_code == ExitCode.BLOCKED, result.output
    data = one_json_object(result.stdout)
    expected = (last + dt.timedelta(days=minimum)).isoformat()
    assert data["derived"]["earliest_injection_date"] == expected
    assert (
        data["derived"]["earliest_injection_date"]
        == gate(data, "opioid_free_interval")["earliest_date"]
    )


def test_extended_release_buprenorphine_needs_a_specialist(run: Run) -> None:
    result = check(run, ready(last_opioid_kind="buprenorphine_extended_release"))

    assert result.exit_code == ExitCode.BLOCKED, result.output
    data = one_json_object(result.stdout)
    CheckResult.model_validate(data)
    assert data["status"] == "blocked"
    assert data["blocking"] == ["opioid_free_interval"]
    g = gate(data, "opioid_free_interval")
    assert "specialist" in g["reason"]
    assert "earliest_date" not in g
    assert "earliest_injection_date" not in data["derived"]


# -- urine drug screen and overrides --------------------------------------------------------


@pytest.mark.parametrize(
    "assay", ["uds_opiates", "uds_fentanyl", "uds_buprenorphine", "uds_methadone", "uds_oxycodone"]
)
def test_positive_assay_blocks(run: Run, assay: str) -> None:
    result = check(run, ready(**{assay: "positive"}))

    assert result.exit_code == ExitCode.BLOCKED, result.output
    data = one_json_object(result.stdout)
    assert data["status"] == "blocked"
    assert data["blocking"] == ["urine_drug_screen"]
    g = gate(data, "urine_drug_screen")
    assert g["severity"] == "contraindication"
    assert g["outcome"] == "fail"


def test_assay_not_done_needs_override(run: Run) -> None:
    result = check(run, ready(uds_fentanyl="not_done"))

    assert result.exit_code == ExitCode.BLOCKED, result.output
    data = one_json_object(result.stdout)
    assert data["status"] == "needs_override"
    assert data["blocking"] == ["urine_drug_screen"]
    assert gate(data, "urine_drug_screen")["severity"] == "stop"


def test_override_of_assay_not_done_makes_ready(run: Run) -> None:
    result = check(
        run,
        ready(uds_fentanyl="not_done"),
        "--override",
        "urine_drug_screen=assay_unavailable: no fentanyl assay on site",
    )

    assert result.exit_code == ExitCode.OK, result.output
    data = one_json_object(result.stdout)
    CheckResult.model_validate(data)
    assert data["status"] == "ready"
    assert data["blocking"] == []
    g = gate(data, "urine_drug_screen")
    assert g["outcome"] == "overridden"
    assert g["override"] == {"code": "assay_unavailable", "comment": "no fentanyl assay on site"}


def test_override_of_a_contraindication_gate_is_a_usage_error(run: Run) -> None:
    result = check(
        run, ready(), "--override", "opioid_free_interval=clinical_judgement: waited long enough"
    )

    assert result.exit_code == ExitCode.USAGE, result.output
    assert result.stdout == ""
    assert "contraindication cannot be overridden" in flat(result.stderr)
    no_traceback(result)


def test_override_of_a_stop_gate_failing_as_contraindication_is_refused(run: Run) -> None:
    result = check(
        run,
        ready(uds_fentanyl="positive"),
        "--override",
        "urine_drug_screen=clinical_judgement: lab error",
    )

    assert result.exit_code == ExitCode.USAGE, result.output
    assert result.stdout == ""
    assert "contraindication cannot be overridden" in flat(result.stderr)
    no_traceback(result)


def test_override_of_an_unknown_gate_suggests_one(run: Run) -> None:
    result = check(run, ready(), "--override", "urine_drug_scren=clinical_judgement: x")

    assert result.exit_code == ExitCode.USAGE, result.output
    assert "'urine_drug_screen'" in result.stderr
    no_traceback(result)


def test_override_without_a_comment(run: Run) -> None:
    result = check(run, ready(uds_fentanyl="not_done"), "--override", "urine_drug_screen=")

    assert result.exit_code == ExitCode.USAGE, result.output
    assert result.stdout == ""
    no_traceback(result)


# -- missing answers ------------------------------------------------------------------------


def test_missing_answers_json(run: Run) -> None:
    result = check(run, without(ready(), "consent", "body_habitus"))

    assert result.exit_code == ExitCode.INCOMPLETE, result.output
    data = one_json_object(result.stdout)
    CheckResult.model_validate(data)
    assert data["status"] == "incomplete"
    assert data["missing"] == ["consent", "body_habitus"]


def test_missing_answers_human(run: Run) -> None:
    answers = without(ready(), "consent", "body_habitus")
    result = run("check", "--today", TODAY.isoformat(), *answer_flags(answers))

    assert result.exit_code == ExitCode.INCOMPLETE, result.output
    out = flat(result.stdout)
    assert "consent" in out
    assert "body_habitus" in out
    no_traceback(result)


# -- bad input: exit 2, a message naming the problem, never a traceback ---------------------


def test_unknown_key_suggests_the_right_one(run: Run) -> None:
    result = check(run, ready(), "--answer", "visti=first_injection")

    assert result.exit_code == ExitCode.USAGE, result.output
    assert result.stdout == ""
    assert "visti" in result.stderr
    assert "'visit'" in result.stderr
    no_traceback(result)


def test_impossible_date(run: Run) -> None:
    result = check(run, ready(), "--answer", "last_opioid_use=2026-02-30")

    assert result.exit_code == ExitCode.USAGE, result.output
    assert result.stdout == ""
    assert "last_opioid_use" in result.stderr
    assert "2026-02-30" in result.stderr
    no_traceback(result)


def test_last_use_after_today(run: Run) -> None:
    tomorrow = TODAY + dt.timedelta(days=1)
    result = check(run, ready(last_opioid_use=tomorrow))

    assert result.exit_code == ExitCode.USAGE, result.output
    assert result.stdout == ""
    assert "last_opioid_use" in result.stderr
    no_traceback(result)


def test_value_outside_the_choices_lists_the_allowed_ones(run: Run) -> None:
    result = check(run, ready(body_habitus="huge"))

    assert result.exit_code == ExitCode.USAGE, result.output
    assert result.stdout == ""
    err = flat(result.stderr)
    assert "body_habitus" in err
    for allowed in VOCABULARY["body_habitus"][1] or []:
        assert allowed in err
    no_traceback(result)


def test_cows_item_score_not_on_the_scale(run: Run) -> None:
    result = check(run, without(ready(), "cows_total"), "--answer", "cows_pulse=3")

    assert result.exit_code == ExitCode.USAGE, result.output
    err = flat(result.stderr)
    assert "cows_pulse" in err
    assert "0, 1, 2, 4" in err
    no_traceback(result)


@pytest.mark.parametrize(
    ("flag", "key"),
    [("age=abc", "age"), ("age=200", "age"), ("lft_multiple_uln=lots", "lft_multiple_uln")],
)
def test_wrong_type_or_out_of_bounds(run: Run, flag: str, key: str) -> None:
    result = check(run, ready(), "--answer", flag)

    assert result.exit_code == ExitCode.USAGE, result.output
    assert result.stdout == ""
    assert key in result.stderr
    no_traceback(result)


def test_malformed_answer_flag(run: Run) -> None:
    result = check(run, ready(), "--answer", "novalue")

    assert result.exit_code == ExitCode.USAGE, result.output
    assert result.stdout == ""
    assert "novalue" in result.stderr
    assert "KEY=VALUE" in result.stderr
    no_traceback(result)


def test_bad_today(run: Run) -> None:
    result = run("check", "--json", "--today", "2026-13-01", *answer_flags(ready()))

    assert result.exit_code == ExitCode.USAGE, result.output
    assert result.stdout == ""
    assert "--today" in result.stderr
    assert "2026-13-01" in result.stderr
    no_traceback(result)


# -- answers files ----------------------------------------------------------------------------


def test_answers_file_toml(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "answers.toml"
    path.write_text(toml_answers(ready()), encoding="utf-8")
    result = run("check", "--json", "--today", TODAY.isoformat(), "--answers", str(path))

    assert result.exit_code == ExitCode.OK, result.output
    assert CheckResult.model_validate(one_json_object(result.stdout)).status == "ready"


def test_answers_file_json(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(json_answers(ready())), encoding="utf-8")
    result = run("check", "--json", "--today", TODAY.isoformat(), "--answers", str(path))

    assert result.exit_code == ExitCode.OK, result.output
    assert CheckResult.model_validate(one_json_object(result.stdout)).status == "ready"


def test_answer_flag_wins_over_the_file(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(json_answers(ready())), encoding="utf-8")
    result = run(
        "check",
        "--json",
        "--today",
        TODAY.isoformat(),
        "--answers",
        str(path),
        "--answer",
        "uds_opiates=positive",
    )

    assert result.exit_code == ExitCode.BLOCKED, result.output
    data = one_json_object(result.stdout)
    assert data["blocking"] == ["urine_drug_screen"]


def test_broken_json_answers_file(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"visit": "first_injection",\n', encoding="utf-8")
    result = run("check", "--json", "--today", TODAY.isoformat(), "--answers", str(path))

    assert result.exit_code == ExitCode.USAGE, result.output
    assert result.stdout == ""
    assert "broken.json" in result.stderr
    assert "not valid JSON" in flat(result.stderr)
    no_traceback(result)


def test_answers_file_with_an_unknown_key(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({**json_answers(ready()), "visti": "x"}), encoding="utf-8")
    result = run("check", "--json", "--today", TODAY.isoformat(), "--answers", str(path))

    assert result.exit_code == ExitCode.USAGE, result.output
    assert "'visit'" in result.stderr
    no_traceback(result)


def test_broken_toml_answers_file(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("visit = [\n", encoding="utf-8")
    result = run("check", "--json", "--today", TODAY.isoformat(), "--answers", str(path))

    assert result.exit_code == ExitCode.USAGE, result.output
    assert "broken.toml" in result.stderr
    assert "not valid TOML" in flat(result.stderr)
    no_traceback(result)


def test_missing_answers_file(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "nowhere.json"
    result = run("check", "--json", "--today", TODAY.isoformat(), "--answers", str(path))

    assert result.exit_code == ExitCode.USAGE, result.output
    assert "nowhere.json" in result.stderr
    no_traceback(result)


# -- COWS items ---------------------------------------------------------------------------


def test_cows_items_below_threshold_pass(run: Run, guide: Guide) -> None:
    threshold = int(guide.setting_values["cows_threshold"])
    items = cows_items_summing_to(guide, threshold - 1)
    result = check(run, {**without(ready(), "cows_total"), **items})

    assert result.exit_code == ExitCode.OK, result.output
    data = one_json_object(result.stdout)
    assert data["status"] == "ready"
    assert data["derived"]["cows_total"] == threshold - 1
    assert gate(data, "withdrawal")["outcome"] == "pass"


def test_cows_items_at_threshold_fail(run: Run, guide: Guide) -> None:
    threshold = int(guide.setting_values["cows_threshold"])
    items = cows_items_summing_to(guide, threshold)
    result = check(run, {**without(ready(), "cows_total"), **items})

    assert result.exit_code == ExitCode.BLOCKED, result.output
    data = one_json_object(result.stdout)
    assert data["status"] == "blocked"
    assert data["blocking"] == ["withdrawal"]
    assert data["derived"]["cows_total"] == threshold
    g = gate(data, "withdrawal")
    assert g["outcome"] == "fail"
    assert str(threshold) in g["reason"]


# -- fentanyl -----------------------------------------------------------------------------


def test_fentanyl_requires_the_challenge_and_adds_a_caution(run: Run) -> None:
    result = check(run, ready(last_opioid_kind="fentanyl"))

    assert result.exit_code == ExitCode.BLOCKED, result.output
    data = one_json_object(result.stdout)
    CheckResult.model_validate(data)
    assert data["status"] == "needs_override"
    assert data["blocking"] == ["naloxone_challenge"]
    assert "fentanyl" in data["cautions"]
    assert data["derived"]["naloxone_challenge_required"] is True
    g = gate(data, "naloxone_challenge")
    assert g["severity"] == "stop"
    assert g["outcome"] == "fail"
    # The 30-day fentanyl question does not apply once fentanyl is the last opioid.
    assert "fentanyl_used_30_days" in data.get("ignored", [])


# -- batch --------------------------------------------------------------------------------


def test_batch_jsonl(run: Run, tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a", **json_answers(ready())}),
        json.dumps({"id": "b", **json_answers(ready(uds_opiates="positive"))}),
        '{"id": "c", "visit": ',
    ]
    path = tmp_path / "patients.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("check", "--today", TODAY.isoformat(), "--batch", str(path))

    assert result.exit_code == ExitCode.USAGE, result.output
    out = result.stdout.splitlines()
    assert len(out) == 3, result.output
    first, second, third = (json.loads(line) for line in out)
    a = CheckResult.model_validate(first)
    assert (a.id, a.status) == ("a", "ready")
    b = CheckResult.model_validate(second)
    assert (b.id, b.status, b.blocking) == ("b", "blocked", ["urine_drug_screen"])
    bad = BatchError.model_validate(third)
    assert bad.status == "error"
    assert bad.line == 3
    no_traceback(result)


def test_batch_from_stdin_echoes_ids_and_reports_bad_answers(run: Run) -> None:
    lines = [
        json.dumps({"id": 1, **json_answers(ready())}),
        json.dumps({"id": "x", **json_answers(ready(age="abc"))}),
        "[1, 2]",
    ]
    result = run("check", "--today", TODAY.isoformat(), "--batch", "-", input="\n".join(lines))

    assert result.exit_code == ExitCode.USAGE, result.output
    first, second, third = (json.loads(line) for line in result.stdout.splitlines())
    assert CheckResult.model_validate(first).id == 1
    bad = BatchError.model_validate(second)
    assert (bad.id, bad.line, bad.key, bad.code) == ("x", 2, "age", "invalid_answer")
    assert "age" in bad.message
    assert BatchError.model_validate(third).line == 3
    no_traceback(result)


def test_batch_all_good_exits_zero(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "patients.jsonl"
    path.write_text(
        json.dumps({"id": "a", **json_answers(ready())})
        + "\n\n"
        + json.dumps({"id": "b", **json_answers(ready(uds_opiates="positive"))})
        + "\n",
        encoding="utf-8",
    )
    result = run("check", "--today", TODAY.isoformat(), "--batch", str(path))

    # A blocked patient is a result, not an error: the batch itself succeeded.
    assert result.exit_code == ExitCode.OK, result.output
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["a", "b"]


@pytest.mark.parametrize(
    "answers",
    [ready(), ready(last_opioid_use=TODAY - dt.timedelta(days=3)), ready(uds_fentanyl="not_done")],
    ids=["ready", "too_soon", "needs_override"],
)
def test_a_batch_line_is_the_single_check_result(run: Run, answers: dict[str, Any]) -> None:
    single = one_json_object(check(run, answers).stdout)
    line = json.dumps({"id": 7, **json_answers(answers)})
    result = run("check", "--today", TODAY.isoformat(), "--batch", "-", input=line)

    assert result.exit_code == ExitCode.OK, result.output
    assert one_json_object(result.stdout) == {"id": 7, "line": 1, **single}


def test_a_large_batch_in_worker_processes_keeps_order_and_results(guide: Guide) -> None:
    """Past INLINE_BELOW lines the batch is spread over worker processes: the output must
    be the one a single process gives, line for line, bad lines included."""
    from xrntx_guide.batch import INLINE_BELOW, Job, check_lines

    lines = []
    for n in range(INLINE_BELOW + 37):
        if n % 97 == 5:
            lines.append(json.dumps({"id": n, "age": "old"}))
        else:
            answers = ready(last_opioid_use=TODAY - dt.timedelta(days=n % 21), cows_total=n % 9)
            lines.append(json.dumps({"id": n, **json_answers(answers)}))
    job = Job(guide, TODAY, {}, False)

    inline = list(check_lines(job, lines, workers=1))
    spread = list(check_lines(job, lines, workers=2))

    assert spread == inline
    ids = [json.loads(text)["id"] for text, _ in spread]
    assert ids == list(range(len(lines)))
    assert {json.loads(text)["status"] for text, _ in spread} >= {"ready", "blocked", "error"}


# -- vocabulary -----------------------------------------------------------------------------


def test_questions_json_lists_the_vocabulary(run: Run) -> None:
    result = run("questions", "--json")

    assert result.exit_code == ExitCode.OK, result.output
    rows = json.loads(result.stdout)
    assert isinstance(rows, list)
    by_key = {r["key"]: r for r in rows}
    assert len(by_key) == len(rows), "a key is listed twice"
    missing = [k for k in VOCABULARY if k not in by_key]
    assert missing == []
    for key, (kind, allowed) in VOCABULARY.items():
        assert by_key[key]["type"] == kind, key
        if allowed is not None:
            assert by_key[key]["allowed"] == allowed, key
    assert by_key["cows_total"]["bounds"] == {"min": 0, "max": 48}


def test_gates_json_lists_every_gate_with_sources(run: Run) -> None:
    result = run("gates", "--json")

    assert result.exit_code == ExitCode.OK, result.output
    rows = json.loads(result.stdout)
    by_id = {r["id"]: r for r in rows}
    # Every gate of the clinical basis (docs/clinical-basis.md, Gates) is listed.
    assert [g for g in BASIS_GATES if g not in by_id] == []
    for gate_id in BASIS_GATES:
        assert by_id[gate_id]["sources"], gate_id
    # Only gates with a stop rule can be overridden (clinical basis, Severities).
    assert by_id["urine_drug_screen"]["overridable"] is True
    assert by_id["opioid_free_interval"]["overridable"] is False


@pytest.mark.parametrize("which", ["answers", "check-result"])
def test_schema(run: Run, which: str) -> None:
    result = run("schema", which)

    assert result.exit_code == ExitCode.OK, result.output
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    assert data["$schema"].startswith("https://json-schema.org/")
    assert "properties" in data


def test_answers_schema_covers_the_vocabulary(run: Run) -> None:
    result = run("schema", "answers")

    assert result.exit_code == ExitCode.OK, result.output
    props = json.loads(result.stdout)["properties"]
    assert [k for k in VOCABULARY if k not in props] == []


def test_schema_unknown(run: Run) -> None:
    result = run("schema", "nonsense")

    assert result.exit_code == ExitCode.USAGE, result.output
    assert "nonsense" in result.stderr
    no_traceback(result)


# -- walk --no-input, sessions and notes ------------------------------------------------------


def next_dose(guide: Guide) -> dt.date:
    return TODAY + dt.timedelta(days=int(guide.setting_values["dose_interval_days"]))


def test_walk_no_input_complete(run: Run, _isolated_home: Path) -> None:
    result = walk(run, after_injection())

    assert result.exit_code == ExitCode.OK, result.output
    assert not list(_isolated_home.rglob("*.json")), "no session file: the store keeps it"
    (visit,) = stored_ids()
    assert f"Saved: session {visit}" in result.stdout.replace("\n", " ")

    listed = run("sessions", "--json")
    assert listed.exit_code == ExitCode.OK, listed.output
    rows = json.loads(listed.stdout)
    assert len(rows) == 1
    assert rows[0]["label"] == "pt-1"
    assert rows[0]["status"] == "complete"
    assert rows[0]["id"] == visit


def test_sessions_lists_next_dose_after_walk_no_input(run: Run, guide: Guide) -> None:
    result = walk(run, after_injection())
    assert result.exit_code == ExitCode.OK, result.output

    listed = run("sessions", "--json")
    assert listed.exit_code == ExitCode.OK, listed.output
    assert json.loads(listed.stdout)[0]["next_dose_due"] == next_dose(guide).isoformat()


def test_note_markdown_and_json(run: Run) -> None:
    result = walk(run, after_injection())
    assert result.exit_code == ExitCode.OK, result.output

    md = run("note", "pt-1", "--format", "markdown")
    assert md.exit_code == ExitCode.OK, md.output
    assert "pt-1" in md.stdout
    assert "Sources" in md.stdout
    assert "380 mg" in md.stdout

    js = run("note", "pt-1", "--format", "json")
    assert js.exit_code == ExitCode.OK, js.output
    data = json.loads(js.stdout)
    assert data["label"] == "pt-1"
    assert data["injection_given"] is True
    assert data["readiness"] == "ready"
    assert data["sources"]


def test_note_markdown_shows_the_next_dose(run: Run, guide: Guide) -> None:
    result = walk(run, after_injection())
    assert result.exit_code == ExitCode.OK, result.output

    md = run("note", "pt-1", "--format", "markdown")
    assert md.exit_code == ExitCode.OK, md.output
    assert f"Next dose due: {next_dose(guide).isoformat()}" in md.stdout

    js = run("note", "pt-1", "--format", "json")
    assert json.loads(js.stdout)["next_dose_due"] == next_dose(guide).isoformat()


def test_note_ics_has_the_next_dose(run: Run, guide: Guide) -> None:
    result = walk(run, after_injection())
    assert result.exit_code == ExitCode.OK, result.output

    ics = run("note", "pt-1", "--format", "ics")
    assert ics.exit_code == ExitCode.OK, ics.output
    assert "BEGIN:VEVENT" in ics.stdout
    assert f"DTSTART;VALUE=DATE:{next_dose(guide).strftime('%Y%m%d')}" in ics.stdout


def test_the_ics_reminds_the_settings_days_before_the_due_date(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    """The event carries an alarm; how many days before is a setting a site may change."""
    result = walk(run, after_injection())
    assert result.exit_code == ExitCode.OK, result.output
    ics = run("note", "pt-1", "--format", "ics").stdout
    days = guide.setting_values["reminder_days_before_due"]
    alarm = ics[ics.index("BEGIN:VALARM") : ics.index("END:VALARM")]
    assert f"TRIGGER:-P{days}D" in alarm and "ACTION:DISPLAY" in alarm
    assert ics.index("END:VALARM") < ics.index("END:VEVENT")
    site = tmp_path / "site.toml"
    site.write_text('site = "Clinic"\n[settings]\nreminder_days_before_due = 0\n')
    other = run("walk", "--no-input", "--label", "pt-2", "--site", str(site),
                *answer_flags(after_injection()))  # fmt: skip
    assert other.exit_code == ExitCode.OK, other.output
    assert "TRIGGER:PT0S" in run("note", "pt-2", "--format", "ics").stdout
    site.write_text('site = "Clinic"\n[settings]\nreminder_days_before_due = 1000\n')
    refused = run("check", "--site", str(site), *answer_flags(after_injection()))
    assert refused.exit_code == ExitCode.INVALID_PACK, refused.output


def test_sessions_empty(run: Run) -> None:
    result = run("sessions", "--json")

    assert result.exit_code == ExitCode.OK, result.output
    assert json.loads(result.stdout) == []


def test_note_for_an_unknown_label(run: Run) -> None:
    result = run("note", "nobody")

    assert result.exit_code == ExitCode.USAGE, result.output
    assert "nobody" in result.stderr
    no_traceback(result)


def test_note_bad_format(run: Run) -> None:
    result = walk(run, after_injection())
    assert result.exit_code == ExitCode.OK, result.output

    bad = run("note", "pt-1", "--format", "pdf")
    assert bad.exit_code == ExitCode.USAGE, bad.output
    assert "pdf" in bad.stderr
    no_traceback(bad)


def test_walk_no_input_incomplete_lists_every_missing_key(run: Run) -> None:
    answers = {"visit": "first_injection", "age": 34}
    expected = check(run, answers)
    assert expected.exit_code == ExitCode.INCOMPLETE, expected.output
    readiness_missing = json.loads(expected.stdout)["missing"]
    after = [
        "injection_given",
        "observation_minutes",
        "wallet_card_given",  # the counselling before the injection is answered in ready()
    ]

    result = walk(run, answers)

    assert result.exit_code == ExitCode.INCOMPLETE, result.output
    err = flat(result.stderr)
    for key in [*readiness_missing, *after]:
        assert f"--answer {key}=" in err, key
    for key in answers:
        assert f"--answer {key}=" not in err, key
    assert "cows_total" in err  # the shortcut for the eleven items
    no_traceback(result)


def test_walk_no_input_incomplete_exact_list(run: Run) -> None:
    result = walk(run, without(ready(), "consent", "body_habitus"))

    assert result.exit_code == ExitCode.INCOMPLETE, result.output
    listed = re.findall(r"--answer (\w+)=", flat(result.stderr))
    assert listed == [
        "consent",
        "body_habitus",
        "injection_given",
        "injection_side_used",
        "needle_used",
        "observation_minutes",
        "wallet_card_given",  # the counselling before the injection is answered in ready()
    ]


def test_missing_hints_are_one_line_each(run: Run) -> None:
    result = walk(run, {"visit": "first_injection"})

    assert result.exit_code == ExitCode.INCOMPLETE, result.output
    hint_lines = [ln for ln in result.stderr.splitlines() if ln.strip().startswith("--answer ")]
    assert any(re.search(r"--answer last_opioid_kind=\S", ln) for ln in hint_lines)
    assert all(re.search(r"--answer \w+=\S", ln) for ln in hint_lines)


# -- step packs -------------------------------------------------------------------------------


def broken_pack(tmp_path: Path) -> tuple[Path, Path]:
    folder = copy_steps(tmp_path)
    bad = folder / "30-medical.toml"
    with bad.open("a", encoding="utf-8") as handle:
        handle.write("\nthis is [not toml\n")
    return folder, bad


@pytest.mark.parametrize("command", [["validate"], ["check", "--json"], ["questions"]])
def test_broken_toml_in_steps(run: Run, tmp_path: Path, command: Iterable[str]) -> None:
    folder, bad = broken_pack(tmp_path)
    result = run(*command, "--steps", str(folder))

    assert result.exit_code == ExitCode.INVALID_PACK, result.output
    assert bad.name in result.stderr
    no_traceback(result)


def test_validate_shipped_pack(run: Run) -> None:
    result = run("validate")

    assert result.exit_code == ExitCode.OK, result.output
    assert "OK" in result.stdout
    no_traceback(result)


def test_validate_shipped_pack_explicitly(run: Run) -> None:
    result = run("validate", "--steps", str(STEPS))

    assert result.exit_code == ExitCode.OK, result.output


def test_a_refused_reply_in_the_walkthrough_wraps_between_words() -> None:
    import io

    from xrntx_guide.cli.ui import UI

    err = io.StringIO()
    ui = UI(plain=True, err=err)
    reason = (
        "'yes' is not a date: use YYYY-MM-DD (e.g. 2026-11-24), 'today', 'yesterday' "
        "or 'N days ago'; please answer again"
    )
    ui.retry(reason)

    lines = err.getvalue().splitlines()
    assert len(lines) > 1
    assert all(len(line) <= ui.err.width for line in lines)
    # Every word arrives whole and in order: the breaks fall between words.
    assert err.getvalue().split() == f"error: {reason}".split()


def test_a_batch_goes_on_past_lines_it_cannot_read_or_echo(run: Run) -> None:
    """Odd ids are echoed as they were read, and a line that cannot be read (or whose id
    cannot be written back) is an error line: never a crash that loses the lines after."""
    good = json_answers(ready())
    deep: Any = 1
    for _ in range(300):  # deeper than pydantic's JSON encoder goes
        deep = [deep]
    lines = [
        json.dumps({"id": deep, **good}),
        json.dumps({"id": "\ud800", **good}),  # a lone surrogate, written as an escape
        '{"id": NaN, "age": 34}',
        '{"id": 4, "age": ' + "9" * 5000 + "}",  # more digits than Python converts
        "[" * 100_000 + "]" * 100_000,  # nested deeper than Python reads
        json.dumps({"id": 10**30, **good}),
        json.dumps({"id": "last", **good}),
    ]
    result = run("check", "--today", TODAY.isoformat(), "--batch", "-", input="\n".join(lines))

    assert result.exit_code == ExitCode.USAGE, result.output
    no_traceback(result)
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("line") for o in out] == [1, 2, 3, 4, 5, 6, 7]  # results and errors alike
    assert out[0]["id"] == deep and out[0]["status"] == "ready"
    assert out[1]["id"] == "\ud800" and out[1]["status"] == "ready"
    # NaN is not JSON: the id cannot be written back, so the line is an error line.
    assert out[2]["id"] is None and out[2]["code"] == "id_unwritable"
    assert [o["status"] for o in out[2:5]] == ["error"] * 3
    assert out[5]["id"] == 10**30 and out[6]["id"] == "last"


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


# -- one rule for a value, wherever it comes from ----------------------------


SAME_VALUES = [
    ("lft_multiple_uln", "1e0", 1.0),
    ("lft_multiple_uln", ".5", 0.5),
    ("lft_multiple_uln", "1.5", 1.5),
    ("lft_multiple_uln", "2", 2),
    ("age", "34.0", 34.0),
    ("age", "34", 34),
    ("consent", "1", 1),
    ("consent", "true", True),
    ("consent", "no", False),
]
REFUSED_VALUES = [
    ("age", "34.5", 34.5),
    ("consent", "2", 2),
    ("consent", "1.0", 1.0),
    ("lft_multiple_uln", "nan", float("nan")),
    ("lft_multiple_uln", "true", True),
    ("age", "true", True),
]


@pytest.mark.parametrize(("key", "text", "typed"), SAME_VALUES + REFUSED_VALUES)
def test_a_value_means_the_same_as_a_flag_in_json_and_in_toml(
    run: Run, tmp_path: Path, key: str, text: str, typed: Any
) -> None:
    """A JSON or TOML value is read as its text would be: `-a age=34.0` and JSON `34.0`
    are one answer, `-a consent=1` and JSON `1` too (README, For scripts)."""
    as_json = tmp_path / "a.json"
    as_json.write_text(json.dumps({key: typed}), encoding="utf-8")
    as_toml = tmp_path / "a.toml"
    as_toml.write_text(toml_answers({key: typed}), encoding="utf-8")
    others = without(ready(), key)  # flags beat a file: the key comes only one way
    results = [
        check(run, others, "--answer", f"{key}={text}"),
        check(run, others, "--answers", str(as_json)),
        check(run, others, "--answers", str(as_toml)),
        run(
            "check",
            "--today",
            TODAY.isoformat(),
            "--batch",
            "-",
            input=json.dumps({**json_answers(ready()), key: typed}),
        ),
    ]
    if (key, text, typed) in REFUSED_VALUES:
        for result in results:
            assert result.exit_code == ExitCode.USAGE, (key, text, result.output)
        return
    for result in results:
        assert result.exit_code in (ExitCode.OK, ExitCode.BLOCKED), (key, text, result.output)
    # The batch's result carries its input line number; the rest is the same answer.
    parsed = [{k: v for k, v in json.loads(r.stdout).items() if k != "line"} for r in results]
    assert all(p == parsed[0] for p in parsed), (key, text)


# -- numbers and files that were internal errors -----------------------------


BIG = "4" * 400


@pytest.mark.parametrize(("key", "value"), [("lft_multiple_uln", BIG), ("age", BIG)])
def test_a_number_of_400_digits_is_refused_everywhere(
    run: Run, tmp_path: Path, key: str, value: str
) -> None:
    flag = check(run, ready(), "--answer", f"{key}={value}")
    path = tmp_path / "answers.json"
    others = json_answers({k: v for k, v in ready().items() if k != key})  # a key once
    path.write_text(json.dumps(others)[:-1] + f', "{key}": {value}}}', encoding="utf-8")
    file = run("check", "--json", "--today", TODAY.isoformat(), "--answers", str(path))
    toml = tmp_path / "answers.toml"
    toml.write_text(f"{key} = {value}\n", encoding="utf-8")
    file_toml = run("check", "--json", "--today", TODAY.isoformat(), "--answers", str(toml))
    for result in (flag, file, file_toml):
        assert result.exit_code == ExitCode.USAGE, result.output
        assert key in result.stderr and "too" in result.stderr
        no_traceback(result)


def test_a_number_of_400_digits_in_a_session_file_is_a_clear_error(run: Run) -> None:
    assert walk(run, ready(), label="big").exit_code == ExitCode.INCOMPLETE
    (path,) = stored_sessions("big")
    data = json.loads(path.read_text(encoding="utf-8"))
    data["answers"]["lft_multiple_uln"]["value"] = int(BIG)
    path.write_text(json.dumps(data), encoding="utf-8")
    for result in (
        run("walk", "--resume", "--label", "big", "--no-input"),
        run("note", "big"),
    ):
        assert result.exit_code == ExitCode.USAGE, result.output
        assert "lft_multiple_uln" in result.stderr
        no_traceback(result)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("digits.json", '{"age": ' + "9" * 5000 + "}"),
        ("digits.toml", "age = " + "9" * 5000 + "\n"),
        ("deep.json", '{"age": ' + "[" * 1000 + "]" * 1000 + "}"),
        ("deeper.json", "[" * 100_000 + "]" * 100_000),
        ("deep.toml", "age = " + "[" * 1000 + "]" * 1000 + "\n"),
        ("binary.json", "\udcff"),
    ],
)
def test_an_answers_file_python_cannot_read_is_a_clear_error(
    run: Run, tmp_path: Path, name: str, text: str
) -> None:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    result = run("check", "--json", "--answers", str(path))
    assert result.exit_code == ExitCode.USAGE, result.output
    assert f"--answers {path}" in result.stderr
    no_traceback(result)


def test_the_ics_of_a_next_dose_on_the_calendar_s_last_day() -> None:
    """A record dated at the calendar's end (imported from elsewhere: --today holds a run
    to the years the program computes with) still writes a next dose on 9999-12-31 as a
    one-day event with no end after the calendar's last day."""
    from xrntx_guide.output.note.ics import note_ics

    data = {
        "session": "0badc0de", "label": "y9999", "next_dose_due": "9999-12-31",
        "dose": "dose", "date": "9999-12-03", "side": "left", "injection_given": True,
    }  # fmt: skip
    ics = note_ics(data, dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC))
    assert ics is not None
    assert "DTSTART;VALUE=DATE:99991231" in ics and "DTEND" not in ics


def test_a_visit_date_past_the_years_the_program_computes_with_is_refused_as_usage(
    run: Run,
) -> None:
    later = dt.date(9999, 12, 4)  # its next dose would fall after the calendar ends
    flags = answer_flags(after_injection(last_opioid_use=later - dt.timedelta(days=30)))
    done = run("walk", "--no-input", "--label", "y10000", "--today", later.isoformat(), *flags)
    assert done.exit_code == ExitCode.USAGE, done.output
    assert "out of range" in done.stderr and "9998" in done.stderr
    no_traceback(done)


# -- a session that cannot be saved, no home folder --------------------------


@pytest.mark.parametrize("problem", ["ENOSPC", "EROFS", "EACCES"])
def test_a_session_that_cannot_be_saved_is_a_user_error(
    run: Run, monkeypatch: pytest.MonkeyPatch, problem: str
) -> None:
    import errno
    import sqlite3

    from xrntx_guide.store.sqlite import SqliteStore

    code = getattr(errno, problem)

    def refuse(self: SqliteStore, *args: object) -> Any:
        raise self._problem(sqlite3.OperationalError(os.strerror(code)), "save the session")

    monkeypatch.setattr(SqliteStore, "create", refuse)
    result = walk(run, after_injection())
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "cannot save the session" in result.stderr
    no_traceback(result)


def test_a_store_under_proc_is_a_user_error(run: Run) -> None:
    if not Path("/proc/self").exists():
        pytest.skip("no /proc here")
    result = run(
        "walk", "--no-input", "--database", "/proc/xrntx.db", *answer_flags(after_injection())
    )
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "/proc/xrntx.db: cannot open the store" in result.stderr
    no_traceback(result)


def test_no_home_folder_is_a_user_error(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    for name in ("XRNTX_GUIDE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    result = run("sessions")
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "XRNTX_GUIDE_HOME" in result.stderr
    no_traceback(result)
    # The commands that keep no session work without a home.
    assert check(run, ready()).exit_code == ExitCode.OK


# -- batch lines -----------------------------------------------------


def test_a_number_of_400_digits_in_a_batch_is_that_line_s_error(run: Run) -> None:
    good = json.dumps(json_answers(ready()))
    others = json.dumps(json_answers({k: v for k, v in ready().items() if k != "lft_multiple_uln"}))
    lines = [good, others[:-1] + f', "lft_multiple_uln": {BIG}}}', good]
    result = run("check", "--today", TODAY.isoformat(), "--batch", "-", input="\n".join(lines))
    assert result.exit_code == ExitCode.USAGE, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["status"] for o in out] == ["ready", "error", "ready"]
    assert (out[1]["key"], out[1]["code"]) == ("lft_multiple_uln", "invalid_answer")


def test_one_invalid_utf8_byte_spoils_one_batch_line(run: Run, tmp_path: Path) -> None:
    good = json.dumps(json_answers(ready())).encode()
    path = tmp_path / "batch.jsonl"
    path.write_bytes(good + b"\n" + good[:-1] + b', "kit_lot": "\xff"}\n' + good + b"\n")
    result = run("check", "--today", TODAY.isoformat(), "--batch", str(path))
    assert result.exit_code == ExitCode.USAGE, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["status"] for o in out] == ["ready", "error", "ready"]
    assert (out[1]["line"], out[1]["code"]) == (2, "not_utf8")
    no_traceback(result)


# -- options before the command, --version, -h -------------------------------


def main_run(
    capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:  # through main(): the argument handling the installed command has
    from xrntx_guide.cli.app import main

    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def program(*args: str, **kwargs: Any) -> Any:
    """The installed program in a process of its own (closed streams, pipes, signals)."""
    return subprocess.run(
        [sys.executable, "-m", "xrntx_guide", *args],
        capture_output=kwargs.pop("capture_output", True),
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
        **kwargs,
    )


def test_version_names_the_program_the_guide_and_a_fingerprint_of_the_pack(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = main_run(capsys, "--version")
    assert code == ExitCode.OK, err
    lines = out.splitlines()
    assert lines[0].startswith("xrntx-guide ") and "xrntx_induction 1.0.0" in lines[1]
    fingerprint = re.search(r"sha256:([0-9a-f]{16})", lines[2])
    assert fingerprint, out

    site = tmp_path / "site.toml"
    site.write_text('site = "Clinic"\n[settings]\ncows_threshold = 4\n', encoding="utf-8")
    code, out, err = main_run(capsys, "--site", str(site), "--version")
    assert code == ExitCode.OK, err
    other = re.search(r"sha256:([0-9a-f]{16})", out)
    assert other and other.group(1) != fingerprint.group(1), out
    assert str(site) in out


@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_help_before_any_command_lists_the_commands(
    capsys: pytest.CaptureFixture[str], flag: str
) -> None:
    code, out, err = main_run(capsys, flag)
    assert code == ExitCode.OK, err
    assert "check" in out and "sessions" in out and "walk" in out


def test_h_is_help_after_a_command_too(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = main_run(capsys, "check", "-h")
    assert code == ExitCode.OK
    assert "--batch" in out


def test_shared_options_before_the_command_are_the_command_s(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    site = tmp_path / "site.toml"
    site.write_text('site = "Clinic"\n[settings]\ncows_threshold = 4\n', encoding="utf-8")
    code, out, err = main_run(
        capsys,
        "--site",
        str(site),
        "--today",
        TODAY.isoformat(),
        "check",
        "--json",
        *answer_flags(ready()),
    )
    assert code == ExitCode.OK, err
    data = json.loads(out)
    assert data["guide"]["site"] == "Clinic" and data["today"] == TODAY.isoformat()


def test_a_shared_option_a_command_does_not_take_is_refused_by_name(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = main_run(capsys, "--today", TODAY.isoformat(), "gates")
    assert code == ExitCode.USAGE
    assert "--today" in err and "gates" in err and out == ""


def test_options_alone_still_start_the_walkthrough(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = main_run(
        capsys, "--plain", "--no-input", "--label", "x", "--today", TODAY.isoformat()
    )
    assert code == ExitCode.INCOMPLETE, err
    assert "answers are missing" in err


# -- a reader that goes away -------------------------------------------------


def _processes_reading(path: Path) -> list[int]:
    """Processes whose command line names ``path`` (a run's workers too)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if str(path) in entry.joinpath("cmdline").read_bytes().decode(errors="replace"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--today", TODAY.isoformat(), "--batch", "BIG"],
        ["gates", "--plain"],
        ["questions"],
    ],
    ids=["batch", "gates", "questions"],
)
def test_a_closed_pipe_ends_the_run_quietly(tmp_path: Path, args: list[str]) -> None:
    """`check --batch big.jsonl | head -1`: the reader goes away; the run ends quietly
    with the code the shell gives a program ended by SIGPIPE (141), as git does, and no
    batch worker is left behind."""
    line = json.dumps(json_answers(ready()))
    big = tmp_path / "big.jsonl"
    big.write_text((line + "\n") * 3000, encoding="utf-8")
    err = tmp_path / "stderr"
    argv = [str(big) if a == "BIG" else a for a in args]
    with err.open("w", encoding="utf-8") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "xrntx_guide", *argv],
            stdout=subprocess.PIPE,
            stderr=stderr,
            env={**os.environ, "XRNTX_GUIDE_DEBUG": ""},
        )
    try:
        assert proc.stdout is not None
        proc.stdout.close()  # the reader goes away (as `head -1` does once it has its line)
        code = proc.wait(timeout=60)
    finally:
        proc.kill()
    left = []
    for _ in range(50):  # the workers end with the run
        left = _processes_reading(big) if args[0] == "check" else []
        if not left:
            break
        time.sleep(0.1)
    for pid in left:  # started by this test: do not leave them to hang
        os.kill(pid, signal.SIGKILL)
    assert left == [], "batch workers left behind"
    assert code == 141, (code, err.read_text(encoding="utf-8"))
    assert err.read_text(encoding="utf-8") == ""


# -- closed and full streams -------------------------------------------------


def test_a_closed_standard_output_is_an_error_with_a_message() -> None:

    done = program("check", "--json", "--answer", "age=34", preexec_fn=lambda: os.close(1))
    assert done.returncode == ExitCode.USAGE, done.stderr
    assert "standard output is closed" in done.stderr
    assert "internal error" not in done.stderr


def test_a_closed_standard_input_reads_as_nothing_to_answer() -> None:

    done = program(
        "walk", "--label", "x", "--today", TODAY.isoformat(), preexec_fn=lambda: os.close(0)
    )
    assert done.returncode == ExitCode.INCOMPLETE, done.stderr
    assert "internal error" not in done.stderr


@pytest.mark.parametrize("command", [["gates"], ["check", "--json", "--answer", "age=34"]])
def test_a_full_disk_under_standard_output_is_said_as_such(command: list[str]) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    with Path("/dev/full").open("w", encoding="utf-8") as full:
        done = program(*command, stdout=full, stderr=-1, capture_output=False)
    assert done.returncode == ExitCode.USAGE, done.stderr
    assert "disk is full" in done.stderr and "internal error" not in done.stderr


# -- nothing waits for ever --------------------------------------------------


def _fifo(tmp_path: Path) -> Path:

    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    path = tmp_path / "pipe.toml"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("option", ["--site", "--answers", "--batch"])
@pytest.mark.parametrize("kind", ["fifo", "dev_zero"])
def test_a_fifo_or_a_device_given_as_a_file_is_refused_at_once(
    tmp_path: Path, option: str, kind: str
) -> None:
    path = _fifo(tmp_path) if kind == "fifo" else Path("/dev/zero")
    if not path.exists():
        pytest.skip("no /dev/zero here")
    done = program("check", "--json", option, str(path), timeout=30)
    assert done.returncode == ExitCode.USAGE, done.stderr
    assert "not a regular file" in done.stderr, done.stderr
    assert "internal error" not in done.stderr


# -- in --json mode, errors are JSON too -------------------------------------


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
