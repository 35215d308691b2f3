"""A positive naloxone challenge stands until a negative rechallenge within the window
lifts it (reference 5.2; safety item 9): another visit of the label the same day is not
judged without it, so a new walk with a plain negative challenge never counts a dose
beside it. The program reads a series entry as positive when its result is 'positive' (the
public vocabulary's value): a clinic's copy of the pack that named it otherwise ('pos')
blocked its own visit, but its positive was read as not positive by every later visit,
and a second walk that morning counted a dose beside it. Such a copy is refused where it
loads."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import DOSE_GIVEN, TODAY, Run, answer_flags, clinic_copy, ready_patient
from tests.helpers import at_today as at
from tests.helpers import json_file as file

LABEL = "CLINIC-POS"


def doses_after_a_positive(
    run: Run, tmp_path: Path, positive: str, first: tuple[str, ...], second: tuple[str, ...]
) -> list[str]:
    """08:30: a first induction with a positive challenge (``positive``, as the pack of
    ``first`` names it; naloxone 07:30, read 08:00), blocked. 10:30: a new walk of the
    label (with the pack of ``second``) with a negative challenge (naloxone 09:55, read
    10:25) and the dose. The doses the record then counts."""
    blocked = {
        "cows_ratings": [{"at": at("07:20"), "context": "before_challenge", "total": 1}],
        "naloxone_challenges": [
            {"at": at("08:00"), "started": at("07:30"), "kind": "challenge", "result": positive}
        ],
    }
    waiting = ready_patient(cows_total=None, naloxone_challenge=None)
    out = run(
        "walk", "--no-input", "--label", LABEL, "--now", at("08:30"), "--acknowledge", "all",
        "--answers", file(tmp_path, "first.json", blocked), *first, *answer_flags(waiting),
    )  # fmt: skip
    assert out.exit_code == 1, out.output  # its own gate reads the positive
    again = {
        "cows_ratings": [{"at": at("09:50"), "context": "before_challenge", "total": 1}],
        "naloxone_challenges": [
            {"at": at("10:25"), "started": at("09:55"), "kind": "challenge", "result": "negative"}
        ],
        **DOSE_GIVEN,
    }
    run(
        "walk", "--no-input", "--label", LABEL, "--now", at("10:30"), "--acknowledge", "all",
        "--answers", file(tmp_path, "second.json", again), *second, *answer_flags(waiting),
    )  # fmt: skip
    history = run("history", LABEL, "--json", "--today", TODAY.isoformat())
    assert history.exit_code == 0, history.output
    return [i["date"] for i in json.loads(history.stdout)["injections"]]


def test_the_control_the_shipped_pack_positive_stands(run: Run, tmp_path: Path) -> None:
    assert doses_after_a_positive(run, tmp_path, "positive", (), ()) == []


def test_a_copy_naming_the_positive_otherwise_is_refused_where_it_loads(
    run: Run, tmp_path: Path
) -> None:
    """The program reads a challenge's series by the values 'negative', 'positive' and
    'not_done': a copy that calls the positive 'pos' is refused when it loads (exit 3, at
    its place), so no visit records a positive the series would not read as one."""
    copy = str(clinic_copy(tmp_path, "positive", "pos"))
    for command in (("validate", "--steps", copy), ("walk", "--no-input", "--steps", copy)):
        out = run(*command, "--label", LABEL) if command[0] == "walk" else run(*command)
        assert out.exit_code == 3, out.output
        said = " ".join(out.stderr.split())
        assert "'naloxone_challenge' is read by the program" in said, said
        assert "'positive'" in said and "keep the values" in said, said
    assert json.loads(run("sessions", "--json").stdout) == []


def second_challenge_in_one_walk(run: Run, tmp_path: Path, positive: str, *steps: str) -> str:
    """One walk: a positive challenge (``positive``; naloxone 07:30, read 08:00), then a
    second "challenge", negative (naloxone 09:10, read 09:40), and the dose: its status
    (a refusal: 'error')."""
    series = {
        "cows_ratings": [
            {"at": at("07:20"), "context": "before_challenge", "total": 1},
            {"at": at("09:00"), "context": "before_challenge", "total": 1},
        ],
        "naloxone_challenges": [
            {"at": at("08:00"), "started": at("07:30"), "kind": "challenge", "result": positive},
            {"at": at("09:40"), "started": at("09:10"), "kind": "challenge", "result": "negative"},
        ],
        **DOSE_GIVEN,
    }
    walked = run(
        "walk", "--no-input", "--json", "--label", LABEL, "--now", at("10:30"),
        "--acknowledge", "all", "--answers", file(tmp_path, "one.json", series), *steps,
        *answer_flags(ready_patient(cows_total=None, naloxone_challenge=None)),
    )  # fmt: skip
    return str(json.loads(walked.stdout or walked.stderr)["status"])


def test_the_control_a_second_challenge_never_lifts_the_positive(run: Run, tmp_path: Path) -> None:
    assert second_challenge_in_one_walk(run, tmp_path, "positive") != "complete"
