"""A negative naloxone challenge given without its naloxone time is judged against the
rating that stands before the naloxone (reference 5.2), and the naloxone of a negative
result was given at least the observation minimum before it (the walk and a timed result
obey that minimum). A rating taken within the observation, after the naloxone, can never
be the one before it: a calm rating taken while the patient is observed must not lift
the withdrawal rated before the naloxone."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import NOW, TODAY, Run, json_answers, ready_patient
from xrntx_guide.pack.guide import Guide

DAY = TODAY.isoformat()


def answers(guide_minutes: int) -> dict[str, object]:
    """Fentanyl the last opioid (the challenge is required); COWS 9 at 08:00 (withdrawal),
    a calm rating inside the observation before the result, a negative result at 09:45
    without its naloxone time: the naloxone was given no later than 09:45 less the
    observation minimum, after the withdrawal rating and before the calm one."""
    given = json_answers(
        ready_patient(
            last_opioid_kind="fentanyl",
            fentanyl_used_30_days=True,
            cows_total=None,
            naloxone_challenge=None,
        )
    )
    calm_minute = 45 - guide_minutes // 2  # inside the observation before 09:45
    given["cows_ratings"] = [
        {"at": f"{DAY}T08:00", "total": 9, "context": "before_challenge"},
        {"at": f"{DAY}T09:{calm_minute:02d}", "total": 2, "context": "after_challenge"},
    ]
    given["naloxone_challenges"] = [
        {"at": f"{DAY}T09:45", "kind": "challenge", "result": "negative"}
    ]
    return given


def test_a_calm_rating_during_the_observation_never_lifts_withdrawal_before_the_naloxone(
    run: Run, tmp_path: Path, guide: Guide
) -> None:
    minutes = guide.setting_values["naloxone_observation_minutes"]
    assert isinstance(minutes, int) and minutes >= 2
    given = answers(minutes)
    # The control: the latest naloxone time the observation allows is refused.
    timed = json.loads(json.dumps(given))
    timed["naloxone_challenges"][0]["started"] = f"{DAY}T09:{45 - minutes:02d}"
    path = tmp_path / "timed.json"
    path.write_text(json.dumps(timed), encoding="utf-8")
    control = run("check", "--json", "--now", NOW, "--answers", str(path))
    assert control.exit_code == 2, control.output
    # Without the naloxone time: not ready either, on a check or a batch line.
    path = tmp_path / "untimed.json"
    path.write_text(json.dumps(given), encoding="utf-8")
    single = run("check", "--json", "--now", NOW, "--answers", str(path))
    status = json.loads(single.stdout or single.stderr or "{}").get("status")
    assert status != "ready", single.output
    batch = run("check", "--now", NOW, "--batch", "-", input=json.dumps(given) + "\n")
    line = json.loads(batch.stdout.splitlines()[0])
    assert line["status"] != "ready", line


def test_a_calm_rating_during_the_observation_never_lets_a_rechallenge_lift_a_positive(
    run: Run, tmp_path: Path, guide: Guide
) -> None:
    """A positive challenge at 08:00 (naloxone 07:30); COWS 9 at 08:30; a negative
    rechallenge read at 09:45 without its naloxone time; a calm rating inside the
    observation before it: the rechallenge's naloxone came after the 9, before the calm
    rating, so it was given beside withdrawal and the positive stands."""
    minutes = guide.setting_values["naloxone_observation_minutes"]
    assert isinstance(minutes, int) and minutes >= 2
    given = json_answers(ready_patient(cows_total=None, naloxone_challenge=None))
    given["cows_ratings"] = [
        {"at": f"{DAY}T07:00", "total": 2},
        {"at": f"{DAY}T08:30", "total": 9},
        {"at": f"{DAY}T09:{45 - minutes // 2:02d}", "total": 1, "context": "after_challenge"},
    ]
    given["naloxone_challenges"] = [
        {
            "at": f"{DAY}T08:00",
            "started": f"{DAY}T07:30",
            "kind": "challenge",
            "result": "positive",
        },
        {"at": f"{DAY}T09:45", "kind": "rechallenge", "result": "negative"},
    ]
    path = tmp_path / "untimed.json"
    path.write_text(json.dumps(given), encoding="utf-8")
    single = run("check", "--json", "--now", NOW, "--answers", str(path))
    status = json.loads(single.stdout or single.stderr or "{}").get("status")
    assert status != "ready", single.output
