"""The seven-day supervised rapid pathway as a clinician types it, in a pseudo-terminal.

The example site's table, heroin the day before day 1, the walk resumed each morning with
``--today`` of that day: every day before the injection day reads as on track and is not
ready; on the injection day, with the record complete, the pathway is still the one chosen
(the interval from the heroin is met by then), the expected buprenorphine positive does
not block, no naloxone challenge is demanded, and the injection is given. The note lists
every day and says the buprenorphine positive is expected.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pexpect
import pytest

from tests.cli.test_rapid_walk import (
    P_COWS,
    P_DATE,
    P_DAY,
    P_DAY_DATE,
    P_GIVEN,
    P_NALTREXONE,
    P_NOTE,
    P_TIME,
    P_TOLERATED,
    Run,
    injection_day,
)
from tests.helpers import EXE, REPO, json_answers, ready_patient

pytestmark = pytest.mark.skipif(not EXE.exists(), reason=f"{EXE} is not installed")

SITE = REPO / "scenarios" / "_site-rapid-protocol.toml"
DAY1 = dt.date(2026, 11, 22)
HEROIN = DAY1 - dt.timedelta(days=1)
P_BLOCKED = r"Command \[back / edit / review / why / (?:rate again / )?(?:day / )?quit\]: "
P_PREGNANCY = r"Pregnancy test [^\n]*: "
P_FIRST = rf"(?:{P_BLOCKED}|{P_PREGNANCY})"
P_UDS = r"Urine screen: (opiates|fentanyl|buprenorphine|methadone|oxycodone) [^\n]*: "
CHOICE = r"\(number or value\)"


def oral_naltrexone_days() -> set[int]:
    from xrntx_guide.pack.load import load_guide

    table = load_guide(REPO / "steps", SITE).rapid_protocol
    assert table is not None
    return {t.day for t in table if t.oral_naltrexone}


def case(tmp_path: Path) -> str:
    """The patient up to the pathway's record: heroin the day before day 1."""
    answers = ready_patient(
        last_opioid_use=HEROIN,
        pathway="supervised_rapid",
        rapid_supervised_setting=True,
        rapid_protocol_on_file=True,
        uds_opiates=None,
        uds_fentanyl=None,
        uds_buprenorphine=None,
        uds_methadone=None,
        uds_oxycodone=None,
        cows_total=None,
        naloxone_challenge=None,
        kit_storage_ok=None,
        body_habitus=None,
    )
    path = tmp_path / "case.json"
    path.write_text(json.dumps(json_answers(answers)))
    return str(path)


def record_today(w: Run, n: int, naltrexone: set[int]) -> str:
    """'day' typed at the walk's prompt: day n, on its date, as the site's table words it."""
    w.answer(P_DAY, "")  # the next day: n
    w.answer(P_DAY_DATE, "")  # today
    w.answer(P_GIVEN, "")  # the site table's text
    w.answer(P_NALTREXONE, "yes" if n in naltrexone else "no")
    w.answer(P_TOLERATED, "yes")
    w.answer(P_COWS, "2" if n < 7 else "1")
    w.answer(P_TIME, "08:30")
    w.answer(P_COWS, "")
    return w.answer(P_NOTE, "heroin yesterday, last use" if n == 1 else "")


