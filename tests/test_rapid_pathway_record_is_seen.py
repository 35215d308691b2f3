"""The supervised rapid pathway is a property of the induction (clinical basis, Supervised
rapid pathway): a care session of the patient that keeps a pathway record and did not
finish is the induction under way. A new walk under the label, or ``check --label``, is
refused naming that session and how to resume it (judged without it, the pathway and day
1's buprenorphine would be missed: a wrong ready); its own resume is not refused."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from tests.helpers import REPO, Run, StoredSession, json_answers, ready_patient
from xrntx_guide.errors import ExitCode

SITE = str(REPO / "scenarios" / "_site-rapid-protocol.toml")
DAY1 = dt.date(2026, 11, 22)
LATER = DAY1 + dt.timedelta(days=6)
RESULTS = ("uds_opiates", "uds_fentanyl", "uds_buprenorphine", "uds_methadone",
           "uds_oxycodone", "cows_total", "naloxone_challenge", "kit_storage_ok",
           "body_habitus", "pregnancy_test")  # fmt: skip


def days(last: int, **changes: Any) -> list[dict[str, Any]]:
    return [
        {
            "day": n,
            "date": (DAY1 + dt.timedelta(days=n - 1)).isoformat(),
            "given": "as the protocol directs",
            "tolerated": True,
            "naltrexone_given": 3 <= n <= 6,
            "cows": [{"time": "08:00", "total": 2}],
            **(changes if n == last else {}),
        }
        for n in range(1, last + 1)
    ]


def start_pathway(run: Run, tmp_path: Path, label: str, last: int, **changes: Any) -> str:
    """A walk that records days 1..last and stops (the injection day is not reached)."""
    answers = json_answers(
        ready_patient(
            last_opioid_use=DAY1 - dt.timedelta(days=1),
            injection_date=DAY1 + dt.timedelta(days=last - 1),
            pathway="supervised_rapid",
            rapid_supervised_setting=True,
            rapid_protocol_on_file=True,
        )
    )
    answers = {k: v for k, v in answers.items() if k not in RESULTS}
    answers["rapid_days"] = days(last, **changes)
    path = tmp_path / f"{label}-start.json"
    path.write_text(json.dumps(answers))
    on = DAY1 + dt.timedelta(days=last - 1)
    walked = run("walk", "--site", SITE, "--no-input", "--json", "--label", label,
                 "--now", f"{on.isoformat()}T23:30", "--answers", str(path))  # fmt: skip
    assert walked.exit_code in (0, 1, 4), walked.output
    session: str = json.loads(walked.stdout)["session"]
    return session


def a_clean_standard_visit(tmp_path: Path) -> str:
    """On LATER: the standard pathway, 7 days after heroin, every result negative."""
    answers = json_answers(
        ready_patient(
            last_opioid_use=DAY1 - dt.timedelta(days=1),
            injection_date=LATER,
            pathway="standard",
            naloxone_challenge="negative",
            cows_total=1,
        )
    )
    answers["naloxone_challenge_started"] = f"{LATER.isoformat()}T08:00"
    path = tmp_path / "clean.json"
    path.write_text(json.dumps(answers))
    return str(path)


def test_check_by_label_sees_an_unfinished_pathway_record(run: Run, tmp_path: Path) -> None:
    session = start_pathway(run, tmp_path, "K4", 4)
    clean = a_clean_standard_visit(tmp_path)
    checked = run("check", "--json", "--site", SITE, "--label", "K4", "--now",
                  f"{LATER.isoformat()}T23:30", "--answers", clean)  # fmt: skip
    assert checked.exit_code == ExitCode.USAGE, checked.output
    record = json.loads(StoredSession(session).read_text())
    assert record["id"] in checked.output and "--resume" in checked.output


def test_a_new_walk_under_the_label_is_refused_and_the_resume_is_not(
    run: Run, tmp_path: Path
) -> None:
    session = start_pathway(run, tmp_path, "K5", 4, tolerated=False)
    clean = a_clean_standard_visit(tmp_path)
    walked = run("walk", "--site", SITE, "--no-input", "--json", "--label", "K5", "--now",
                 f"{LATER.isoformat()}T23:30", "--answers", clean)  # fmt: skip
    assert walked.exit_code == ExitCode.USAGE, walked.output
    assert '"status": "complete"' not in walked.stdout
    record = json.loads(StoredSession(session).read_text())
    assert record["id"] in walked.output
    resumed = run("walk", "--site", SITE, "--no-input", "--json", "--resume", "--session",
                  session, "--now", f"{LATER.isoformat()}T23:30")  # fmt: skip
    assert record["id"] not in resumed.stderr or "did not finish" not in resumed.stderr, (
        resumed.output
    )


def test_a_resume_under_a_site_file_with_another_table_is_refused_naming_the_day(
    run: Run, tmp_path: Path
) -> None:
    """The record was kept against the session's table: a --site whose table differs is
    refused naming the first day that differs, as a different setting value is."""
    session = start_pathway(run, tmp_path, "T1", 2)
    text = Path(SITE).read_text(encoding="utf-8")
    other = tmp_path / "other-site.toml"
    other.write_text(
        text.replace(
            'given = "No opioid; non-opioid withdrawal medicines as the protocol directs"',
            'given = "No opioid; clonidine as the protocol directs"',
        ),
        encoding="utf-8",
    )
    assert other.read_text(encoding="utf-8") != text
    resumed = run("walk", "--site", str(other), "--no-input", "--resume", "--session", session,
                  "--now", f"{(DAY1 + dt.timedelta(days=2)).isoformat()}T23:30")  # fmt: skip
    assert resumed.exit_code == ExitCode.USAGE, resumed.output
    assert "day 2" in resumed.stderr and "table" in resumed.stderr, resumed.stderr
