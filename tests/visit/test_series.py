"""Serial COWS ratings and the naloxone rechallenge (reference 5.1, 5.2)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests import oracle
from tests.helpers import NOW, TODAY, Run, gate, json_answers, ready_patient
from tests.strategies import patients as gen
from xrntx_guide.engine.evaluate import Inputs, evaluate
from xrntx_guide.errors import InvalidAnswer
from xrntx_guide.pack.guide import Guide
from xrntx_guide.visit.presets import parse_answers
from xrntx_guide.visit.series import CowsRating, latest_on, series_lines

ITEMS = oracle.COWS_ITEMS
YESTERDAY = TODAY - dt.timedelta(days=1)
LATER = dt.datetime.combine(TODAY + dt.timedelta(days=2), dt.time(0)).astimezone()
"""A clock after every rating the series strategy draws (up to tomorrow's early hours)."""


def at(day: dt.date, hour: int, minute: int = 0) -> str:
    return dt.datetime.combine(day, dt.time(hour, minute)).isoformat()


def patient(**series: Any) -> dict[str, Any]:
    """The ready patient with its single COWS total and challenge replaced by series."""
    answers = json_answers(ready_patient(cows_total=None, naloxone_challenge=None))
    answers.update(series)
    return answers


def check_file(run: Run, tmp_path: Path, answers: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers))
    r = run("check", "--json", "--now", NOW, "--answers", str(path))
    text = r.stdout if r.stdout.strip() else r.stderr
    return r.exit_code, json.loads(text)


def challenges(*entries: tuple[str, str, str]) -> list[dict[str, str]]:
    return [{"at": when, "kind": kind, "result": result} for when, kind, result in entries]


# --- the rechallenge (5.2) ----------------------------------------------------------------


def test_a_negative_rechallenge_within_24_hours_of_a_positive_challenge_is_ready(
    run: Run, tmp_path: Path
) -> None:
    series = challenges(
        (at(YESTERDAY, 15), "challenge", "positive"),
        (at(TODAY, 9), "rechallenge", "negative"),
    )
    # A rechallenge counts only after a calm rating of its day before it (5.2).
    calm = [{"at": at(TODAY, 8), "total": 2}]
    code, data = check_file(run, tmp_path, patient(cows_ratings=calm, naloxone_challenges=series))
    assert code == 0 and data["status"] == "ready", data
    assert gate(data, "naloxone_challenge")["outcome"] == "pass"
    used = data["used"]["naloxone_challenge"]
    assert (used["kind"], used["result"]) == ("rechallenge", "negative"), used
    # Stored with its offset: the same instant as the file's local 09:00.
    given = dt.datetime.fromisoformat(at(TODAY, 9)).astimezone()
    assert dt.datetime.fromisoformat(used["at"]) == given, used


def test_a_repeat_after_24_hours_is_that_days_new_challenge_not_a_refused_rechallenge(
    run: Run, tmp_path: Path
) -> None:
    """Reference 5.2: a repeat more than 24 hours after the positive is not a rechallenge
    but a new challenge on a new visit day, with that day's screen and COWS."""
    series = challenges(
        (at(YESTERDAY, 8, 59), "challenge", "positive"),
        (at(TODAY, 9), "rechallenge", "negative"),
    )
    code, data = check_file(run, tmp_path, patient(cows_total=2, naloxone_challenges=series))
    assert code == 0 and data["status"] == "ready", data
    used = data["used"]["naloxone_challenge"]
    assert (used["result"], used["at"][:10]) == ("negative", TODAY.isoformat()), used
    # A positive one that late is that day's positive challenge.
    series[1]["result"] = "positive"
    code, data = check_file(run, tmp_path, patient(cows_total=2, naloxone_challenges=series))
    assert code == 1 and "naloxone_challenge" in data["blocking"], data


def test_the_rechallenge_hours_past_the_window_are_refused_by_flag_too(run: Run) -> None:
    flags = ready_patient(naloxone_challenge="positive", naloxone_rechallenge="negative")
    args = [f"{k}={v.isoformat() if isinstance(v, dt.date) else v}" for k, v in flags.items()]
    r = run(
        "check",
        "--json",
        "--today",
        TODAY.isoformat(),
        *(x for a in args for x in ("-a", a)),
        "-a",
        "naloxone_rechallenge_hours=24.01",
    )
    assert r.exit_code == 2, r.output
    assert "naloxone_rechallenge_hours" in r.stderr