def test_seven_days_resumed_each_morning_then_ready_on_the_injection_day(tmp_path: Path) -> None:
    home = tmp_path / "home"
    last = injection_day()
    naltrexone = oral_naltrexone_days()
    site = ("--site", str(SITE))

    # Day 1: the walk reaches the pathway's record and opens the day dialog.
    w = Run(home, DAY1, "--label", "K", "--answers", case(tmp_path), *site)
    try:
        w.answer(P_DATE, "")
        record_today(w, 1, naltrexone)
        shown = w.expect(P_BLOCKED)
        assert f"day 1 of {last}, on track; injection day" in shown, shown
        assert (DAY1 + dt.timedelta(days=last - 1)).isoformat() in shown
        assert "CONTRAINDICATION" not in shown
        w.child.sendline("quit")
        assert w.finish() == 1
    finally:
        w.child.terminate(force=True)
    assert w.session()["status"] == "blocked"

    # Days 2 to 6: resumed each morning; each day on track, never ready.
    for n in range(2, last):
        today = DAY1 + dt.timedelta(days=n - 1)
        w = Run(home, today, "walk", "--resume", "--label", "K")
        try:
            if w.child.expect([P_PREGNANCY, P_BLOCKED]) == 0:
                w.child.sendline("3")  # not applicable: asked again each day
                w.expect(P_BLOCKED)
            w.child.sendline("day")
            record_today(w, n, naltrexone)
            shown = w.expect(P_BLOCKED)
            assert f"day {n} of {last}, on track" in shown, (n, shown)
            assert "Urine screen" not in shown
            w.child.sendline("quit")
            assert w.finish() == 1, n
        finally:
            w.child.terminate(force=True)
        kept = w.session()
        assert kept["status"] == "blocked" and kept["gates"]["rapid_pathway"] == "fail", n
        assert kept["answers"]["pathway"]["value"] == "supervised_rapid", n

    # Day 7, the injection day: seven days after the heroin, the pathway stays chosen.
    today = DAY1 + dt.timedelta(days=last - 1)
    assert (today - HEROIN).days >= 7
    w = Run(home, today, "walk", "--resume", "--label", "K")
    try:
        if w.child.expect([P_PREGNANCY, P_BLOCKED]) == 0:
            w.child.sendline("3")
            w.expect(P_BLOCKED)
        w.child.sendline("day")
        record_today(w, last, naltrexone)
        passed = w.expect(P_UDS)
        assert "gate rapid_pathway: passes" in passed, passed
        w.child.sendline("negative")  # opiates, at the prompt matched above
        for assay in ("negative", "positive", "negative", "negative"):  # the buprenorphine
            w.answer(P_UDS, assay)  # of day 1 is expected in the urine
        # The day's rating, recorded in its day above, is the visit day's rating: the
        # COWS total is not asked again (one series, whatever route gave it).
        challenge = w.answer(rf"Naloxone challenge result {CHOICE}: ", "not_done")
        assert "Required for this patient: no" in challenge, challenge
        assert "COWS total (0-48)" not in challenge, challenge
        w.answer(r"Kit stored within limits[^\n]*: ", "yes")
        w.answer(rf"Body habitus over the gluteal muscle {CHOICE}: ", "average")
        w.answer(r"Was the injection given\? \(yes/no\): ", "yes")
        w.answer(rf"Side injected {CHOICE}: ", "left")
        w.answer(r"Administration needle used [^\n]*: ", "2-inch")
        w.answer(r"Kit lot number \[Enter to skip\]: ", "")
        w.answer(r"Minutes observed after the injection \(whole number\): ", "30")
        w.answer(r"Wallet card or medical alert given\? \(yes/no\): ", "yes")
        w.answer(r"Press Enter when done: ", "")
        assert w.finish() == 0
    finally:
        w.child.terminate(force=True)
    kept = w.session()
    assert kept["status"] == "complete" and kept["gates"]["rapid_pathway"] == "pass"
    assert "CONTRAINDICATION" not in w.output

    note = str(
        pexpect.run(
            f"{EXE} note K --format text",
            env={"XRNTX_GUIDE_HOME": str(home), "NO_COLOR": "1", "PATH": "/usr/bin:/bin"},
            encoding="utf-8",
        )
    )
    assert "Readiness: ready" in note, note
    for n in range(1, last + 1):
        on = (DAY1 + dt.timedelta(days=n - 1)).isoformat()
        assert re.search(rf"{on}, day {n}: given: ", note), (n, note)
    assert "buprenorphine positive, expected on the supervised rapid pathway" in note
    assert "all five assays negative" not in note
