"""Answers, overrides and acknowledgements given up front: flags and files (visit/presets.py)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.helpers import TODAY, Run, answer_flags, check, ready_patient
from xrntx_guide.engine.evaluate import OverrideRequest
from xrntx_guide.errors import ExitCode, UsageError
from xrntx_guide.pack.guide import Guide
from xrntx_guide.visit.presets import (
    OverrideRefused,
    Preset,
    evaluate_presets,
    gather,
    missing_message,
    parse_overrides,
    read_answers_file,
)


@pytest.mark.parametrize("gate_id", ["nosuch", "consent"])
def test_acknowledge_names_a_caution_gate(run: Run, gate_id: str) -> None:
    result = run(
        "walk",
        "--no-input",
        "--label",
        "a",
        "--today",
        TODAY.isoformat(),
        "--acknowledge",
        gate_id,
        *answer_flags(ready_patient()),
    )
    assert result.exit_code == ExitCode.USAGE, result.output
    assert gate_id in result.stderr


def test_a_misspelt_override_code_is_refused(run: Run) -> None:
    result = check(
        run, ready_patient(lft_multiple_uln=6.0), "--override", "liver=specialist_consultd: agreed"
    )
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "specialist_consulted" in result.stderr


def test_a_flag_beats_the_answers_file_and_each_answer_keeps_its_origin(
    guide: Guide, tmp_path: Path
) -> None:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"age": 40, "consent": True, "id": "p-7"}), encoding="utf-8")
    presets = gather(guide, ["age=34"], path, TODAY)
    assert presets["age"] == Preset(34, "flag")
    assert presets["consent"] == Preset(True, "file")
    assert "id" not in presets  # an identifier is echoed in results, never an answer


def test_an_answers_file_that_is_not_one_object_is_refused_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(UsageError, match="one object") as info:
        read_answers_file(path)
    assert str(path) in info.value.message


def test_only_a_gate_that_can_stop_can_be_overridden(guide: Guide) -> None:
    never_stops = next(
        g.id for g in guide.gates if not any(r.spec.severity == "stop" for r in g.rules)
    )
    with pytest.raises(UsageError, match="only stop gates"):
        parse_overrides(guide, [f"{never_stops}=clinical_judgement: discussed"])
    with pytest.raises(UsageError, match="unknown gate"):
        parse_overrides(guide, ["no_such_gate=clinical_judgement: discussed"])


def test_an_override_of_a_failing_contraindication_is_refused(guide: Guide) -> None:
    presets = {
        k: Preset(v, "flag")
        for k, v in ready_patient(last_opioid_use=TODAY - dt.timedelta(days=1)).items()
    }
    state = evaluate_presets(guide, presets, TODAY)
    (blocking, *_) = state.blocking
    assert state.gates[blocking].severity == "contraindication"
    request = OverrideRequest(blocking, "clinical_judgement", "discussed")
    with pytest.raises(OverrideRefused, match="cannot be overridden"):
        evaluate_presets(guide, presets, TODAY, [request])


def test_the_missing_message_gives_a_flag_to_copy_for_each_answer(guide: Guide) -> None:
    presets = {k: Preset(v, "flag") for k, v in ready_patient(consent=None, age=None).items()}
    state = evaluate_presets(guide, presets, TODAY)
    text = missing_message(state, ["age", "consent"])
    assert "--answer age=N" in text
    assert "--answer consent=yes|no" in text