def test_a_positive_rechallenge_stays_a_contraindication(run: Run, tmp_path: Path) -> None:
    series = challenges(
        (at(TODAY, 8), "challenge", "positive"),
        (at(TODAY, 11), "rechallenge", "positive"),
    )
    code, data = check_file(run, tmp_path, patient(cows_total=2, naloxone_challenges=series))
    assert code == 1 and data["status"] == "blocked", data
    assert "rechallenge positive" in gate(data, "naloxone_challenge")["reason"]


def test_a_positive_challenge_without_a_rechallenge_blocks(run: Run, tmp_path: Path) -> None:
    series = challenges((at(TODAY, 8), "challenge", "positive"))
    _code, data = check_file(run, tmp_path, patient(cows_total=2, naloxone_challenges=series))
    assert data["status"] == "blocked" and data["blocking"] == ["naloxone_challenge"], data
    assert any("1.6 mg" in i for i in gate(data, "naloxone_challenge")["instead"])


def test_a_rechallenge_of_another_day_than_the_injection_leaves_the_positive_standing(
    run: Run, tmp_path: Path
) -> None:
    series = challenges(
        (at(YESTERDAY, 8), "challenge", "positive"),
        (at(YESTERDAY, 11), "rechallenge", "negative"),
    )
    # A calm rating before the rechallenge, and one of today (the gate's).
    calm = [{"at": at(YESTERDAY, 10), "total": 2}, {"at": at(TODAY, 8), "total": 2}]
    _code, data = check_file(run, tmp_path, patient(cows_ratings=calm, naloxone_challenges=series))
    assert data["status"] == "blocked", data
    assert data["used"]["naloxone_challenge"]["kind"] == "challenge"


def test_a_negative_rechallenge_before_its_observation_ended_is_refused(
    run: Run, tmp_path: Path
) -> None:
    series = challenges(
        (at(TODAY, 8), "challenge", "positive"),
        (at(TODAY, 11, 10), "rechallenge", "negative"),
    )
    series[1]["started"] = at(TODAY, 11)
    code, data = check_file(run, tmp_path, patient(cows_total=2, naloxone_challenges=series))
    assert code == 2 and "minimum" in data["message"], data


def test_a_rechallenge_needs_a_positive_challenge_before_it(run: Run, tmp_path: Path) -> None:
    series = challenges(
        (at(TODAY, 8), "challenge", "negative"),
        (at(TODAY, 11), "rechallenge", "negative"),
    )
    code, data = check_file(run, tmp_path, patient(cows_total=2, naloxone_challenges=series))
    assert code == 2 and "positive challenge only" in data["message"], data


def test_the_engine_never_passes_a_positive_challenge_with_a_rechallenge_out_of_window(
    guide: Guide,
) -> None:
    window = guide.setting_values["naloxone_rechallenge_window_hours"]
    answers = ready_patient(
        naloxone_challenge="positive",
        naloxone_rechallenge="negative",
        naloxone_rechallenge_hours=window + 0.01,
    )
    state = evaluate(guide, Inputs(answers, TODAY))
    assert state.status != "ready"
    assert "naloxone_rechallenge_hours" in state.invalid


# --- the COWS series (5.1) ------------------------------------------------------------------


def test_the_latest_rating_of_the_injection_day_is_the_one_the_gate_reads(
    run: Run, tmp_path: Path
) -> None:
    ratings = [
        {"at": at(YESTERDAY, 23), "context": "baseline", "total": 1},
        {"at": at(TODAY, 8), "context": "baseline", "total": 2},
        {"at": at(TODAY, 9), "context": "after_challenge", "total": 7},
    ]
    # The challenge not done: a negative one beside withdrawal is refused (reference 5.2).
    _code, data = check_file(
        run, tmp_path, patient(naloxone_challenge="not_done", cows_ratings=ratings)
    )
    assert data["status"] == "blocked" and "withdrawal" in data["blocking"], data
    assert data["used"]["cows_rating"]["index"] == 2


