"""The non-interactive commands, driven the way a script drives them.

Every test starts from one 'ready' patient (:func:`ready`) and changes one thing; the
assertions are the ones a script would make: the exit code, the JSON on stdout, the
message on stderr. Exit codes are asserted with ``result.output`` as the message so a
failure shows both streams.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import (
    BASIS_GATES,
    TODAY,
    Run,
    after_injection,
    answer_flags,
    check,
    flat,
    gate,
    json_answers,
    no_traceback,
    one_json_object,
    ready_patient,
    stored_ids,
    toml_answers,
    walk,
    without,
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
