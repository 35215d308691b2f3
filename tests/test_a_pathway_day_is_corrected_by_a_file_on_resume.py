"""A day of the supervised rapid pathway's record is corrected on resume by the fix the
refusal names (clinical basis, safety invariant 9; docs/scripting.md, the rapid pathway's
daily record): `walk --resume --answers FILE` whose file gives only the correction (the
day again with `corrects` and `reason`) adds it to the session's record, as a file's
correction of a COWS rating or a challenge may name an entry the session recorded. The
clinician charting the next morning holds the correction, not a copy of every day the
session already keeps."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from tests.helpers import REPO, Run, StoredSession, json_answers, ready_patient

SITE = str(REPO / "scenarios" / "_site-rapid-protocol.toml")
DAY1 = dt.date(2026, 11, 22)
DAY4 = DAY1 + dt.timedelta(days=3)
LABEL = "RAPID-CORR"
RESULTS = ("uds_opiates", "uds_fentanyl", "uds_buprenorphine", "uds_methadone",
           "uds_oxycodone", "cows_total", "naloxone_challenge", "kit_storage_ok",
           "body_habitus", "pregnancy_test")  # fmt: skip


def day(n: int, **changes: Any) -> dict[str, Any]:
    return {
        "day": n,
        "date": (DAY1 + dt.timedelta(days=n - 1)).isoformat(),
        "given": "as the protocol directs",
        "tolerated": True,
        "naltrexone_given": n >= 3,
        "cows": [{"time": "08:00", "total": 2}],
        **changes,
    }


def on_the_pathway() -> dict[str, Any]:
    """A patient on the supervised rapid pathway from DAY1 (heroin the day before), every
    answer but the day's results given (the file gives the pathway's days)."""
    answers = json_answers(
        ready_patient(
            last_opioid_use=DAY1 - dt.timedelta(days=1),
            pathway="supervised_rapid",
            rapid_supervised_setting=True,
            rapid_protocol_on_file=True,
        )
    )
    return {k: v for k, v in answers.items() if k not in RESULTS}


def resume(run: Run, tmp_path: Path, name: str, answers: dict[str, Any]) -> Any:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(answers))
    return run("walk", "--resume", "--label", LABEL, "--no-input", "--json",
               "--now", f"{DAY4.isoformat()}T23:30", "--answers", str(path))  # fmt: skip


def test_a_correction_in_a_resume_file_names_a_day_the_session_recorded(
    run: Run, tmp_path: Path
) -> None:
    """Days 1-3 are recorded on their days; on day 4 the nurse learns that day 3's dose
    was not tolerated. The day given again with tolerated = no is refused naming the fix
    (corrects = 3 and a reason); the file with that fix is taken: the session's record
    then holds both entries of day 3 and reads it as not tolerated."""
    answers = on_the_pathway()
    answers["rapid_days"] = [day(1), day(2), day(3)]
    start = tmp_path / "start.json"
    start.write_text(json.dumps(answers))
    walked = run("walk", "--site", SITE, "--no-input", "--json", "--label", LABEL,
                 "--now", f"{(DAY1 + dt.timedelta(days=2)).isoformat()}T23:30",
                 "--answers", str(start))  # fmt: skip
    assert walked.exit_code in (1, 4), walked.output
    session = json.loads(walked.stdout)["session"]

    plain = resume(run, tmp_path, "plain", {"rapid_days": [day(3, tolerated=False)]})
    assert plain.exit_code == 2, plain.output
    assert "corrects = 3" in plain.output

    fix = day(3, tolerated=False, corrects=3, reason="vomited the dose; charted late")
    corrected = resume(run, tmp_path, "fix", {"rapid_days": [fix]})
    assert corrected.exit_code != 2, corrected.output
    kept = json.loads(StoredSession(session).read_text())["rapid_days"]
    assert [d.get("tolerated") for d in kept if d["day"] == 3] == [True, False]


def test_a_rating_mistyped_on_the_injection_day_is_corrected_by_a_later_rating(
    run: Run, tmp_path: Path
) -> None:
    """Day 4 is the visit day and its 08:00 rating, typed as 2, was a withdrawal total.
    The visit's series took the 08:00 rating when the day was recorded and never replaces
    one at its time, so the day's correction giving another total at 08:00 is refused:
    the message names the way that is taken (the patient rated again at a later time),
    not the series' own correction, which a rating of the day record refuses. The
    correction with the new rating at its own time is taken, and the withdrawal it shows
    stops the walk (the gates read the day's latest rating)."""
    answers = on_the_pathway()
    answers["rapid_days"] = [day(1), day(2), day(3), day(4)]
    start = tmp_path / "start.json"
    start.write_text(json.dumps(answers))
    walked = run("walk", "--site", SITE, "--no-input", "--json", "--label", LABEL,
                 "--now", f"{DAY4.isoformat()}T09:00", "--answers", str(start))  # fmt: skip
    assert walked.exit_code in (1, 4), walked.output
    assert "withdrawal" not in json.loads(walked.stdout)["blocking"]
    withdrawal = 12  # any total at or above the pack's threshold (0-48 scale)

    same_time = day(4, corrects=4, reason="typed 2 for 12",
                    cows=[{"time": "08:00", "total": withdrawal}])  # fmt: skip
    refused = resume(run, tmp_path, "same", {"rapid_days": [same_time]})
    assert refused.exit_code == 2, refused.output
    said = " ".join(refused.output.split())
    assert "later time" in said and "Rate the patient again" in said
    assert "'corrects' (the time of the one it corrects)" not in said

    later = day(4, corrects=4, reason="typed 2 for 12; rated again",
                cows=[{"time": "09:00", "total": withdrawal}])  # fmt: skip
    taken = resume(run, tmp_path, "later", {"rapid_days": [later]})
    assert taken.exit_code != 2, taken.output
    result = json.loads(taken.stdout)
    assert "withdrawal" in result["blocking"], result["blocking"]