def test_a_rating_of_another_day_never_counts(run: Run, tmp_path: Path) -> None:
    ratings = [{"at": at(YESTERDAY, 9), "context": "baseline", "total": 0}]
    _code, data = check_file(
        run, tmp_path, patient(naloxone_challenge="negative", cows_ratings=ratings)
    )
    assert data["status"] == "incomplete", data
    assert gate(data, "withdrawal")["outcome"] == "unknown"
    assert data["used"]["cows_rating"] is None


def test_a_series_beside_a_single_total_is_refused_naming_both(
    guide: Guide,
) -> None:
    raw = {"cows_total": 2, "cows_ratings": [{"at": at(TODAY, 9), "total": 2}]}
    try:
        parse_answers(guide, raw, "file", TODAY, "f")
    except InvalidAnswer as exc:
        assert exc.key == "cows_ratings" and "cows_total" in exc.reason
    else:  # pragma: no cover - the failure
        raise AssertionError("a series beside a single total was accepted")


def test_two_ratings_at_the_same_time_are_refused(guide: Guide) -> None:
    raw = {
        "cows_ratings": [
            {"at": at(TODAY, 9), "total": 2},
            {"at": at(TODAY, 9), "total": 8},
        ]
    }
    try:
        parse_answers(guide, raw, "file", TODAY, "f")
    except InvalidAnswer as exc:
        assert "same time" in exc.reason
    else:  # pragma: no cover - the failure
        raise AssertionError("two ratings at one time were accepted")


def item_scores(guide: Guide) -> dict[str, list[int]]:
    out = {}
    for item in ITEMS:
        choices = guide.questions[f"cows_{item}"].spec.choices or ()
        out[item] = [int(c.value) for c in choices]
    return out


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(data=st.data())
def test_the_withdrawal_gate_agrees_with_the_oracle_over_the_latest_rating_of_the_day(
    guide: Guide, data: st.DataObject
) -> None:
    """Property: over a random series, the gate's verdict is the oracle's over the latest
    rating of the injection day; no series makes ready a patient whose latest rating of the
    day is at or above the threshold."""
    ratings = data.draw(gen.cows_series(item_scores(guide)))
    raw = {**patient(naloxone_challenge="negative"), "cows_ratings": ratings}
    state = evaluate(
        guide,
        Inputs(
            {
                k: p.value
                for k, p in parse_answers(guide, raw, "file", TODAY, "f", now=LATER).items()
            },
            TODAY,
        ),
    )
    timed = []
    for r in ratings:
        answers = (
            {"cows_total": r["total"]}
            if "total" in r
            else {f"cows_{k}": v for k, v in r["items"].items()}
        )
        timed.append((dt.datetime.fromisoformat(r["at"]), answers))
    latest = oracle.latest_rating_of_the_day(timed, TODAY)
    expected = ready_patient(cows_total=None)
    if latest is not None:
        expected.update(latest)
    said = {f.state for f in oracle.findings(guide, expected, TODAY) if f.gate == "withdrawal"}
    outcome = state.gates["withdrawal"].outcome
    assert outcome == ("fail" if said == {"holds"} else "unknown" if said else "pass"), (
        ratings,
        outcome,
        said,
    )
    threshold = guide.setting_values["cows_threshold"]
    if latest is not None and sum(latest.values()) >= threshold:
        assert state.status != "ready"
    if latest is None:
        assert state.status != "ready"


def test_the_chart_fits_80_columns_and_marks_the_rating_the_gate_reads() -> None:
    ratings = [
        CowsRating(at=dt.datetime(2026, 11, 23, 16), day=YESTERDAY, context="baseline", total=9),
        CowsRating(at=dt.datetime(2026, 11, 24, 9), day=TODAY, context="before_challenge", total=2),
        CowsRating(
            at=dt.datetime(2026, 11, 24, 9, 40), day=TODAY, context="after_challenge", total=48
        ),
    ]
    assert latest_on(ratings, TODAY) == 2
    lines = series_lines(ratings, 5, TODAY, 48)
    assert all(len(line) <= 80 for line in lines), lines
    assert lines[-2].startswith("> 09:40 after_challenge") and lines[-2].count("#") == 48
    assert "(not the visit day)" in lines[1]
    before = next(line for line in lines if "before_challenge" in line)
    assert before.endswith("##   |")
